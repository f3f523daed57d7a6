"""The practitioner's main window: search form, results, record.

Searches and record loads run on the directory thread; the window shows a
busy state and stays responsive. Results that come back after the screen was
wiped (lock, sign-out) are dropped by the relay, never shown.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QMainWindow, QProgressBar,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from app.directory import AccessRefused, Directory, NoSuchRecord, SearchRefused
from app.model import User, Viewer
from app.service import DirectoryService

from .bridge import Relay, watch
from .record_view import RecordPane
from .results_model import ResultsModel
from .search_form import SearchForm

log = logging.getLogger(__name__)
_USER_ERRORS = (SearchRefused, AccessRefused)


class MainWindow(QMainWindow):
    sign_out_requested = Signal()
    lock_requested = Signal()
    change_pin_requested = Signal()
    record_opened = Signal(object)  # RecordView, for the encrypted local cache

    def __init__(self, service: DirectoryService, user: User, clock: Callable[[], date] = date.today,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.service = service
        self.user = user
        self.relay = Relay(self)
        self.setWindowTitle(f"Signpost — {user.display_name}")

        self.form = SearchForm(mediating=user.role.acts_for_colleague, clock=clock)
        self.form.submitted.connect(self.search)
        self.results = ResultsModel(self)
        self.table = QTableView()
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName("Search results")
        self.table.setModel(self.results)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.activated.connect(self.open_row)
        self.record = RecordPane()

        right = QSplitter(Qt.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.record)
        right.setSizes([220, 480])
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.form)
        split.addWidget(right)
        split.setSizes([340, 760])
        self.setCentralWidget(split)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        who = QLabel(f"{user.display_name} · {user.role.label} · {user.organisation}")
        who.setObjectName("whoLabel")
        self.statusBar().addWidget(who, 1)
        self.statusBar().addPermanentWidget(self.busy)

        menu = self.menuBar().addMenu("&Session")
        for text, keys, signal in (("&Lock", "Ctrl+L", self.lock_requested),
                                   ("Change token &PIN…", None, self.change_pin_requested),
                                   ("Sign &out", "Ctrl+Shift+Q", self.sign_out_requested)):
            action = QAction(text, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, s=signal: s.emit())
            menu.addAction(action)
        self.resize(1180, 760)
        self._pending = 0

    # -- busy -------------------------------------------------------------
    def _begin(self) -> None:
        self._pending += 1
        self.busy.show()
        self.form.set_busy(True)

    def _end(self) -> None:
        self._pending = max(0, self._pending - 1)
        if not self._pending:
            self.busy.hide()
            self.form.set_busy(False)

    def is_busy(self) -> bool:
        return self._pending > 0

    # -- search -------------------------------------------------------------
    def viewer(self, colleague) -> Viewer:
        return Viewer(self.user, colleague)

    def search(self, criteria, reason, colleague) -> None:
        self._begin()
        self.results.clear()
        self.record.clear()
        future = self.service.run(Directory.search, self.viewer(colleague), criteria, reason)
        watch(self.relay, future, self._searched, self._failed)

    def _searched(self, outcome) -> None:
        self._end()
        if outcome.refine:
            self.form.show_message(outcome.message)
            return
        self.results.set_hits(outcome.hits)
        if outcome.hits:
            n = len(outcome.hits)
            self.form.show_message(f"{n} {'child matches' if n == 1 else 'children match'}. "
                                   "Open a result to see who is working with them.", error=False)
            self.table.setFocus()
            self.table.selectRow(0)
        else:
            self.form.show_message(outcome.message)

    def open_row(self, index) -> None:
        reason = self.form.reason_value()
        if reason is None:
            self.form.show_message("Choose a reason for opening this record.")
            return
        hit = self.results.hit(index.row())
        self._begin()
        self.record.show_loading()
        future = self.service.run(Directory.view_record, self.viewer(self.form.colleague()), hit.child_id, reason)
        watch(self.relay, future, self._opened, self._failed)

    def _opened(self, view) -> None:
        self._end()
        self.record.show_record(view)
        self.record_opened.emit(view)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        self.record.clear()
        if isinstance(exc, _USER_ERRORS):
            self.form.show_message(str(exc))
        elif isinstance(exc, NoSuchRecord):
            self.form.show_message("That record is no longer in the directory. Search again.")
        elif "disk is full" in str(exc).lower():
            self.form.show_message("The disk is full, so the directory cannot record this request. Free some "
                                   "disk space and try again.")
        else:
            log.error("directory request failed", exc_info=exc)
            self.form.show_message("The directory could not answer. Try again; if it keeps failing, "
                                   "sign out and in again or contact your helpdesk.")

    # -- clearing -------------------------------------------------------------
    def wipe(self) -> None:
        """Remove every trace of child data from the window (R-LOCAL-2)."""
        self.relay.close()
        self.relay = Relay(self)  # a fresh relay: nothing already in flight can land
        self.results.clear()
        self.record.clear()
        self.form.wipe()
        self.busy.hide()
        self._pending = 0

    def closeEvent(self, event) -> None:
        self.wipe()
        super().closeEvent(event)
