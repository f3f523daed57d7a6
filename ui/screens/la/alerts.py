"""Alerts inbox (R-ROLE-3, R-SHIELD-6, R-SENS-2): shield overrides, consent overrides, security alerts,
lock-outs and new shields for the team's own LA, new ones first and marked NEW; sorted by time, kind or who,
filtered by kind and by words typed (issue 14 §3.3); acknowledge one; open the audit entries behind one, in
words ("See the audit entries…", or Enter or a double-click on it: §2.6, R-AUDIT-2)."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t

from .common import LaScreen, button, heading, queue_page
from .lists import Column, ItemsList
from .words import ALERT_KINDS, when


def who(a) -> str:
    """The person by their name; a username nobody holds (a guessing run) as it was typed."""
    return a.actor_name or a.actor


COLUMNS = (Column("Status", lambda a: "NEW" if not a.acknowledged_by else
                  f"Acknowledged by {a.acknowledged_by_name or a.acknowledged_by}",
                  lambda a: (bool(a.acknowledged_by), -a.alert_id)),
           Column("When", lambda a: when(a.at), lambda a: a.alert_id),
           Column("What", lambda a: ALERT_KINDS.get(a.kind, a.kind.value)),
           Column("Who", who), Column("Child", lambda a: a.child_name or "—"),
           Column("Directory id", lambda a: a.directory_id or "—"),
           Column("Audit entry", lambda a: str(a.audit_seq) if a.audit_seq else "—", lambda a: a.audit_seq))
ORDERS = {"New first": lambda a: (bool(a.acknowledged_by), -a.alert_id),
          "Newest first": lambda a: -a.alert_id,
          "What": lambda a: (ALERT_KINDS.get(a.kind, a.kind.value), -a.alert_id),
          "Who": lambda a: (who(a), -a.alert_id)}


class AlertsInbox(LaScreen):
    title = "Alerts"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laAlerts")
        self.alerts: list[t.Alert] = []
        self.shown: list[t.Alert] = []
        self.summary = heading("Alerts")
        self.list = ItemsList("alertsTable", "Alerts, new first", COLUMNS, orders=ORDERS,
                              flag=lambda a: not a.acknowledged_by, identity=lambda a: a.alert_id)
        self.table = self.list.view
        self.show_done = QCheckBox("Show ac&knowledged alerts too")
        self.show_done.setObjectName("showAcknowledged")
        self.show_done.toggled.connect(lambda _on: self._filter())
        self.kind = QComboBox()
        self.kind.setObjectName("alertKindFilter")
        self.kind.setAccessibleName("Show alerts of the kind")
        self.kind.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # fits 1024 px; the list
        self.kind.setMinimumContentsLength(28)  # opens as wide as its longest kind
        self.kind.addItem("Every kind", None)
        for k, words in ALERT_KINDS.items():
            self.kind.addItem(words, k.value)
        self.kind.currentIndexChanged.connect(lambda _i: self._filter())
        kind_label = QLabel("Ki&nd")
        kind_label.setBuddy(self.kind)
        self.list.tools.addWidget(kind_label)
        self.list.tools.addWidget(self.kind)
        self.ack_button = button("&Acknowledge", "acknowledgeAlert", "Mark this alert dealt with, under your name")
        self.refresh_button = button("&Refresh", "refreshAlerts")
        self.entries_button = button("See the audit entr&ies…", "alertEntries",
                                     "The audit entry behind the alert, and what led to it, in words")
        self.entries_button.clicked.connect(self.open_entries)
        self.table.activated.connect(lambda _i: self.open_entries())
        self.dialog = None
        self.ack_button.clicked.connect(self.acknowledge)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        actions = QHBoxLayout()
        for w in (self.ack_button, self.entries_button, self.refresh_button, self.show_done):
            actions.addWidget(w)
        actions.addStretch(1)
        queue_page(self, self.list, actions)
        self._filter()
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.ALERTS, t.Nothing(), self.show_alerts)

    def show_alerts(self, alerts) -> None:
        self.alerts = list(alerts)
        new = [a for a in self.alerts if not a.acknowledged_by]
        self.list.set_items(self.alerts)
        self.shown = self.list.items()
        self.summary.setText(f"Alerts: {len(new)} NEW, not yet acknowledged" if new else
                             "Alerts: none waiting to be acknowledged")
        self.attention.emit(len(new))
        self._selection()

    def _filter(self) -> None:
        done, kind = self.show_done.isChecked(), self.kind.currentData()
        self.list.set_test(lambda a: (done or not a.acknowledged_by) and (kind is None or a.kind.value == kind))
        self.shown = self.list.items()

    def current(self) -> t.Alert | None:
        return self.list.current()

    def _selection(self) -> None:
        a = self.current()
        self.ack_button.setEnabled(a is not None and not a.acknowledged_by)
        self.entries_button.setEnabled(a is not None and a.audit_seq > 0)

    def open_entries(self) -> None:
        a = self.current()
        if a is None or not a.audit_seq:
            return
        title = (f"{ALERT_KINDS.get(a.kind, a.kind.value)}: {who(a)}, {when(a.at)}"
                 + (f", record {a.directory_id}" if a.directory_id else "") + ". With it, what "
                 f"{who(a)} did in the quarter of an hour before.")
        self.ask(ops.ALERT_EVIDENCE, t.AlertRef(a.alert_id), lambda evidence: self._show_entries(title, evidence))

    def _show_entries(self, title: str, evidence: t.AuditEvidence) -> None:
        from ui.dialogs.la_audit_entries import AuditEntriesDialog
        self.dialog = AuditEntriesDialog(title, evidence, self)
        self.dialog.open()

    def acknowledge(self) -> None:
        a = self.current()
        if a is None or a.acknowledged_by:
            return
        self.ack_button.setEnabled(False)
        self.ask(ops.ACKNOWLEDGE_ALERT, t.AlertRef(a.alert_id), lambda _none: self._acknowledged(a),
                 lambda exc: (self.failed(exc), self.refresh()))

    def _acknowledged(self, a: t.Alert) -> None:
        self.say(f"Acknowledged: {ALERT_KINDS.get(a.kind, a.kind.value)} ({who(a)}, {when(a.at)}).")
        self.refresh()

    def reset(self) -> None:
        super().reset()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.alerts, self.shown = [], []
        self.list.clear()
        self.summary.setText("Alerts")
        self._selection()
