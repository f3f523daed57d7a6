"""Overview: the switch-off date, progress against the return deadline, the token tally, what is overdue,
and whose register this is -- the directory's (with who changed it last, and where) or, with no
connection, this workstation's copy with the changes still to send (R-CLOSE-1, -3, -4, -5)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QFormLayout, QLabel, QProgressBar

from app.closure.register import COLLECTED, DESTROYED, LOST, MISSING, RETURNED, RETURNED_BLOCKED, Register
from app.closure.words import day, when

from ...refusals import closure_words
from ...wording import count
from .common import Page


@dataclass(frozen=True)
class Tally:
    issued: int
    collected: int  # in the LA team's hands or already sent back
    reset: int  # with a verified reset to the transport PIN
    missing: int
    blocked: int  # to be returned as blocked
    accounted: int  # lost or destroyed, reported


def tally(register: Register) -> Tally:
    ts = list(register.tokens.values())
    return Tally(len(ts), sum(t.state in (COLLECTED, RETURNED, RETURNED_BLOCKED) for t in ts),
                 sum(t.reset_verified for t in ts), sum(t.state == MISSING for t in ts),
                 sum(t.state == RETURNED_BLOCKED for t in ts), sum(t.state in (LOST, DESTROYED) for t in ts))


class OverviewPage(Page):
    key = "overview"
    title = "Closure overview"
    intro = ("Closure returns every token, reset to the transport PIN, by recorded delivery, works through "
             "the LA's checklist, and ends by destroying this workstation's local data. Work down the list "
             "on the left; Alt+N goes to the next step.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.mode = QLabel()
        self.mode.setObjectName("closureMode")
        self.mode.setWordWrap(True)
        self.switch_off = QDateEdit()
        self.switch_off.setObjectName("switchOffDate")
        self.switch_off.setAccessibleName("Switch-off date")
        self.switch_off.setCalendarPopup(True)
        self.switch_off.setDisplayFormat("dd/MM/yyyy")
        self.switch_off.editingFinished.connect(self._date_edited)
        self.facts = {name: QLabel() for name in ("deadline", "tokens", "envelopes", "late", "overdue", "register")}
        self.progress = QProgressBar()
        self.progress.setObjectName("returnProgress")
        self.progress.setAccessibleName("Tokens sent back")
        for name, label in self.facts.items():
            label.setObjectName(f"overview_{name}")
            label.setWordWrap(True)
        form = QFormLayout()
        when = QLabel("&Switch-off date:")
        when.setBuddy(self.switch_off)
        form.addRow(when, self.switch_off)
        form.addRow("Token return deadline:", self.facts["deadline"])
        form.addRow("Sent back:", self.progress)
        form.addRow("Tokens:", self.facts["tokens"])
        form.addRow("Envelopes:", self.facts["envelopes"])
        form.addRow("Late:", self.facts["late"])
        form.addRow("Checklist:", self.facts["overdue"])
        form.addRow("Register:", self.facts["register"])
        self.column.addWidget(self.mode)
        self.column.addLayout(form)
        self.column.addStretch(1)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        ctx, reg = self.ctx, self.ctx.register
        self.mode.setText((ctx.why_only_closure or closure_words("closure.only_closure_tasks")) if ctx.closed else
                          "Preparing for closure: the service is still running.")
        self.mode.setProperty("kind", "error" if ctx.closed else "info")
        so = ctx.switch_off
        self.switch_off.blockSignals(True)
        self.switch_off.setDate(QDate(so.year, so.month, so.day))
        self.switch_off.blockSignals(False)
        self.switch_off.setReadOnly(ctx.closed)  # once switched off the date is history
        t = tally(reg)
        left = (reg.return_deadline - ctx.clock()).days
        self.facts["deadline"].setText(day(reg.return_deadline) + (
            f" — {left} day{'s' if left != 1 else ''} left" if left > 0 else " — today" if left == 0 else
            f" — passed {-left} day{'s' if left != -1 else ''} ago"))
        to_send = t.issued - t.accounted
        returned = sum(1 for x in reg.tokens.values() if x.envelope and reg.envelopes[x.envelope].sent_on)
        self.progress.setRange(0, max(to_send, 1))
        self.progress.setValue(returned)
        self.progress.setFormat(f"{returned} of {to_send} tokens sent back by recorded delivery"
                                + (" (the rest are lost or destroyed)" if t.accounted else ""))
        self.facts["tokens"].setText(
            f"{count(t.issued, 'token')} issued · {t.collected} collected · {t.reset} reset and verified · "
            f"{t.missing} missing" + (f" · {t.blocked} to return as blocked" if t.blocked else "")
            + (f" · {t.accounted} lost or destroyed" if t.accounted else ""))
        sent = sum(1 for e in reg.envelopes.values() if e.sent_on)
        self.facts["envelopes"].setText(f"{count(len(reg.envelopes), 'envelope')} · {sent} sent by recorded "
                                        "delivery")
        late = reg.late(ctx.clock())
        late_n = len(late.envelopes_unsent) + len(late.envelopes_sent_late) + len(late.tokens_not_returned)
        self.facts["late"].setText(f"{count(late_n, 'item')} past the return deadline" if late else "Nothing late")
        self.facts["late"].setProperty("kind", "error" if late else "info")
        overdue = len(ctx.checklist.overdue(ctx.clock()))
        done = sum(1 for e in ctx.checklist.entries.values() if e.status != "to_do")
        self.facts["overdue"].setText(f"{overdue} overdue · {done} of {len(ctx.checklist.entries)} done")
        self.facts["overdue"].setProperty("kind", "error" if overdue else "info")
        for label in (self.mode, self.facts["late"], self.facts["overdue"]):
            label.style().unpolish(label)
            label.style().polish(label)
        self.facts["register"].setText(self._whose())

    def _whose(self) -> str:
        """The directory's register (who changed it last, where), or this workstation's copy and why."""
        ctx, synced = self.ctx, self.ctx.synced
        last = (ctx.facts.get("directory") or {}) if ctx.facts else {}
        waiting = getattr(synced, "waiting", 0) or 0
        wait = f" {waiting} change{'s' if waiting != 1 else ''} made here wait to be sent." if waiting else ""
        if synced is not None and synced.reached:
            changed = f" Last changed by {last['by']} at {last['where']}, {when(last['at'])}." if last.get("by") else ""
            return "The directory's register, shared by every LA officer's workstation." + changed + wait
        if ctx.directory is None and synced is None:
            return "This workstation's copy (no connection to the directory now)." + wait
        return "This workstation's copy: the directory did not answer." + wait

    def _date_edited(self) -> None:
        q = self.switch_off.date()
        chosen = date(q.year(), q.month(), q.day())
        if chosen != self.ctx.switch_off and not self.ctx.closed:
            self.ctx.set_switch_off(chosen)
