"""The audit entries behind a usage pattern or an alert, in words, for the LA team (issue 14 §2.6, R-AUDIT-2).

Opened from the usage report ("See the audit entries…" on a pattern) and from the alerts inbox: each entry with
its number, when (Europe/London), who and for whom, what they did, the reason they gave and what the entry says
(what was searched and found, which record, why a request was refused). Read-only: nothing here is copied out or
saved (the audit export is for that, R-LOCAL-3).
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.directory.work import types as t
from ui.screens.la.lists import Column, ItemsList
from ui.screens.la.words import action_words, entry_details, local_time

COLUMNS = (Column("Entry", lambda e: str(e.seq), lambda e: e.seq),
           Column("When", lambda e: local_time(e.at), lambda e: e.seq),
           Column("Who", lambda e: e.actor), Column("For", lambda e: e.on_behalf_of or "—"),
           Column("What", lambda e: action_words(e.action)), Column("Reason given", lambda e: e.reason or "—"),
           Column("Details", entry_details))


class AuditEntriesDialog(QDialog):
    def __init__(self, title: str, evidence: t.AuditEvidence, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditEntries")
        self.setWindowTitle("Audit entries")
        self.heading = QLabel(title)
        self.heading.setObjectName("auditEntriesFor")
        self.heading.setWordWrap(True)
        n, total = len(evidence.entries), evidence.total
        self.summary = QLabel("No audit entry of your LA's shows this." if not n else
                               f"{n} audit entr{'y' if n == 1 else 'ies'}, oldest first."
                               if n == total else f"The first {n} of {total} audit entries, oldest first.")
        self.summary.setObjectName("auditEntriesCount")
        self.list = ItemsList("auditEntriesList", "Audit entries", COLUMNS, find_label="&Find",
                              identity=lambda e: e.seq)
        self.list.set_items(evidence.entries)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(960, 520)
        self.list.view.setFocus()

    def reject(self) -> None:
        self.list.clear()  # nothing of the entries stays behind the closed dialog (R-LOCAL-2)
        super().reject()
