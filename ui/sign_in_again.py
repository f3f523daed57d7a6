"""Signing in again, in place, after the directory ended the session (issue 15 2.4): a service restart or its own
time limits. The same user and the same token: the password and the token's PIN, nothing else. The window,
the encrypted cache and the changes waiting in it stay as they are."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class SignInAgainDialog(QDialog):
    submitted = Signal(str, str)  # password, PIN

    def __init__(self, display_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInAgainDialog")
        self.setWindowTitle("Sign in again")
        intro = QLabel(f"Sign in again as {display_name}, with the security token you signed in with.")
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("againPassword")
        self.password.setEchoMode(QLineEdit.Password)
        self.pin = QLineEdit()
        self.pin.setObjectName("againPin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.message = QLabel()
        self.message.setObjectName("againMessage")
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        form = QFormLayout()
        form.addRow("&Password", self.password)
        form.addRow("Token P&IN", self.pin)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.Ok)
        self.ok.setText("&Sign in")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def _submit(self) -> None:
        if not self.password.text() or not self.pin.text():
            self.show_error("Give your password and your token's PIN.", "pin" if self.password.text() else "password")
            return
        self.ok.setEnabled(False)
        self.submitted.emit(self.password.text(), self.pin.text())
        self.pin.clear()

    def show_error(self, text: str, field: str = "password") -> None:
        """A refusal: said, the PIN cleared, focus where to correct (as the sign-in window does)."""
        self.ok.setEnabled(True)
        self.message.setText(text)
        self.message.show()
        (self.pin if field == "pin" else self.password).setFocus()
