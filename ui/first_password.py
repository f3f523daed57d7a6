"""After a sign-in with a one-time password (issue 14 §2.1, R-ROLE-4): the sign-in window asks for the user's own
password, the change goes straight to the directory (never through the outbox: a password is not kept on this
workstation, even encrypted), and then the sign-in carries on as usual (``done``); given up, the session is
signed out (``sign_out``) and the sign-in form comes back. The directory does no other work for the session
until the password is changed."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.refusals import Refusal

from .bridge import Relay, watch
from .refusals import explain
from .signin_window import SignInWindow

ENDED = frozenset({"access.session_ended", "access.session_locked", "sign_in.locked_out"})


class FirstPassword(QObject):
    def __init__(self, window: SignInWindow, directory, relay: Relay, session, done: Callable[[object], None],
                 sign_out: Callable[[object], object]) -> None:
        super().__init__(window)
        self.window, self.directory, self.relay, self.session = window, directory, relay, session
        self.done, self.sign_out = done, sign_out
        window.new_password.connect(self._change)
        window.new_password_cancelled.connect(self._abandon)
        window.ask_new_password(session.user.display_name)

    def _change(self, current: str, new: str) -> None:
        future = self.directory.perform(ops.CHANGE_PASSWORD, self.session.viewer(), t.PasswordChange(current, new))
        watch(self.relay, future, lambda _none: self._changed(), self._refused)

    def _changed(self) -> None:
        self._disconnect()
        self.session.password_change_required = False
        self.window.leave_password_step()
        self.done(self.session)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, Refusal) and exc.code in ENDED:  # the session is gone: sign in again
            self._abandon(explain(exc)[0])
            return
        self.window.password_step_failed(explain(exc)[0])

    def _abandon(self, note: str = "") -> None:
        self._disconnect()
        self.sign_out(self.session)
        self.window.leave_password_step(note or "Signed out. You need your own password to use Signpost: sign in "
                                               "again with the one-time password and choose it.")

    def _disconnect(self) -> None:
        for signal, slot in ((self.window.new_password, self._change),
                             (self.window.new_password_cancelled, self._abandon)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self.deleteLater()
