"""Start-up and the sign-in → main window flow.

The sign-in window appears first, with nothing heavy imported. Then, on the
directory thread, the key store and the engine are loaded, the training
directory's key is fetched from the secure key store, and the directory is
opened (built first, with progress, on the first run).
"""
from __future__ import annotations

import logging
import math
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.paths import Paths
from app.settings import Settings

from .bridge import Relay, watch
from .signin_window import SignInWindow
from .token_memory import TokenMemory

if TYPE_CHECKING:
    from app.directory import Directory, EmbeddedDirectory
    from app.keystore import SecureKeyStore
    from app.session import Session, SessionManager
    from app.token.service import TokenService

    from .lock_window import LockWindow
    from .main_window import MainWindow
    from .training_guide import TrainingGuide

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
STYLE = RESOURCES / "style.qss"
ICON = RESOURCES / "icons" / "signpost.svg"
APP_NAME = "Signpost"
DESKTOP_FILE = "signpost"  # packaging/signpost.desktop; also the X11 instance name and Wayland app id


def _default_store() -> SecureKeyStore:
    from app.keystore import SecureKeyStore
    return SecureKeyStore()


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


class SignpostApp(QObject):
    def __init__(self, paths: Paths, settings: Settings, store: SecureKeyStore | None = None,
                 clock: Callable[[], date] = date.today, poll_interval: float = 1.0) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.store = store
        self.clock = clock
        self.poll_interval = poll_interval
        self.relay = Relay(self)
        self.token_memory = TokenMemory(paths.config)
        self.signin = SignInWindow(self.token_memory.serial_for)
        self.signin.submitted.connect(self.sign_in)
        self.main: MainWindow | None = None
        self.lock_window: LockWindow | None = None
        self.guide: TrainingGuide | None = None
        self.service: EmbeddedDirectory | None = None  # the training directory, behind the interface
        self.tokens: TokenService | None = None
        self.sessions: SessionManager | None = None
        self.session: Session | None = None
        self.present: dict[str, object] = {}  # serial -> TokenInfo
        self.closure = None  # closure (issue 9): the ClosureWizard while open
        self._closing = threading.Event()
        self.idle = IdleWatch(settings.idle_lock_minutes * 60_000, self._idle_lock, self)
        self.idle.warning.connect(lambda s: self.main.show_idle_warning(s) if self.main else None)
        self.idle.calm.connect(lambda: self.main.hide_idle_warning() if self.main else None)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)

    def _idle_lock(self) -> None:
        from .wording import count
        self.lock(f"Locked after {count(self.settings.idle_lock_minutes, 'minute')} without use.")

    # -- start-up -----------------------------------------------------------
    def start(self) -> None:
        self.signin.show()
        QTimer.singleShot(0, self._start_services)  # after the window is on screen

    def _start_services(self) -> None:
        from app import training
        from app.directory import EmbeddedDirectory
        from app.token.service import TokenService

        from . import refusals  # noqa: F401 - the words a person reads for the directory's refusal codes
        self.paths.ensure()
        training.token_environment(self.paths)
        self.tokens = TokenService(self.settings.pkcs11_module or None, poll_interval=self.poll_interval)
        self.tokens.subscribe(lambda event: self.relay.post(self._token_event, event))
        watch(self.relay, self.tokens.start(), lambda _: None, self._tokens_failed)
        if self.settings.directory_url:  # the directory service over HTTPS; nothing of it is kept here
            self._startup = ThreadPoolExecutor(1, thread_name_prefix="startup")
            watch(self.relay, self._startup.submit(self._open_remote), self._remote_ready, self._open_failed)
            return
        self.service = EmbeddedDirectory(self._open_directory)
        watch(self.relay, self.service.opened, self._directory_ready, self._open_failed)

    def _open_remote(self):  # on a start-up thread: the key store, then the client (no network yet)
        from app.directory.remote import RemoteDirectory
        if self.store is None:
            self.store = _default_store()
        self.store.check_now()
        return RemoteDirectory(self.settings.directory_url, self.settings.ca_bundle)

    def _remote_ready(self, directory) -> None:
        self.service = directory
        directory.probe()  # the status bar learns at once whether the service answers
        self._directory_ready(None)

    def _open_directory(self) -> Directory:  # on the directory thread
        from app import training
        if self.store is None:
            self.store = _default_store()
        key = training.directory_key(self.store)
        path = self.paths.training_directory
        progress = lambda phase, d, t: self.relay.post(self.signin.show_progress, phase, d, t)  # noqa: E731
        if training.needs_build(path, key):
            training.build(path, key, self.settings.training_children, cancelled=self._closing.is_set,
                           progress=progress)
        directory = training.open_directory(self.paths, key, self.clock, training.signing_key(self.store))
        conf = training.token_environment(self.paths)
        if training.tokens_missing(directory, conf):
            training.provision_tokens(directory, conf, progress)
        return directory

    def _directory_ready(self, _) -> None:
        from app.session import SessionManager
        assert self.service is not None and self.tokens is not None and self.store is not None
        self.sessions = SessionManager(self.service, self.tokens, self.store, self.paths,
                                       cache_hours=self.settings.record_cache_hours)
        # the outbox's counts, from its worker to whichever window is showing (R-LOCAL-1)
        self.sessions.on_outbox_change = lambda pending, needs_you: self.relay.post(
            lambda: self.main is not None and self.main.outbox_changed(pending, needs_you))
        self.signin.set_ready()

    def _tokens_failed(self, exc: BaseException) -> None:
        self.signin.set_failed(getattr(exc, "message", None) or f"Security tokens cannot be used: {exc}")

    def _open_failed(self, exc: BaseException) -> None:
        from .refusals import explain
        if isinstance(exc, ValueError) and self.settings.directory_url:  # the service's address or CA file
            self.signin.set_failed(f"Signpost cannot use the directory service as configured: {exc}")
            return
        if isinstance(exc, OSError) and not getattr(exc, "errno", None) == 28:
            why = getattr(exc, "strerror", None) or str(exc)
            self.signin.set_failed(f"Signpost could not write its files ({why}). Check permissions on "
                                   f"{self.paths.data}, then restart. Nothing was lost.")
            return
        text, _ = explain(exc)
        if text.startswith("Something went wrong"):
            log.error("directory failed to open", exc_info=exc)
            text = (f"The directory could not be opened ({type(exc).__name__}). Restart Signpost; if this keeps "
                    "happening, contact your helpdesk.")
        self.signin.set_failed(text)

    # -- tokens coming and going ------------------------------------------------
    def _token_event(self, event) -> None:
        token = event.token
        if self.closure is not None:  # closure (issue 9): the batch sees tokens arrive
            self.closure.ctx.token_event(event)
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
              lambda exc: self._closure_offline(exc, username, serial, pin) or self._refused(exc))  # closure

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

    def _refused(self, exc: BaseException) -> None:
        self.signin.show_error(*self._message(exc))

    def _signed_in(self, session) -> None:
        from .lock_window import LockWindow
        from .main_window import MainWindow
        assert self.service is not None
        self.session = session
        self.token_memory.remember(session.user.username, session.serial)
        self.main = MainWindow(self.service, session.user, self.clock, session=session.directory_session,
                               training=self.service.status().kind == "training",
                               recall=lambda directory_id: self.sessions.recall(session, directory_id),
                               # the screens' work through the session: a change is kept in the encrypted
                               # outbox before it is sent (R-LOCAL-1); the outbox chooses its own key
                               work=lambda op, viewer, request, _key: self.sessions.perform(
                                   session, op, request, viewer.on_behalf_of))
        self.main.sign_out_requested.connect(self.sign_out)
        self.main.lock_requested.connect(lambda: self.lock("Locked at your request."))
        self.main.change_pin_requested.connect(self.change_pin)
        self.main.training_guide_requested.connect(self.open_training_guide)
        self.main.record_opened.connect(lambda view: self.sessions.remember(session, view))
        self.main.ctx.tokens = self.tokens  # an LA team enrols tokens on the one token thread
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
        self._closure_after_sign_in()  # closure (issue 9)

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

    # -- closure (issue 9: ui/wizards/closure) --------------------------------------------------
    # The LA team opens Closure on demand from the menu before switch-off, to prepare; from the
    # switch-off on (R-CLOSE-1) the LA team gets only the closure wizard and everyone else is told so.
    def _closure_after_sign_in(self) -> None:
        from datetime import datetime

        from PySide6.QtGui import QAction

        from app.closure.mode import ModeError, closure_mode
        from app.model import Role

        from .refusals import closure_words
        if self.main is None or self.session is None:
            return
        la_team = self.session.user.role is Role.LA_MANAGEMENT
        closes_at = getattr(self.service.status(), "closes_at", None) if self.service is not None else None
        status = {"closes_at": datetime.fromtimestamp(closes_at, UTC).isoformat()} if closes_at else None
        try:  # the environment or the directory's own switch-off; the store too once opened
            closed = closure_mode(datetime.now(UTC), status=status).closed
        except ModeError as exc:
            log.warning("closure switch-off not understood: %s", exc)
            closed = False
        closes_at = self.service.status().closes_at if self.service is not None else None
        closed = closed or (closes_at is not None and datetime.now(UTC).timestamp() >= closes_at)
        if closed and not la_team:
            self.sign_out(closure_words("closure.only_closure_tasks") + " Hand your security token to your LA team.")
            return
        if la_team:
            action = QAction("Open &closure tasks…", self.main)
            action.setObjectName("openClosure")
            action.setShortcut("Ctrl+Shift+C")
            action.triggered.connect(lambda _checked=False: self.open_closure())
            self.main.menuBar().addMenu("C&losure").addAction(action)
        if closed:
            self.main.hide()
            self.open_closure(closed=True)

    def open_closure(self, closed: bool = False) -> None:
        """Open the closure wizard: read the issued tokens from the directory (if it answers), then open
        the closure store and set closure up on a worker; the window opens when all that is done."""
        from app.directory.work import operations as ops
        from app.directory.work import types as t
        from app.model import Role

        from .refusals import closure_words
        if self.closure is not None:
            self.closure.show()
            self.closure.raise_()
            self.closure.activateWindow()
            return
        if self.session is None or self.service is None or self.main is None:
            return
        if self.session.user.role is not Role.LA_MANAGEMENT:
            self.main.form.show_message(closure_words("closure.not_la_team"))
            return
        session = self.session
        watch(self.relay, self.service.perform(ops.TOKEN_REGISTER, session.viewer(), t.Nothing()),
              lambda issued: self._prepare_closure(session, issued, "", closed),
              lambda exc: self._prepare_closure(session, None, closure_words("closure.register_offline"), closed))

    def _prepare_closure(self, session, issued, note: str, closed: bool) -> None:
        from .wizards.closure.loading import prepare
        if session is not self.session:
            return
        user = session.user
        if not hasattr(self, "_closure_pool"):
            self._closure_pool = ThreadPoolExecutor(1, thread_name_prefix="closure-open")
        future = self._closure_pool.submit(prepare, self.paths, self.store, actor=user.username, la=user.organisation,
                                           la_team=True, issued=issued, on_demand=not closed)
        watch(self.relay, future, lambda p: self._closure_ready(session, p, note if not p.register.tokens else "",
                                                                closed), self._closure_failed)

    def _closure_ready(self, session, prepared, note: str, closed: bool = False) -> None:
        from app.closure.reset import TokenReset

        from .wizards.closure import ClosureContext, ClosureWizard
        if session is not self.session or self.closure is not None:
            prepared.store.close()
            return
        ctx = ClosureContext(prepared.register, prepared.checklist, actor=session.user.username, relay=self.relay,
                             store=prepared.store, clock=self.clock, closed=prepared.mode.closed or closed,
                             present=lambda: list(self.present), paths=self.paths, keystore=self.store,
                             own_serial=session.serial)
        ctx.note = note
        if self.tokens is not None:  # every PKCS#11 call on the app's one token thread
            ctx.tokens = TokenReset(service=self.tokens, progress=ctx.token_progress)
        self.closure = ClosureWizard(ctx)
        self.closure.closed.connect(self._closure_closed)
        self.closure.destroyed_local_data.connect(lambda _receipt: setattr(self, "_closure_destroyed", True))
        self.closure.show()
        self.closure.activateWindow()

    def _closure_failed(self, exc: BaseException) -> None:
        from .refusals import closure_explain
        log.error("closure could not be opened", exc_info=exc)
        if self.main is not None:
            self.main.show()
            self.main.form.show_message(closure_explain(exc))

    def _closure_closed(self) -> None:
        wizard, self.closure = self.closure, None
        if wizard is None:
            return
        wizard.deleteLater()
        if getattr(self, "_closure_destroyed", False):
            self._closure_destroyed = False
            done = "Closure is complete: this workstation's local data was destroyed. Quit Signpost."
            self.sign_out(done)
            self.signin.set_failed(done)  # nothing is left to sign in to
        elif wizard.ctx.closed:  # switched off: nothing else to go back to
            self.sign_out()

    def _closure_offline(self, exc: BaseException, username: str, serial: str, pin: str) -> bool:
        """After the switch-off the directory refuses every sign-in (ServiceClosed). The LA team user
        who prepared closure on this workstation still reaches the closure tasks, with no network: their
        token and PIN are checked on the token itself, and the closure store must name them (R-CLOSE-1)."""
        from app.directory.interface import ServiceClosed

        from .wizards.closure.loading import store_exists
        if not isinstance(exc, ServiceClosed) or self.tokens is None or not store_exists(self.paths):
            return False
        tokens, paths, keystore = self.tokens, self.paths, self.store

        def check():  # on a worker: the PIN on the token, then the store
            from datetime import datetime

            from app.closure import mode as closure_mode
            from app.closure.store import ClosureStore

            from .wizards.closure.loading import Prepared
            tokens.login(serial, pin).result(30)
            tokens.logout(serial).result(30)
            store = ClosureStore.open(paths, keystore)
            if store.doc("opened_on_demand_by") != username:
                store.close()
                return None
            mode = closure_mode.closure_mode(datetime.now(UTC), store=store, service_closed=True)
            return Prepared(store, store.register(), store.checklist(), mode, 0)
        if not hasattr(self, "_closure_pool"):
            self._closure_pool = ThreadPoolExecutor(1, thread_name_prefix="closure-open")
        watch(self.relay, self._closure_pool.submit(check),
              lambda prepared: self._closure_offline_ready(prepared, username, serial, exc),
              lambda err: self._refused(err))
        return True

    def _closure_offline_ready(self, prepared, username: str, serial: str, exc: BaseException) -> None:
        from app.closure.reset import TokenReset

        from .wizards.closure import ClosureContext, ClosureWizard
        if prepared is None:  # not the LA team user who prepared closure here
            self._refused(exc)
            return
        if self.closure is not None:
            prepared.store.close()
            return
        ctx = ClosureContext(prepared.register, prepared.checklist, actor=username, relay=self.relay,
                             store=prepared.store, clock=self.clock, closed=True, present=lambda: list(self.present),
                             paths=self.paths, keystore=self.store, own_serial=serial)
        ctx.tokens = TokenReset(service=self.tokens, progress=ctx.token_progress)
        self.closure = ClosureWizard(ctx)
        self.closure.closed.connect(self._closure_offline_closed)
        self.closure.destroyed_local_data.connect(lambda _receipt: setattr(self, "_closure_destroyed", True))
        self.signin.reset()
        self.signin.hide()
        self.closure.show()
        self.closure.activateWindow()

    def _closure_offline_closed(self) -> None:
        wizard, self.closure = self.closure, None
        if wizard is not None:
            wizard.deleteLater()
        self.signin.reset()
        self.signin.show()
        if getattr(self, "_closure_destroyed", False):
            self.signin.set_failed("Closure is complete: this workstation's local data was destroyed. Quit Signpost.")

    def _close_closure(self) -> None:
        wizard, self.closure = self.closure, None
        if wizard is not None:
            wizard.closed.disconnect()
            wizard.close()
            wizard.deleteLater()

    # -- locking ------------------------------------------------------------------
    def lock(self, why: str, token_removed: bool = False) -> None:
        """Clear the screen at once, then close the cache and the token session (R-LOCAL-2)."""
        if self.session is None or self.session.locked or self.main is None:
            return
        self.idle.stop()
        self._close_guide()
        if self.closure is not None:  # closure (issue 9): hidden while locked
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
        if self.closure is not None:  # closure (issue 9)
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
        self._close_guide()
        self._close_closure()  # closure (issue 9)
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
        self._closing.set()  # stops a first-run build; the half-made file is removed
        self.sign_out()
        if hasattr(self, "_closure_pool"):  # closure (issue 9)
            self._closure_pool.shutdown(wait=True)
        if self.sessions is not None:
            self.sessions.close()
        if self.tokens is not None:
            self.tokens.shutdown()
        if self.service is not None:
            self.service.close()
        if self.store is not None:
            self.store.close()


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
    qt.setWindowIcon(QIcon(str(ICON)))
    if STYLE.exists():
        qt.setStyleSheet(STYLE.read_text(encoding="utf-8"))


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    qt = application(argv)
    paths = Paths.default()
    controller = SignpostApp(paths, Settings.load(paths.settings_file))
    controller.start()
    qt.aboutToQuit.connect(controller.shutdown)
    return qt.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv))
