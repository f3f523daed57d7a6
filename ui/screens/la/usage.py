"""Usage report (R-AUDIT-2, R-ROLE-3): for a period and one user or all the LA's users, what each did, and the
patterns worth a look, said in words and flagged in the table, with the reminder that a pattern is not proof.
A pattern opens the audit entries behind it, in words, in the app ("See the audit entries…", or Enter or a
double-click on it: issue 14 §2.6)."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Role

from .common import LaScreen, buddy, button, date_edit, day_of, heading, set_day
from .lists import Column, ItemsList
from .words import NOBODYS, NOT_PROOF, PATTERNS, day, when

PATTERN_COLUMNS = (Column("User", lambda p: p.username or NOBODYS),
                   Column("Pattern", lambda p: PATTERNS.get(p.pattern, p.pattern.value)),
                   Column("Times", lambda p: str(p.count), lambda p: p.count),
                   Column("First seen", lambda p: when(p.first_at), lambda p: p.first_at),
                   Column("Audit entry", lambda p: str(p.audit_seq), lambda p: p.audit_seq))


def _role(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


class UsageReportScreen(LaScreen):
    title = "Usage report"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laUsage")
        self.report: t.UsageReport | None = None
        today = self.today()
        self.start = date_edit("usageFrom", "Report from", today - timedelta(days=30))
        self.end = date_edit("usageTo", "Report to", today)
        self.user = QComboBox()
        self.user.setObjectName("usageUser")
        self.user.setAccessibleName("User")
        self.user.addItem("All users", "")
        self.run_button = button("&Show report", "showUsage")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.summary = heading("Usage report")
        self._worth: dict[str, str] = {}  # username -> the patterns seen, for the rows' last column
        row_columns = (Column("User", lambda r: r.username), Column("Name", lambda r: r.display_name),
                       Column("Role", lambda r: _role(r.role)),
                       Column("Sign-ins", lambda r: str(r.sign_ins), lambda r: r.sign_ins),
                       Column("Searches", lambda r: str(r.searches), lambda r: r.searches),
                       Column("Records opened", lambda r: str(r.views), lambda r: r.views),
                       Column("Changes", lambda r: str(r.changes), lambda r: r.changes),
                       Column("Refused", lambda r: str(r.refusals), lambda r: r.refusals),
                       Column("Worth a look", lambda r: self._worth.get(r.username) or "—"))
        self.rows_list = ItemsList("usageRows", "Usage per user", row_columns, find_label="Find",
                                   flag=lambda r: r.username in self._worth, identity=lambda r: r.username)
        self.rows = self.rows_list.view
        self.patterns_title = QLabel("Patterns worth a look")
        self.patterns_list = ItemsList("usagePatterns", "Patterns worth a look", PATTERN_COLUMNS, find_label="Find",
                                       flag=lambda _p: True, identity=lambda p: (p.username, p.pattern))
        self.patterns = self.patterns_list.view
        self.patterns.activated.connect(lambda _i: self.open_entries())
        self.entries_button = button("See the audit entr&ies…", "patternEntries",
                                     "The audit entries behind the chosen pattern, in words")
        self.entries_button.clicked.connect(self.open_entries)
        self.patterns_list.selection_changed.connect(self._pattern_chosen)
        self.dialog = None
        self.not_proof = QLabel(NOT_PROOF)
        self.not_proof.setObjectName("notProof")
        self.not_proof.setWordWrap(True)
        form = QGridLayout()
        form.addWidget(buddy("&From", self.start), 0, 0)
        form.addWidget(self.start, 0, 1)
        form.addWidget(buddy("&To", self.end), 0, 2)
        form.addWidget(self.end, 0, 3)
        form.addWidget(buddy("&User", self.user), 0, 4)
        form.addWidget(self.user, 0, 5)
        form.addWidget(self.run_button, 0, 6)
        form.setColumnStretch(7, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.rows_list, 2)
        layout.addWidget(self.patterns_title)
        layout.addWidget(self.patterns_list, 1)
        layout.addWidget(self.entries_button)
        layout.addWidget(self.not_proof)
        layout.addWidget(self.message)
        self._pattern_chosen()

    def refresh(self) -> None:
        """Fill the user list (the report itself runs when asked: it reads the whole period's audit)."""
        super().refresh()
        self.ask(ops.LA_USERS, t.Nothing(), self._users)

    def _users(self, users) -> None:
        chosen = self.user.currentData()
        self.user.clear()
        self.user.addItem("All users", "")
        for u in sorted(users, key=lambda u: u.display_name):
            self.user.addItem(f"{u.display_name} ({u.username})", u.username)
        self.user.setCurrentIndex(max(0, self.user.findData(chosen)))

    def run(self) -> None:
        start, end = day_of(self.start), day_of(self.end)
        if end < start:
            self.say("The period ends before it starts: check the dates.", error=True)
            return
        self.say("")
        self.run_button.setEnabled(False)
        self.ask(ops.USAGE_REPORT, t.UsageQuery(start, end, self.user.currentData() or ""), self.show_report,
                 lambda exc: (self.run_button.setEnabled(True), self.failed(exc)))

    def show_report(self, report: t.UsageReport) -> None:
        self.run_button.setEnabled(True)
        self.report = report
        by_user: dict[str, list[t.PatternSeen]] = {}
        for p in report.patterns:
            by_user.setdefault(p.username, []).append(p)
        self._worth = {u: "; ".join(PATTERNS.get(p.pattern, p.pattern.value).split(":")[0] for p in seen)
                       for u, seen in by_user.items()}
        self.rows_list.set_items(report.rows)
        self.patterns_list.set_items(report.patterns)
        self._pattern_chosen()
        n = len(report.patterns)
        self.summary.setText(f"Usage {day(report.start)} to {day(report.end)}: {len(report.rows)} user"
                             f"{'s' if len(report.rows) != 1 else ''}, "
                             + (f"{n} pattern{'s' if n != 1 else ''} WORTH A LOOK" if n else "no patterns to look at"))
        self.patterns_title.setText(f"Patterns worth a look ({n})" if n else "Patterns worth a look: none")

    # -- the audit entries behind a pattern (R-AUDIT-2) ----------------------------------------------------------
    def _pattern_chosen(self) -> None:
        """A pattern of no user's (sign-ins for usernames nobody holds) opens nothing: its entries would show the
        usernames typed."""
        p = self.patterns_list.current()
        self.entries_button.setEnabled(self.report is not None and p is not None and bool(p.username))

    def open_entries(self) -> None:
        p, report = self.patterns_list.current(), self.report
        if p is None or report is None or not p.username:
            return
        title = (f"{PATTERNS.get(p.pattern, p.pattern.value)}: {p.username}, {day(report.start)} to "
                 f"{day(report.end)}. {NOT_PROOF}")
        self.entries_button.setEnabled(False)
        self.ask(ops.PATTERN_EVIDENCE, t.PatternEvidenceQuery(report.start, report.end, p.username, p.pattern),
                 lambda evidence: self._show_entries(title, evidence),
                 lambda exc: (self._pattern_chosen(), self.failed(exc)))

    def _show_entries(self, title: str, evidence: t.AuditEvidence) -> None:
        from ui.dialogs.la_audit_entries import AuditEntriesDialog
        self._pattern_chosen()
        self.dialog = AuditEntriesDialog(title, evidence, self)
        self.dialog.open()

    def reset(self) -> None:
        super().reset()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.report = None
        self._worth = {}
        self.rows_list.clear()
        self.patterns_list.clear()
        self._pattern_chosen()
        self.summary.setText("Usage report")
        self.patterns_title.setText("Patterns worth a look")
        self.user.clear()
        self.user.addItem("All users", "")
        today = self.today()
        set_day(self.start, today - timedelta(days=30))
        set_day(self.end, today)
        self.run_button.setEnabled(True)
