"""What every closure page shares: the register, the checklist, who acts, and the workers.

The register (R-CLOSE-3, R-CLOSE-4) and the checklist (R-CLOSE-5) are the Qt-free objects of
``app.closure``; a page changes them only through ``do(kind, ...)``: one closure step
(``app.closure.steps``), made at once on the GUI thread (quick, validated, and refused with a coded
error that says what to do), so every page shows it; then, on the store worker, made on the encrypted
closure store with its audit entry and journalled, and sent to the directory, which holds the LA's
register while it answers (``app.closure.sync``). The directory's answer becomes what the pages show;
a step it refuses (another desk got there first) is said, and the register shows the directory's.

Two workers, never the GUI thread: ``submit`` (store, outputs, destruction: quick blocking work) and
``run_flow`` (a token's reset flow, which waits for the person's answers and for the token thread).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.closure import steps as closure_steps
from app.closure.plan import Checklist, PlanError
from app.closure.register import Register, RegisterError, serial_of
from ui.bridge import Relay, alive, watch
from ui.refusals import closure_explain, words

log = logging.getLogger(__name__)
RETRY_S = 60  # a directory that did not answer is asked again after this, or when a page reloads


class ClosureContext(QObject):
    changed = Signal()  # the register or checklist changed: pages show it again
    token_arrived = Signal(str)  # a token was inserted (serial), from the app's token service
    token_removed = Signal(str)
    progress = Signal(str, str)  # (serial, "resetting" | "verifying") from the token thread, relayed
    refused = Signal(str)  # a change the directory did not take, in words

    def __init__(self, register: Register, checklist: Checklist, *, actor: str, relay: Relay,
                 tokens: Any = None, store: Any = None, clock: Callable[[], date] = date.today,
                 now: Callable[[], datetime] | None = None, closed: bool = False,
                 present: Callable[[], Iterable[str]] = lambda: (), la_team: bool = True,
                 paths: Any = None, keystore: Any = None, own_serial: str | None = None,
                 directory: Any = None, viewer: Any = None, facts: dict | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.checklist = checklist
        self.actor = actor
        self.relay = relay
        self.tokens = tokens  # state / holder_reset / la_reset / verify -> Futures (app.closure.reset)
        self.store = store  # app.closure.store.ClosureStore, when it exists
        self.clock = clock
        self.now = now or (lambda: datetime.combine(clock(), datetime.now(UTC).time(), tzinfo=UTC))
        self.closed = closed  # switched off: only closure tasks (R-CLOSE-1)
        self.present = present  # serials of the tokens inserted now
        self.la_team = la_team
        self.paths = paths
        self.keystore = keystore
        self.own_serial = own_serial  # the signed-in user's token: reset last, on its own
        self.directory = directory  # the directory, while the LA team is signed in to it (None: offline)
        self.viewer = viewer
        self.audit_key: bytes | None = None  # sec-audit: the directory's audit key as the session pinned it (13 §1.4)
        self.facts = facts or {}  # from the directory, as the store keeps them: la_contact, organisations
        self.synced: Any = None  # the last app.closure.sync.Synced: reached, steps waiting
        self._local: list[dict] = []  # steps made here and shown, not yet back from the store worker
        self._retry_at = 0.0  # (store worker) when to try a directory that did not answer again
        self.why_only_closure = ""  # why only closure tasks are offered: the switch-off and when, or out of reach
        self._work = ThreadPoolExecutor(1, thread_name_prefix="closure-work")
        self._flows = ThreadPoolExecutor(1, thread_name_prefix="closure-flow")

    # -- plan facts -------------------------------------------------------------
    @property
    def transport_pin(self) -> str:
        return self.checklist.plan.transport_pin

    @property
    def switch_off(self) -> date:
        return self.checklist.switch_off

    def set_switch_off(self, day: date) -> str | None:
        """The LA's switch-off date: the checklist and the return deadline are dated from it."""
        return self.do("set_switch_off", day=day.isoformat())

    # -- serials: the register writes them in capitals; a token reports its own (SoftHSM: lower case) --
    @staticmethod
    def key(serial: str) -> str:
        try:
            return serial_of(serial)
        except RegisterError:
            return serial

    def live_serial(self, serial: str) -> str:
        """The serial as the inserted token reports it (what the token thread looks for)."""
        k = self.key(serial)
        return next((s for s in self.present() if self.key(s) == k), serial)

    def is_own(self, serial: str) -> bool:
        return self.own_serial is not None and self.key(serial) == self.key(self.own_serial)

    # -- workers ----------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> None:
        watch(self.relay, self._work.submit(fn, *args), on_done, on_error)

    def run_flow(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None]) -> None:
        """``on_done`` runs after everything the flow told the panel has been shown (a flow that ends at
        once finishes before its last message is handed over: wait one turn of the event loop)."""
        later = lambda value: QTimer.singleShot(0, self, lambda: on_done(value) if alive(on_done) else None)  # noqa: E731
        watch(self.relay, self._flows.submit(fn), later, on_error)

    def do(self, kind: str, **args: Any) -> str | None:
        """Make one closure step: here at once (every page shows it), then in the store and the directory.
        The words of a refusal (nothing changed), or None."""
        try:
            step = closure_steps.make(kind, self.actor, at=self.now(), **args)
            closure_steps.apply_in_place(self.register, self.checklist, step)
        except (RegisterError, PlanError, closure_steps.StepError) as exc:
            return str(exc)
        self.changed.emit()
        if self.store is None:
            return None
        self._local.append(step)
        self.submit(self._keep, step, on_done=self._synced, on_error=lambda exc: self._not_kept(step, exc))
        return None

    def place(self, serial: str) -> tuple[str | None, str | None]:
        """Put a token in hand into the open envelope for its organisation and use (a new one if none has
        room; R-CLOSE-4): (the envelope, None), or (None, why not)."""
        try:
            envelope = Register.from_json(self.register.to_json()).place(serial, closure_steps.ENVELOPE_SIZE)
        except RegisterError as exc:
            return None, str(exc)
        refusal = self.do("put_in_envelope", serial=self.key(serial), envelope=envelope)
        return (None, refusal) if refusal else (envelope, None)

    def _keep(self, step: dict | None):
        """On the store worker: the step in the store (journalled), then the directory told. Returns what
        the store holds after it, and the step it kept."""
        from app.closure import sync
        if step is not None:
            self.store.do(self.actor, step)
        if self.directory is None or (step is not None and time.monotonic() < self._retry_at):
            synced = sync.Synced(self.store.register(), self.store.checklist(), (), (), False, None,
                                 len(self.store.pending()))
        else:
            synced = sync.sync(self.store, self.directory, self.viewer, self.actor, refresh=step is None)
            self._retry_at = 0.0 if synced.reached else time.monotonic() + RETRY_S  # not once per click
        return synced, step

    def _synced(self, kept) -> None:
        """What the store and the directory hold now, with the steps still on their way to the store (made
        here after ``step``) made on it again."""
        synced, step = kept
        self.synced = synced
        if synced.directory:
            self.facts["directory"] = synced.directory
        if step is not None and step in self._local:
            self._local = self._local[self._local.index(step) + 1:]
        register, checklist = synced.register, synced.checklist
        for step in self._local:
            try:
                register, checklist = closure_steps.apply(register, checklist, step)
            except (RegisterError, PlanError, closure_steps.StepError):
                pass  # refused in the store too: said when it comes back
        self.register.__dict__.update(register.__dict__)
        self.checklist.__dict__.update(checklist.__dict__)
        for step, exc in synced.refused:
            self.refused.emit(self._why_refused(step, exc))
        self.changed.emit()

    def _why_refused(self, step: dict, exc: BaseException) -> str:
        """The register's own words for why, made again on the directory's register; else the refusal's."""
        try:
            closure_steps.apply(self.register, self.checklist, step)
        except (RegisterError, PlanError, closure_steps.StepError) as again:
            return f"{words(exc)} ({again})"
        return words(exc)

    def _not_kept(self, step: dict, exc: BaseException) -> None:
        """The store refused or failed: the change is not kept, and the pages show what the store holds."""
        log.error("closure step not kept", exc_info=exc)
        if step in self._local:
            self._local.remove(step)
        self.reload()
        self.refused.emit(f"This change was not kept on this computer: {closure_explain(exc)}")

    def reload(self, then: Callable[[], None] = lambda: None) -> None:
        """Read the register back from the store (after the core's batch wrote it itself), sending the
        directory what it does not have yet."""
        if self.store is None:
            self.changed.emit()
            then()
            return

        def loaded(kept) -> None:
            self._synced(kept)
            then()
        self.submit(self._keep, None, on_done=loaded, on_error=lambda exc: log.error(
            "closure store read failed", exc_info=exc))

    def token_progress(self, serial: str, step: str) -> None:
        """``TokenReset``'s progress hook: called on the token thread, shown on the GUI thread."""
        self.relay.post(self.progress.emit, serial, step)

    def token_event(self, event: Any) -> None:
        """The app's token service event (on the GUI thread)."""
        (self.token_arrived if event.kind == "arrived" else self.token_removed).emit(event.token.serial)

    def close(self) -> None:
        """Stop the workers; the store closes after the saves still queued (nothing is dropped)."""
        self._flows.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            self._work.submit(self.store.close)
        self._work.shutdown(wait=False)
