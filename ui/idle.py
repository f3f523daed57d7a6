"""The idle lock's clock: a quiet spell, then a countdown, then the lock (R-LOCAL-2)."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal


class IdleWatch(QObject):
    """Locks after a quiet spell (R-LOCAL-2), warning first: for the last ``warn_ms`` it counts
    down (``warning(seconds_left)``), and any key or mouse input restarts the clock (``calm``)."""

    warning = Signal(int)
    calm = Signal()
    _INPUT = frozenset({QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.Wheel})

    def __init__(self, interval_ms: int, on_idle: Callable[[], None], parent: QObject | None = None,
                 warn_ms: int = 60_000) -> None:
        super().__init__(parent)
        self.on_idle = on_idle
        self.timer = QTimer(self)  # the quiet spell before the warning
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._warn)
        self.tick = QTimer(self)  # the countdown
        self.tick.setInterval(200)
        self.tick.timeout.connect(self._tick)
        self._deadline = 0.0
        self._shown: int | None = None
        self.set_intervals(interval_ms, warn_ms)

    def set_intervals(self, interval_ms: int, warn_ms: int = 60_000) -> None:
        """Lock after ``interval_ms`` without input; warn for the last ``warn_ms`` of it
        (at most half of it, so a one-minute lock warns for its last 30 s)."""
        self.interval_ms = interval_ms
        self.warn_ms = min(warn_ms, interval_ms // 2)
        self.timer.setInterval(interval_ms - self.warn_ms)

    def start(self) -> None:
        self.tick.stop()
        self._calm()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.tick.stop()
        self._calm()

    def active(self) -> bool:
        return self.timer.isActive() or self.tick.isActive()

    def _calm(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.calm.emit()

    def _warn(self) -> None:
        self._deadline = time.monotonic() + self.warn_ms / 1000
        self.tick.start()
        self._tick()

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.stop()
            self.on_idle()
            return
        seconds = math.ceil(left)
        if seconds != self._shown:
            self._shown = seconds
            self.warning.emit(seconds)

    def eventFilter(self, obj, event) -> bool:
        if event.type() in self._INPUT and self.active():
            self.start()
        return False


class ServiceClock(QObject):
    """The directory's own limits on a session (issue 15 2.5), warned before as the idle lock is.

    The service ends a session unused for ``idle_s`` and any session ``max_s`` after sign-in (both from the
    sign-in answer; None: no such limit). For the last ``warn_idle_s`` before the first, a countdown says
    so (``warning``), and any key or mouse input keeps the session by asking the directory something
    (``touch``); for the last ``warn_max_s`` before the second, when it ends. At either end, ``ended``: the
    window offers to sign in again."""

    warning = Signal(str)
    calm = Signal()
    ended = Signal()
    _INPUT = IdleWatch._INPUT

    def __init__(self, parent: QObject | None = None, warn_idle_s: float = 60, warn_max_s: float = 300) -> None:
        super().__init__(parent)
        self.warn_idle_s, self.warn_max_s = warn_idle_s, warn_max_s
        self.tick = QTimer(self)
        self.tick.setInterval(500)
        self.tick.timeout.connect(self._tick)
        self._watching: tuple | None = None
        self._shown = ""
        self._touched = 0.0
        self._over = False

    def watch(self, idle_s: float | None, max_s: float | None, signed_at: float,
              last_used: Callable[[], float | None], touch: Callable[[], None]) -> None:
        """Count from ``signed_at`` (``time.monotonic()``); ``last_used()``: when a request of the session
        last had an answer."""
        self.stop()
        if idle_s is None and max_s is None:
            return
        self._watching = (idle_s, max_s, signed_at, last_used, touch)
        self._over = False
        self.tick.start()

    def stop(self) -> None:
        self.tick.stop()
        self._watching = None
        self._say("")

    def idle_left(self) -> float | None:
        if self._watching is None or self._watching[0] is None:
            return None
        idle_s, _, signed_at, last_used, _ = self._watching
        return (last_used() or signed_at) + idle_s - time.monotonic()

    def _tick(self) -> None:
        if self._watching is None:
            return
        _, max_s, signed_at, _, _ = self._watching
        idle = self.idle_left()
        whole = signed_at + max_s - time.monotonic() if max_s is not None else None
        if (idle is not None and idle <= 0) or (whole is not None and whole <= 0):
            self.stop()
            self.ended.emit()
            return
        if idle is not None and idle <= self.warn_idle_s:
            self._say(f"Your session with the directory ends in {math.ceil(idle)} s, unused. Press a key or move "
                      "the mouse to keep it.")
        elif whole is not None and whole <= self.warn_max_s:
            at = time.strftime("%H:%M", time.localtime(time.time() + whole))
            self._say(f"Your session with the directory reaches its time limit at {at}. Then sign in again to "
                      "carry on: nothing on this computer is lost.")
        else:
            self._say("")

    def _say(self, text: str) -> None:
        if text == self._shown:
            return
        self._shown = text
        if text:
            self.warning.emit(text)
        else:
            self.calm.emit()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in self._INPUT and self._watching is not None:
            idle = self.idle_left()
            if idle is not None and idle <= self.warn_idle_s and time.monotonic() - self._touched > 2:
                self._touched = time.monotonic()
                self._watching[4]()
        return False
