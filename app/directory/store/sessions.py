"""The sessions store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

A session is named by its bearer (the opaque id a ``Viewer`` carries). The store keeps who holds it, the user as
signed in, whether it is locked or must first replace a one-time password, the children it was given in results
(R-SEARCH-2/3), the sessions ended for their user, the single-use sign-in challenges (R-ROLE-4), each user's
searches for the sliding windows of R-SEARCH-6 and the children each user opened each day (the daily budget).
How many are too many, what is refused and what is audited is the engine's (``app.directory.engine``).
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ...model import User


@dataclass(frozen=True)
class Held:
    """A live session as the store holds it."""
    username: str
    user: User | None  # as signed in: a request naming another role or LA is refused
    locked: bool = False
    must_change_password: bool = False  # la-admin: signed in with a one-time password (R-ROLE-4)


class Searches(Protocol):
    """One user's searches, held for counting and recording as one step (two nodes never both let the limit's
    last search by)."""

    def since(self, after: float, nth_newest: int) -> tuple[int, float | None]:
        """How many of the user's searches were made after ``after`` (epoch seconds), and when the ``nth_newest``
        of those was made (None when there are fewer)."""
        ...

    def record(self, at: float, forget_up_to: float) -> None:
        """Count one more search at ``at``; searches at or before ``forget_up_to`` need not be kept any longer."""
        ...


class Sessions(Protocol):
    """Sessions, the results each was given, sign-in challenges, search rates and the daily budget."""

    def start(self, session: str, user: User, serial: str, must_change_password: bool, at: float) -> None:
        """Writes a new live session of ``user``, signed in with token ``serial`` at ``at``."""
        ...

    def held(self, session: str) -> Held | None:
        """Reads the live session ``session``; None when there is none (never made, or ended)."""
        ...

    def end(self, session: str, username: str, why: str, at: float) -> bool:
        """Ends ``session`` if it is live and ``username``'s (signed out, idle...); whether it was."""
        ...

    def end_all_of(self, username: str, at: float) -> int:
        """Ends every live session of ``username``, each remembered as ended for its user; how many."""
        ...

    def was_stopped(self, session: str) -> bool:
        """Whether ``session`` was ended by ``end_all_of`` (not by its user, idleness or a restart)."""
        ...

    def set_locked(self, session: str, username: str, locked: bool) -> bool:
        """Locks or unlocks ``session`` if it is live and ``username``'s; whether it was."""
        ...

    def password_changed(self, session: str) -> None:
        """The one-time password of ``session``'s user was replaced: the session may do all its work now."""
        ...

    def grant(self, session: str, child_ids: Iterable[int]) -> None:
        """Writes that ``session`` was given these children in results (R-SEARCH-2/3)."""
        ...

    def granted(self, session: str, child_id: int) -> bool:
        """Whether ``session`` was given ``child_id`` in results (R-SEARCH-2/3)."""
        ...

    def add_challenge(self, challenge: bytes, expires_at: float, now: float) -> None:
        """Writes a fresh sign-in challenge usable until ``expires_at``; forgets those expired before ``now``."""
        ...

    def take_challenge(self, challenge: bytes, now: float) -> bool:
        """Removes ``challenge``: True only the first time, and only if it had not expired by ``now``."""
        ...

    def searches(self, username: str) -> AbstractContextManager[Searches]:
        """``username``'s searches, held (R-SEARCH-6) until the block ends: no other node counts them meanwhile."""
        ...

    def opening(self, username: str) -> AbstractContextManager[None]:
        """``username``'s children opened, held until the block ends: no other node counts or adds one meanwhile."""
        ...

    def opened_on(self, username: str, day: date, child_id: int) -> bool:
        """Whether ``username`` already opened ``child_id`` on ``day`` (UTC)."""
        ...

    def opens_on(self, username: str, day: date) -> int:
        """How many distinct children ``username`` opened on ``day`` (UTC)."""
        ...

    def opened_since(self, username: str, child_id: int, day: date) -> bool:
        """Whether ``username`` opened ``child_id`` on ``day`` or after (UTC): a copy they may still hold."""
        ...

    def record_open(self, username: str, day: date, child_id: int) -> None:
        """Writes that ``username`` opened ``child_id`` on ``day`` (once however often)."""
        ...
