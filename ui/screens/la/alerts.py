"""Alerts inbox (R-ROLE-3, R-SHIELD-6, R-SENS-2): shield overrides, consent overrides, security alerts,
lock-outs and new shields for the team's own LA, new ones first and marked NEW; sorted by time, kind or who,
filtered by kind and by words typed (issue 14 §3.3); acknowledge one."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t

from .common import LaScreen, button, heading, queue_page
from .lists import Column, ItemsList
from .words import ALERT_KINDS, when

COLUMNS = (Column("Status", lambda a: "NEW" if not a.acknowledged_by else f"Acknowledged by {a.acknowledged_by}",
                  lambda a: (bool(a.acknowledged_by), -a.alert_id)),
           Column("When", lambda a: when(a.at), lambda a: a.alert_id),
           Column("What", lambda a: ALERT_KINDS.get(a.kind, a.kind.value)),
           Column("Who", lambda a: a.actor), Column("Directory id", lambda a: a.directory_id or "—"),
           Column("Audit entry", lambda a: str(a.audit_seq) if a.audit_seq else "—", lambda a: a.audit_seq))
ORDERS = {"New first": lambda a: (bool(a.acknowledged_by), -a.alert_id),
          "Newest first": lambda a: -a.alert_id,
          "What": lambda a: (ALERT_KINDS.get(a.kind, a.kind.value), -a.alert_id),
          "Who": lambda a: (a.actor, -a.alert_id)}


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
        self.kind.addItem("Every kind", None)
        for k, words in ALERT_KINDS.items():
            self.kind.addItem(words, k.value)
        self.kind.currentIndexChanged.connect(lambda _i: self._filter())
        kind_label = QLabel("&Kind")
        kind_label.setBuddy(self.kind)
        self.list.tools.addWidget(kind_label)
        self.list.tools.addWidget(self.kind)
        self.ack_button = button("&Acknowledge", "acknowledgeAlert", "Mark this alert dealt with, under your name")
        self.refresh_button = button("&Refresh", "refreshAlerts")
        self.ack_button.clicked.connect(self.acknowledge)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        actions = QHBoxLayout()
        for w in (self.ack_button, self.refresh_button, self.show_done):
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

    def acknowledge(self) -> None:
        a = self.current()
        if a is None or a.acknowledged_by:
            return
        self.ack_button.setEnabled(False)
        self.ask(ops.ACKNOWLEDGE_ALERT, t.AlertRef(a.alert_id), lambda _none: self._acknowledged(a),
                 lambda exc: (self.failed(exc), self.refresh()))

    def _acknowledged(self, a: t.Alert) -> None:
        self.say(f"Acknowledged: {ALERT_KINDS.get(a.kind, a.kind.value)} ({a.actor}, {when(a.at)}).")
        self.refresh()

    def reset(self) -> None:
        super().reset()
        self.alerts, self.shown = [], []
        self.list.clear()
        self.summary.setText("Alerts")
        self._selection()
