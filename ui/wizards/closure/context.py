"""What every closure page shares: the register, the checklist, who acts, and the workers.

The register (R-CLOSE-3, R-CLOSE-4) and the checklist (R-CLOSE-5) are the Qt-free objects of
``app.closure``; a page edits them on the GUI thread (each edit is quick, validated, and refused with a
coded error that says what to do), then calls ``save(action)``: every page refreshes, and when the
encrypted closure store is there a snapshot is written on the store worker with its audit entry.

Two workers, never the GUI thread: ``submit`` (store, outputs, destruction: quick blocking work) and
``run_flow`` (a token's reset flow, which waits for the person's answers and for the token thread).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.closure.plan import Checklist
from app.closure.register import Register, RegisterError, serial_of
from ui.bridge import Relay, watch

log = logging.getLogger(__name__)


class ClosureContext(QObject):
    changed = Signal()  # the register or checklist changed: pages show it again
    token_arrived = Signal(str)  # a token was inserted (serial), from the app's token service
    token_removed = Signal(str)
    progress = Signal(str, str)  # (serial, "resetting" | "verifying") from the token thread, relayed

    def __init__(self, register: Register, checklist: Checklist, *, actor: str, relay: Relay,
                 tokens: Any = None, store: Any = None, clock: Callable[[], date] = date.today,
                 now: Callable[[], datetime] | None = None, closed: bool = False,
                 present: Callable[[], Iterable[str]] = lambda: (), la_team: bool = True,
                 paths: Any = None, keystore: Any = None, own_serial: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.checklist = checklist
        self.actor = actor
        self.relay = relay
        self.tokens = tokens  # state / holder_reset / la_reset / verify -> Futures (app.closure.reset)
        self.store = store  # app.closure.store.ClosureStore, when it exists
        self.clock = clock
        self.now = now or (lambda: datetime.combine(clock(), datetime.now().time()))
        self.closed = closed  # switched off: only closure tasks (R-CLOSE-1)
        self.present = present  # serials of the tokens inserted now
        self.la_team = la_team
        self.paths = paths
        self.keystore = keystore
        self.own_serial = own_serial  # the signed-in user's token: reset last, on its own
        self.note = ""  # why the register is as it is (e.g. read while offline)
        self._work = ThreadPoolExecutor(1, thread_name_prefix="closure-work")
        self._flows = ThreadPoolExecutor(1, thread_name_prefix="closure-flow")

    # -- plan facts -------------------------------------------------------------
    @property
    def transport_pin(self) -> str:
        return self.checklist.plan.transport_pin

    @property
    def switch_off(self) -> date:
        return self.checklist.switch_off

    def set_switch_off(self, day: date) -> None:
        """The LA's switch-off date: the checklist and the return deadline are dated from it."""
        self.checklist.switch_off = day
        self.register.return_deadline = self.checklist.plan.return_deadline(day)
        self.save("switch_off_set", {"switch_off": day.isoformat()}, docs={"switch_off": day.isoformat()})

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
        later = lambda value: QTimer.singleShot(0, self, lambda: on_done(value))  # noqa: E731
        watch(self.relay, self._flows.submit(fn), later, on_error)

    def save(self, action: str, detail: dict | None = None, docs: dict | None = None) -> None:
        """After every edit: pages refresh; the store (when there) keeps a snapshot with its audit."""
        self.changed.emit()
        if self.store is None:
            return
        register = Register.from_json(self.register.to_json())
        checklist = Checklist.from_json(self.checklist.to_json())
        self.submit(lambda: self.store.write(self.actor, action, register=register, checklist=checklist,
                                             detail=detail, docs=docs),
                    on_done=lambda _: None, on_error=lambda exc: log.error("closure store save failed",
                                                                           exc_info=exc))

    def reload(self, then: Callable[[], None] = lambda: None) -> None:
        """Read the register back from the store (after the core's batch wrote it itself)."""
        if self.store is None:
            self.changed.emit()
            then()
            return

        def loaded(register: Register | None) -> None:
            if register is not None:
                self.register = register
            self.changed.emit()
            then()
        self.submit(self.store.register, on_done=loaded, on_error=lambda exc: log.error(
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
