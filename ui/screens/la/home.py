"""The LA management team's home (R-ROLE-3, R-SHIELD-3): what needs attention now, with counts in words
and a button to each screen. Shield reviews overdue and due within a week, contact requests waiting,
alerts not yet acknowledged, users locked out or with an expired check, requests to add to the register."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t

from ..outbox_panel import OutboxPanel
from .common import LaScreen, button, flag_label, heading
from .words import check_expired

DUE_SOON_DAYS = 7


class LaHome(LaScreen):
    title = "Home"
    open_screen = Signal(object)  # the screen class to show (the window switches to it)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laHome")
        from .alerts import AlertsInbox
        from .archive import ArchiveAccess
        from .audit_export import AuditExport
        from .contact import ContactRequests
        from .register import RegisterRequests
        from .shields import ShieldReviews
        from .usage import UsageReportScreen
        from .users import UsersScreen
        self.counts: dict[str, int] = {}
        self.lines: dict[str, QLabel] = {}
        grid = QGridLayout()
        rows = (("shields", "Shield reviews", "Open &shield reviews", ShieldReviews),
                ("contact", "Contact requests", "Open co&ntact requests", ContactRequests),
                ("alerts", "Alerts", "Open &alerts", AlertsInbox),
                ("users", "Users", "Open &users", UsersScreen),
                ("register", "Register requests", "Open register re&quests", RegisterRequests))  # Alt+G: Send again
        self.buttons = {}
        for r, (key, words, text, cls) in enumerate(rows):
            line = QLabel(f"{words}: …")
            line.setObjectName(f"home_{key}")
            b = button(text, f"homeOpen_{key}")
            b.clicked.connect(lambda _c=False, c=cls: self.go(c))
            line.setBuddy(b)
            grid.addWidget(line, r, 0)
            grid.addWidget(b, r, 1)
            self.lines[key], self.buttons[key] = line, b
        more = (("Usage re&port", "homeOpen_usage", UsageReportScreen),
                ("Audit e&xport", "homeOpen_audit", AuditExport),
                ("Archive and re&tention", "homeOpen_archive", ArchiveAccess))
        for c, (text, name, cls) in enumerate(more):
            b = button(text, name)
            b.clicked.connect(lambda _c=False, k=cls: self.go(k))
            grid.addWidget(b, len(rows) + 1, c)
            self.buttons[name] = b
        grid.setColumnStretch(3, 1)
        self.refresh_button = button("&Refresh", "refreshHome")
        self.refresh_button.clicked.connect(self.refresh)
        who = ctx.viewer().user
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"{who.organisation}: what needs your attention"))
        layout.addLayout(grid)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.message)
        self.outbox = OutboxPanel(ctx)  # the team's changes kept offline (R-LOCAL-1)
        self.outbox.needs_you.connect(lambda n: self._set_count("outbox", n))
        self.outbox.problem.connect(self.say)
        layout.addWidget(self.outbox)
        layout.addStretch(1)

    # -- reading ---------------------------------------------------------------
    def refresh(self) -> None:
        super().refresh()
        for line in self.lines.values():
            line.setText(f"{line.accessibleName()}: checking…")
        self.ask(ops.SHIELD_REVIEWS, t.Nothing(), self._shields, lambda e: self._unknown("shields", e))
        self.ask(ops.CONTACT_QUEUE, t.Nothing(), self._contact, lambda e: self._unknown("contact", e))
        self.ask(ops.ALERTS, t.Nothing(), self._alerts, lambda e: self._unknown("alerts", e))
        self.ask(ops.LA_USERS, t.Nothing(), self._users, lambda e: self._unknown("users", e))
        self.ask(ops.REGISTER_QUEUE, t.Nothing(), self._register, lambda e: self._unknown("register", e))
        self.outbox.refresh()

    def _set(self, key: str, text: str, count: int) -> None:
        self.lines[key].setText(text)
        flag_label(self.lines[key], count > 0)
        self._set_count(key, count)

    def _set_count(self, key: str, count: int) -> None:
        self.counts[key] = count
        self.attention.emit(sum(self.counts.values()))

    def _unknown(self, key: str, exc: BaseException) -> None:
        self.lines[key].setText(f"{self.lines[key].accessibleName()}: could not be read")
        self.failed(exc)

    def _shields(self, lines) -> None:
        soon = self.today() + timedelta(days=DUE_SOON_DAYS)
        overdue = sum(x.overdue for x in lines)
        due = sum(1 for x in lines if not x.overdue and x.due <= soon)
        if overdue or due:
            text = (f"Shield reviews: {overdue} OVERDUE, {due} due in the next {DUE_SOON_DAYS} days" if overdue
                    else f"Shield reviews: {due} due in the next {DUE_SOON_DAYS} days")
        else:
            text = f"Shield reviews: none due ({len(lines)} shielded records)"
        self._set("shields", text, overdue + due)

    def _contact(self, requests) -> None:
        n = sum(1 for r in requests if r.status is t.ContactStatus.WAITING)
        self._set("contact", f"Contact requests: {n} waiting" if n else "Contact requests: none waiting", n)

    def _alerts(self, alerts) -> None:
        n = sum(1 for a in alerts if not a.acknowledged_by)
        self._set("alerts", f"Alerts: {n} NEW, not yet acknowledged" if n else "Alerts: none new", n)

    def _users(self, users) -> None:
        today = self.today()
        locked = sum(u.locked_out for u in users)
        expired = sum(check_expired(u, today) for u in users)
        if locked or expired:
            text = f"Users: {locked} LOCKED OUT, {expired} with an EXPIRED check"
        else:
            text = "Users: none locked out, no expired checks"
        self._set("users", text, locked + expired)

    def _register(self, entries) -> None:
        n = len(entries)
        self._set("register", f"Register requests: {n} waiting" if n else "Register requests: none waiting", n)

    # -- going ---------------------------------------------------------------
    def go(self, cls: type) -> None:
        """Ask the window to show ``cls``'s screen; if nothing hosting this screen listens, switch the tab or
        stack that holds it. A tab widget's own page stack is passed over for the tab widget itself: switching
        the stack alone left the Home tab highlighted, and clicking Home then changed nothing."""
        self.open_screen.emit(cls)
        w = self.parentWidget()
        while w is not None:
            if isinstance(w, QStackedWidget) and isinstance(w.parentWidget(), QTabWidget):
                w = w.parentWidget()
            if isinstance(w, (QTabWidget, QStackedWidget)):
                for i in range(w.count()):
                    page = w.widget(i)
                    target = page if isinstance(page, cls) else page.findChild(cls)
                    if target is not None:
                        w.setCurrentIndex(i)
                        target.setFocus()
                        return
            w = w.parentWidget()

    def reset(self) -> None:
        super().reset()
        self.outbox.reset()
        self.counts.clear()
        for line in self.lines.values():
            line.setText(f"{line.accessibleName()}: …")
            flag_label(line, False)
