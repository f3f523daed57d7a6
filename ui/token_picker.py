"""Which security token: a combo of the tokens present (R-ROLE-4).

The app relays TokenService arrivals and removals to ``add_token`` /
``remove_token`` on the GUI thread; the picker never talks to the token.
Tokens are listed in label order, each with its full label and serial.
An arriving token never takes the selection just because it is the newest:
``prefer(username, remembered)`` picks the token whose label starts with the
username, else the serial that user last signed in with here, and keeps that
preference as tokens come and go; ``select(serial)`` picks one outright
(e.g. the locked session's own token). Beneath the combo, a warning from the
current token's PIN flags.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

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
    return f"{token.label or 'Security token'} · {token.serial}"


def _order(token: TokenInfo) -> tuple[str, str]:
    return (token.label or "Security token").casefold(), token.serial


def preferred(tokens: list[TokenInfo], username: str, remembered: str | None = None) -> TokenInfo | None:
    """The token for ``username``: one labelled with it (the whole name first), else the
    serial it last signed in with here; None if neither is present."""
    name = username.strip().casefold()
    if name:
        ordered = sorted(tokens, key=_order)
        labels = [(t, t.label.strip().casefold()) for t in ordered]
        for t, label in labels:
            if label == name or label.startswith(name + " "):
                return t
        for t, label in labels:
            if label.startswith(name):
                return t
    if remembered:
        return next((t for t in tokens if t.serial == remembered), None)
    return None


class TokenPicker(QWidget):
    changed = Signal(object)  # the current TokenInfo, or None
    tokens_changed = Signal()  # a token came or went

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenPicker")
        self._tokens: dict[str, TokenInfo] = {}
        self.combo = QComboBox()
        self.combo.setObjectName("tokenCombo")
        self.combo.setAccessibleName("Security token")
        self.combo.setPlaceholderText(PLACEHOLDER)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)  # full labels, never cut
        self.combo.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._username = ""
        self._remembered: str | None = None
        self.warning = QLabel()
        self.warning.setObjectName("tokenWarning")
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
        at = sum(1 for t in self._tokens.values() if _order(t) < _order(token))
        self.combo.insertItem(at, _text(token), token.serial)  # Qt keeps the current item current
        if not self._apply_preference() and self.combo.currentIndex() == -1:
            self.combo.setCurrentIndex(at)  # nothing was chosen: the token now in
        self.tokens_changed.emit()

    def select(self, serial: str) -> bool:
        """Make ``serial`` the current token if it is present."""
        index = self.combo.findData(serial)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def prefer(self, username: str, remembered: str | None = None) -> None:
        """Select the token for ``username`` now and whenever tokens change (sign-in)."""
        self._username, self._remembered = username, remembered
        self._apply_preference()

    def _apply_preference(self) -> bool:
        token = preferred(list(self._tokens.values()), self._username, self._remembered)
        return token is not None and self.select(token.serial)

    def remove_token(self, serial: str) -> None:
        if self._tokens.pop(serial, None) is None:
            return
        self.combo.removeItem(self.combo.findData(serial))  # Qt re-selects and signals
        if not self._apply_preference() and self.combo.currentIndex() == -1 and self.combo.count():
            self.combo.setCurrentIndex(0)
        self.tokens_changed.emit()

    def update_token(self, token: TokenInfo) -> None:
        old = self._tokens.get(token.serial)
        if old is None:
            self.add_token(token)
            return
        if old.label != token.label:  # its place in the order changes
            was_current = self.combo.currentData() == token.serial
            self._tokens.pop(token.serial)
            self.combo.removeItem(self.combo.findData(token.serial))
            self.add_token(token)
            if was_current:
                self.select(token.serial)
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
