"""One online/offline state per window (issue 15 2.2, 2.4): the status bar, the banner above the screens and
Home all show what this says, never three different things.

Every ``interval_ms`` it reads the directory's status (no network call). While the directory does not answer
it also asks its health every ``poll_ms`` (``DirectoryClient.health``), so the window learns the directory is
back without the person doing anything; ``back`` then tells the window to clear what it said about the outage
and to send what waits.
"""
from __future__ import annotations

import time
from concurrent.futures import Future

from PySide6.QtCore import QObject, QTimer, Signal

from app.directory.interface import DirectoryClient, DirectoryStatus


class ConnectionWatch(QObject):
    changed = Signal(object)  # the DirectoryStatus, each time it is read
    back = Signal()  # the directory answers again after it did not

    def __init__(self, directory: DirectoryClient, interval_ms: int = 1000, poll_ms: int = 5000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self.poll_s = poll_ms / 1000
        self.status: DirectoryStatus = directory.status()
        self._asking: Future | None = None
        self._asked_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Read the status; say so if it changed; ask the directory's health while it does not answer."""
        was, now = self.status, self.directory.status()
        self.status = now
        self.changed.emit(now)
        if now.online and not was.online and was.last_contact is not None:
            self.back.emit()
        idle = self._asking is None or self._asking.done()
        if not now.online and now.kind == "service" and idle and time.monotonic() - self._asked_at >= self.poll_s:
            self._asked_at = time.monotonic()
            self._asking = self.directory.health()  # its answer shows in the next status read

    def stop(self) -> None:
        self._timer.stop()
