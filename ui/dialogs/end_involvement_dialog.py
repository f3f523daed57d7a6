"""End one's own involvement, choosing how long its contact details are kept (R-RET-3)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QWidget

from app.directory.work import types as t
from app.model import Involvement, Reason

from .base import Problem, WorkDialog
from .involvement_dialog import date_edit, day_of

KEEP_WORDS = {
    t.KeepContact.ONE_YEAR: "Archive my contact details &one year after the end (usual)",
    t.KeepContact.FIVE_YEARS: "&Keep my contact details for up to five years (others may need to reach me)",
}


class EndInvolvementDialog(WorkDialog):
    def __init__(self, directory_id: str, involvement: Involvement, reason: Reason, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__("End my involvement", "&End involvement", parent)
        self.setObjectName("endInvolvementDialog")
        self.directory_id, self.involvement, self.reason = directory_id, involvement, reason
        self.end = date_edit(today, "End date")
        self.form.addRow(QLabel(f"{involvement.service.label} — {involvement.organisation}"))
        self.form.addRow("End &date", self.end)
        self.keep: dict[t.KeepContact, QRadioButton] = {}
        group = QButtonGroup(self)
        for choice, words in KEEP_WORDS.items():
            button = QRadioButton(words)
            button.setAccessibleName(words.replace("&", ""))
            group.addButton(button)
            self.form.addRow(button)
            self.keep[choice] = button

    def build(self) -> t.InvolvementEnd:
        chosen = [c for c, b in self.keep.items() if b.isChecked()]
        if not chosen:
            raise Problem("Choose how long your contact details are kept after the end.")
        return t.InvolvementEnd(self.directory_id, self.involvement.involvement_id, self.involvement.version,
                                day_of(self.end), chosen[0], self.reason)
