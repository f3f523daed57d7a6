"""Window control: the sign-in window → the main window → the lock screen → sign-out.

``SignpostApp`` owns the windows and the signed-in session; it starts the services through
``StartUp`` (``ui/startup.py``), leaves the idle clock to ``IdleWatch`` (``ui/idle.py``) and the closure
wizard to ``ClosureLauncher`` (``ui/closure_launch.py``). ``run`` starts the whole app.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import policy, resources
from app.paths import Paths
from app.settings import Settings

from .bridge import Relay, watch
from .closure_launch import ClosureLauncher
from .idle import IdleWatch, ServiceClock
from .signin_window import SignInWindow
from .startup import StartUp
from .token_memory import TokenMemory

if TYPE_CHECKING:
    from app.directory import EmbeddedDirectory
    from app.directory.remote import RemoteDirectory
    from app.keystore import SecureKeyStore
    from app.session import Session, SessionManager
    from app.token.info import TokenEvent, TokenInfo
    from app.token.service import TokenService

    from .lock_window import LockWindow
    from .main_window import MainWindow
    from .sign_in_again import SignInAgainDialog
    from .training_guide import TrainingGuide
    from .wizards.closure import ClosureWizard

log = logging.getLogger(__name__)
STYLE = "style.qss"  # resources, read through app.resources
ICON = "icons/signpost.svg"
APP_NAME = "Signpost"
DESKTOP_FILE = "signpost"  # packaging/signpost.desktop; also the X11 instance name and Wayland app id


class SignpostApp(QObject):
    def __init__(self, paths: Paths, settings: Settings, store: SecureKeyStore | None = None,
                 clock: Callable[[], date] = date.today, poll_interval: float = 1.0) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.clock = clock
        self.relay = Relay(self)
        self.token_memory = TokenMemory(paths.config)
        self.signin = SignInWindow(self.token_memory.serial_for)
        self.signin.submitted.connect(self.sign_in)
        self.startup = StartUp(paths, settings, store, clock, poll_interval, self.relay,
                               on_token_event=self._token_event, progress=self.signin.show_progress,
                               on_ready=self._services_ready, on_failed=self.signin.set_failed)
        self.main: MainWindow | None = None
        self.lock_window: LockWindow | None = None
        self.guide: TrainingGuide | None = None
        self.session: Session | None = None
        self.present: dict[str, TokenInfo] = {}  # serial -> TokenInfo
        self.closure_launcher = ClosureLauncher(self)
        self.idle = IdleWatch(settings.idle_lock_minutes * 60_000, self._idle_lock, self)
        self.idle.warning.connect(lambda s: self.main.show_idle_warning(s) if self.main else None)
        self.idle.calm.connect(lambda: self.main.hide_idle_warning() if self.main else None)
        self.service_clock = ServiceClock(self)  # the directory's own limits on the session (issue 15 2.5)
        self.service_clock.warning.connect(lambda text: self.main.banners.show_service_warning(text)
                                           if self.main else None)
        self.service_clock.calm.connect(lambda: self.main.banners.hide_service_warning() if self.main else None)
        self.service_clock.ended.connect(lambda: self.main.session_ended() if self.main else None)
        self.again: SignInAgainDialog | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            app.installEventFilter(self.service_clock)

    # -- what start-up opened -------------------------------------------------------
    @property
    def service(self) -> EmbeddedDirectory | RemoteDirectory | None:
        """The directory, behind the interface (the training directory or the service)."""
        return self.startup.service

    @property
    def tokens(self) -> TokenService | None:
        return self.startup.tokens

    @property
    def store(self) -> SecureKeyStore | None:
        return self.startup.store

    @property
    def sessions(self) -> SessionManager | None:
        return self.startup.sessions

    @property
    def closure(self) -> ClosureWizard | None:
        """The closure wizard while it is open."""
        return self.closure_launcher.wizard

    def _idle_lock(self) -> None:
        from .wording import count
        self.lock(f"Locked after {count(self.settings.idle_lock_minutes, 'minute')} without use.")

    # -- start-up -----------------------------------------------------------
    def start(self) -> None:
        self.signin.show()
        QTimer.singleShot(0, self.startup.start)  # after the window is on screen

    def _services_ready(self) -> None:
        assert self.sessions is not None
        # the outbox's counts, from its worker to whichever window is showing (R-LOCAL-1)
        self.sessions.on_outbox_change = lambda pending, needs_you: self.relay.post(
            lambda: self.main is not None and self.main.outbox_changed(pending, needs_you))
        # the outbox found the directory had ended the session: the window offers to sign in again
        self.sessions.on_session_ended = lambda: self.relay.post(
            lambda: self.main is not None and self.main.session_ended())
        self.signin.set_ready()

    # -- tokens coming and going ------------------------------------------------
    def _token_event(self, event: TokenEvent) -> None:
        token = event.token
        self.closure_launcher.token_event(event)
        pickers = [self.signin.tokens] + ([self.lock_window.picker] if self.lock_window else [])
        if event.kind == "arrived":
            self.present[token.serial] = token
            for p in pickers:
                p.add_token(token)
            if self.lock_window and self.session and token.serial == self.session.serial:
                self.lock_window.picker.select(token.serial)  # the session's own token, ready to unlock
            if self.session and self.session.locked and token.serial != self.session.serial:
                self.sign_out("Another security token was inserted, so the locked session was signed out.")
        else:
            self.present.pop(token.serial, None)
            for p in pickers:
                p.remove_token(token.serial)
            if self.session and not self.session.locked and token.serial == self.session.serial:
                self.lock("Your security token was removed.", token_removed=True)

    # -- signing in -------------------------------------------------------------
    def sign_in(self, username: str, password: str, serial: str, pin: str) -> None:
        if self.sessions is None:
            self.signin.show_error("Signpost is still getting ready. Try again in a moment.")
            return
        watch(self.relay, self.sessions.sign_in(username, password, serial, pin), self._signed_in,
              lambda exc: self.closure_launcher.try_offline(exc, username, serial, pin) or self.show_refusal(exc))

    def _message(self, exc: BaseException) -> tuple[str, str]:
        """(message, field to correct: "pin" or the password) for anything sign-in or unlock can raise."""
        from app.directory import DirectoryUnavailable, Refusal
        from app.keystore import KeystoreError
        from app.localcache import CacheError
        from app.token.errors import TokenError

        from .refusals import explain
        if not isinstance(exc, (Refusal, DirectoryUnavailable, TokenError, KeystoreError, CacheError)):
            log.error("sign-in failed", exc_info=exc)
        return explain(exc)

    def show_refusal(self, exc: BaseException) -> None:
        self.signin.show_error(*self._message(exc))

    def _signed_in(self, session) -> None:
        if session.password_change_required:  # la-admin (issue 14 §2.1): a one-time password is replaced first
            from .first_password import FirstPassword
            FirstPassword(self.signin, self.service, self.relay, session, self._signed_in, self.sessions.sign_out)
            return
        from .lock_window import LockWindow
        from .main_window import MainWindow
        assert self.service is not None
        self.session = session
        self.token_memory.remember(session.user.username, session.serial)
        self.main = MainWindow(self.service, session.user, self.clock, session=session.directory_session,
                               training=self.service.status().kind == "training",
                               settings_file=self.paths.settings_file,  # the window's size, kept (issue 14 §3.2)
                               recall=lambda directory_id: self.sessions.recall(session, directory_id),
                               # the screens' work through the session: a change is kept in the encrypted
                               # outbox, with the one idempotency key it makes, before it is sent (R-LOCAL-1)
                               work=lambda op, viewer, request: self.sessions.perform(
                                   session, op, request, viewer.on_behalf_of),
                               find=lambda viewer, criteria, reason: self.sessions.search(
                                   session, viewer, criteria, reason),
                               outbox=self.sessions.outbox_access(session),
                               recent=lambda: self.sessions.recent(session))
        self.main.sign_out_requested.connect(self.sign_out)
        self.main.sign_in_again_requested.connect(self.sign_in_again)
        self.main.lock_requested.connect(lambda: self.lock("Locked at your request."))
        self.main.change_pin_requested.connect(self.change_pin)
        self.main.training_guide_requested.connect(self.open_training_guide)
        self.main.service_closed.connect(self.closure_launcher.switched_off)  # closure (R-CLOSE-1)
        self.main.record_opened.connect(lambda view: self.sessions.remember(session, view))
        self.main.ctx.tokens = self.tokens  # an LA team enrols tokens on the one token thread
        self.main.ctx.paths = self.paths  # the audit export records what it wrote (closure, R-LOCAL-3)
        self.main.show_alert(getattr(session, "security_alert", ""))
        self.lock_window = LockWindow()
        self.lock_window.set_user(session.user.display_name)
        self.lock_window.set_own_token(session.serial)
        self.lock_window.unlock_requested.connect(self.unlock)
        self.lock_window.sign_out_requested.connect(self.sign_out)
        for token in self.present.values():
            self.lock_window.picker.add_token(token)
        self.lock_window.picker.select(session.serial)
        self.main.show()
        self.signin.reset()
        self.signin.hide()
        self.idle.start()
        self._watch_service_limits(session)
        self.closure_launcher.after_sign_in()

    # -- the directory ended the session: sign in again, in place (issue 15 2.4) ----------------------
    def sign_in_again(self) -> None:
        from .sign_in_again import SignInAgainDialog
        if self.session is None or self.main is None or self.sessions is None:
            return
        if self.again is not None:
            self.again.raise_()
            return
        session = self.session
        self.again = SignInAgainDialog(session.user.display_name, self.main)
        self.again.submitted.connect(lambda password, pin: self._sign_in_again(session, password, pin))
        self.again.finished.connect(lambda _r: setattr(self, "again", None))
        self.again.open()

    def _sign_in_again(self, session: Session, password: str, pin: str) -> None:
        assert self.sessions is not None
        dialog = self.again
        watch(self.relay, self.sessions.sign_in_again(session, password, pin),
              lambda _none: self._signed_in_again(session, dialog),
              lambda exc: dialog.show_error(*self._message(exc)) if dialog is not None else None)

    def _signed_in_again(self, session: Session, dialog: SignInAgainDialog | None) -> None:
        if session is not self.session or self.main is None:
            return
        if dialog is not None:
            dialog.accept()
        self.main.signed_in_again(session.directory_session)
        self.main.show_alert(session.security_alert)
        self._watch_service_limits(session)

    def _watch_service_limits(self, session: Session) -> None:
        assert self.service is not None and self.main is not None
        directory, main = self.service, self.main
        self.service_clock.watch(session.idle_s, session.max_s, session.signed_at,
                                 lambda: directory.last_used(session.directory_session), main.keep_session)

    # -- help -----------------------------------------------------------------
    def open_training_guide(self) -> None:
        from . import training_guide
        if self.guide is not None:
            self.guide.raise_()
            self.guide.activateWindow()
            return
        if self.service is None or self.main is None:
            return
        watch(self.main.relay, self.service.training_facts(), lambda t: self._show_guide(training_guide.facts(t)),
              self._guide_failed)

    def _show_guide(self, facts) -> None:
        from .training_guide import TrainingGuide
        if self.main is None or self.guide is not None:
            return
        self.guide = TrainingGuide(facts, self.main)
        self.guide.destroyed.connect(lambda *_: setattr(self, "guide", None))
        self.guide.show()

    def _guide_failed(self, exc: BaseException) -> None:
        log.error("training guide could not be loaded", exc_info=exc)
        if self.main is not None:
            self.main.form.show_message("The training guide could not be opened. The README lists the same "
                                        "sample children.")

    def _close_guide(self) -> None:
        if self.guide is not None:
            self.guide.close()
            self.guide = None

    # -- locking ------------------------------------------------------------------
    def lock(self, why: str, token_removed: bool = False) -> None:
        """Clear the screen at once, then close the cache and the token session (R-LOCAL-2)."""
        if self.session is None or self.session.locked or self.main is None:
            return
        self.idle.stop()
        self._close_guide()
        if self.closure is not None:  # hidden while locked
            self.closure.hide()
        self.main.wipe()
        self.main.hide()
        self.session.locked = True
        assert self.sessions is not None and self.lock_window is not None
        self.sessions.lock(self.session, why)
        self.lock_window.reset()
        self.lock_window.set_reason(why, token_removed)
        self.lock_window.show()
        self.lock_window.activateWindow()

    def unlock(self, serial: str, pin: str) -> None:
        assert self.sessions is not None and self.session is not None and self.lock_window is not None
        self.lock_window.set_busy(True)
        watch(self.relay, self.sessions.unlock(self.session, serial, pin), self._unlocked,
              lambda exc: self.lock_window.show_error(self._message(exc)[0]))

    def _unlocked(self, _) -> None:
        assert self.main is not None and self.lock_window is not None
        self.lock_window.reset()
        self.lock_window.hide()
        if self.closure is not None:
            self.closure.show()
            if self.closure.ctx.closed:  # switched off: only the closure tasks
                self.closure.activateWindow()
                self.idle.start()
                return
        self.main.show()
        self.main.activateWindow()
        self.idle.start()

    def change_pin(self) -> None:
        from .pin_change_dialog import PinChangeDialog
        if self.session is None or self.tokens is None:
            return
        token = self.present.get(self.session.serial)
        if token is None:
            return
        PinChangeDialog(self.tokens, token, self.main).open()

    # -- signing out ----------------------------------------------------------------
    def sign_out(self, note: str = "") -> None:
        self.idle.stop()
        self.service_clock.stop()
        if self.again is not None:
            self.again.reject()
        self._close_guide()
        self.closure_launcher.close()
        if self.main is not None:
            self.main.wipe()
            self.main.close()
            self.main.deleteLater()
            self.main = None
        if self.lock_window is not None:
            self.lock_window.close()
            self.lock_window.deleteLater()
            self.lock_window = None
        if self.session is not None and self.sessions is not None:
            self.sessions.sign_out(self.session)
        self.session = None
        self.signin.reset()
        self.signin.show()
        self.signin.show_note(note if isinstance(note, str) else "")

    def shutdown(self) -> None:
        """Sign out, stop every service, and leave nothing of this app hooked into Qt: the idle and
        service clocks come off the application's event filters, late results are dropped, the
        sign-in window closes."""
        self.sign_out()
        self.closure_launcher.shutdown()
        self.startup.shutdown()
        self.relay.close()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
            app.removeEventFilter(self.service_clock)
        self.signin.close()


def application(argv: list[str]) -> QApplication:
    """The QApplication, named "Signpost" everywhere a desktop shows it (never "main.py")."""
    QApplication.setApplicationName(APP_NAME)
    QApplication.setDesktopFileName(DESKTOP_FILE)
    qt = QApplication.instance() or QApplication([DESKTOP_FILE, *argv[1:]])  # argv[0] names the X11 class
    configure(qt)
    return qt


def configure(qt: QApplication) -> None:
    qt.setApplicationName(APP_NAME)
    qt.setDesktopFileName(DESKTOP_FILE)
    qt.setWindowIcon(QIcon(str(resources.path(ICON))))
    qt.setStyleSheet(resources.text(STYLE))


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    qt = application(argv)
    paths = Paths.default()
    controller = SignpostApp(paths, policy.load_settings(paths))
    controller.start()
    qt.aboutToQuit.connect(controller.shutdown)
    return qt.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv))
