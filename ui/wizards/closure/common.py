"""The shape every closure page has: a title, a short "what to do here", a message line, ``refresh``."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.announce import announce
from ui.refusals import closure_explain

from .context import ClosureContext

LATE = QColor("#8a2a0a")  # the app's error colour: late and overdue things stand out
LATE_BG = QColor("#fde8e0")


class Page(QWidget):
    """A wizard page: renders what the context holds and collects answers; it decides no order."""

    key = ""
    title = ""
    intro = ""

    def __init__(self, ctx: ClosureContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"closurePage_{self.key}")
        self.heading = QLabel(f"<h2>{self.title}</h2>")
        self.heading.setObjectName("closureHeading")
        self.help = QLabel(self.intro)
        self.help.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("closureMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # the message line keeps its room when empty, so nothing below or beside it moves when it appears
        policy = self.message.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setVerticalPolicy(QSizePolicy.Minimum)
        self.message.setSizePolicy(policy)
        self.message.setMinimumHeight(3 * self.message.fontMetrics().lineSpacing())
        self.message.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.message.hide()
        self.column = QVBoxLayout(self)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.help)
        ctx.changed.connect(self.refresh)
        ctx.refused.connect(self._refused)

    def finish_layout(self) -> None:
        self.column.addWidget(self.message)

    def refresh(self) -> None:
        """Show what the context holds now."""

    def entered(self) -> None:
        """The page came on screen."""
        self.refresh()

    def say(self, text: str, error: bool = True) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", "error" if error else "info")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))
        announce(self.message, text, assertive=error)

    def failed(self, exc: BaseException) -> None:
        self.say(closure_explain(exc))

    def done_or_said(self, refusal: str | None, done: str) -> bool:
        """After ``ctx.do``: its refusal said as an error, or what was done said plainly."""
        self.say(refusal if refusal else done, error=bool(refusal))
        return refusal is None

    def _refused(self, text: str) -> None:
        """The directory did not take a change: said on the page in front of the person."""
        if self.isVisible():
            self.say(text)


def table(name: str, columns: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setObjectName(name)
    t.setAccessibleName(name)
    t.setHorizontalHeaderLabels(columns)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    t.verticalHeader().hide()
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill(t: QTableWidget, rows: list[list[str]], late: list[bool] | None = None,
         keys: list[str] | None = None) -> None:
    """Rows of text; a late row is bold and red (R-CLOSE-4, R-CLOSE-5); ``keys`` go in UserRole, and the row
    chosen before stays chosen (found by its key, wherever it moved): filling is not choosing, so it signals
    no change of selection."""
    chosen = selected_key(t) if keys is not None else None
    current = t.currentRow()
    blocked = t.blockSignals(True)
    try:
        t.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                item = QTableWidgetItem(str(text))
                if keys is not None:
                    item.setData(Qt.UserRole, keys[r])
                if late and late[r]:
                    item.setForeground(QBrush(LATE))
                    item.setBackground(QBrush(LATE_BG))
                    item.setFont(bold)
                t.setItem(r, c, item)
        if rows:
            t.selectRow(keys.index(chosen) if keys is not None and chosen in keys
                        else min(max(current, 0), len(rows) - 1))
    finally:
        t.blockSignals(blocked)
    t.viewport().update()


def selected_key(t: QTableWidget) -> str | None:
    item = t.item(t.currentRow(), 0) if t.currentRow() >= 0 else None
    return None if item is None else item.data(Qt.UserRole)


def cells(t: QTableWidget) -> list[list[str]]:
    return [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())]
            for r in range(t.rowCount())]


def cell_is_late(t: QTableWidget, row: int) -> bool:
    item = t.item(row, 0)
    return item is not None and item.font().bold() and item.foreground().color() == LATE
