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
