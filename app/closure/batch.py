"""Collecting tokens in a batch (R-CLOSE-2, R-CLOSE-3, R-CLOSE-4).

For each token inserted: detected (TokenService's slot poll, several readers
at once queue in arrival order) -> its holder found by serial in the register
-> reset (by the holder or by the LA team, with the security officer PIN from
the store when it was imported) -> verified (login with the transport PIN,
flags read back) -> placed in the current envelope for its organisation and
used/unused (never mixed; a new envelope when one is full, sealed or sent) -> next.

Crash safety.  The flow's state is saved in the closure store after every
step, each with its audit entry; the ending is recorded -- register, envelope,
the closure steps for the directory (``app.closure.steps``) and audit -- in ONE
transaction.  A kill -9 anywhere leaves the register as it
was before or after that transaction; on restart, ``process`` resumes a token
from its saved step (a token whose PIN was set but not yet verified goes on
to verify) and a token already recorded is reported ``already_done``, never
counted twice.  The tally is computed from the register, so it cannot drift.

Questions per token: none in the usual LA-team batch with imported SO PINs;
one when the register does not know whether the token was used, or when the
token's SO PIN has few tries left (warn, confirm).  Prompts are called on the
thread that calls ``process`` (a worker; the wizard relays them).

Known limit: a kill in the few milliseconds between a HOLDER's C_SetPIN and
the save of that step resumes at the holder step, where the old PIN no longer
works; the flow then offers the LA-team path, which completes it.
"""
from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.closure import steps as closure_steps
from app.closure.flow import HOLDER, LA_TEAM, Prompts, ResetFlow, ResetState
from app.closure.register import (
    COLLECTED,
    DESTROYED,
    LOST,
    MISSING,
    RETURNED,
    RETURNED_BLOCKED,
    Register,
    RegisterError,
    serial_of,
)
from app.closure.store import ClosureStore

DEFAULT_ENVELOPE_SIZE = closure_steps.ENVELOPE_SIZE
VERIFIED, BLOCKED, ALREADY_DONE, UNKNOWN, NOT_RECORDED = (
    "verified", "returned_blocked", "already_done", "unknown_token", "not_recorded")


@dataclass(frozen=True)
class TokenResult:
    serial: str
    result: str  # VERIFIED | BLOCKED | ALREADY_DONE | UNKNOWN | NOT_RECORDED
    message: str
    holder: str = ""
    organisation: str = ""
    envelope: str | None = None
    ending: str | None = None  # the reset flow's ending (done, pulled, cancelled, ...)


@dataclass(frozen=True)
class Tally:
    """Counted from the register: a token is counted once however often it was inserted."""
    issued: int
    verified: int  # reset verified (collected or sent)
    returned_blocked: int
    in_envelopes: int
    still_missing: int
    lost_or_destroyed: int
    by_envelope: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.in_envelopes

    @property
    def progress(self) -> float:
        todo = self.issued - self.lost_or_destroyed
        return 1.0 if todo <= 0 else self.in_envelopes / todo


def tally(register: Register) -> Tally:
    ts = register.tokens.values()
    return Tally(
        issued=len(register.tokens),
        verified=sum(1 for t in ts if t.reset_verified),
        returned_blocked=sum(1 for t in ts if t.state == RETURNED_BLOCKED),
        in_envelopes=sum(1 for t in ts if t.envelope),
        still_missing=sum(1 for t in ts if t.state == MISSING),
        lost_or_destroyed=sum(1 for t in ts if t.state in (LOST, DESTROYED)),
        by_envelope={e.id: e.count for e in register.envelopes.values()})


class _WithStoredSoPin:
    """The flow's prompts, answering the first SO PIN question from the store (not asked, not shown)."""

    def __init__(self, inner: Prompts, pin: str | None) -> None:
        self.inner, self._pin = inner, pin
        self.used_stored = False

    def ask_pin(self, purpose: str) -> str | None:
        if "security officer" in purpose and self._pin is not None:
            pin, self._pin = self._pin, None
            self.used_stored = True
            return pin
        return self.inner.ask_pin(purpose)

    def confirm(self, question: str) -> bool:
        return self.inner.confirm(question)

    def tell(self, message: str) -> None:
        self.inner.tell(message)


class Batch:
    def __init__(self, store: ClosureStore, tokens: Any, prompts: Prompts, actor: str, *,
                 path: str = LA_TEAM, envelope_size: int = DEFAULT_ENVELOPE_SIZE,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``tokens``: a ``TokenReset`` (over the app's TokenService).  ``path``: how this batch resets
        tokens -- LA_TEAM (security officer PIN, from the store or asked) or HOLDER (holder types)."""
        if path not in (HOLDER, LA_TEAM):
            raise ValueError("path is HOLDER or LA_TEAM")
        self.store, self.tokens, self.prompts, self.actor = store, tokens, prompts, actor
        self.path, self.envelope_size, self.now = path, envelope_size, now
        self._arrivals: queue.Queue[str] = queue.Queue()

    # ---------------------------------------------------------- detection
    def watch(self, service: Any) -> None:
        """Queue every token the service reports as arrived (subscribe; events come on the token
        thread and only queue).  Tokens already present are queued too."""
        def arrived(event: Any) -> None:
            if event.kind == "arrived":
                self._arrivals.put(event.token.serial)

        def present(listed: Future) -> None:
            if listed.exception() is None:
                for info in listed.result():
                    self._arrivals.put(info.serial)

        service.subscribe(arrived)
        service.tokens().add_done_callback(present)

    def next_serial(self, timeout: float | None = None) -> str | None:
        """The next inserted token's serial, or None after ``timeout`` seconds."""
        try:
            return self._arrivals.get(timeout=timeout)
        except queue.Empty:
            return None

    def tally(self) -> Tally:
        return tally(self.store.register_set_up())

    # ---------------------------------------------------------- one token
    def process(self, serial: str) -> TokenResult:
        reg = self.store.register()
        if reg is None:
            raise RegisterError("not_set_up", "Set up closure (LA, switch-off date) before collecting tokens.")
        try:
            t = reg.token(serial)
        except RegisterError:
            self.store.record(self.actor, "batch_token_unknown", {"serial": serial})
            msg = f"Token {serial} is not in the register. Add it (or import the list it is on) first."
            self.prompts.tell(msg)
            return TokenResult(serial, UNKNOWN, msg)
        if t.envelope or t.state == RETURNED:
            msg = f"Token {t.serial} ({t.holder}) is already done: it is in envelope {t.envelope}."
            self.prompts.tell(msg)
            return TokenResult(t.serial, ALREADY_DONE, msg, t.holder, t.organisation, t.envelope)
        if t.used is None:  # the one question, asked once and saved before anything else
            used = self.prompts.confirm(f"Token {t.serial} ({t.holder}, {t.organisation}): was it ever used "
                                        "to sign in?")
            reg, _ = self.store.do(self.actor, self._step("set_used", serial=t.serial, used=used))
            t = reg.token(t.serial)
        if t.reset_verified or t.state == RETURNED_BLOCKED:  # done earlier, outside a batch
            return self._finish(reg, t.serial, None)
        saved = self.store.reset_states().get(t.serial)
        state = ResetState.from_json(saved) if saved else ResetState(  # the token's own serial, as it
            serial.strip(), transport_pin=self.store.plan().transport_pin, path=self.path)  # reports it
        prompts = _WithStoredSoPin(self.prompts, self.store.so_pin(t.serial))
        flow = ResetFlow(state, self.tokens, prompts)
        if not saved:
            self._save_step(flow, "reset_started")
        while flow.advance():
            self._save_step(flow, "reset_step")
        return self._finish(self.store.register_set_up(), t.serial, flow.state)

    def _step(self, kind: str, **args: Any) -> dict:
        return closure_steps.make(kind, self.actor, at=self.now(), **args)

    def _save_step(self, flow: ResetFlow, action: str) -> None:
        s = flow.state
        self.store.write(self.actor, action, resets={serial_of(s.serial): s.to_json()},
                         detail={"serial": s.serial, "step": s.step, "path": s.path, "outcome": s.outcome})

    def _finish(self, reg: Register, serial: str, state: ResetState | None) -> TokenResult:
        t = reg.token(serial)
        serial = t.serial
        if state is not None and state.record is None:
            resume = None
            if state.ending == "pulled" and "verify" in state.history:  # PIN set: verify when back
                again = ResetState.from_json(state.to_json())
                again.step, again.ending, again.record = "verify", None, None
                resume = again.to_json()
            self.store.write(self.actor, "reset_not_recorded", resets={serial: resume},
                             detail={"serial": serial, "ending": state.ending, "outcome": state.outcome})
            return TokenResult(serial, NOT_RECORDED, state.message, t.holder, t.organisation, None, state.ending)
        todo = []
        if state is not None and state.record == "verified":
            todo.append(self._step("record_reset", serial=serial, how=state.path))
        elif state is not None:
            todo.append(self._step("returned_blocked", serial=serial))
        after, checklist = reg, self.store.checklist()
        assert checklist is not None  # set up with the register
        for step in todo:
            after, checklist = closure_steps.apply(after, checklist, step)
        eid = Register.from_json(after.to_json()).place(serial, self.envelope_size)  # R-CLOSE-4: never mixed
        todo.append(self._step("put_in_envelope", serial=serial, envelope=eid))
        reg, _ = self.store.do(self.actor, *todo, resets={serial: None}, action="token_ready_for_return",
                               detail={"serial": serial, "envelope": eid})
        t = reg.token(serial)
        result = BLOCKED if t.state == RETURNED_BLOCKED else VERIFIED
        msg = (f"Token {serial} ({t.holder}): " + ("cannot be reset, returned as blocked" if result == BLOCKED
                                                   else "reset verified") + f"; put it in envelope {eid}.")
        self.prompts.tell(msg)
        return TokenResult(serial, result, msg, t.holder, t.organisation, eid,
                           state.ending if state else None)

    def run(self, stop: Callable[[], bool], on_result: Callable[[TokenResult], Any] = lambda r: None,
            poll: float = 0.5) -> None:
        """Process inserted tokens until ``stop()``."""
        while not stop():
            serial = self.next_serial(poll)
            if serial is not None:
                on_result(self.process(serial))


__all__ = ["Batch", "Tally", "TokenResult", "tally", "VERIFIED", "BLOCKED", "ALREADY_DONE", "UNKNOWN",
           "NOT_RECORDED", "COLLECTED"]
