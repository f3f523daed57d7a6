"""Register a colleague without access of their own, for whom a mediating user searches (R-ROLE-2): a name, a
role title from the vocabulary and an organisation from the register, nothing else (R-REC-5, issue 14 §2.3)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.directory.work import types as t
from ui.announce import announce, point_to, unpoint

from .base import Problem
from .register_pickers import RegisterPickers

LIMIT = 120


class RegisterColleagueDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, vocabulary: t.Vocabulary | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerColleague")
        self.setWindowTitle("Register a colleague")
        self.name = QLineEdit()
        self.name.setObjectName("colleagueName")
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(LIMIT)
        self.problem = QLabel()
        self.problem.setObjectName("colleagueProblem")
        self.problem.setProperty("kind", "error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.pickers = RegisterPickers(vocabulary or t.Vocabulary((), ()), any_service=True, say=self._say,
                                       parent=self)
        self.role, self.organisation = self.pickers.role, self.pickers.organisation
        self.role.setObjectName("colleagueRole")
        self.organisation.setObjectName("colleagueOrganisation")
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        form.addRow("&Organisation", self.organisation)
        form.addRow(self.pickers.other)
        self.note = QLabel("The colleague gets no password or token: a mediating user searches for them and "
                           "chooses them from a list. Their role and organisation come from the register.")
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Re&gister")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._request: t.NewColleague | None = None

    def _say(self, text: str) -> None:
        """Said at once, on the field it is about (focus is there already)."""
        unpoint(self)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        announce(self.problem, text, assertive=True)
        if text and self.focusWidget() is not None and not isinstance(self.focusWidget(), QPushButton):
            point_to(self.focusWidget(), text)

    def _check(self) -> None:
        if not self.name.text().strip():
            self._say("Fill in the name.")
            self.name.setFocus()
            return
        try:
            role, organisation = self.pickers.role_value(), self.pickers.organisation_value()
        except Problem as p:
            self._say(str(p))
            return
        self._request = t.NewColleague(self.name.text().strip(), role, organisation)
        self.accept()

    def request(self) -> t.NewColleague:
        assert self._request is not None
        return self._request
