"""The changes waiting in the offline outbox (R-LOCAL-1), on each role's Home: every one named with its child
and its change; one that needs the person has **Send again** and **Discard**. The list asks the session's
outbox whenever the Home screen is shown or the outbox changes, so a change set aside before the window
existed (at sign-in) shows as soon as the window does."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.outbox import NEEDS_YOU, OutboxItem
from ui.bridge import watch
from ui.refusals import explain

from .base import ScreenContext
from .outbox_words import change_words, item_words

DISCARD_QUESTION = "Discard this change? It will not be sent, and it cannot be brought back.\n\n{change}."


class OutboxPanel(QGroupBox):
    """``ctx.outbox`` gives ``items()``, ``resend(key)`` and ``discard(key)`` as futures."""

    needs_you = Signal(int)  # how many changes need the person (the Home tab counts them)
    problem = Signal(str)  # what went wrong asking the outbox, for the screen's message line

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__("Changes waiting to be sent", parent)
        self.setObjectName("outboxPanel")
        self.ctx = ctx
        self.items: list[OutboxItem] = []
        self.confirm: QMessageBox | None = None
        self.list = QListWidget()
        self.list.setObjectName("outboxItems")
        self.list.setAccessibleName("Changes waiting to be sent")
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.send_again = QPushButton("Send a&gain")
        self.send_again.setObjectName("outboxSendAgain")
        self.send_again.clicked.connect(self.resend)
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setObjectName("outboxDiscard")
        self.discard_button.clicked.connect(self.discard)
        row = QHBoxLayout()
        row.addWidget(self.send_again)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self._enable()
        self.hide()

    # -- asking the outbox ------------------------------------------------------------------
    def refresh(self) -> None:
        if self.ctx.outbox is not None:
            watch(self.ctx.relay, self.ctx.outbox.items(), self.show_items, self._failed)

    def show_items(self, items: list[OutboxItem]) -> None:
        chosen = self._chosen()
        self.items = list(items)
        self.list.clear()
        for item in self.items:
            entry = QListWidgetItem(item_words(item))
            entry.setData(Qt.UserRole, item.key)
            self.list.addItem(entry)
        keys = [i.key for i in self.items]
        first = next((n for n, i in enumerate(self.items) if i.state == NEEDS_YOU), 0)
        self.list.setCurrentRow(keys.index(chosen.key) if chosen is not None and chosen.key in keys else first)
        self.setVisible(bool(self.items))
        self._enable()
        self.needs_you.emit(sum(i.state == NEEDS_YOU for i in self.items))

    def resend(self) -> None:
        item = self._chosen()
        if item is None or item.state != NEEDS_YOU or self.ctx.outbox is None:
            return
        self.send_again.setEnabled(False)
        watch(self.ctx.relay, self.ctx.outbox.resend(item.key), lambda _key: self.refresh(), self._failed)

    def discard(self) -> None:
        item = self._chosen()
        if item is None or self.ctx.outbox is None:
            return
        self.confirm = QMessageBox(QMessageBox.Warning, "Discard this change?",
                                   DISCARD_QUESTION.format(change=change_words(item)),
                                   QMessageBox.Discard | QMessageBox.Cancel, self)
        self.confirm.setObjectName("outboxDiscardConfirm")
        self.confirm.setDefaultButton(QMessageBox.Cancel)
        self.confirm.finished.connect(lambda answer: self._discard(item, answer))
        self.confirm.open()

    def _discard(self, item: OutboxItem, answer: int) -> None:
        self.confirm = None
        if answer != QMessageBox.Discard or self.ctx.outbox is None:
            return
        watch(self.ctx.relay, self.ctx.outbox.discard(item.key), lambda _gone: self.refresh(), self._failed)

    def reset(self) -> None:
        if self.confirm is not None:
            self.confirm.reject()
        self.items = []
        self.list.clear()
        self.hide()
        self._enable()

    # -- helpers ------------------------------------------------------------------------------
    def _chosen(self) -> OutboxItem | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _enable(self) -> None:
        item = self._chosen()
        self.send_again.setEnabled(item is not None and item.state == NEEDS_YOU)
        self.discard_button.setEnabled(item is not None)

    def _failed(self, exc: BaseException) -> None:
        self._enable()
        self.problem.emit(explain(exc)[0])
