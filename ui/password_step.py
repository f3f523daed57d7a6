"""The sign-in window's password step (issue 14 §2.1, R-ROLE-4): after signing in with the one-time password
the LA team gave them, a user chooses their own, typed twice, before Signpost opens. The length and the match
are checked here; the directory checks them too, and refuses every other work until the password is changed."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.directory.work.accounts import MIN_CHARS


class PasswordStep(QWidget):
    chosen = Signal(str)  # the new password, typed the same twice
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordStep")
        self.heading = QLabel()
        self.heading.setObjectName("passwordStepHeading")
        self.heading.setWordWrap(True)
        self.rules = QLabel(f"At least {MIN_CHARS} characters, not the one you were given and without your username. "
                            "A few words you will remember make a good one. Never write it down by your token.")
        self.rules.setWordWrap(True)
        self.new = QLineEdit()
        self.new.setObjectName("newPassword")
        self.new.setAccessibleName("New password")
        self.new.setEchoMode(QLineEdit.Password)
        self.new.setMaxLength(1024)
        self.again = QLineEdit()
        self.again.setObjectName("newPasswordAgain")
        self.again.setAccessibleName("New password again")
        self.again.setEchoMode(QLineEdit.Password)
        self.again.setMaxLength(1024)
        self.message = QLabel()
        self.message.setObjectName("passwordStepMessage")
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        self.change_button = QPushButton("&Change password and sign in")
        self.change_button.setObjectName("changePassword")
        self.change_button.setDefault(True)
        self.cancel_button = QPushButton("Sign &out")
        self.cancel_button.setObjectName("abandonPasswordStep")
        self.change_button.clicked.connect(self._submit)
        self.again.returnPressed.connect(self._submit)
        self.new.returnPressed.connect(self.again.setFocus)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        form = QFormLayout()
        form.addRow("&New password", self.new)
        form.addRow("Type it &again", self.again)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.change_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.rules)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def start(self, display_name: str) -> None:
        self.clear()
        self.heading.setText(f"Welcome, {display_name}. You signed in with a one-time password: choose your own "
                             "now. Signpost opens once you have.")
        self.show()
        self.new.setFocus()

    def _submit(self) -> None:
        new, again = self.new.text(), self.again.text()
        if len(new) < MIN_CHARS:
            self.failed(f"Your new password needs at least {MIN_CHARS} characters.", self.new)
            return
        if new != again:
            self.failed("The two passwords are not the same: type it again.", self.again)
            return
        self._busy(True)
        self.message.hide()
        self.chosen.emit(new)

    def failed(self, message: str, field: QLineEdit | None = None) -> None:
        self._busy(False)
        self.message.setText(message)
        self.message.show()
        target = field or self.new
        if target is self.new:
            self.again.clear()
        target.setFocus()
        target.selectAll()

    def _busy(self, busy: bool) -> None:
        self.change_button.setEnabled(not busy)
        self.change_button.setText("Changing…" if busy else "&Change password and sign in")

    def clear(self) -> None:
        self.new.clear()
        self.again.clear()
        self.message.clear()
        self.message.hide()
        self._busy(False)
