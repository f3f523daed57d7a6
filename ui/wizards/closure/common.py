"""The shape every closure page has: a title, a short "what to do here", a message line, ``refresh``."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.refusals import closure_explain

from .context import ClosureContext

LATE = QColor("#8a2a0a")  # the app's error colour: late and overdue things stand out
LATE_BG = QColor("#fde8e0")


def day(d: date | str | None) -> str:
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d[:10])
        except ValueError:
            return d
    return f"{d:%d %b %Y}"


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
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        self.column = QVBoxLayout(self)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.help)
        ctx.changed.connect(self.refresh)

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

    def failed(self, exc: BaseException) -> None:
        self.say(closure_explain(exc))


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
    """Rows of text; a late row is bold and red (R-CLOSE-4, R-CLOSE-5); ``keys`` go in UserRole."""
    current = t.currentRow()
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
        t.selectRow(min(max(current, 0), len(rows) - 1))


def selected_key(t: QTableWidget) -> str | None:
    item = t.item(t.currentRow(), 0) if t.currentRow() >= 0 else None
    return None if item is None else item.data(Qt.UserRole)


def cells(t: QTableWidget) -> list[list[str]]:
    return [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())]
            for r in range(t.rowCount())]


def cell_is_late(t: QTableWidget, row: int) -> bool:
    item = t.item(row, 0)
    return item is not None and item.font().bold() and item.foreground().color() == LATE
