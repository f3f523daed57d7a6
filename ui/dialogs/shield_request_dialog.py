"""Request a shield with its ground from the fixed list (R-SHIELD-2): in force at once, reviewed by the LA
team within 7 days (R-SHIELD-3). The child's LA team, shielding a child itself, sees the brothers and sisters who
share the family's address or carers and can shield them in the same step (issue 13 §3.1); none is ticked for it,
and those left unticked keep the family's address withheld until the review decides."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from app.directory.work import types as t
from app.model import Reason

from .base import Problem, WorkDialog

GROUND_WORDS = {
    t.ShieldGround.DOMESTIC_ABUSE: "Domestic abuse",
    t.ShieldGround.RISK_OF_ABDUCTION: "Risk of abduction",
    t.ShieldGround.ADOPTION_PLACEMENT: "Adoption placement",
    t.ShieldGround.WITNESS_PROTECTION: "Witness protection",
    t.ShieldGround.OTHER_RISK_OF_HARM: "Other risk of harm",
}
EXPLAIN = ("The shield takes effect at once: other users will see only the child's name, date of birth, gender "
           "and directory id. Your LA management team reviews it within 7 days.")


class ShieldRequestDialog(WorkDialog):
    def __init__(self, directory_id: str, reason: Reason, parent: QWidget | None = None,
                 siblings: tuple[t.Sibling, ...] = ()) -> None:
        super().__init__("Request a shield", "Re&quest shield", parent)
        self.setObjectName("shieldRequestDialog")
        self.directory_id, self.reason = directory_id, reason
        note = QLabel(EXPLAIN)
        note.setWordWrap(True)
        self.form.addRow(note)
        self.ground = QComboBox()
        self.ground.setAccessibleName("Ground for the shield")
        self.ground.addItem("Choose the ground…", None)
        for g, words in GROUND_WORDS.items():
            self.ground.addItem(words, g.value)
        self.form.addRow("&Ground", self.ground)
        self.siblings: dict[str, QCheckBox] = {}
        others = [x for x in siblings if not x.shielded]
        if others:
            also = QLabel("These children share the family's address or carers. Until you decide at the review, "
                          "the family's address and carers are withheld on their records. Shield them too now:")
            also.setWordWrap(True)
            self.form.addRow(also)
        for x in others:
            box = QCheckBox(f"{x.name} ({x.directory_id}), born {x.dob:%d %b %Y}")
            box.setObjectName(f"alsoShield_{x.directory_id.replace(' ', '')}")
            self.form.addRow(box)
            self.siblings[x.directory_id] = box

    def build(self) -> t.ShieldRequest:
        if not self.ground.currentData():
            self.ground.setFocus()
            raise Problem("Choose the ground for the shield.")
        also = tuple(did for did, box in self.siblings.items() if box.isChecked())
        return t.ShieldRequest(self.directory_id, t.ShieldGround(self.ground.currentData()), self.reason, also)
