"""Keep a shield, and decide about the brothers and sisters it holds (R-SHIELD-1/2/3, issue 13 §3.1).

While a shield holds a sibling, that child's record shows nothing of the family's address, carers, or the school
and GP it shares with the shielded child. At review the LA team decides for each: shield them too, or no shield
needed (their record shows the family's address again). Nothing is chosen for the team: each sibling starts at
"decide later", and a sibling left there stays withheld until the next review.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.directory.work import types as t

from .base import WorkDialog

LATER, SHIELD, NOT_NEEDED = "later", "shield", "not_needed"
CHOICES = ((LATER, "Decide later: the family's address stays withheld on this record"),
           (SHIELD, "Shield this child too"),
           (NOT_NEEDED, "No shield needed: show the family's address on this record again"))


def sibling_words(s: t.Sibling) -> str:
    state = ("shielded" if s.shielded else "the family's address and carers withheld until you decide" if s.withheld
             else "shown in full")
    return f"{s.name} ({s.directory_id}), born {s.dob:%d %b %Y}: {state}"


class ShieldReviewDialog(WorkDialog):
    def __init__(self, line: t.ShieldDue, parent: QWidget | None = None) -> None:
        super().__init__("Keep shield", "&Keep shield", parent)
        self.setObjectName("shieldReviewDialog")
        self.line = line
        intro = QLabel(f"Keep the shield on {line.child_name} ({line.directory_id}); the next review is in six "
                       "months.\n\nThese children share the family's address or carers. Decide for each whether "
                       "they need a shield too:")
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.choices: dict[str, QComboBox] = {}
        for s in line.siblings:
            if s.shielded or not s.withheld:
                continue
            choice = QComboBox()
            choice.setObjectName(f"siblingChoice_{s.directory_id.replace(' ', '')}")
            choice.setAccessibleName(f"Decision for {s.name}")
            for code, words in CHOICES:
                choice.addItem(words, code)
            label = QLabel(sibling_words(s))
            label.setWordWrap(True)
            label.setBuddy(choice)
            self.form.addRow(label)
            self.form.addRow(choice)
            self.choices[s.directory_id] = choice

    def build(self) -> t.ShieldReview:
        decided = tuple(t.SiblingDecision(did, choice.currentData() == SHIELD)
                        for did, choice in self.choices.items() if choice.currentData() != LATER)
        return t.ShieldReview(self.line.directory_id, t.ReviewOutcome.KEEP, decided)
