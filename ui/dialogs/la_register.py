"""The LA team adds an organisation or a role title to its register itself (issue 14 §2.3, R-REC-5): listed at
once. A role title is added for one service type; a name is one line, bounded by the directory."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.directory.work import types as t
from app.model import ServiceType

from .base import Problem, WorkDialog


class AddToRegisterDialog(WorkDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add to the register", "&Add", parent)
        self.setObjectName("addToRegister")
        self.kind = QComboBox()
        self.kind.setAccessibleName("What to add")
        self.kind.addItem("An organisation", t.RegisterKind.ORGANISATION.value)
        self.kind.addItem("A role title", t.RegisterKind.ROLE.value)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(100)
        self.service = QComboBox()
        self.service.setAccessibleName("For the service")
        self.service.addItem("Choose the service…", None)
        for s in ServiceType:
            self.service.addItem(s.label, s.value)
        self.form.addRow("&What", self.kind)
        self.form.addRow("&Name", self.name)
        self.form.addRow("For the &service", self.service)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.name.setFocus()

    def _kind(self) -> t.RegisterKind:
        return t.RegisterKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        self.service.setEnabled(self._kind() is t.RegisterKind.ROLE)

    def build(self) -> t.RegisterAsk:
        name = " ".join(self.name.text().split())
        if not name:
            self.name.setFocus()
            raise Problem("Give the name to add.")
        if self._kind() is t.RegisterKind.ORGANISATION:
            return t.RegisterAsk(t.RegisterKind.ORGANISATION, name)
        if self.service.currentData() is None:
            self.service.setFocus()
            raise Problem("Choose the service the role title is for.")
        return t.RegisterAsk(t.RegisterKind.ROLE, name, ServiceType(self.service.currentData()))
