"""Alerts inbox (R-ROLE-3, R-SHIELD-6, R-SENS-2): shield overrides, consent overrides, security alerts,
lock-outs and new shields for the team's own LA, new ones first and marked NEW; acknowledge one."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t

from .common import LaScreen, button, fill, heading, queue_page, table
from .words import ALERT_KINDS, when

COLUMNS = ("Status", "When", "What", "Who", "Directory id", "Audit entry")


class AlertsInbox(LaScreen):
    title = "Alerts"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laAlerts")
        self.alerts: list[t.Alert] = []
        self.shown: list[t.Alert] = []
        self.summary = heading("Alerts")
        self.table = table("alertsTable", "Alerts, new first", COLUMNS)
        self.show_done = QCheckBox("Show ac&knowledged alerts too")
        self.show_done.setObjectName("showAcknowledged")
        self.show_done.toggled.connect(lambda _on: self.show_alerts(self.alerts))
        self.ack_button = button("&Acknowledge", "acknowledgeAlert", "Mark this alert dealt with, under your name")
        self.refresh_button = button("&Refresh", "refreshAlerts")
        self.ack_button.clicked.connect(self.acknowledge)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selection)
        actions = QHBoxLayout()
        for w in (self.ack_button, self.refresh_button, self.show_done):
            actions.addWidget(w)
        actions.addStretch(1)
        queue_page(self, self.table, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.ALERTS, t.Nothing(), self.show_alerts)

    def show_alerts(self, alerts) -> None:
        self.alerts = list(alerts)
        new = [a for a in self.alerts if not a.acknowledged_by]
        done = [a for a in self.alerts if a.acknowledged_by]
        self.shown = new + (done if self.show_done.isChecked() else [])
        fill(self.table, [("NEW" if not a.acknowledged_by else f"Acknowledged by {a.acknowledged_by}", when(a.at),
                           ALERT_KINDS.get(a.kind, a.kind.value), a.actor, a.directory_id or "—",
                           str(a.audit_seq) if a.audit_seq else "—") for a in self.shown],
             [not a.acknowledged_by for a in self.shown])
        self.summary.setText(f"Alerts: {len(new)} NEW, not yet acknowledged" if new else
                             "Alerts: none waiting to be acknowledged")
        self.attention.emit(len(new))
        self._selection()

    def current(self) -> t.Alert | None:
        row = self.table.currentRow()
        return self.shown[row] if 0 <= row < len(self.shown) and self.table.selectedItems() else None

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
        self.table.setRowCount(0)
        self.summary.setText("Alerts")
        self._selection()
