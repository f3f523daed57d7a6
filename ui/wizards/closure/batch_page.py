"""Reset tokens one after another (R-CLOSE-2, R-CLOSE-3, R-CLOSE-4): insert a token, it is detected,
its holder shown, reset, verified, put in its envelope, and the next one is awaited.

Each token runs ``app.closure.flow.ResetFlow`` from the batch's chosen path (the navmap decides the
rest) on the flow worker.  A batch asks the person at most one yes/no per token: a second question
(another try after a wrong PIN) is answered "no" for them and the token is left for the "Reset one
token" page, with nothing recorded.  A verified token goes into the open envelope for its organisation
and used/unused (a new one when there is none); a token whose use is unknown stays out of envelopes.
"""
from __future__ import annotations

import logging
from collections import deque

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QProgressBar, QPushButton, QRadioButton

from app.closure.flow import HOLDER, LA_TEAM, ResetFlow, ResetState

from ...refusals import closure_words
from .common import Page
from .prompts import PromptPanel, QtPrompts
from .reset_page import still_to_reset

log = logging.getLogger(__name__)


class OneQuestionPrompts(QtPrompts):
    """At most one yes/no per token; any further question is answered "no" (nothing recorded).
    (The batch's path is chosen beforehand, so the flow never asks whether the holder is here.)"""

    def __init__(self, relay, panel) -> None:
        super().__init__(relay, panel)
        self.confirms = 0

    def confirm(self, question: str) -> bool:
        self.confirms += 1
        if self.confirms > 1:
            self.tell("Left for later: reset this token on its own on the “Reset one token” page.")
            return False
        return super().confirm(question)


class BatchPage(Page):
    key = "batch"
    title = "Reset tokens in a batch"
    intro = ("Choose who resets, press Start, then insert the tokens one at a time. Each is reset, checked "
             "with the transport PIN and put in its envelope; remove it and insert the next.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.by_la = QRadioButton("The &LA team resets with each token's security officer PIN")
        self.by_holder = QRadioButton("The &holders are here and type their own PINs")
        self.by_la.setChecked(True)
        self.path_group = QButtonGroup(self)
        self.path_group.addButton(self.by_la)
        self.path_group.addButton(self.by_holder)
        self.go = QPushButton("&Start the batch")
        self.go.setObjectName("batchStart")
        self.go.clicked.connect(self.start_batch)
        self.end = QPushButton("&Finish the batch")
        self.end.clicked.connect(self.finish_batch)
        self.end.setEnabled(False)
        self.current = QLabel()
        self.current.setObjectName("batchCurrent")
        self.current.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("batchProgress")
        self.progress.setAccessibleName("Tokens reset")
        self.tally = QLabel()
        self.tally.setObjectName("batchTally")
        self.panel = PromptPanel()
        row = QHBoxLayout()
        row.addWidget(self.go)
        row.addWidget(self.end)
        row.addStretch(1)
        for w in (self.by_la, self.by_holder):
            self.column.addWidget(w)
        self.column.addLayout(row)
        self.column.addWidget(self.current)
        self.column.addWidget(self.progress)
        self.column.addWidget(self.tally)
        self.column.addWidget(self.panel)
        self.column.addStretch(1)
        self.finish_layout()
        self.active = False
        self.queue: deque[str] = deque()
        self.prompts: QtPrompts | None = None
        self.serial: str | None = None
        self.done_here: list[str] = []  # verified in this batch
        self.left: list[str] = []  # ended without a record in this batch
        ctx.token_arrived.connect(self._arrived)
        ctx.progress.connect(self._progress)
        self.refresh()

    @property
    def path(self) -> str:
        return HOLDER if self.by_holder.isChecked() else LA_TEAM

    def refresh(self) -> None:
        reg = self.ctx.register
        total = len(reg.tokens)
        reset = sum(t.reset_verified for t in reg.tokens.values())
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(reset)
        self.progress.setFormat(f"{reset} of {total} reset")
        self.tally.setText(f"This batch: {len(self.done_here)} reset and in envelopes · {len(self.left)} left "
                           f"for later · {len(still_to_reset(reg))} still to reset in all")

    # -- the batch ------------------------------------------------------------
    def start_batch(self) -> None:
        if self.ctx.tokens is None:
            self.say(closure_words("closure.tokens_unavailable"))
            return
        self.active = True
        self.say("")
        self.done_here.clear()
        self.left.clear()
        for w in (self.go, self.by_la, self.by_holder):
            w.setEnabled(False)
        self.end.setEnabled(True)
        todo = {t.serial for t in still_to_reset(self.ctx.register)}
        self.queue.extend(s for s in self.ctx.present() if self.ctx.key(s) in todo)
        self.refresh()
        self._next()

    def finish_batch(self) -> None:
        self.active = False
        self.queue.clear()
        if self.prompts is not None:
            self.prompts.cancel()
        for w in (self.go, self.by_la, self.by_holder):
            w.setEnabled(True)
        self.end.setEnabled(False)
        self.current.setText(f"Batch finished: {len(self.done_here)} reset, {len(self.left)} left for later.")
        self.refresh()

    def _progress(self, serial: str, step: str) -> None:
        if self.serial and self.ctx.key(serial) == self.ctx.key(self.serial):
            t = self.ctx.register.tokens.get(self.ctx.key(serial))
            self.current.setText(f"Token {serial} — {t.holder if t else ''}: "
                                 + ("resetting…" if step == "resetting" else "reset; verifying…"))

    def _arrived(self, serial: str) -> None:
        if not self.active or serial == self.serial or serial in self.queue:
            return
        self.queue.append(serial)
        if self.prompts is None:
            self._next()

    def _next(self) -> None:
        if not self.active or self.prompts is not None:
            return
        while self.queue:
            serial = self.queue.popleft()
            t = self.ctx.register.tokens.get(self.ctx.key(serial))
            if t is None:
                self.panel.tell(f"Token {serial} is not in the register: import it on the register page first.")
                continue
            if self.ctx.is_own(serial):
                self.panel.tell(f"Token {serial} is the one you signed in with: reset it last, on the “Reset "
                                "one token” page, once the closure documents are saved.")
                continue
            if t.reset_verified:
                self.panel.tell(f"Token {serial} ({t.holder}) is already reset and verified.")
                continue
            self._run(serial, t.holder)
            return
        self.current.setText("Insert the next token.")

    def _run(self, serial: str, holder: str) -> None:
        self.serial = serial
        self.current.setText(f"Token {serial} — {holder}: detected, resetting…")
        self.prompts = OneQuestionPrompts(self.ctx.relay, self.panel)
        if self.ctx.store is not None:  # the core's batch: SO PINs from the store, every step saved
            from app.closure.batch import Batch
            batch = Batch(self.ctx.store, self.ctx.tokens, self.prompts, self.ctx.actor, path=self.path,
                          now=self.ctx.now)
            self.ctx.run_flow(lambda: batch.process(serial), self._processed, self._crashed)
            return
        state = ResetState(serial, transport_pin=self.ctx.transport_pin, path=self.path)
        self.ctx.run_flow(ResetFlow(state, self.ctx.tokens, self.prompts).run, self._ended, self._crashed)

    def _ended(self, state: ResetState) -> None:
        """One token's flow ended (no closure store: this workstation's register only)."""
        self.prompts = None
        self.serial = None
        serial = self.ctx.key(state.serial)
        holder = self.ctx.register.token(serial).holder
        refusal = envelope = None
        if state.record == "verified":
            refusal = self.ctx.do("record_reset", serial=serial, how=state.path)
        elif state.record:
            refusal = self.ctx.do("returned_blocked", serial=serial)
        if state.record and not refusal:
            envelope, refusal = self.ctx.place(serial)
        if refusal:
            self.panel.tell(f"Token {serial}: {refusal}")
        if state.record == "verified":
            self.done_here.append(serial)
            where = f"in envelope {envelope}" if envelope else "say whether it was used, then envelope it"
            self.current.setText(f"Token {state.serial} — {holder}: reset verified, {where}. Remove it and "
                                 "insert the next token.")
        else:
            self.left.append(serial)
            self.current.setText(f"Token {state.serial} — {holder}: {self.panel.last.text()}")
        self.refresh()
        self._next()

    def _processed(self, result) -> None:
        """One token done by ``app.closure.batch.Batch`` (which saved it): read the register back."""
        self.prompts = None
        self.serial = None
        (self.done_here if result.result in ("verified", "returned_blocked") else self.left).append(
            self.ctx.key(result.serial))
        if result.result == "verified":
            self.current.setText(f"Token {result.serial} — {result.holder}: reset verified, in envelope "
                                 f"{result.envelope}. Remove it and insert the next token.")
        else:
            self.current.setText(f"Token {result.serial} — {result.holder or 'not in the register'}: "
                                 f"{result.message or self.panel.last.text()}")
        self.ctx.reload(then=self._next)

    def _crashed(self, exc: BaseException) -> None:
        log.error("closure batch flow failed", exc_info=exc)
        if self.serial:
            self.left.append(self.ctx.key(self.serial))
        self.prompts = None
        self.serial = None
        self.failed(exc)
        self._next()
