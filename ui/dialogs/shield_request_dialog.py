"""Request a shield with its ground from the fixed list (R-SHIELD-2): in force at once, reviewed by the LA
team within 7 days (R-SHIELD-3)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

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
    def __init__(self, directory_id: str, reason: Reason, parent: QWidget | None = None) -> None:
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

    def build(self) -> t.ShieldRequest:
        if not self.ground.currentData():
            self.ground.setFocus()
            raise Problem("Choose the ground for the shield.")
        return t.ShieldRequest(self.directory_id, t.ShieldGround(self.ground.currentData()), self.reason)
