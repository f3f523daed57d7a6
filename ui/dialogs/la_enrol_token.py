"""Enrol or replace a user's security token (R-ROLE-4, R-ROLE-3): the LA team inserts the token, its holder
types its PIN, and the token's serial and two public keys are read on the token thread (TokenService); the
token is logged out again at once. The team's own signed-in token is never offered. The PIN is not kept.

The dialog only reads the token: the screen sends the enrolment (``ops.ENROL_TOKEN``)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.directory.work import types as t
from ui.bridge import Relay, watch
from ui.refusals import explain


class EnrolTokenDialog(QDialog):
    def __init__(self, tokens, username: str, holder: str, exclude: set[str], parent: QWidget | None = None,
                 relay: Relay | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolToken")
        self.setWindowTitle(f"Enrol a token for {holder}")
        self.tokens = tokens
        self.username = username
        self.exclude = set(exclude)
        self.relay = relay or Relay(self)
        self.enrolment: t.TokenEnrolment | None = None
        self.choice = QComboBox()
        self.choice.setObjectName("enrolTokenChoice")
        self.choice.setAccessibleName("Token to enrol")
        self.pin = QLineEdit()
        self.pin.setObjectName("enrolTokenPin")
        self.pin.setAccessibleName("Token PIN")
        self.pin.setEchoMode(QLineEdit.Password)
        form = QFormLayout()
        form.addRow("&Token", self.choice)
        form.addRow("&PIN (typed by the token's holder)", self.pin)
        self.status = QLabel("Insert the token, choose it, and ask its holder to type its PIN.")
        self.status.setObjectName("enrolTokenStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.read_button = self.buttons.button(QDialogButtonBox.Ok)
        self.read_button.setText("&Read and enrol")
        self.buttons.accepted.connect(self.read)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.list_tokens()

    def list_tokens(self) -> None:
        watch(self.relay, self.tokens.tokens(), self._listed, self._failed)

    def _listed(self, infos) -> None:
        self.choice.clear()
        for info in infos:
            if info.serial not in self.exclude:
                self.choice.addItem(f"{info.label} (serial {info.serial})", info.serial)
        if not self.choice.count():
            self.status.setText("No other token is inserted. Insert the token to enrol, then open this again.")
        self.read_button.setEnabled(self.choice.count() > 0)

    def read(self) -> None:
        serial = self.choice.currentData()
        pin = self.pin.text()
        if not serial:
            return
        if not pin:
            self.status.setText("Ask the token's holder to type its PIN.")
            self.pin.setFocus(Qt.OtherFocusReason)
            return
        self.pin.clear()
        self.read_button.setEnabled(False)
        self.status.setText("Reading the token…")

        def logged_in(_none) -> None:
            watch(self.relay, self.tokens.public_keys(serial), lambda keys: self._read(serial, keys), self._failed)
        watch(self.relay, self.tokens.login(serial, pin), logged_in, self._failed)

    def _read(self, serial: str, keys) -> None:
        self.tokens.logout(serial)  # the holder's token is not left signed in here
        self.enrolment = t.TokenEnrolment(self.username, serial, keys.sign_public_der, keys.wrap_public_der)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        serial = self.choice.currentData()
        if serial:
            self.tokens.logout(serial)
        self.read_button.setEnabled(self.choice.count() > 0)
        self.status.setText(explain(exc)[0])


def open_enrol(tokens, username: str, holder: str, exclude: set[str], parent: QWidget,
               on_read: Callable[[t.TokenEnrolment], None]) -> EnrolTokenDialog:
    dialog = EnrolTokenDialog(tokens, username, holder, exclude, parent)
    dialog.accepted.connect(lambda: on_read(dialog.enrolment) if dialog.enrolment else None)
    dialog.open()
    return dialog
