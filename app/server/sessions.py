"""Bearer sessions: the service's own record of who holds which engine session.

The bearer token is the session id the engine issued at sign-in. The service
keeps, per bearer, the signed-in user (so a request's ``Viewer`` comes from
here, never from what the client says), when it was made and last used, and
whether it is locked. A session ends when the user signs out, when it has been
idle too long (R-LOCAL-2), or when it reaches its absolute age; an ending is
also told to the engine (``Directory.sign_out``, which audits it). A session
the engine ended itself (the user disabled, locked out or given a new token)
is forgotten when the engine first says so (``forget``). A locked session is
good for nothing but unlocking or signing out.

Whose an ended session was is remembered (by a hash of its bearer, for as
long as a session may live, at most ``ENDED_KEPT`` of them), so a request on
it is audited as that user's (issue 13 §1 item 5).

Used only from the event loop's thread; the engine calls it schedules run on
the engine's own thread.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ..directory import SignedIn

ENDED_KEPT = 10_000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Held:
    signed: SignedIn
    created: float
    last_use: float
    locked: bool = False

    @property
    def token(self) -> str:
        return self.signed.session


class SessionTable:
    def __init__(self, now: Callable[[], float], idle_s: float, max_age_s: float, per_user: int,
                 on_end: Callable[[Held, str], None]) -> None:
        self.now = now
        self.idle_s = idle_s
        self.max_age_s = max_age_s
        self.per_user = per_user
        self.on_end = on_end  # told (held, why) for every session that ends other than by sign-out
        self._held: dict[str, Held] = {}
        self._ended: OrderedDict[str, tuple[str, float]] = OrderedDict()  # bearer hash -> (username, when)

    def __len__(self) -> int:
        return len(self._held)

    def add(self, signed: SignedIn) -> Held:
        """A new session; the user's oldest is ended if they already hold ``per_user``."""
        self.sweep()
        mine = sorted((h for h in self._held.values() if h.signed.user.username == signed.user.username),
                      key=lambda h: h.created)
        for old in mine[:max(0, len(mine) - self.per_user + 1)]:
            self._end(old, "replaced")
        t = self.now()
        held = Held(signed, t, t)
        self._held[signed.session] = held
        return held

    def _expired(self, held: Held, t: float) -> str:
        if t - held.created >= self.max_age_s:
            return "too_old"
        if t - held.last_use >= self.idle_s:
            return "idle"
        return ""

    def _end(self, held: Held, why: str) -> None:
        self._drop(held.token)
        self.on_end(held, why)

    def _drop(self, token: str) -> None:
        held = self._held.pop(token, None)
        if held is None:
            return
        t = self.now()
        self._ended[_hash(token)] = (held.signed.user.username, t)
        while self._ended and (len(self._ended) > ENDED_KEPT or next(iter(self._ended.values()))[1]
                               <= t - self.max_age_s):
            self._ended.popitem(last=False)

    def sweep(self) -> None:
        """End every session past its time."""
        t = self.now()
        for held in list(self._held.values()):
            why = self._expired(held, t)
            if why:
                self._end(held, why)

    def holder(self, token: str | None) -> str:
        """Whose session a bearer names, live or ended (without touching it), for auditing a refused
        request; "" if it names none."""
        if not isinstance(token, str):
            return ""
        held = self._held.get(token)
        if held is not None:
            return held.signed.user.username
        ended = self._ended.get(_hash(token))
        return ended[0] if ended is not None else ""

    def get(self, token: str | None, *, locked_ok: bool = False) -> Held | None:
        """The live session for ``token`` (touched), or None if unknown, expired or locked."""
        held = self._held.get(token) if isinstance(token, str) else None
        if held is None:
            return None
        t = self.now()
        why = self._expired(held, t)
        if why:
            self._end(held, why)
            return None
        if held.locked and not locked_ok:
            return None
        held.last_use = t
        return held

    def remove(self, held: Held) -> None:
        """Signed out: forget it (the caller has told the engine)."""
        self._drop(held.token)

    def forget(self, token: str) -> None:
        """The engine ended this session itself: stop holding it, without telling the engine again."""
        self._drop(token)

    def end_all(self) -> None:
        for held in list(self._held.values()):
            self._end(held, "service_stopped")
