"""Which security token: a combo of the tokens present (R-ROLE-4).

The app relays TokenService arrivals and removals to ``add_token`` /
``remove_token`` on the GUI thread; the picker never talks to the token.
A token that arrives becomes the current one (the user has just inserted
it); ``select(serial)`` picks one, e.g. the locked session's own token.
Beneath the combo, a warning from the current token's PIN flags.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from app.token.info import TokenInfo

PLACEHOLDER = "Insert your security token"
COUNT_LOW = "Only a few PIN tries are left on this token."
FINAL_TRY = "This is the last PIN try before the token locks."
LOCKED = "This token's PIN is blocked. Contact your LA team to have it reset."


def warning_for(token: TokenInfo | None) -> str:
    if token is None:
        return ""
    if token.user_pin_locked:
        return LOCKED
    if token.user_pin_final_try:
        return FINAL_TRY
    if token.user_pin_count_low:
        return COUNT_LOW
    return ""


def _text(token: TokenInfo) -> str:
    return f"{token.label or 'Security token'} ({token.serial})"


class TokenPicker(QWidget):
    changed = Signal(object)  # the current TokenInfo, or None

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenPicker")
        self._tokens: dict[str, TokenInfo] = {}
        self.combo = QComboBox()
        self.combo.setObjectName("tokenCombo")
        self.combo.setAccessibleName("Security token")
        self.combo.setPlaceholderText(PLACEHOLDER)
        self.warning = QLabel()
        self.warning.setObjectName("tokenWarning")
        self.warning.setAccessibleName("Token warning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.warning)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._current_changed)

    def current(self) -> TokenInfo | None:
        serial = self.combo.currentData()
        return self._tokens.get(serial) if serial is not None else None

    def tokens(self) -> list[TokenInfo]:
        return list(self._tokens.values())

    def add_token(self, token: TokenInfo) -> None:
        if token.serial in self._tokens:
            self.update_token(token)
            return
        self._tokens[token.serial] = token
        self.combo.addItem(_text(token), token.serial)
        self.combo.setCurrentIndex(self.combo.count() - 1)  # just inserted: the one meant

    def select(self, serial: str) -> bool:
        """Make ``serial`` the current token if it is present."""
        index = self.combo.findData(serial)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def remove_token(self, serial: str) -> None:
        if self._tokens.pop(serial, None) is None:
            return
        self.combo.removeItem(self.combo.findData(serial))  # Qt re-selects and signals
        if self.combo.currentIndex() == -1 and self.combo.count():
            self.combo.setCurrentIndex(0)

    def update_token(self, token: TokenInfo) -> None:
        if token.serial not in self._tokens:
            self.add_token(token)
            return
        self._tokens[token.serial] = token
        self.combo.setItemText(self.combo.findData(token.serial), _text(token))
        if self.combo.currentData() == token.serial:
            self._current_changed()

    def _current_changed(self, *_: object) -> None:
        token = self.current()
        text = warning_for(token)
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self.changed.emit(token)
