"""The directory's anti-trawling and lock-out limits (R-SEARCH-6, R-ROLE-4), and how long it keeps the
answer to a change for a repeat of it (issue 13 §2).

They are the directory's policy, not the client's: the engine enforces them
whatever a client sends. Defaults suit a practitioner's real pace of work;
a training room or a benchmark may pass its own.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .directory.store.settings import Settings


@dataclass(frozen=True)
class Limits:
    searches_per_minute: int = 20  # a burst beyond this is refused (R-SEARCH-6)
    searches_per_hour: int = 200
    children_opened_per_day: int = 60  # distinct children one user may open in a day
    failed_signins_before_lock: int = 5  # consecutive failures, then locked until the LA team unlocks (R-ROLE-4)
    stored_answer_hours: int = 24  # a change's answer, kept for a repeat with its idempotency key (R-RET-2)

    @classmethod
    def off(cls) -> Limits:
        """No rate limits (benchmarks timing the search itself); lock-out stays on."""
        big = 10**9
        return cls(searches_per_minute=big, searches_per_hour=big, children_opened_per_day=big)

    @classmethod
    def from_directory(cls, settings: Settings) -> Limits:
        """The directory's own settings (its settings store's limits), defaults for any not set or unusable."""
        out = cls()
        for f in fields(cls):
            value = settings.limit(f.name)
            if value and value.isdigit() and 0 < int(value) < 10**9:
                out = replace(out, **{f.name: int(value)})
        return out

    @staticmethod
    def names() -> list[str]:
        return [f.name for f in fields(Limits)]
