"""The one shape every role screen has (issue 8, item 10).

A screen is a widget with a ``title``, built from a ``ScreenContext`` (the
directory interface, who is asking, the window's relay); it ``refresh``es by
asking the directory again and ``reset``s by forgetting everything it shows
(lock, sign-out, a mediating user's new caller). Directory work runs through
``ctx.perform``: one named operation, the answer handed to the GUI thread, and
a refusal or outage shown in the screen's own message line with words from
``ui.refusals`` unless the caller handles it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.directory.interface import DirectoryClient, DirectoryUnavailable, ServiceClosed
from app.directory.work.operations import Operation
from app.model import Viewer
from app.refusals import Refusal
from ui.announce import announce, point_to, unpoint
from ui.bridge import Relay, watch
from ui.refusals import explain


def ended(exc: BaseException) -> bool:
    """The directory ended the session (a service restart, its time limits): signing in again is the way back."""
    return isinstance(exc, Refusal) and exc.code == "access.session_ended"


@dataclass
class ScreenContext:
    directory: DirectoryClient
    viewer: Callable[[], Viewer]  # who asks now (a mediating user's current colleague included)
    relay: Relay
    busy: Callable[[bool], None] = lambda _on: None  # the window's one progress bar
    clock: Callable[[], date] = date.today  # "overdue", "expired" and default dates (tests set it)
    tokens: Any = None  # the app's TokenService (token thread), for enrolling a token; None: not in this window
    on_closed: Callable[[], None] = lambda: None  # the directory answered that it has switched off (R-CLOSE-1)
    paths: Any = None  # the app's Paths: the audit export records each file it writes (closure, R-LOCAL-3)
    outbox: Any = None  # the session's offline outbox (app.session.OutboxAccess); None: changes go straight out
    session_ended: Callable[[], None] | None = None  # told when a request finds the directory ended the session

    def perform(self, op: Operation, request: Any, on_done: Callable[[Any], None],
                on_error: Callable[[BaseException], None]) -> None:
        """Ask the directory on its worker; ``on_done``/``on_error`` run on the GUI thread. A change's
        idempotency key is made once, by the session's outbox, which keeps it before the first send
        (app/outbox.py, R-LOCAL-1); nothing here makes one."""
        future = self.directory.perform(op, self.viewer(), request)
        self.busy(True)

        def done(value: Any) -> None:
            self.busy(False)
            on_done(value)

        def failed(exc: BaseException) -> None:
            self.busy(False)
            if ended(exc) and self.session_ended is not None:
                self.session_ended()
            on_error(exc)
            if isinstance(exc, ServiceClosed):
                self.on_closed()
        watch(self.relay, future, done, failed)


class Screen(QWidget):
    """Base of every role screen: ``title``, ``refresh()``, ``reset()``, and a message line."""

    title = ""
    attention = Signal(int)  # how many things here need the user's attention (for the home view and tab)

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.message = QLabel()
        self.message.setObjectName("screenMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self._unavailable = False  # the message says the directory did not answer

    def refresh(self) -> None:
        """Ask the directory again for what this screen shows."""

    def reset(self) -> None:
        """Forget everything shown (R-LOCAL-2: lock and sign-out clear the screen at once)."""
        self.say("")

    def say(self, text: str, *, error: bool = False, field: QWidget | None = None) -> None:
        """The message line, announced (an ``error`` at once, anything else politely); a message about a
        ``field`` is an error and moves focus there (``ui.announce.point_to``)."""
        unpoint(self)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        announce(self.message, text, assertive=error or field is not None)
        if field is not None and text:
            point_to(field, text)
        self._unavailable = False

    def failed(self, exc: BaseException) -> None:
        """The default failure path: what happened and what to do, in the message line."""
        self.say(explain(exc)[0], error=True)
        self._unavailable = isinstance(exc, DirectoryUnavailable)

    def directory_back(self) -> None:
        """The directory answers again: a message about it not answering goes."""
        if self._unavailable:
            self.say("")
