"""Start-up and the sign-in → main window flow.

The sign-in window appears first, with nothing heavy imported. Then, on the
directory thread, the key store and the engine are loaded, the training
directory's key is fetched from the secure key store, and the directory is
opened (built first, with progress, on the first run).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.paths import Paths
from app.service import DirectoryService
from app.settings import Settings

from .bridge import Relay, watch
from .signin_window import SignInWindow

if TYPE_CHECKING:
    from app.directory import Directory
    from app.keystore import SecureKeyStore
    from app.session import Session, SessionManager
    from app.token.service import TokenService

    from .lock_window import LockWindow
    from .main_window import MainWindow

log = logging.getLogger(__name__)
STYLE = Path(__file__).resolve().parent.parent / "resources" / "style.qss"


def _default_store() -> "SecureKeyStore":
    from app.keystore import SecureKeyStore
    return SecureKeyStore()


class IdleWatch(QObject):
    """Locks after a quiet spell: any key or mouse input restarts the clock (R-LOCAL-2)."""

    _INPUT = frozenset({QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.Wheel})

    def __init__(self, interval_ms: int, on_idle: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(on_idle)

    def eventFilter(self, obj, event) -> bool:
        if self.timer.isActive() and event.type() in self._INPUT:
            self.timer.start()
        return False


class SignpostApp(QObject):
    def __init__(self, paths: Paths, settings: Settings, store: "SecureKeyStore | None" = None,
                 clock: Callable[[], date] = date.today, poll_interval: float = 1.0) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.store = store
        self.clock = clock
        self.poll_interval = poll_interval
        self.relay = Relay(self)
        self.signin = SignInWindow()
        self.signin.submitted.connect(self.sign_in)
        self.main: "MainWindow | None" = None
        self.lock_window: "LockWindow | None" = None
        self.service: DirectoryService | None = None
        self.tokens: "TokenService | None" = None
        self.sessions: "SessionManager | None" = None
        self.session: "Session | None" = None
        self.present: dict[str, object] = {}  # serial -> TokenInfo
        self._closing = threading.Event()
        self.idle = IdleWatch(settings.idle_lock_minutes * 60_000, lambda: self.lock(
            f"Locked after {settings.idle_lock_minutes} minutes without use."), self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)

    # -- start-up -----------------------------------------------------------
    def start(self) -> None:
        self.signin.show()
        QTimer.singleShot(0, self._start_services)  # after the window is on screen

    def _start_services(self) -> None:
        from app import training
        from app.token.service import TokenService
        self.paths.ensure()
        training.token_environment(self.paths)
        self.tokens = TokenService(self.settings.pkcs11_module or None, poll_interval=self.poll_interval)
        self.tokens.subscribe(lambda event: self.relay.post(self._token_event, event))
        watch(self.relay, self.tokens.start(), lambda _: None, self._tokens_failed)
        self.service = DirectoryService(self._open_directory)
        watch(self.relay, self.service.opened, self._directory_ready, self._open_failed)

    def _open_directory(self) -> "Directory":  # on the directory thread
        from app import training
        if self.store is None:
            self.store = _default_store()
        key = training.directory_key(self.store)
        path = self.paths.training_directory
        progress = lambda phase, d, t: self.relay.post(self.signin.show_progress, phase, d, t)  # noqa: E731
        if training.needs_build(path, key):
            training.build(path, key, self.settings.training_children, cancelled=self._closing.is_set,
                           progress=progress)
        directory = training.open_directory(self.paths, key, self.clock)
        conf = training.token_environment(self.paths)
        if training.tokens_missing(directory, conf):
            training.provision_tokens(directory, conf, progress)
        return directory

    def _directory_ready(self, _) -> None:
        from app.session import SessionManager
        assert self.service is not None and self.tokens is not None and self.store is not None
        self.sessions = SessionManager(self.service, self.tokens, self.store, self.paths)
        self.signin.set_ready()

    def _tokens_failed(self, exc: BaseException) -> None:
        self.signin.set_failed(getattr(exc, "message", None) or f"Security tokens cannot be used: {exc}")

    def _open_failed(self, exc: BaseException) -> None:
        from app.keystore import KeystoreError
        if isinstance(exc, KeystoreError):
            self.signin.set_failed(f"Signpost cannot reach a secure keyring. {exc}")
        elif isinstance(exc, OSError) or "disk is full" in str(exc).lower():
            why = getattr(exc, "strerror", None) or str(exc)
            self.signin.set_failed(f"Signpost could not write its files ({why}). Free some disk space or check "
                                   f"permissions on {self.paths.data}, then restart. Nothing was lost.")
        else:
            log.error("directory failed to open", exc_info=exc)
            self.signin.set_failed(f"The directory could not be opened ({type(exc).__name__}). Restart Signpost; "
                                   "if this keeps happening, contact your helpdesk.")

    # -- tokens coming and going ------------------------------------------------
    def _token_event(self, event) -> None:
        token = event.token
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
                self.lock("Your security token was removed.")

    # -- signing in -------------------------------------------------------------
    def sign_in(self, username: str, password: str, serial: str, pin: str) -> None:
        if self.sessions is None:
            self.signin.show_error("Signpost is still getting ready. Try again in a moment.")
            return
        watch(self.relay, self.sessions.sign_in(username, password, serial, pin), self._signed_in, self._refused)

    def _message(self, exc: BaseException) -> tuple[str, str]:
        """(message, field to correct) for anything sign-in or unlock can raise."""
        from app.directory import SignInRefused
        from app.keystore import KeystoreError
        from app.localcache import CacheError
        from app.token.errors import TokenError
        if isinstance(exc, SignInRefused):
            return str(exc), "password"
        if isinstance(exc, TokenError):
            return exc.message, "pin"
        if isinstance(exc, KeystoreError):
            return f"Your keyring could not be used: {exc}", "pin"
        if isinstance(exc, CacheError):
            return f"Your local data could not be opened: {exc}", "pin"
        log.error("sign-in failed", exc_info=exc)
        return "Signing in failed unexpectedly. Try again, or contact your helpdesk.", "pin"

    def _refused(self, exc: BaseException) -> None:
        self.signin.show_error(*self._message(exc))

    def _signed_in(self, session) -> None:
        from .lock_window import LockWindow
        from .main_window import MainWindow
        assert self.service is not None
        self.session = session
        self.main = MainWindow(self.service, session.user, self.clock)
        self.main.sign_out_requested.connect(self.sign_out)
        self.main.lock_requested.connect(lambda: self.lock("Locked at your request."))
        self.main.change_pin_requested.connect(self.change_pin)
        self.main.record_opened.connect(lambda view: self.sessions.remember(session, view))
        self.lock_window = LockWindow()
        self.lock_window.set_user(session.user.display_name)
        self.lock_window.unlock_requested.connect(self.unlock)
        self.lock_window.sign_out_requested.connect(self.sign_out)
        for token in self.present.values():
            self.lock_window.picker.add_token(token)
        self.lock_window.picker.select(session.serial)
        self.main.show()
        self.signin.reset()
        self.signin.hide()
        self.idle.timer.start()

    # -- locking ------------------------------------------------------------------
    def lock(self, why: str) -> None:
        """Clear the screen at once, then close the cache and the token session (R-LOCAL-2)."""
        if self.session is None or self.session.locked or self.main is None:
            return
        self.idle.timer.stop()
        self.main.wipe()
        self.main.hide()
        self.session.locked = True
        assert self.sessions is not None and self.lock_window is not None
        self.sessions.lock(self.session, why)
        self.lock_window.reset()
        self.lock_window.set_reason(why)
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
        self.main.show()
        self.main.activateWindow()
        self.idle.timer.start()

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
        self.idle.timer.stop()
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
        self.signin.status.setText(note if isinstance(note, str) else "")

    def shutdown(self) -> None:
        self._closing.set()  # stops a first-run build; the half-made file is removed
        self.sign_out()
        if self.sessions is not None:
            self.sessions.close()
        if self.tokens is not None:
            self.tokens.shutdown()
        if self.service is not None:
            self.service.close()
        if self.store is not None:
            self.store.close()


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    qt = QApplication.instance() or QApplication(argv)
    qt.setApplicationName("Signpost")
    qt.setDesktopFileName("signpost")
    if STYLE.exists():
        qt.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    paths = Paths.default()
    controller = SignpostApp(paths, Settings.load(paths.settings_file))
    if os.environ.get("SIGNPOST_EXIT_AFTER_SHOW"):  # the start-up benchmark's probe
        controller.signin.show()
        QTimer.singleShot(0, lambda: (print("shown", flush=True), os._exit(0)))
    controller.start()
    qt.aboutToQuit.connect(controller.shutdown)
    return qt.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv))
