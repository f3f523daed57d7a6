"""Change a token's PIN (R-ROLE-4; R-CLOSE-2 resets it to 1234 the same way).

Everything that can be checked without the token is checked first (empty,
length against the token's own limits, mismatch, same as the old PIN), so a
typing slip never costs a PIN try.  Then ``TokenService.change_pin`` runs on
the token thread and its result comes back through ``watch``.  The PIN
fields are cleared after every attempt; no PIN is logged.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout

from app.token.errors import TokenError
from app.token.info import TokenInfo, pin_maximum
from ui.bridge import Relay, watch

log = logging.getLogger(__name__)
_SHOWN_MAX = 64  # a larger maximum (SoftHSM: 255) is no practical limit: say "at least"
DONE = "The PIN has been changed. Use the new PIN from now on."


def _max(token: TokenInfo) -> int | None:
    return pin_maximum(token.pin_max)


def length_rule(token: TokenInfo) -> str:
    """'6 to 8 characters', 'at least 4 characters', 'exactly 6 characters'."""
    low, high = max(token.pin_min, 1), _max(token)
    if high is None or high > _SHOWN_MAX or high < low:
        return f"at least {low} character{'s' if low > 1 else ''}"
    if high == low:
        return f"exactly {low} characters"
    return f"{low} to {high} characters"


def length_problem(token: TokenInfo, pin: str, which: str) -> str | None:
    n = len(pin.encode("utf-8"))  # what the token counts
    high = _max(token)
    if n < max(token.pin_min, 1) or (high is not None and high >= token.pin_min and n > high):
        rule = length_rule(token)
        if high is not None and n > high and rule.startswith("at least"):
            rule = f"at most {high} characters"
        return f"The {which} must be {rule}."
    return None


class PinChangeDialog(QDialog):
    def __init__(self, token_service, token: TokenInfo, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("pinChangeDialog")
        self.setWindowTitle("Change token PIN")
        self.setModal(True)
        self.token_service = token_service
        self.token = token
        self.confirmation: QMessageBox | None = None
        self._busy = False
        self._relay = Relay(self)

        which = QLabel(f"Token: {token.label or 'Security token'} ({token.serial})")
        which.setObjectName("pinChangeToken")
        self.rules = QLabel(f"Your new PIN must be {length_rule(token)}.")
        self.rules.setObjectName("pinRules")
        self.rules.setWordWrap(True)
        self.old_pin = self._pin_field("oldPin", "Current PIN")
        self.new_pin = self._pin_field("newPin", "New PIN")
        self.new_pin_again = self._pin_field("newPinAgain", "New PIN again")
        self.message = QLabel()
        self.message.setObjectName("pinChangeMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.change_button = self.buttons.addButton("Change PIN", QDialogButtonBox.AcceptRole)
        self.change_button.setObjectName("changePinButton")
        self.change_button.setDefault(True)  # Enter in any field
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Current PIN", self.old_pin)
        form.addRow("&New PIN", self.new_pin)
        form.addRow("New PIN &again", self.new_pin_again)
        layout = QVBoxLayout(self)
        layout.addWidget(which)
        layout.addWidget(self.rules)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.old_pin.setFocus()

    def _pin_field(self, name: str, accessible: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setEchoMode(QLineEdit.Password)
        return edit

    # ----------------------------------------------------------------- states
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.old_pin, self.new_pin, self.new_pin_again, self.change_button, self.cancel_button):
            w.setEnabled(not busy)
        self.change_button.setText("Changing…" if busy else "Change PIN")
        if busy:
            self.message.setText("Changing the PIN on the token…")

    def reject(self) -> None:
        if not self._busy:  # the token is mid-change: let it finish
            super().reject()

    def _refuse(self, message: str, clear: tuple[QLineEdit, ...], focus: QLineEdit) -> None:
        for w in clear:
            w.clear()
        self.message.setText(message)
        focus.setFocus()

    # ----------------------------------------------------------------- submit
    def _local_problem(self, old: str, new: str, again: str) -> tuple[str, tuple[QLineEdit, ...], QLineEdit] | None:
        news = (self.new_pin, self.new_pin_again)
        if not old:
            return "Enter your current PIN.", (), self.old_pin
        if not new:
            return "Enter a new PIN.", news, self.new_pin
        if not again:
            return "Enter the new PIN again to confirm it.", (), self.new_pin_again
        if problem := length_problem(self.token, old, "current PIN"):
            return problem, (self.old_pin,), self.old_pin
        if problem := length_problem(self.token, new, "new PIN"):
            return problem, news, self.new_pin
        if new != again:
            return "The two new PINs are not the same. Type the new PIN twice.", news, self.new_pin
        if new == old:
            return "The new PIN must be different from the current PIN.", news, self.new_pin
        return None

    def _submit(self) -> None:
        if self._busy:
            return
        old, new, again = self.old_pin.text(), self.new_pin.text(), self.new_pin_again.text()
        problem = self._local_problem(old, new, again)
        if problem is not None:
            self._refuse(*problem)
            return
        for w in (self.old_pin, self.new_pin, self.new_pin_again):
            w.clear()  # the PINs now live only in the call
        self.set_busy(True)
        future = self.token_service.change_pin(self.token.serial, old, new)
        watch(self._relay, future, self._changed, self._failed)

    def _changed(self, _result: object) -> None:
        self.set_busy(False)
        self.message.setText(DONE)
        box = QMessageBox(QMessageBox.Information, "PIN changed", DONE, QMessageBox.Ok, self.parentWidget())
        box.setObjectName("pinChangedBox")
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()  # not exec(): the GUI thread never waits
        self.confirmation = box
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        if isinstance(exc, TokenError):
            message = exc.message
        else:
            log.error("PIN change failed: %s", type(exc).__name__)  # never the PINs
            message = "The PIN could not be changed. Remove and reinsert the token and try again."
        self._refuse(message, (), self.old_pin)
