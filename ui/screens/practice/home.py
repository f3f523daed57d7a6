"""A practitioner's home view (issue 8): the inbox ("X, role at organisation, is now also working with <child>",
contact requests passed on, answers), one's own contact requests and their status (R-SENS-4), and changes
waiting in the offline outbox (``OutboxPanel``). What needs attention is counted in the tab's title.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.directory.work import operations as ops
from app.directory.work import types as t

from ..base import Screen, ScreenContext
from ..outbox_panel import OutboxPanel
from .words import notice_words, request_row


class HomeScreen(Screen):
    title = "Home"

    def __init__(self, ctx: ScreenContext, parent=None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
        self.notices: list[t.Notice] = []
        self.requests: list[t.ContactRequestState] = []
        self.outbox_waiting = 0

        inbox_box = QGroupBox("Inbox")
        self.inbox = QListWidget()
        self.inbox.setObjectName("inbox")
        self.inbox.setAccessibleName("Inbox")
        self.inbox.setWordWrap(True)
        self.inbox.itemActivated.connect(lambda _item: self.mark_read())
        self.mark_read_button = QPushButton("Mark &read")
        self.mark_read_button.setObjectName("markReadButton")
        self.mark_read_button.clicked.connect(self.mark_read)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.mark_read_button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        inbox_layout = QVBoxLayout(inbox_box)
        inbox_layout.addWidget(self.inbox, 1)
        inbox_layout.addLayout(row)

        requests_box = QGroupBox("My contact requests")
        self.request_table = QTableWidget(0, 4)
        self.request_table.setObjectName("contactRequests")
        self.request_table.setAccessibleName("My contact requests")
        self.request_table.setHorizontalHeaderLabels(["Child", "Asked", "Status", "Decided"])
        self.request_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.request_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.request_table.verticalHeader().hide()
        self.request_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.request_table.horizontalHeader().setStretchLastSection(True)
        QVBoxLayout(requests_box).addWidget(self.request_table)

        self.outbox = OutboxPanel(ctx)
        self.outbox.needs_you.connect(self._outbox_counted)
        self.outbox.problem.connect(self.say)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(inbox_box, 2)
        layout.addWidget(requests_box, 1)
        layout.addWidget(self.outbox, 1)

    # -- asking ----------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.perform(ops.INBOX, t.Nothing(), self._show_inbox, self.failed)
        self.ctx.perform(ops.MY_CONTACT_REQUESTS, t.Nothing(), self._show_requests, self.failed)
        self.outbox.refresh()

    def _show_inbox(self, notices) -> None:
        self.notices = list(notices)
        self.inbox.clear()
        for n in self.notices:
            item = QListWidgetItem(notice_words(n))
            item.setData(Qt.UserRole, n.notice_id)
            if not n.read:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setText("● " + item.text())  # unread, not by boldness alone
            self.inbox.addItem(item)
        if self.notices and self.inbox.currentRow() < 0:
            self.inbox.setCurrentRow(0)
        self._count()

    def _show_requests(self, requests) -> None:
        self.requests = list(requests)
        self.request_table.setRowCount(len(self.requests))
        for r, state in enumerate(self.requests):
            for c, text in enumerate(request_row(state)):
                self.request_table.setItem(r, c, QTableWidgetItem(text))

    def _outbox_counted(self, needs_you: int) -> None:
        self.outbox_waiting = needs_you
        self._count()

    def unread(self) -> int:
        return sum(1 for n in self.notices if not n.read)

    def _count(self) -> None:
        self.attention.emit(self.unread() + self.outbox_waiting)

    # -- marking read ------------------------------------------------------------
    def mark_read(self) -> None:
        item = self.inbox.currentItem()
        if item is None:
            return
        notice_id = item.data(Qt.UserRole)
        n = next((n for n in self.notices if n.notice_id == notice_id), None)
        if n is None or n.read:
            return
        self.ctx.perform(ops.MARK_READ, t.NoticeRef(notice_id), lambda _none: self.refresh(), self.failed)

    def reset(self) -> None:
        super().reset()
        self.notices, self.requests = [], []
        self.inbox.clear()
        self.request_table.setRowCount(0)
        self.outbox.reset()
        self.outbox_waiting = 0
        self.attention.emit(0)
