"""What every LA management screen shares: answers dropped after a reset, a first load when shown, flagged
labels in words and weight, and a visible focus ring. The lists themselves are ``lists.ItemsList``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.directory.work.operations import Operation
from ui.screens.base import Screen, ScreenContext

E = TypeVar("E", bound=Enum)
FLAG_BACKGROUND = QColor("#fde3d9")  # with bold text and the words in the row: never colour alone

# Focus rings for the widgets the global style sheet does not ring yet; flagged labels in words and weight.
LOCAL_STYLE = """
QDateEdit:focus, QCheckBox:focus, QTextBrowser:focus, QListWidget:focus, QTableView:focus {
    border: 2px solid #d98e04; }
QLabel[flag="true"] { font-weight: bold; color: #8a2a0a; }
QLabel#screenMessage { font-weight: bold; }
"""


class LaScreen(Screen):
    """A ``Screen`` that drops answers arriving after ``reset`` (R-LOCAL-2) and loads itself when first shown."""

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._generation = 0
        self._loaded = False
        self.setStyleSheet(LOCAL_STYLE)

    def today(self) -> date:
        clock = getattr(self.ctx, "clock", None)
        return clock() if callable(clock) else date.today()

    def ask(self, op: Operation, request: Any, on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        """``ctx.perform``, with the answer dropped if the screen was reset while it was on its way."""
        generation = self._generation

        def done(value: Any) -> None:
            if generation == self._generation:
                on_done(value)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                (on_error or self.failed)(exc)
        self.ctx.perform(op, request, done, failed)

    def refresh(self) -> None:
        self._loaded = True

    def reset(self) -> None:
        self._generation += 1
        self._loaded = False
        super().reset()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.refresh()


def button(text: str, name: str, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setAccessibleName(text.replace("&", "").rstrip("…"))
    if tip:
        b.setToolTip(tip)
    return b


def heading(text: str) -> QLabel:
    h = QLabel(text)
    h.setObjectName("screenHeading")
    f = h.font()
    f.setPointSizeF(f.pointSizeF() * 1.25)
    f.setBold(True)
    h.setFont(f)
    return h


def date_edit(name: str, accessible: str, value: date) -> QDateEdit:
    e = QDateEdit()
    e.setObjectName(name)
    e.setAccessibleName(accessible)
    e.setCalendarPopup(True)
    e.setDisplayFormat("dd/MM/yyyy")
    set_day(e, value)
    return e


def set_day(e: QDateEdit, value: date) -> None:
    e.setDate(QDate(value.year, value.month, value.day))


def day_of(e: QDateEdit) -> date:
    q = e.date()
    return date(q.year(), q.month(), q.day())


def chosen(combo: QComboBox, kind: type[E]) -> E | None:
    """The enum member a list's current item stands for, or None for its "Choose…" item. Qt hands an item's
    data back as the plain string of a str enum, which the directory rightly refuses as no choice at all."""
    data = combo.currentData()
    return None if data is None else kind(data)


def flag_label(label: QLabel, on: bool) -> None:
    label.setProperty("flag", "true" if on else "false")
    label.style().unpolish(label)
    label.style().polish(label)


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label with an Alt shortcut that moves focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    label.setTextInteractionFlags(Qt.NoTextInteraction)
    return label


def queue_page(screen: LaScreen, body: QWidget, actions: QLayout) -> None:
    """The one layout of a queue screen: its summary line, the queue, its actions, its message line."""
    layout = QVBoxLayout(screen)
    layout.addWidget(screen.summary)
    layout.addWidget(body, 1)
    layout.addLayout(actions)
    layout.addWidget(screen.message)
