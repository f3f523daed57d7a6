"""Set or clear lead professional and CAF completed on one's own involvement (R-ROLE-1).

If someone else already holds lead professional, the directory refuses and its words say who (or that
another practitioner does, where that practitioner's involvement is withheld)."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from app.directory.work import types as t
from app.model import Involvement, Reason

from .base import WorkDialog


class IndicatorsDialog(WorkDialog):
    def __init__(self, directory_id: str, involvement: Involvement, reason: Reason,
                 parent: QWidget | None = None) -> None:
        super().__init__("Lead professional and CAF", "&Save", parent)
        self.setObjectName("indicatorsDialog")
        self.directory_id, self.involvement, self.reason = directory_id, involvement, reason
        self.lead = QCheckBox("I am the &lead professional for this child")
        self.lead.setChecked(involvement.lead_professional)
        self.caf = QCheckBox("A &CAF has been completed")
        self.caf.setChecked(involvement.caf_completed)
        self.form.addRow(self.lead)
        self.form.addRow(self.caf)

    def build(self) -> t.Indicators:
        return t.Indicators(self.directory_id, self.involvement.involvement_id, self.involvement.version,
                            self.lead.isChecked(), self.caf.isChecked(), self.reason)
