"""Refusals the service gives on its own, into the directory's audit, bounded (issue 13 §1 item 5, R-AUDIT-1).

The engine audits what it refuses. The service refuses some requests before they reach it: a session that
ended, was never issued or is locked; a per-address limit; a body too large, too deep or that does not fit;
the switch-off; and it fails some (a 500). Each of those is audited here too, as the engine's
``audit_refused_request`` (who held the session, if anyone; the client's address; the code).

A flood must not fill the disk, so refusals are coalesced per *kind* (address, session holder, action, code)
and per minute: the first of a kind in a minute is recorded at once; the rest of that minute become one
entry with their ``count`` when the minute is over (at the next refusal, the service's half-minute sweep,
or shutdown). At most ``max_kinds`` kinds are kept apart in a minute; the rest are counted under one
``request.flood`` kind. So whatever the rate, a minute costs at most ``2 * (max_kinds + 1)`` entries.
"""
from __future__ import annotations

from collections.abc import Callable

Kind = tuple[str, str, str, str]  # (client address, session holder or "", action, code)
FLOOD: Kind = ("(many addresses)", "", "request", "request.flood")


class RefusalLog:
    def __init__(self, record: Callable[[Kind, int], None], now: Callable[[], float], *, window_s: float = 60,
                 max_kinds: int = 200) -> None:
        self._record = record  # (kind, count): append one audit entry
        self.now = now
        self.window_s = window_s
        self.max_kinds = max_kinds
        self._started = now()
        self._extra: dict[Kind, int] = {}  # kinds seen this window -> how many more since the first

    def refused(self, address: str, holder: str, action: str, code: str) -> None:
        self.roll()
        kind: Kind = (address, holder, action, code)
        if kind not in self._extra and len(self._extra) >= self.max_kinds:
            kind = FLOOD
        if kind in self._extra:
            self._extra[kind] += 1
            return
        self._extra[kind] = 0
        self._record(kind, 1)

    def roll(self) -> None:
        """Close the window if its minute is over."""
        if self.now() - self._started >= self.window_s:
            self.flush()

    def flush(self) -> None:
        """Record the counts of the window so far and start a new one (at shutdown too)."""
        extra, self._extra = self._extra, {}
        self._started = self.now()
        for kind, count in extra.items():
            if count:
                self._record(kind, count)
