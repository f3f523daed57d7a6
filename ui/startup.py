"""Start-up: what the app needs, opened without making the sign-in window wait.

The sign-in window appears first, with nothing heavy imported. Then the token service starts on its
own thread, and the directory opens: the embedded training directory on the directory thread (the
key store loaded, the directory's key fetched from it, the directory built first, with progress, on
the first run, and the training tokens made), or the directory service's client on a start-up
thread (the key store checked; no network yet). When both are there, the session manager is made
and the sign-in window is ready.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from app import policy
from app.paths import Paths
from app.settings import SettingProblem, Settings

from .bridge import Relay, watch

if TYPE_CHECKING:
    from app.directory import Directory, EmbeddedDirectory
    from app.directory.remote import RemoteDirectory
    from app.keystore import SecureKeyStore
    from app.session import SessionManager
    from app.token.info import TokenEvent
    from app.token.service import TokenService

log = logging.getLogger(__name__)
WRITE = {  # what to write instead, for each setting that chooses the directory
    "directory_url": 'your directory service\'s https:// address (for example "https://directory.example.org:8443"), '
                     'or "" for the training directory',
    "ca_bundle": 'the full path of the CA certificate file (PEM) your LA gave you (for example '
                 '"/etc/signpost/ca.pem")',
}


def setting_words(problem: SettingProblem) -> str:
    """Why Signpost did not start, naming the setting, where it is written, and what to write."""
    if not problem.setting:
        return (f"Signpost did not start: its settings file {problem.source} cannot be used, because {problem.why}. "
                'Correct it (it is JSON, for example {"directory_url": ""}) or remove it, then start Signpost again.')
    if problem.source in ("SIGNPOST_DIRECTORY_URL", "SIGNPOST_CA_BUNDLE"):
        where, how = f"the environment variable {problem.source}", "Set it to"
    else:
        where, how = f"the setting {problem.setting} in {problem.source}", "Write"
    return (f"Signpost did not start: {where} is {problem.value}, and {problem.why}. {how} "
            f"{WRITE[problem.setting]}, then start Signpost again.")


def _default_store() -> SecureKeyStore:
    from app.keystore import SecureKeyStore
    return SecureKeyStore()


class StartUp:
    """The app's services: the token service, the key store, the directory and the session manager.

    ``on_token_event`` is called on the GUI thread for each token that comes or goes; ``progress``
    (phase, done, total) while a first run builds the directory; ``on_ready()`` once signing in can
    start; ``on_failed(message)`` with what a person reads when it cannot."""

    def __init__(self, paths: Paths, settings: Settings, store: SecureKeyStore | None, clock: Callable[[], date],
                 poll_interval: float, relay: Relay, *, on_token_event: Callable[[TokenEvent], None],
                 progress: Callable[[str, int, int], None], on_ready: Callable[[], None],
                 on_failed: Callable[[str], None]) -> None:
        self.paths = paths
        self.settings = settings
        self.store = store
        self.clock = clock
        self.poll_interval = poll_interval
        self.relay = relay
        self.on_token_event = on_token_event
        self.progress = progress
        self.on_ready = on_ready
        self.on_failed = on_failed
        self.service: EmbeddedDirectory | RemoteDirectory | None = None  # the directory, behind the interface
        self.tokens: TokenService | None = None
        self.sessions: SessionManager | None = None
        self._closing = threading.Event()
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Open everything, unless a setting that chooses the directory is wrong: then nothing is opened
        (never the training directory in its place) and ``on_failed`` says what to correct."""
        from app import training
        from app.directory import EmbeddedDirectory
        from app.token.service import TokenService

        from . import refusals  # noqa: F401 - the words a person reads for the directory's refusal codes
        problem = policy.start_problem(self.settings)  # issue 18: a bad policy file; training not allowed here
        if problem:
            self.on_failed(problem)
            return
        # a setting of the user's that the organisation's policy does not replace
        problems = [p for p in self.settings.problems if p.setting not in self.settings.pinned]
        if problems:
            for each in problems:
                log.error("not starting: %s", setting_words(each))
            self.on_failed(setting_words(problems[0]))
            return
        self.paths.ensure()
        training.token_environment(self.paths)
        self.tokens = TokenService(self.settings.pkcs11_module or None, poll_interval=self.poll_interval)
        self.tokens.subscribe(lambda event: self.relay.post(self.on_token_event, event))
        watch(self.relay, self.tokens.start(), lambda _: None, self._tokens_failed)
        if self.settings.directory_url:  # the directory service over HTTPS; nothing of it is kept here
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="startup")
            watch(self.relay, self._pool.submit(self._open_remote), self._remote_ready, self._open_failed)
            return
        embedded = EmbeddedDirectory(self._open_directory)
        self.service = embedded
        watch(self.relay, embedded.opened, self._directory_ready, self._open_failed)

    def shutdown(self) -> None:
        """Stop a first-run build (the half-made file is removed), then close everything opened."""
        self._closing.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self.sessions is not None:
            self.sessions.close()
        if self.tokens is not None:
            self.tokens.shutdown()
        if self.service is not None:
            self.service.close()
        if self.store is not None:
            self.store.close()

    def _open_remote(self) -> RemoteDirectory:  # on a start-up thread: the key store, then the client (no network)
        from app.directory.remote import RemoteDirectory
        if self.store is None:
            self.store = _default_store()
        self.store.check_now()
        return RemoteDirectory(self.settings.directory_url, self.settings.ca_bundle)

    def _remote_ready(self, directory: RemoteDirectory) -> None:
        self.service = directory
        directory.probe()  # the status bar learns at once whether the service answers
        self._directory_ready(None)

    def _open_directory(self) -> Directory:  # on the directory thread
        from app import training
        if self.store is None:
            self.store = _default_store()
        progress = lambda phase, d, t: self.relay.post(self.progress, phase, d, t)  # noqa: E731
        # built on a first run only: a directory that will not open is said to be so, never rebuilt (issue 13 §4.2)
        return training.open_or_build(self.paths, self.store, children=self.settings.training_children,
                                      clock=self.clock, progress=progress, cancelled=self._closing.is_set)

    def _directory_ready(self, _: Any) -> None:
        from app.session import SessionManager
        assert self.service is not None and self.tokens is not None and self.store is not None
        self.sessions = SessionManager(self.service, self.tokens, self.store, self.paths,
                                       cache_hours=self.settings.record_cache_hours)
        self.on_ready()

    def _tokens_failed(self, exc: BaseException) -> None:
        self.on_failed(getattr(exc, "message", None) or f"Security tokens cannot be used: {exc}")

    def _open_failed(self, exc: BaseException) -> None:
        from .refusals import explain
        if isinstance(exc, ValueError) and self.settings.directory_url:  # the service's address or CA file
            self.on_failed(f"Signpost cannot use the directory service as configured: {exc}")
            return
        if isinstance(exc, OSError) and getattr(exc, "errno", None) != 28:
            why = getattr(exc, "strerror", None) or str(exc)
            self.on_failed(f"Signpost could not write its files ({why}). Check permissions on "
                           f"{self.paths.data}, then restart. Nothing was lost.")
            return
        text, _ = explain(exc)
        if text.startswith("Something went wrong"):
            log.error("directory failed to open", exc_info=exc)
            text = (f"The directory could not be opened ({type(exc).__name__}). Restart Signpost; if this keeps "
                    "happening, contact your helpdesk.")
        self.on_failed(text)
