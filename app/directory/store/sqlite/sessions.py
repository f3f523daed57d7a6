"""The sessions store on the embedded directory's SQLCipher file (``app.directory.store.sessions``).

The embedded directory is one process on one thread, so what a session is lives in that process's memory, as it
always has (a restart signs everyone out); only the daily budget of children opened is in the file
(``record_opens``).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

from ....model import User
from ..sessions import Held

STOPPED_KEPT = 10_000  # sessions ended for their user that are remembered as such


@dataclass
class _Live:
    username: str
    user: User
    granted: set[int] = field(default_factory=set)  # children this session was given in results
    locked: bool = False
    must_change_password: bool = False


class _UserSearches:
    """One user's searches in time order, only those still inside the longest window."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def since(self, after: float, nth_newest: int) -> tuple[int, float | None]:
        count = len(self.times) - bisect_right(self.times, after)
        return count, (self.times[len(self.times) - nth_newest] if 0 < nth_newest <= count else None)

    def record(self, at: float, forget_up_to: float) -> None:
        while self.times and self.times[0] <= forget_up_to:
            self.times.popleft()
        self.times.append(at)


class SqliteSessions:
    def __init__(self, conn) -> None:
        self.conn = conn
        self._live: dict[str, _Live] = {}
        self._stopped: OrderedDict[str, None] = OrderedDict()  # sessions ended for their user (end_all_of)
        self._challenges: dict[bytes, float] = {}
        self._searches: dict[str, _UserSearches] = {}

    # -- sessions ----------------------------------------------------------------------------------
    def start(self, session: str, user: User, serial: str, must_change_password: bool, at: float) -> None:
        self._live[session] = _Live(user.username, user, must_change_password=must_change_password)

    def held(self, session: str) -> Held | None:
        live = self._live.get(session)
        return None if live is None else Held(live.username, live.user, live.locked, live.must_change_password)

    def end(self, session: str, username: str, why: str, at: float) -> bool:
        live = self._live.get(session)
        if live is None or live.username != username:
            return False
        del self._live[session]
        return True

    def end_all_of(self, username: str, at: float) -> int:
        gone = [s for s, live in self._live.items() if live.username == username]
        for s in gone:
            del self._live[s]
            self._stopped[s] = None
        while len(self._stopped) > STOPPED_KEPT:
            self._stopped.popitem(last=False)
        return len(gone)

    def was_stopped(self, session: str) -> bool:
        return session in self._stopped

    def set_locked(self, session: str, username: str, locked: bool) -> bool:
        live = self._live.get(session)
        if live is None or live.username != username:
            return False
        live.locked = locked
        return True

    def password_changed(self, session: str) -> None:
        live = self._live.get(session)
        if live is not None:
            live.must_change_password = False

    def grant(self, session: str, child_ids: Iterable[int]) -> None:
        live = self._live.get(session)
        if live is not None:
            live.granted.update(child_ids)

    def granted(self, session: str, child_id: int) -> bool:
        live = self._live.get(session)
        return live is not None and child_id in live.granted

    # -- sign-in challenges (R-ROLE-4) -------------------------------------------------------------
    def add_challenge(self, challenge: bytes, expires_at: float, now: float) -> None:
        self._expire_challenges(now)
        self._challenges[challenge] = expires_at

    def take_challenge(self, challenge: bytes, now: float) -> bool:
        self._expire_challenges(now)
        return self._challenges.pop(challenge, None) is not None

    def _expire_challenges(self, now: float) -> None:
        for c in [c for c, until in self._challenges.items() if until < now]:
            del self._challenges[c]

    # -- search rates (R-SEARCH-6) -----------------------------------------------------------------
    @contextmanager
    def searches(self, username: str) -> Iterator[_UserSearches]:
        yield self._searches.setdefault(username, _UserSearches())

    # -- the daily budget of children opened -------------------------------------------------------
    def opening(self, username: str) -> AbstractContextManager[None]:
        return nullcontext()  # one process, one thread: nothing else counts meanwhile

    def opened_on(self, username: str, day: date, child_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM record_opens WHERE username = ? AND day = ? AND child_id = ?",
                                 (username, day.toordinal(), child_id)).fetchone() is not None

    def opens_on(self, username: str, day: date) -> int:
        return self.conn.execute("SELECT count(*) FROM record_opens WHERE username = ? AND day = ?",
                                 (username, day.toordinal())).fetchone()[0]

    def opened_since(self, username: str, child_id: int, day: date) -> bool:
        return self.conn.execute("SELECT 1 FROM record_opens WHERE username = ? AND child_id = ? AND day > ?",
                                 (username, child_id, day.toordinal() - 1)).fetchone() is not None

    def record_open(self, username: str, day: date, child_id: int) -> None:
        self.conn.execute("INSERT OR IGNORE INTO record_opens VALUES (?,?,?)", (username, day.toordinal(), child_id))
