"""The reference directory service (``app.server.create_app``) running for a test: uvicorn over TLS on
127.0.0.1, a random port, in a thread of the test process; started and stopped within bounded waits."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

from app.directory import Directory

START_TIMEOUT_S = 15


class RunningService:
    """The reference service (uvicorn, TLS) on 127.0.0.1 in a thread of this process."""

    def __init__(self, engine_factory: Callable[[], Directory], tls, port: int = 0) -> None:
        """``port``: 0 for any free one; a port used before to restart the service where clients expect it."""
        from app.server import create_app
        from app.server.serve import uvicorn_server
        self.app = create_app(engine_factory)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else ~40 ms per answer (Nagle)
        self._sock.bind(("127.0.0.1", port))
        self.port = self._sock.getsockname()[1]
        # as ``python -m app.server`` runs it (forwarded headers, read deadline), stopping sooner
        self._server = uvicorn_server(self.app, tls, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="contract-service", daemon=True)
        self.url = f"https://127.0.0.1:{self.port}"

    def start(self) -> RunningService:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the directory service did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop as an operator would: the port closes and every connection with it, then the service
        ends its sessions and closes the directory (``app.state.shutdown``, the caller's to call)."""
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT_S)
        with contextlib.suppress(OSError):
            self._sock.close()
        self.app.state.shutdown()  # idempotent
        assert not self._thread.is_alive(), "the directory service did not stop"
