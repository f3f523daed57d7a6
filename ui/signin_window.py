"""The window Signpost opens on: who is signing in.

It is shown at once; the directory is prepared behind it (built on first
run, with progress), and the Sign in button waits until it is ready.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

_PHASES = {"people": "Creating synthetic children and families", "indexes": "Building the search indexes"}


class SignInWindow(QWidget):
    submitted = Signal(str, str)  # username, password

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
        self.resize(460, 320)

        self._ready = False
        self.button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self._submit)
        self.password.returnPressed.connect(self._submit)

    def show_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        label = _PHASES.get(phase, phase)
        self.status.setText(f"First run: building the training directory. {label} ({done:,} of {total:,})…")

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
        for w in (self.username, self.password):
            w.setEnabled(not busy)
        if busy:
            self.status.setText("")

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.status.setText(message)
        self.password.clear()
        self.password.setFocus()

    def _submit(self) -> None:
        if not self._ready or not self.button.isEnabled():
            return
        if not self.username.text().strip() or not self.password.text():
            self.status.setText("Enter your username and password.")
            (self.username if not self.username.text().strip() else self.password).setFocus()
            return
        self.set_busy(True)
        self.submitted.emit(self.username.text().strip(), self.password.text())

    def reset(self) -> None:
        self.password.clear()
        self.set_busy(False)
