"""R-SHIELD-6: a child-protection user may see a shielded record in full, after a warning that the override
is investigated; the LA team is alerted at once."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from app.directory.work import types as t
from app.model import Reason

from .base import Problem, WorkDialog

WARNING = ("This record is shielded to protect the child. Overriding the shield is recorded, your LA management "
           "team is alerted at once, and every override is investigated. The hidden details show only until you "
           "leave this record; they are never kept on this workstation.")


class ShieldOverrideDialog(WorkDialog):
    def __init__(self, directory_id: str, reason: Reason, parent: QWidget | None = None) -> None:
        super().__init__("Override the shield", "&Override and show", parent)
        self.setObjectName("shieldOverrideDialog")
        self.directory_id, self.reason = directory_id, reason
        self.warning = QLabel(WARNING)
        self.warning.setObjectName("overrideWarning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("kind", "error")
        self.form.addRow(self.warning)
        self.understood = QCheckBox("I have read this &warning and have a child-protection reason")
        self.form.addRow(self.understood)

    def build(self) -> t.ShieldOverride:
        if not self.understood.isChecked():
            self.understood.setFocus()
            raise Problem("Confirm that you have read the warning.")
        return t.ShieldOverride(self.directory_id, self.reason, True)
