"""The shields store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

A child's shield (``children.shielded_at``, R-SHIELD-2), its review row and the reviews made (R-SHIELD-3), and the
LA team's decisions about the siblings a shield holds (issue 13 §3.1, ``app.siblings``). Policy
(``app.directory.work.shields``, ``app.records``, ``app.siblings``) decides who may do what; a write here reports
whether it changed anything, so policy can tell a new shield from a repeated request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ShieldRow:
    """A shield's review row: its ground, who asked and when, the next review due (an ordinal) and how many
    reviews it has had."""
    ground: str
    requested_by: str
    requested_at: str
    review_due: int
    reviews: int


@dataclass(frozen=True)
class QueueRow:
    """One shielded child on its LA team's review queue. ``shield`` is None for a shield set when the directory was
    built (no review row yet); ``display_name``/``organisation`` are the requester's, None when no user asked."""
    child_id: int
    directory_id: int
    given_names: str
    family_name: str
    shielded_at: str
    shield: ShieldRow | None
    display_name: str | None
    organisation: str | None


class Shields(Protocol):
    """Shields, their reviews, sibling decisions."""

    def shield(self, child_id: int, at: str) -> bool:
        """Set the child's shield at ``at`` if it has none; True if it changed (False: already shielded, or no
        such child)."""
        ...

    def unshield(self, child_id: int) -> bool:
        """Lift the child's shield; True if it changed (False: not shielded, or no such child)."""
        ...

    def is_shielded(self, child_id: int) -> bool:
        """Whether the child is shielded now; False for no such child."""
        ...

    def queue(self, child_id: int, ground: str, requested_by: str, requested_at: str, review_due: int) -> bool:
        """Give a shield its review row, first review due on ordinal ``review_due``, unless it has one; True if it
        was added (a new request, not a repeat)."""
        ...

    def queue_reviewed(self, child_id: int, ground: str, requested_by: str, requested_at: str,
                       review_due: int) -> None:
        """Give a shield the LA team set at a review its row as reviewed once, unless it has one."""
        ...

    def keep(self, child_id: int, ground: str, requested_at: str, review_due: int) -> None:
        """A shield kept at review: next due on ordinal ``review_due``, one review more (a row made if the shield
        had none, with no requester)."""
        ...

    def drop(self, child_id: int) -> None:
        """Forget a lifted shield's review row."""
        ...

    def requested_by(self, child_id: int) -> str | None:
        """Who requested the shield (``""`` for none recorded), or None when it has no review row."""
        ...

    def add_review(self, child_id: int, by: str, at: str, decision: str, next_due: int | None) -> None:
        """Record a review made: who, when, the decision and the next due ordinal (None when lifted)."""
        ...

    def line(self, child_id: int) -> QueueRow | None:
        """The child's line on the review queue, or None when it is not shielded."""
        ...

    def lines_of(self, la_code: str) -> list[QueueRow]:
        """The review queue of an LA: every shielded child of it, in no particular order."""
        ...

    def held_by(self, child_id: int) -> list[int]:
        """The shielded children whose shield holds ``child_id`` with no decision about it for that shield as set
        (``app.siblings``), by row id ascending; none when ``child_id`` is itself shielded."""
        ...

    def decide_not_needed(self, sibling_id: int, shielded_id: int, by: str, at: str) -> None:
        """Record that ``sibling_id`` needs no shield for ``shielded_id``'s shield as now set (replacing an earlier
        decision between the two); nothing when ``shielded_id`` is not shielded."""
        ...

    def forget_decisions(self, shielded_id: int) -> None:
        """Forget every sibling decision made for ``shielded_id``'s shield."""
        ...
