"""What the service checks before a request reaches a route, and adds to every answer.

- ``BodyLimit``: a request body over the limit (declared or streamed) is
  answered 413 ``request.too_large`` without being read further, and one
  nested deeper than ``MAX_NESTING`` (arrays and objects, counted on the raw
  bytes, outside strings) 400 ``request.invalid`` before anything decodes it:
  no route meets a ``RecursionError`` (issue 13 §2 item 6).
- ``NoStore``: every answer says ``Cache-Control: no-store``: each one carries
  personal data or says something about it, and none may be kept by a cache
  on the way or on the workstation.
- ``ClientLimiter``: calls made before sign-in (challenges, sign-ins, token
  refusals, audit alerts) are limited per client address, so nobody can fill
  the engine's thread with password hashing or its audit with noise; 429 with
  ``Retry-After``. Searches and record opens are limited by the engine itself,
  per user (R-SEARCH-6).
"""
from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable

from starlette.requests import Request

from ..refusals import RateLimited
from .problems import Problem, action_of, from_problem, invalid, too_large

MAX_NESTING = 32  # no request the API takes is nested more than a few levels
# what nesting depends on: an escape pair (skipped whole, so an escaped quote is no quote), a quote, a bracket
_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


def too_deep(body: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether JSON text nests arrays and objects deeper than ``limit`` (brackets inside strings are text).
    One pass, no recursion; most bodies are answered by counting their opening brackets."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string = 0, False
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class BodyLimit:
    """ASGI middleware: buffer at most ``limit`` bytes of body, or answer 413; refuse one nested too deep.
    ``on_refused(request, action, code)`` hears of each refusal, for the audit."""

    def __init__(self, app, limit: int, on_refused: Callable[[Request, str, str], None] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.on_refused = on_refused

    async def _refuse(self, problem: Problem, scope, receive, send) -> None:
        if self.on_refused is not None:
            self.on_refused(Request(scope), action_of(scope.get("path", "")), problem.code)
        await from_problem(problem)(scope, receive, send)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.limit:
                    await self._refuse(too_large(self.limit), scope, receive, send)
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
                await self._refuse(too_large(self.limit), scope, receive, send)
                return
        if too_deep(bytes(body)):
            await self._refuse(invalid("", status=400), scope, receive, send)
            return
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class NoStore:
    """ASGI middleware: ``Cache-Control: no-store`` on every answer."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, with_header)


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
