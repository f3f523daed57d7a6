"""Search results as a table (R-SEARCH-5: only enough to pick the right child)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from app.model import SearchHit

from .wording import match_words, only_loose

COLUMNS = ("Name", "Date of birth", "Gender", "Locality", "Directory id", "Match")
_TOP = QModelIndex()  # a table's rows have no parent


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._only_loose = False  # no result matched closely: each says how loosely it did (R-SEARCH-4)

    def set_hits(self, hits) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self._only_loose = only_loose(self._hits)
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits(())

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]

    def key(self, row: int, column: int) -> tuple:
        """What a column sorts by (issue 14 §3.3): family then given name, a date as a date, a match by how
        close it is (the directory's own order within a kind); ties keep the directory's order."""
        h = self._hits[row]
        keys = ((h.name.family_name.lower(), h.name.given_names.lower()), h.dob.toordinal(), h.gender.label,
                (h.locality or "").lower(), h.directory_id, (h.loose, len(h.match)))
        return keys[column], row

    def rowCount(self, parent=_TOP) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent=_TOP) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        h = self._hits[index.row()]
        col = index.column()
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return (h.name.full(), h.dob.strftime("%d/%m/%Y"), h.gender.label,
                    h.locality or "Restricted", h.directory_id, match_words(h.match, self._only_loose))[col]
        if role == Qt.ToolTipRole and col == 5:
            if h.exact:
                return "Every detail you gave matches exactly."
            if self._only_loose:
                return (f"No child matches exactly; this one matches only loosely ({match_words(h.match).lower()}) "
                        "and may be a different child. Check the date of birth and the other details.")
            return f"Not exact: {match_words(h.match).lower()}. Check it is the child you mean."
        return None


class ResultsOrder(QSortFilterProxyModel):
    """The results as shown: sorted by a column's header, and only the rows with the words typed under
    "Show only" (any column: a name, a town, a date, a kind of match)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def source(self) -> ResultsModel:
        model = self.sourceModel()
        assert isinstance(model, ResultsModel)
        return model

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        return self.source().key(left.row(), left.column()) < self.source().key(right.row(), right.column())

    def hit(self, row: int) -> SearchHit:
        return self.source().hit(self.mapToSource(self.index(row, 0)).row())
