""""Recently opened" (issue 15 2.3): the records this user opened that are still in the encrypted cache, last
first, so a recent record can be reached again after the results were cleared, and read with no network.

Opening one asks the directory first (a search by the child's directory id with the reason chosen on the
Search screen, then the record: audited as any search and view); when the directory cannot be reached, the
offline copy opens instead. The list holds a child's name, so it is cleared with everything else on lock and
sign-out (R-LOCAL-2); a mediating user has none (the next caller must not see the last one's children)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.session import OfflineCopy

NOT_FOUND_AGAIN = ("The directory no longer finds this child by their directory id (the record may have left the "
                   "directory). Search for them in the usual way.")


def copy_words(copy: OfflineCopy) -> str:
    v = copy.view
    return (f"{v.name.full()} · born {v.dob:%d/%m/%Y} · {v.directory_id} · opened "
            f"{datetime.fromtimestamp(copy.fetched_at):%d %b %H:%M}")


class RecentList(QWidget):
    open_requested = Signal(str)  # the directory id of the record to open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recentlyOpened")
        self.title = QLabel("Recentl&y opened")
        self.list = QListWidget()
        self.list.setObjectName("recentList")
        self.list.setAccessibleName("Recently opened records")
        self.title.setBuddy(self.list)
        self.list.itemActivated.connect(lambda item: self.open_requested.emit(item.data(Qt.UserRole)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.hide()

    def show_copies(self, copies: list[OfflineCopy]) -> None:
        self.list.clear()
        for copy in copies:
            item = QListWidgetItem(copy_words(copy))
            item.setData(Qt.UserRole, copy.view.directory_id)
            self.list.addItem(item)
        self.setVisible(bool(copies))

    def clear(self) -> None:
        self.list.clear()
        self.hide()
