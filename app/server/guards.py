"""What the service checks before a request reaches a route.

- ``BodyLimit``: a request body over the limit (declared or streamed) is
  answered 413 ``request.too_large`` without being read further.
- ``ClientLimiter``: calls made before sign-in (challenges, sign-ins, token
  refusals, audit alerts) are limited per client address, so nobody can fill
  the engine's thread with password hashing or its audit with noise; 429 with
  ``Retry-After``. Searches and record opens are limited by the engine itself,
  per user (R-SEARCH-6).
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from ..refusals import RateLimited
from .problems import from_problem, too_large


class BodyLimit:
    """ASGI middleware: buffer at most ``limit`` bytes of body, or answer 413."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.limit:
                    await from_problem(too_large(self.limit))(scope, receive, send)
                    return
            except ValueError:
                pass  # the server has already refused a malformed length
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await from_problem(too_large(self.limit))(scope, receive, send)
                return
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class ClientLimiter:
    """At most ``per_minute`` calls per client address in any 60 seconds."""

    def __init__(self, per_minute: int, now: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self.now = now
        self._calls: dict[str, deque[float]] = {}

    def check(self, client: str) -> None:
        t = self.now()
        if len(self._calls) > 10_000:  # forget addresses that have gone quiet
            for k in [k for k, q in self._calls.items() if not q or q[-1] <= t - 60]:
                del self._calls[k]
        calls = self._calls.setdefault(client, deque())
        while calls and calls[0] <= t - 60:
            calls.popleft()
        if len(calls) >= self.per_minute:
            raise RateLimited("rate.requests", count=len(calls), window_s=60,
                              wait_s=max(1, math.ceil(calls[0] + 60 - t)))
        calls.append(t)
