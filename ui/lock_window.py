"""The window shown while the session is locked (R-LOCAL-2, R-ROLE-4).

It replaces the main window at once and holds no child data: only why it
locked, who is signed in, which token, and a PIN.  Enter in the PIN field
unlocks; the PIN is cleared as soon as it has been handed on.  Messages do
not outlive their cause: "token removed" becomes "token is back" when the
session's token returns, and an unlock error goes when the user types again
or picks another token.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.announce import announce
from ui.token_picker import TokenPicker

TOKEN_BACK = "Your security token is back. Enter its PIN to unlock."


class LockWindow(QWidget):
    unlock_requested = Signal(str, str)  # token serial, PIN
    sign_out_requested = Signal()

    def __init__(self, display_name: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lockWindow")
        self.setWindowTitle("Signpost — locked")
        title = QLabel("Signpost is locked")
        title.setObjectName("lockTitle")
        self.reason = QLabel()
        self.reason.setObjectName("lockReason")
        self.reason.setWordWrap(True)  # status lines: no fixed accessible name, their text is read (ui/announce.py)
        self.user = QLabel()
        self.user.setObjectName("lockUser")
        self.picker = TokenPicker()
        self.pin = QLineEdit()
        self.pin.setObjectName("lockPin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.Password)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setObjectName("lockSignOutButton")
        self.status = QLabel()
        self.status.setObjectName("lockStatus")
        self.status.setWordWrap(True)

        form = QFormLayout()
        token_label = QLabel("Security &token")
        token_label.setBuddy(self.picker.combo)  # names the combo for a screen reader (its name is its text)
        form.addRow(token_label, self.picker)
        form.addRow("&PIN", self.pin)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        for w in (title, self.reason, self.user):
            layout.addWidget(w)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setTabOrder(self.picker.combo, self.pin)
        self.setTabOrder(self.pin, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.sign_out_button)
        self.resize(460, 340)

        self._busy = False
        self._why = ""
        self._token_removed = False
        self._own_serial = ""
        self._lock_news = ""
        self.set_user(display_name)
        self.picker.changed.connect(self._token_changed)
        self.picker.tokens_changed.connect(self._show_reason)
        self.pin.textEdited.connect(lambda _text: self.status.setText(""))
        self.pin.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self._update_enabled()

    def set_reason(self, text: str, token_removed: bool = False) -> None:
        """Why it locked; ``token_removed``: the reason stops being true when the token is back."""
        self._why, self._token_removed = text, token_removed
        self._show_reason()
        self._lock_news = f"Signpost is locked. {text}"  # announced as the window appears
        if self.isVisible():
            self._speak_lock()

    def set_own_token(self, serial: str) -> None:
        """The token the session was signed in with."""
        self._own_serial = serial
        self._show_reason()

    def _show_reason(self) -> None:
        back = self._token_removed and any(t.serial == self._own_serial for t in self.picker.tokens())
        text = TOKEN_BACK if back else self._why
        if text != self.reason.text() and back:
            announce(self.reason, text)
        self.reason.setText(text)

    def _speak_lock(self) -> None:
        news, self._lock_news = self._lock_news, ""
        announce(self, news, assertive=True)

    def _say(self, text: str) -> None:
        """A message about the unlock (an error): shown under the buttons and announced at once."""
        self.status.setText(text)
        announce(self.status, text, assertive=True)

    def _token_changed(self, _token: object) -> None:
        self.status.setText("")  # an error about the previous choice no longer applies
        self._show_reason()
        self._update_enabled()

    def set_user(self, display_name: str) -> None:
        self.user.setText(f"Signed in as {display_name}." if display_name else "")

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setText("Unlocking…" if busy else "&Unlock")
        self.picker.setEnabled(not busy)
        self.pin.setEnabled(not busy)
        if busy:
            self.status.setText("")
        self._update_enabled()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self._say(message)
        self.pin.clear()
        self.pin.setFocus()

    def reset(self) -> None:
        """Ready for the next lock: no PIN, no message, not busy."""
        self.pin.clear()
        self.status.setText("")
        self.set_busy(False)
        self.pin.setFocus()

    def can_unlock(self) -> bool:
        token = self.picker.current()
        return not self._busy and token is not None and not token.user_pin_locked

    def showEvent(self, event) -> None:
        super().showEvent(event)
        (self.pin if self.pin.isEnabled() else self.picker).setFocus(Qt.OtherFocusReason)
        if self._lock_news:
            self._speak_lock()

    def _update_enabled(self) -> None:
        self.unlock_button.setEnabled(self.can_unlock())

    def _submit(self) -> None:
        if self._busy:
            return
        token = self.picker.current()
        if token is None:
            self._say("Insert your security token.")
            return
        if token.user_pin_locked:
            return  # the picker's warning says what to do
        pin = self.pin.text()
        if not pin:
            self._say("Enter your PIN.")
            self.pin.setFocus()
            return
        self.pin.clear()  # the PIN stays in no widget once handed on
        self.set_busy(True)
        self.unlock_requested.emit(token.serial, pin)
