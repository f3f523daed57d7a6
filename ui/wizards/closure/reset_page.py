"""Reset one token to the transport PIN (R-CLOSE-2), by its holder or by the LA team.

The page starts ``app.closure.flow.ResetFlow`` on the flow worker with ``QtPrompts``: the flow's
navmap decides every step (holder or LA path, retries, the security officer PIN warnings, the endings);
this page only shows its questions and what it said.  Only a verified reset (or "return as blocked") is
recorded in the register, and the token then goes into its envelope as in a batch (R-CLOSE-4; asked first
whether it was used, when the register does not know); a pulled token, a rejected transport PIN, a cancel
record nothing.  Every message names the token's serial and goes when another token is chosen.
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton

from app.closure.flow import ResetFlow, ResetState
from app.closure.register import RETURNED, RETURNED_BLOCKED

from ...refusals import closure_words
from .common import Page
from .prompts import PromptPanel, QtPrompts

log = logging.getLogger(__name__)


def still_to_reset(register) -> list:
    return sorted((t for t in register.tokens.values()
                   if not t.reset_verified and t.state not in (RETURNED_BLOCKED, RETURNED)),
                  key=lambda t: (t.holder, t.serial))


class ResetPage(Page):
    key = "reset"
    title = "Reset one token"
    intro = ("Insert the token and choose it. If its holder is here they type their PIN; otherwise (or if "
             "the PIN is blocked) the LA team resets it with the security officer PIN. The reset is checked "
             "by signing in with the transport PIN; only then is it recorded.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.token = QComboBox()
        self.token.setObjectName("resetToken")
        self.token.setAccessibleName("Token to reset")
        self.token.activated.connect(lambda _i: self.say(""))  # a message is about the token it names
        token_label = QLabel("&Token:")
        token_label.setBuddy(self.token)
        self.transport = QLabel()
        self.start = QPushButton("&Reset this token")
        self.start.setObjectName("resetStart")
        self.start.clicked.connect(self.start_reset)
        self.stop = QPushButton("Stop (record &nothing)")
        self.stop.clicked.connect(self.cancel)
        self.stop.setEnabled(False)
        form = QFormLayout()
        form.addRow(token_label, self.token)
        form.addRow("Transport PIN:", self.transport)
        row = QHBoxLayout()
        row.addWidget(self.start)
        row.addWidget(self.stop)
        row.addStretch(1)
        self.panel = PromptPanel()
        self.column.addLayout(form)
        self.column.addLayout(row)
        self.column.addWidget(self.panel)
        self.column.addStretch(1)
        self.finish_layout()
        self.prompts: QtPrompts | None = None
        self.serial: str | None = None
        self.last_state: ResetState | None = None
        ctx.token_arrived.connect(self._arrived)
        ctx.token_removed.connect(self._removed)
        ctx.progress.connect(self._progress)
        self.refresh()

    def running(self) -> bool:
        return self.prompts is not None

    def refresh(self) -> None:
        self.transport.setText(f"{self.ctx.transport_pin} (from the closure plan; the token is returned with it)")
        if self.running():
            return
        keep = self.token.currentData()
        present = {self.ctx.key(s) for s in self.ctx.present()}
        self.token.clear()
        for t in still_to_reset(self.ctx.register):
            here = " — inserted" if t.serial in present else ""
            self.token.addItem(f"{t.serial} — {t.holder} ({t.organisation}){here}", t.serial)
        i = self.token.findData(keep)
        self.token.setCurrentIndex(i if i >= 0 else 0)

    def choose(self, serial: str) -> None:
        i = self.token.findData(self.ctx.key(serial))
        if i >= 0:
            self.token.setCurrentIndex(i)

    def _arrived(self, serial: str) -> None:
        if not self.running():
            self.refresh()
            self.choose(serial)

    def _progress(self, serial: str, step: str) -> None:
        if self.running() and self.ctx.key(serial) == self.ctx.key(self.serial or ""):
            self.panel.tell({"resetting": "Resetting the PIN…", "verifying": "Checking: signing in with the "
                             "transport PIN…"}.get(step, step))

    def _removed(self, serial: str) -> None:
        if self.running() and self.ctx.key(serial) == self.ctx.key(self.serial or ""):
            self.panel.tell(f"Token {serial} was removed.")
        elif not self.running():
            self.refresh()

    def start_reset(self) -> None:
        if self.running():
            self.say(closure_words("closure.reset_busy"))
            return
        if self.ctx.tokens is None:
            self.say(closure_words("closure.tokens_unavailable"))
            return
        serial = self.token.currentData()
        if not serial:
            self.say(closure_words("closure.no_token_chosen"))
            return
        self.say("")
        self.panel.clear()
        self.serial = serial
        prompts = self.prompts = QtPrompts(self.ctx.relay, self.panel)
        token = self.ctx.register.token(serial)
        flow = ResetFlow(ResetState(self.ctx.live_serial(serial), transport_pin=self.ctx.transport_pin),
                         self.ctx.tokens, prompts)
        ask = token.used is None and f"Was token {serial} ({token.holder}) ever used to sign in?"

        def run():  # on the flow worker: the one question the envelope needs, then the reset
            used = prompts.confirm(ask) if ask else None
            return (None if prompts.cancelled else used), flow.run()
        self._busy(True)
        self.ctx.run_flow(run, self._ended, self._crashed)

    def cancel(self) -> None:
        if self.prompts is not None:
            self.prompts.cancel()

    def _busy(self, on: bool) -> None:
        self.start.setEnabled(not on)
        self.token.setEnabled(not on)
        self.stop.setEnabled(on)

    def _ended(self, ended: tuple[bool | None, ResetState]) -> None:
        used, state = ended
        self.prompts = None
        self.last_state = state
        self._busy(False)
        serial = self.ctx.key(state.serial)
        told = f"Token {serial}: {self.panel.last.text()}"
        self.start.setFocus()
        if not state.record:
            self.say(told)
            return
        refusal = self.ctx.do("set_used", serial=serial, used=used) if used is not None else None
        refusal = refusal or (self.ctx.do("record_reset", serial=serial, how=state.path)
                              if state.record == "verified" else self.ctx.do("returned_blocked", serial=serial))
        if refusal:
            self.say(f"{told} Not recorded: {refusal}")
            return
        envelope, why_not = self.ctx.place(serial)
        self.say(f"{told} Put it in envelope {envelope}." if envelope else f"{told} Not in an envelope yet: {why_not}",
                 error=state.record != "verified" or envelope is None)

    def _crashed(self, exc: BaseException) -> None:
        log.error("closure reset flow failed", exc_info=exc)
        self.prompts = None
        self._busy(False)
        self.panel.abandon()
        self.failed(exc)
        self.say(self.message.text() + " Nothing was recorded for this token.")
