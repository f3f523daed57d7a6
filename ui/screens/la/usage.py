"""Usage report (R-AUDIT-2, R-ROLE-3): for a period and one user or all the LA's users, what each did, and the
patterns worth a look, said in words and flagged in the table, with the reminder that a pattern is not proof."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Role

from .common import LaScreen, buddy, button, date_edit, day_of, fill, heading, set_day, table
from .words import NOBODYS, NOT_PROOF, PATTERNS, day, when

ROW_COLUMNS = ("User", "Name", "Role", "Sign-ins", "Searches", "Records opened", "Changes", "Refused",
               "Worth a look")
PATTERN_COLUMNS = ("User", "Pattern", "Times", "First seen", "Audit entry")


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
        self.rows = table("usageRows", "Usage per user", ROW_COLUMNS)
        self.patterns_title = QLabel("Patterns worth a look")
        self.patterns = table("usagePatterns", "Patterns worth a look", PATTERN_COLUMNS)
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
        layout.addWidget(self.rows, 2)
        layout.addWidget(self.patterns_title)
        layout.addWidget(self.patterns, 1)
        layout.addWidget(self.not_proof)
        layout.addWidget(self.message)

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
            self.say("The period ends before it starts: check the dates.")
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
        fill(self.rows, [(r.username, r.display_name, _role(r.role), r.sign_ins, r.searches, r.views, r.changes,
                          r.refusals, "; ".join(PATTERNS.get(p.pattern, p.pattern.value).split(":")[0]
                                                for p in by_user.get(r.username, [])) or "—")
                         for r in report.rows], [bool(by_user.get(r.username)) for r in report.rows])
        fill(self.patterns, [(p.username or NOBODYS, PATTERNS.get(p.pattern, p.pattern.value), p.count,
                              when(p.first_at), str(p.audit_seq)) for p in report.patterns],
             [True] * len(report.patterns))
        n = len(report.patterns)
        self.summary.setText(f"Usage {day(report.start)} to {day(report.end)}: {len(report.rows)} user"
                             f"{'s' if len(report.rows) != 1 else ''}, "
                             + (f"{n} pattern{'s' if n != 1 else ''} WORTH A LOOK" if n else "no patterns to look at"))
        self.patterns_title.setText(f"Patterns worth a look ({n})" if n else "Patterns worth a look: none")

    def reset(self) -> None:
        super().reset()
        self.report = None
        self.rows.setRowCount(0)
        self.patterns.setRowCount(0)
        self.summary.setText("Usage report")
        self.patterns_title.setText("Patterns worth a look")
        self.user.clear()
        self.user.addItem("All users", "")
        today = self.today()
        set_day(self.start, today - timedelta(days=30))
        set_day(self.end, today)
        self.run_button.setEnabled(True)
