"""After the switch-off a practitioner can no longer sign in and hands their security token to the LA team,
reset first to the transport PIN, as seed 000 asks ("Please ask users to reset tokens to the transport PIN
1234 before returning tokens to you"), R-CLOSE-2. This offers the reset in place: the holder types their
current PIN once; the token is reset on the app's one token thread, then verified by a login with the
transport PIN and its flags read back (``app.closure.reset``). Nothing is recorded here: the LA team's
register records the token when it is handed in."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.closure.reset import TRANSPORT_PIN, ResetOutcome, ResetResult, TokenReset

from .bridge import Relay, watch

DONE = ("Done: the PIN of token {serial} is now the transport PIN {pin}, and a login with it was checked. Hand the "
        "token to your LA team.")


class HandInTokenDialog(QDialog):
    def __init__(self, tokens: Any, serial: str, why: str, relay: Relay, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("handInToken")
        self.setWindowTitle("Reset your token before you hand it in")
        self.serial = serial
        self.relay = relay
        self.reset = TokenReset(service=tokens)
        self.words = QLabel(why)
        self.words.setObjectName("handInWords")
        self.words.setWordWrap(True)
        self.pin = QLineEdit()
        self.pin.setObjectName("handInPin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.message = QLabel()
        self.message.setObjectName("handInMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.reset_button = QPushButton(f"&Reset to {TRANSPORT_PIN}")
        self.reset_button.setObjectName("handInReset")
        self.reset_button.setDefault(True)
        self.reset_button.clicked.connect(self.start)
        form = QFormLayout()
        form.addRow(f"Token {serial}: current P&IN", self.pin)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.addButton(self.reset_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.words)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.pin.setFocus(Qt.OtherFocusReason)

    def start(self) -> None:
        pin = self.pin.text()
        self.pin.clear()
        if not pin:
            self._say("Type your token's current PIN first.", error=True)
            return
        self.reset_button.setEnabled(False)
        self._say("Resetting the token… keep it in the reader.", error=False)
        watch(self.relay, self.reset.holder_reset(self.serial, pin), self._reset_done, self._failed)

    def _reset_done(self, result: ResetResult) -> None:
        if result.outcome is not ResetOutcome.RESET:
            self._give_back(result.message)
            return
        watch(self.relay, self.reset.verify(self.serial), self._verified, self._failed)

    def _verified(self, result: ResetResult) -> None:
        if result.outcome is ResetOutcome.VERIFIED:
            self._say(DONE.format(serial=self.serial, pin=TRANSPORT_PIN), error=False)
            self.pin.setEnabled(False)
            return
        self._give_back(result.message)

    def _failed(self, exc: BaseException) -> None:
        from .refusals import explain
        self._give_back(explain(exc)[0])

    def _give_back(self, text: str) -> None:
        self.reset_button.setEnabled(True)
        self._say(text, error=True)
        self.pin.setFocus()

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", "error" if error else "info")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()
