"""From service threads back to the GUI thread.

Services in ``app/`` return ``concurrent.futures.Future``s and call plain
callbacks on their own threads. A ``Relay`` lives on the GUI thread: ``post``
may be called from any thread and runs the function on the GUI thread
(a queued signal into the relay's own slot). ``watch`` hands a future's
result or error to GUI-thread callbacks.

A relay belongs to a window; once the window is gone (or the relay is
``closed``), late results are dropped rather than landing on a cleared screen.
So is a late result for a widget that has been deleted meanwhile (a closed
wizard's page, say): a bound method of a QObject whose C++ side is gone is not
called (``alive``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


def alive(fn: Callable[..., Any]) -> bool:
    """False when ``fn`` is a method of a Qt object that has been deleted: calling it would only raise."""
    owner = getattr(fn, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class Relay(QObject):
    _posted = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open = True
        self._posted.connect(self._run)

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self._open:
            return
        try:
            self._posted.emit(fn, args)
        except RuntimeError:  # the relay's C++ side is gone: the window closed
            pass

    def close(self) -> None:
        """Drop anything still to come (used on lock and sign-out)."""
        self._open = False

    @Slot(object, object)
    def _run(self, fn: Callable[..., Any], args: tuple) -> None:
        if self._open and alive(fn):
            fn(*args)


def watch(relay: Relay, future: Future, on_done: Callable[[Any], None],
          on_error: Callable[[BaseException], None]) -> None:
    def finished(f: Future) -> None:
        if f.cancelled():
            return
        exc = f.exception()
        if exc is not None:
            relay.post(on_error, exc)
        else:
            relay.post(on_done, f.result())
    future.add_done_callback(finished)
