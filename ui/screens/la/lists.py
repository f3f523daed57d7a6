"""The LA team's lists (issue 14 §3.3): every queue sorts and filters, and a refresh after each action answers at
once, however long the LA's queue.

A list is a ``QTableView`` over a ``QSortFilterProxyModel`` over ``ItemsModel``: the model holds the directory's
objects (one per row) and each column's text and sort key, worked out once when the items arrive; a new answer is
one model reset, not a cell at a time (filling a ``QTableWidget`` cell by cell, with its columns sized to their
contents and a row selected, took seconds for a queue of 93 and minutes for 500). The proxy sorts by a column's key
when its header is clicked, or by one of the list's named orders ("New first", "Due date"…) chosen in its "Sort
by" list, and shows only the rows its filters accept: the words typed in "Find" (in any column) and whatever the
screen adds (a ground, overdue only, locked out…). A flagged row (overdue, new, expired, locked out) is bold on a
warm background, and its words say why: never colour alone. The selected item stays selected across a refresh.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.announce import announce

from .common import FLAG_BACKGROUND

Index = QModelIndex | QPersistentModelIndex
# Roles as plain numbers: ``data`` runs for every cell painted, and comparing Qt's enum objects there cost more
# than everything else in a refresh.
_TEXT_ROLES = frozenset(int(r.value) for r in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole))
_FONT, _BACKGROUND = int(Qt.FontRole.value), int(Qt.BackgroundRole.value)


@dataclass(frozen=True)
class Column:
    """One column: its title, its words for an item, and what it sorts by (its words if no key is given)."""

    title: str
    text: Callable[[Any], str]
    key: Callable[[Any], Any] | None = None


def _orderable(value: Any) -> tuple:
    """A sort key that never fails to compare (None sorts first, mixed kinds by kind)."""
    if value is None:
        return (0,)
    if isinstance(value, tuple):
        return (1, tuple(_orderable(v) for v in value))
    return (2, type(value).__name__, value.lower() if isinstance(value, str) else value)


class ItemsModel(QAbstractTableModel):
    """The items of a list and, worked out once per item, each column's words and sort key."""

    def __init__(self, columns: Sequence[Column], flag: Callable[[Any], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._width = len(self.columns)
        self.flag = flag or (lambda _item: False)
        self.items: list[Any] = []
        self._texts: list[list[str]] = []
        self._keys: list[list[tuple]] = []
        self._flagged: list[bool] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._background = QBrush(FLAG_BACKGROUND)

    def set_items(self, items: Sequence[Any]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self._texts = [[str(c.text(x)) for c in self.columns] for x in self.items]
        self._keys = [[_orderable(c.key(x) if c.key else text.lower()) for c, text in zip(self.columns, texts)]
                      for x, texts in zip(self.items, self._texts)]
        self._flagged = [bool(self.flag(x)) for x in self.items]
        self.endResetModel()

    def key(self, row: int, column: int) -> tuple:
        return self._keys[row][column]

    def texts(self, row: int) -> list[str]:
        return self._texts[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._width

    _width = 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        role = int(role)
        if role in _TEXT_ROLES:
            return self._texts[index.row()][index.column()]
        if role == _FONT:
            return self._bold if self._flagged[index.row()] else None
        if role == _BACKGROUND:
            return self._background if self._flagged[index.row()] else None
        return None


class ItemsFilter(QSortFilterProxyModel):
    """Sorts by Python keys (a column's, or a named order's rank) and filters by the words typed and the screen's
    own test on each item."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = ""
        self.test: Callable[[Any], bool] = lambda _item: True
        self.rank: dict[int, int] | None = None  # source row -> place in the named order; None: by a column

    def source(self) -> ItemsModel:
        model = self.sourceModel()
        assert isinstance(model, ItemsModel)
        return model

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.source()
        if not self.test(model.items[source_row]):
            return False
        return not self.words or all(w in " ".join(model.texts(source_row)).lower() for w in self.words.split())

    def lessThan(self, left: Index, right: Index) -> bool:
        if self.rank is not None:
            return self.rank[left.row()] < self.rank[right.row()]
        model = self.source()
        return model.key(left.row(), left.column()) < model.key(right.row(), right.column())


class ItemsList(QWidget):
    """A sortable, filterable list of the directory's objects, with "Find" and "Sort by" above it. ``orders`` are
    the named orders offered (the first is the default), each a key on an item; ``identity`` keeps the selected
    item selected when new items arrive. Screens read ``current()`` and listen to ``selection_changed``."""

    selection_changed = Signal()

    def __init__(self, name: str, accessible: str, columns: Sequence[Column], *,
                 orders: dict[str, Callable[[Any], Any]] | None = None, flag: Callable[[Any], bool] | None = None,
                 identity: Callable[[Any], Any] | None = None, find_label: str = "&Find",
                 sort_label: str = "S&ort by", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ItemsModel(columns, flag, self)
        self.proxy = ItemsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(False)  # sorted when asked and when items arrive, not on every change
        self.identity = identity
        self.orders = dict(orders or {})
        self.view = QTableView()
        self.view.setObjectName(name)
        self.view.setAccessibleName(accessible)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
        self.view.setSortingEnabled(False)  # a header click sorts through sort_by_column, not behind our back
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self.sort_by_column)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        self.find = QLineEdit()
        self.find.setObjectName(f"{name}Find")
        self.find.setAccessibleName(f"Find in {accessible.lower()}")
        self.find.setPlaceholderText("Type to show only matching rows")
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self._find_changed)
        self.order = QComboBox()
        self.order.setObjectName(f"{name}Order")
        self.order.setAccessibleName(f"Sort {accessible.lower()} by")
        for words in self.orders:
            self.order.addItem(words)
        self.order.activated.connect(lambda _i: self.sort_by_order())
        self.shown = QLabel()
        self.shown.setObjectName(f"{name}Shown")
        self.tools = QHBoxLayout()  # the screen may add its own filters here
        find_label_widget = QLabel(find_label)
        find_label_widget.setBuddy(self.find)
        self.tools.addWidget(find_label_widget)
        self.tools.addWidget(self.find, 1)
        if self.orders:
            order_label = QLabel(sort_label)
            order_label.setBuddy(self.order)
            self.tools.addWidget(order_label)
            self.tools.addWidget(self.order)
        self._tail = QHBoxLayout()
        self._tail.addWidget(self.shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.tools)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._tail)
        self._column: tuple[int, Qt.SortOrder] | None = None

    # -- items -----------------------------------------------------------------------------------------
    def set_items(self, items: Sequence[Any]) -> None:
        """New items (a refresh): sorted as chosen, filtered as set, the same item selected if still there."""
        keep = self.current()
        keep_id = self.identity(keep) if keep is not None and self.identity else None
        items = list(items)
        if self._column is None and self.orders:
            self.proxy.rank = self._ranks(items)  # ready before the reset, so the proxy sorts once
        self.model.set_items(items)
        if self.proxy.sortColumn() < 0 or self._column is not None:
            self._resort()
        self._select(keep_id)
        self._count()
        if self.model.items and not self._sized:
            self.view.resizeColumnsToContents()  # once: sizing every refresh would move the columns under you
            self._sized = True

    _sized = False

    def clear(self) -> None:
        self.model.set_items([])
        self.find.clear()
        self._count()

    def items(self) -> list[Any]:
        """The items shown, in the order shown."""
        return [self.model.items[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
                for r in range(self.proxy.rowCount())]

    def current(self) -> Any | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        source = self.proxy.mapToSource(rows[0])
        return self.model.items[source.row()] if source.isValid() else None

    def select(self, item: Any) -> None:
        self._select(self.identity(item) if self.identity else None, item)

    # -- sorting and filtering ----------------------------------------------------------------------------
    def sort_by_order(self, words: str | None = None) -> None:
        """Sort by one of the named orders (the one chosen in "Sort by" if none is given)."""
        if words is not None:
            self.order.setCurrentIndex(max(0, self.order.findText(words)))
        self._column = None
        self.view.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self._resort()

    def sort_by_column(self, column: int) -> None:
        """A header click: by that column, and the other way round on a second click."""
        order = Qt.AscendingOrder
        if self._column is not None and self._column[0] == column and self._column[1] == Qt.AscendingOrder:
            order = Qt.DescendingOrder
        self._column = (column, order)
        self.view.horizontalHeader().setSortIndicator(column, order)
        keep = self.current()
        self._resort()
        if keep is not None:
            self.select(keep)

    def set_test(self, test: Callable[[Any], bool]) -> None:
        """The screen's own filter (a ground, overdue only…), on top of the words typed."""
        keep = self.current()
        self.proxy.test = test
        self.proxy.refilter()
        self._after_filter(keep)

    def _find_changed(self, text: str) -> None:
        keep = self.current()
        self.proxy.words = " ".join(text.lower().split())
        self.proxy.refilter()
        self._after_filter(keep)

    def _after_filter(self, keep: Any) -> None:
        if keep is not None:
            self.select(keep)
        self._count()
        self.selection_changed.emit()

    def _resort(self) -> None:
        if self._column is not None:
            self.proxy.rank = None
            self.proxy.sort(self._column[0], self._column[1])
        elif self.orders:
            self.proxy.rank = self._ranks(self.model.items)
            self.proxy.invalidate()
            self.proxy.sort(0, Qt.AscendingOrder)
        else:
            self.proxy.sort(-1)

    def _ranks(self, items: list[Any]) -> dict[int, int]:
        """Each item's place in the named order chosen."""
        key = self.orders.get(self.order.currentText()) or next(iter(self.orders.values()))
        ranked = sorted(range(len(items)), key=lambda r: _orderable(key(items[r])))
        return {row: place for place, row in enumerate(ranked)}

    def _select(self, wanted_id: Any, item: Any = None) -> None:
        for r in range(self.proxy.rowCount()):
            x = self.model.items[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            if (item is not None and x is item) or (wanted_id is not None and self.identity
                                                    and self.identity(x) == wanted_id):
                self.view.selectRow(r)
                return
        if self.proxy.rowCount() and not self.view.selectionModel().selectedRows():
            self.view.selectRow(0)

    def _count(self) -> None:
        total, shown = len(self.model.items), self.proxy.rowCount()
        text = "" if shown == total else f"Showing {shown} of {total}"
        if text != self.shown.text():
            announce(self.shown, text or f"Showing all {total}")  # what the filter left, as it changes
        self.shown.setText(text)
