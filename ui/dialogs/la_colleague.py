"""Register a colleague without access of their own, for whom a mediating user searches (R-ROLE-2): a name,
a role and an organisation, nothing else (R-REC-5)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.directory.work import types as t

LIMIT = 120


class RegisterColleagueDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerColleague")
        self.setWindowTitle("Register a colleague")
        self.name = QLineEdit()
        self.role = QLineEdit()
        self.organisation = QLineEdit()
        form = QFormLayout()
        for label, edit, name in (("&Name", self.name, "colleagueName"), ("&Role", self.role, "colleagueRole"),
                                  ("&Organisation", self.organisation, "colleagueOrganisation")):
            edit.setObjectName(name)
            edit.setAccessibleName(label.replace("&", ""))
            edit.setMaxLength(LIMIT)
            form.addRow(label, edit)
        self.note = QLabel("The colleague gets no password or token: a mediating user searches for them and "
                           "chooses them from a list.")
        self.note.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("colleagueProblem")
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Re&gister")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _check(self) -> None:
        missing = [w for w, e in (("name", self.name), ("role", self.role), ("organisation", self.organisation))
                   if not e.text().strip()]
        if missing:
            self.problem.setText(f"Fill in the {missing[0]}.")
            self.problem.show()
            {"name": self.name, "role": self.role, "organisation": self.organisation}[missing[0]].setFocus()
            return
        self.accept()

    def request(self) -> t.NewColleague:
        return t.NewColleague(self.name.text().strip(), self.role.text().strip(), self.organisation.text().strip())
