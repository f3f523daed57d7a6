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

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.paths import Paths
from app.service import DirectoryService
from app.settings import Settings

from .bridge import Relay, watch
from .signin_window import SignInWindow

if TYPE_CHECKING:
    from app.directory import Directory
    from app.keystore import SecureKeyStore

    from .main_window import MainWindow

log = logging.getLogger(__name__)
STYLE = Path(__file__).resolve().parent.parent / "resources" / "style.qss"


def _default_store() -> "SecureKeyStore":
    from app.keystore import SecureKeyStore
    return SecureKeyStore()


class SignpostApp(QObject):
    def __init__(self, paths: Paths, settings: Settings, store: "SecureKeyStore | None" = None,
                 clock: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.store = store
        self.clock = clock
        self.relay = Relay(self)
        self.signin = SignInWindow()
        self.signin.submitted.connect(self.sign_in)
        self.main: "MainWindow | None" = None
        self.service: DirectoryService | None = None
        self._closing = threading.Event()

    def start(self) -> None:
        self.signin.show()
        QTimer.singleShot(0, self._start_service)  # after the window is on screen

    def _start_service(self) -> None:
        self.paths.ensure()
        self.service = DirectoryService(self._open_directory)
        watch(self.relay, self.service.opened, lambda _: self.signin.set_ready(), self._open_failed)

    def _open_directory(self) -> "Directory":  # on the directory thread
        from app import training
        if self.store is None:
            self.store = _default_store()
        key = training.directory_key(self.store)
        path = self.paths.training_directory
        if training.needs_build(path, key):
            n = self.settings.training_children
            training.build(path, key, n, cancelled=self._closing.is_set,
                           progress=lambda phase, d, t: self.relay.post(self.signin.show_progress, phase, d, t))
        return training.open_directory(self.paths, key, self.clock)

    def _open_failed(self, exc: BaseException) -> None:
        from app.keystore import KeystoreError
        if isinstance(exc, KeystoreError):
            self.signin.set_failed(f"Signpost cannot reach a secure keyring. {exc}")
        elif isinstance(exc, OSError):
            self.signin.set_failed(f"Signpost could not write its files ({exc.strerror or exc}). "
                                   f"Free some disk space or check permissions on {self.paths.data}, then restart.")
        else:
            log.error("directory failed to open", exc_info=exc)
            self.signin.set_failed(f"The directory could not be opened ({type(exc).__name__}). Restart Signpost; "
                                   "if this keeps happening, contact your helpdesk.")

    def sign_in(self, username: str, password: str) -> None:
        from app.directory import Directory
        assert self.service is not None
        watch(self.relay, self.service.run(Directory.sign_in, username, password), self._signed_in, self._refused)

    def _refused(self, exc: BaseException) -> None:
        from app.directory import SignInRefused
        if isinstance(exc, SignInRefused):
            self.signin.show_error(str(exc))
        else:
            log.error("sign-in failed", exc_info=exc)
            self.signin.show_error("Signing in failed unexpectedly. Try again, or contact your helpdesk.")

    def _signed_in(self, user) -> None:
        from .main_window import MainWindow
        assert self.service is not None
        self.main = MainWindow(self.service, user, self.clock)
        self.main.sign_out_requested.connect(self.sign_out)
        self.main.show()
        self.signin.reset()
        self.signin.hide()

    def sign_out(self) -> None:
        if self.main is None:
            return
        from app.directory import Directory
        user = self.main.user
        self.main.wipe()
        self.main.close()
        self.main.deleteLater()
        self.main = None
        if self.service is not None:
            self.service.run(Directory.sign_out, user)
        self.signin.show()

    def shutdown(self) -> None:
        self._closing.set()  # stops a first-run build; the half-made file is removed
        if self.main is not None:
            self.sign_out()
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
