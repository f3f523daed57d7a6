"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for reading each request (issue 13 §2 item 6).

uvicorn closes a keep-alive connection that stays idle between requests, but a connection that has sent
part of a request (or nothing at all since it opened) is never timed out: a handful of slow sockets hold
the service's connections open for ever (slowloris). Here every request must arrive whole, headers and
body, within ``read_timeout_s`` of the connection opening or of its first byte after the last answer;
otherwise the connection is closed. Sending slowly does not move the deadline. (The TLS handshake before
it is bounded by asyncio, at 60 seconds.)
"""
from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)
READING = (h11.IDLE, h11.SEND_BODY)  # the client's side of h11 while a request is still arriving


class BoundedH11Protocol(H11Protocol):
    read_timeout_s: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._read_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in READING and not self.transport.is_closing():
            self._arm()
        else:
            self._disarm()  # the whole request is in: the answer is the app's to give

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self.read_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if self.conn.their_state in READING and not self.transport.is_closing():
            log.info("closed a connection from %s that did not send its request within %.0f s",
                     self.client[0] if self.client else "?", self.read_timeout_s)
            self.transport.close()


def bounded_h11(read_timeout_s: float) -> type[BoundedH11Protocol]:
    """The protocol class for uvicorn's ``http=`` with this deadline."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"read_timeout_s": float(read_timeout_s)})
