"""The real directory service for window tests: uvicorn over TLS on a fixed loopback port, over its own copy
of the training directory, that a test can cut off (a network outage) or restart (every session gone)."""
from __future__ import annotations

import socket
import threading
import time

from app.directory import Directory
from app.settings import Settings
from tests.conftest import TODAY, copy_directory, list_organisations

ORGANISATIONS = ("Outbox Family Hub", "Restart Family Hub", "Waiting Family Hub", "Offline Copy Hub")


class Listener:
    """uvicorn serving one FastAPI app over TLS on a fixed loopback port; stopping it closes the port but
    keeps the app (its engine and sessions), as a network or listener outage would."""

    def __init__(self, application, port: int, tls) -> None:
        import uvicorn
        config = uvicorn.Config(application, host="127.0.0.1", port=port, ssl_certfile=str(tls.cert),
                                ssl_keyfile=str(tls.key), log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="remote-flow-service")

    def start(self) -> Listener:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the service did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the service did not stop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The real directory service over its own copy of the training directory, on one loopback port.
    ``stop`` closes the port (a network outage: the service and its sessions live on); ``restart`` ends
    the service (every session with it), lets ``meanwhile(directory)`` change the directory as another
    workstation would, and starts a new service on the same port."""

    def __init__(self, training_tokens, tmp_path, settings=None) -> None:
        from app.server import ServiceSettings
        from app.server import tls as service_tls
        self.service_settings = settings or ServiceSettings()
        db, self.key, _, _ = training_tokens
        self.path = tmp_path / "service" / "directory.db"
        self.path.parent.mkdir()
        copy_directory(db, self.path)  # with its audit checkpoint beside it (R-AUDIT-2)
        from app import db as encrypted
        conn = encrypted.open_encrypted(self.path, self.key)
        try:  # the organisations the window tests record, in the register (R-REC-5)
            list_organisations(conn, *ORGANISATIONS)
        finally:
            conn.close()
        self.tls = service_tls.ensure(tmp_path / "tls")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.application = self._application()
        self.listener = Listener(self.application, self.port, self.tls).start()

    def _application(self):
        from app.server import create_app
        return create_app(lambda: Directory.open(self.path, self.key, clock=lambda: TODAY), self.service_settings)

    def settings(self) -> Settings:
        return Settings(directory_url=self.url, ca_bundle=str(self.tls.ca))

    def stop(self) -> None:
        if self.listener.thread.is_alive():
            self.listener.stop()

    def start(self) -> None:
        self.listener = Listener(self.application, self.port, self.tls).start()

    def restart(self, meanwhile=None) -> None:
        self.stop()
        self.application.state.shutdown()
        if meanwhile is not None:
            d = Directory.open(self.path, self.key, clock=lambda: TODAY)
            try:
                meanwhile(d)
            finally:
                d.close()
        self.application = self._application()
        self.start()

    def close(self) -> None:
        self.stop()
        self.application.state.shutdown()


def open_live(qtbot, main, did: str) -> None:
    """Open a record while the directory answers, and wait for the register's lists the window reads then, so a
    change made later without the directory still offers them (R-LOCAL-1, R-REC-5)."""
    from tests.ui.test_work_practice import open_by_id
    open_by_id(qtbot, main, did)
    qtbot.waitUntil(lambda: main.record_actions.vocabulary is not None, timeout=10000)
