"""Give someone access (issue 14 §2.1, R-ROLE-3, R-ROLE-4): the LA team creates a user in its own LA, then shows
their one-time password once and enrols their token from the same place.

``NewUserDialog`` takes what the directory needs to give lawful access: the name, an eligible role, the
organisation from the register (R-REC-5), who nominated them and when, the training (done, and when, or not yet)
and the enhanced criminal-records check's date. ``OneTimePasswordDialog`` shows the username and the one-time
password (to read out or hand over in person; not selectable, never copied, gone when the dialog closes) and
offers "Enrol their token now…"."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.directory.work import types as t
from app.model import Role

from .base import Problem, WorkDialog
from .register_pickers import RegisterPickers

ROLES = (Role.PRACTITIONER, Role.CHILD_PROTECTION, Role.MEDIATING, Role.LA_MANAGEMENT)


def _day_edit(name: str, value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setAccessibleName(name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMaximumDate(QDate(value.year, value.month, value.day))
    return edit


def _day(edit: QDateEdit) -> date:
    q = edit.date()
    return date(q.year(), q.month(), q.day())


class NewUserDialog(WorkDialog):
    def __init__(self, vocabulary: t.Vocabulary, today: date, parent: QWidget | None = None) -> None:
        super().__init__("Give someone access", "Create &user", parent)
        self.setObjectName("newUser")
        self.name = QLineEdit()
        self.name.setObjectName("newUserName")
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(100)
        self.role = QComboBox()
        self.role.setObjectName("newUserRole")
        self.role.setAccessibleName("Role")
        self.role.addItem("Choose the role…", None)
        for r in ROLES:
            self.role.addItem(r.label, r.value)
        self.pickers = RegisterPickers(vocabulary, say=self.show_error, parent=self)
        self.organisation = self.pickers.organisation
        self.nominated_by = QLineEdit()
        self.nominated_by.setObjectName("newUserNominatedBy")
        self.nominated_by.setAccessibleName("Nominated by")
        self.nominated_by.setPlaceholderText("Name and job title of the manager who nominated them")
        self.nominated_by.setMaxLength(100)
        self.nominated_on = _day_edit("Nominated on", today)
        self.trained = QCheckBox("Training &done")
        self.trained.setObjectName("newUserTrained")
        self.trained_on = _day_edit("Training done on", today)
        self.trained_on.setEnabled(False)
        self.trained.toggled.connect(self.trained_on.setEnabled)
        self.check_date = _day_edit("Criminal-records check done on", today)
        self.form.addRow("&Name", self.name)
        self.form.addRow("&Role", self.role)
        self.form.addRow("&Organisation", self.organisation)
        self.form.addRow(self.pickers.other)
        self.form.addRow("Nominated &by", self.nominated_by)
        self.form.addRow("Nomina&ted on", self.nominated_on)
        self.form.addRow(self.trained, self.trained_on)
        self.form.addRow("Enhanced &check done on", self.check_date)
        note = QLabel("They get a one-time password, shown once when you create them: they choose their own when "
                      "they first sign in. Enrol their token next. Without training recorded they cannot sign in "
                      "yet; a check is valid for three years.")
        note.setWordWrap(True)
        self.column.insertWidget(0, note)
        self.name.setFocus()

    def build(self) -> t.NewUser:
        name = " ".join(self.name.text().split())
        if len(name) < 3:
            self.name.setFocus()
            raise Problem("Give the person's full name.")
        if self.role.currentData() is None:
            self.role.setFocus()
            raise Problem("Choose the role that gives them the access they need.")
        organisation = self.pickers.organisation_value()
        nominated_by = " ".join(self.nominated_by.text().split())
        if len(nominated_by) < 3:
            self.nominated_by.setFocus()
            raise Problem("Say who nominated them: the name and job title of their manager.")
        return t.NewUser(name, Role(self.role.currentData()), organisation, nominated_by, _day(self.nominated_on),
                         _day(self.check_date), _day(self.trained_on) if self.trained.isChecked() else None)


class OneTimePasswordDialog(QDialog):
    """The one-time password, once: read it out or hand it over; it is not shown again (R-ROLE-4)."""

    enrol_requested = Signal(object)  # the ManagedUser whose token to enrol now

    def __init__(self, given: t.OneTimePassword, why: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("oneTimePassword")
        self.setWindowTitle("One-time password")
        self.user = given.user
        heading = QLabel(f"{why} {given.user.display_name}'s username is <b>{given.user.username}</b>.")
        heading.setWordWrap(True)
        self.password = QLabel(given.password or "—")
        self.password.setObjectName("oneTimePasswordText")
        self.password.setAccessibleName("One-time password")
        self.password.setTextInteractionFlags(Qt.NoTextInteraction)  # read out, never copied (R-LOCAL-1)
        big = self.password.font()
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        big.setFamily("monospace")
        self.password.setFont(big)
        self.advice = QLabel(
            "Give it to them in person or by phone, never by e-mail or in writing left about. It works once: when "
            "they first sign in, with their token, they choose their own password. It is not shown again; if it "
            "is lost, use Reset password." if given.password else
            "The account was made before; its one-time password is not shown again. Use Reset password to give "
            "them a new one.")
        self.advice.setWordWrap(True)
        self.enrol_button = QPushButton("&Enrol their token now…")
        self.enrol_button.setObjectName("enrolNewUsersToken")
        self.enrol_button.setVisible(not given.user.token_serial)
        self.enrol_button.clicked.connect(self._enrol)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.enrol_button, QDialogButtonBox.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.password)
        layout.addWidget(self.advice)
        layout.addWidget(buttons)

    def _enrol(self) -> None:
        user = self.user
        self.done(QDialog.Accepted)
        self.enrol_requested.emit(user)

    def done(self, result: int) -> None:
        self.password.clear()  # nothing of it stays behind the closed dialog
        super().done(result)
