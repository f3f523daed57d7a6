"""The replays store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from typing import Protocol


class Replays(Protocol):
    """Idempotency keys and the answers kept for repeats (``done_requests``; policy in ``work.replays``)."""

    def kept(self, username: str, key: str, now: int) -> tuple[str, str | None, str] | None:
        """(operation, fingerprint, answer as JSON) kept for this user's key, if it expires after ``now``
        (epoch seconds); None otherwise."""
        ...

    def forget(self, username: str, key: str) -> None:
        """Delete what is kept for this user's key, expired or not."""
        ...

    def keep(self, username: str, key: str, op: str, answer: str, at: str, fingerprint: str | None,
             child_id: int | None, expires_at: int) -> None:
        """Keep one answer (JSON) for this user's key; a key is kept at most once per user (a second raises)."""
        ...

    def purge(self, now: int) -> int:
        """Delete every kept answer that has expired by ``now`` (or has no expiry); returns how many."""
        ...
