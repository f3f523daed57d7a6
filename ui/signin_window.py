"""The window Signpost opens on: who is signing in.

It is shown at once; the directory is prepared behind it (built on first
run, with progress), and the Sign in button waits until it is ready.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from .token_picker import TokenPicker

_PHASES = {"people": "Creating synthetic children and families", "indexes": "Building the search indexes",
           "tokens": "Making training security tokens"}


class SignInWindow(QWidget):
    submitted = Signal(str, str, str, str)  # username, password, token serial, PIN

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("signInWindow")
        self.setWindowTitle("Signpost — sign in")
        title = QLabel("Signpost")
        title.setObjectName("appTitle")
        subtitle = QLabel("Who else is working with a child, and how to reach them.")
        subtitle.setObjectName("appSubtitle")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.Password)
        self.tokens = TokenPicker()
        self.tokens.setObjectName("signInTokens")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setAccessibleName("Token PIN")
        self.pin.setEchoMode(QLineEdit.Password)
        self.button = QPushButton("Sign in")
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        self.button.setEnabled(False)
        self.status = QLabel("Preparing the directory…")
        self.status.setObjectName("signInStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sign-in status")
        self.progress = QProgressBar()
        self.progress.setObjectName("setupProgress")
        self.progress.setAccessibleName("Setup progress")
        self.progress.hide()

        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        form.addRow("Security &token", self.tokens)
        form.addRow("Token P&IN", self.pin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.button, 0, Qt.AlignRight)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.resize(480, 400)

        self._ready = False
        self.button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)

    def show_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        label = _PHASES.get(phase, phase)
        self.status.setText(f"Setting up the training directory. {label} ({done:,} of {total:,})…")

    def set_ready(self, note: str = "") -> None:
        self._ready = True
        self.progress.hide()
        self.button.setEnabled(True)
        self.status.setText(note)
        self.username.setFocus()

    def set_failed(self, message: str) -> None:
        self._ready = False
        self.progress.hide()
        self.button.setEnabled(False)
        self.status.setText(message)

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(self._ready and not busy)
        self.button.setText("Signing in…" if busy else "Sign in")
        for w in (self.username, self.password, self.pin, self.tokens):
            w.setEnabled(not busy)
        if busy:
            self.status.setText("")

    def show_error(self, message: str, field: str = "password") -> None:
        self.set_busy(False)
        self.status.setText(message)
        self.pin.clear()
        if field == "password":
            self.password.clear()
        (self.pin if field == "pin" else self.password).setFocus()

    def _submit(self) -> None:
        if not self._ready or not self.button.isEnabled():
            return
        if not self.username.text().strip() or not self.password.text():
            self.status.setText("Enter your username and password.")
            (self.username if not self.username.text().strip() else self.password).setFocus()
            return
        token = self.tokens.current()
        if token is None:
            self.status.setText("Insert your security token.")
            return
        if token.user_pin_locked:
            self.status.setText("This token's PIN is blocked. Contact your LA team to have it reset.")
            return
        if not self.pin.text():
            self.status.setText("Enter your token PIN.")
            self.pin.setFocus()
            return
        pin = self.pin.text()
        self.pin.clear()
        self.set_busy(True)
        self.submitted.emit(self.username.text().strip(), self.password.text(), token.serial, pin)

    def reset(self) -> None:
        self.password.clear()
        self.pin.clear()
        self.set_busy(False)
