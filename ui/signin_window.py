"""The window Signpost opens on: who is signing in.

It is shown at once; the directory is prepared behind it (built on first
run, with one overall progress bar), and the Sign in button waits until it
is ready. The token list pre-selects the typed user's token. A message
about something the user did (a refusal, a missing field, a note after
sign-out) goes as soon as they type again or the tokens change; a refused
sign-in clears only the PIN.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .announce import announce
from .password_step import PasswordStep
from .token_picker import TokenPicker


class SignInWindow(QWidget):
    submitted = Signal(str, str, str, str)  # username, password, token serial, PIN
    new_password = Signal(str, str)  # la-admin: (the one-time password signed in with, the user's own)
    new_password_cancelled = Signal()

    def __init__(self, remembered: Callable[[str], str | None] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("signInWindow")
        self.remembered = remembered or (lambda _username: None)
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
        self.button = QPushButton("&Sign in")
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        self.button.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("signInStatus")
        self.status.setWordWrap(True)  # no fixed accessible name: its text is what is read (ui/announce.py)
        self.progress = QProgressBar()
        self.progress.setObjectName("setupProgress")
        self.progress.setAccessibleName("Setup progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self._overall = None  # made on the first report: only a first run has one
        self._transient = False  # the status says something the next input makes stale

        self.form_box = QWidget()  # the sign-in form, hidden while the password step is shown
        form = QFormLayout(self.form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        # the label names the combo itself: on Linux a combo box's accessible name is its current text, and a
        # screen reader learns what it is for only from the label pointing at it (labelled-by)
        token_label = QLabel("Security &token")
        token_label.setBuddy(self.tokens.combo)
        form.addRow(token_label, self.tokens)
        form.addRow("Token P&IN", self.pin)
        self.step = PasswordStep()  # la-admin (issue 14 §2.1): a one-time password is replaced here
        self.step.chosen.connect(lambda new: self.new_password.emit(self._one_time, new))
        self.step.cancelled.connect(self.new_password_cancelled.emit)
        self.step.hide()
        self._one_time = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addWidget(self.form_box)
        layout.addWidget(self.step)
        layout.addWidget(self.button, 0, Qt.AlignRight)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.resize(600, 400)

        self._ready = False
        self.button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        self.username.textChanged.connect(self._username_changed)
        for edit in (self.username, self.password, self.pin):
            edit.textEdited.connect(self._input_changed)
        self.tokens.changed.connect(self._input_changed)
        self._set_status("Preparing the directory…")

    # -- the status line ---------------------------------------------------
    def _set_status(self, text: str, kind: str = "info", transient: bool = False, spoken: bool = True) -> None:
        """``kind`` "info" (neutral) or "error" (red, announced at once); a ``transient`` message goes on the
        next input; ``spoken``: announced to a screen reader (not each step of the progress bar)."""
        self.status.setProperty("kind", kind)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)
        self._transient = transient and bool(text)
        if spoken:
            announce(self.status, text, assertive=kind == "error")

    def show_note(self, text: str) -> None:
        """Something that happened (e.g. signed out because another token came in), until the next input."""
        self._set_status(text, "info", transient=True)

    def _input_changed(self, *_: object) -> None:
        if self._transient:
            self._set_status("")

    def _username_changed(self, text: str) -> None:
        self.tokens.prefer(text, self.remembered(text.strip()) if text.strip() else None)

    # -- states ---------------------------------------------------------------
    def show_progress(self, phase: str, done: int, total: int) -> None:
        if self._overall is None:
            from .setup_progress import SCALE, OverallProgress
            self._overall = OverallProgress()
            self.progress.setRange(0, SCALE)
        self.progress.show()
        value, text = self._overall.update(phase, done, total)
        self.progress.setValue(value)
        self._set_status(f"{text}…", spoken=False)

    def set_ready(self, note: str = "") -> None:
        self._ready = True
        self.progress.hide()
        self.button.setEnabled(True)
        self._set_status(note, transient=True)
        self.username.setFocus()

    def set_failed(self, message: str) -> None:
        self._ready = False
        self.progress.hide()
        self.button.setEnabled(False)
        self._set_status(message, "error")

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(self._ready and not busy)
        self.button.setText("Signing in…" if busy else "&Sign in")
        for w in (self.username, self.password, self.pin, self.tokens):
            w.setEnabled(not busy)
        if busy:
            self._set_status("")

    def show_error(self, message: str, field: str = "password") -> None:
        """A refused sign-in: the message stays until the user types; only the PIN is cleared."""
        self.set_busy(False)
        self.pin.clear()
        self._set_status(message, "error", transient=True)
        target = self.pin if field == "pin" else self.password
        target.setFocus()
        target.selectAll()

    def _refuse(self, message: str, focus: QWidget | None = None) -> None:
        self._set_status(message, "error", transient=True)
        if focus is not None:
            focus.setFocus()

    def _submit(self) -> None:
        if not self._ready or not self.button.isEnabled():
            return
        if not self.username.text().strip() or not self.password.text():
            self._refuse("Enter your username and password.",
                         self.username if not self.username.text().strip() else self.password)
            return
        token = self.tokens.current()
        if token is None:
            self._refuse("Insert your security token.")
            return
        if token.user_pin_locked:
            self._refuse("This token's PIN is blocked. Contact your LA team to have it reset.")
            return
        if not self.pin.text():
            self._refuse("Enter your token PIN.", self.pin)
            return
        pin = self.pin.text()
        self.pin.clear()
        self.set_busy(True)
        self.submitted.emit(self.username.text().strip(), self.password.text(), token.serial, pin)

    def reset(self) -> None:
        """Ready for the next sign-in: the last username kept, selected and focused, so the next person types
        over it or presses Tab (keyboard-only, issue 18 item 5)."""
        self.password.clear()
        self.pin.clear()
        self.set_busy(False)
        self.username.selectAll()
        self.username.setFocus()

    # -- la-admin: the password step after a sign-in with a one-time password (issue 14 §2.1, R-ROLE-4) ---------
    def ask_new_password(self, display_name: str) -> None:
        """Signed in with a one-time password: ask for the user's own in this window before anything else."""
        self._one_time = self.password.text()
        self.password.clear()
        self.pin.clear()
        self.form_box.hide()
        self.button.hide()
        self._set_status("")
        self.step.start(display_name)

    def password_step_failed(self, message: str) -> None:
        self.step.failed(message)

    def leave_password_step(self, note: str = "") -> None:
        """Back to the sign-in form (changed, or given up: the session was signed out)."""
        self._one_time = ""
        self.step.clear()
        self.step.hide()
        self.form_box.show()
        self.button.show()
        self.set_busy(False)
        if note:
            self.show_note(note)
