"""The retention store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from datetime import date
from typing import Protocol

# (child id, la, date of birth, stay to age, died on, left England on): days as ordinals
LiveChild = tuple[int, str, int, int | None, int | None, int | None]


class Retention(Protocol):
    """The retention sweep, the archive, and closure's bookkeeping in the directory (policy in ``work.retention``,
    ``work.closure``). Days are ordinals (``date.toordinal``), as the tables hold them."""

    # -- the sweep (R-RET-1..3) ------------------------------------------------------------------------
    def ensure_indexes(self) -> None:
        """Create, if missing, the partial indexes the sweep reads (each an index range on a date)."""
        ...

    def live_children(self, child_ids: list[int]) -> list[LiveChild]:
        """The live (not archived) children among ``child_ids``, with the dates their leaving depends on."""
        ...

    def maybe_leaving(self, born_by: int, died_by: int, left_before: int) -> list[LiveChild]:
        """Live children born on or before ``born_by``, died on or before ``died_by`` or who left England before
        ``left_before``: those whose leaving date may have come."""
        ...

    def archive(self, leaving: list[tuple[int, int, str, int]]) -> None:
        """Into the archive: each (child id, archived on, why, destroy on) set on the child, its search names and
        its kept answers for repeats deleted."""
        ...

    def due_for_destruction(self, today: int) -> list[tuple[int, str]]:
        """(child id, la) of every archived child whose destroy date is on or before ``today``."""
        ...

    def destroy(self, child_ids: list[int]) -> list[int]:
        """Delete every row about the children (alerts keep their entry with no child), and a household and its
        carers with the last child in it; returns the live children left in those households, in order."""
        ...

    def undated_ends(self) -> list[tuple[int, int]]:
        """(involvement id, ended) of every ended involvement with no contact archive date."""
        ...

    def date_contact_archive(self, dated: list[tuple[int, int]]) -> None:
        """Each (contact archive on, involvement id): the date set, kept one year."""
        ...

    def archive_contacts(self, today: int) -> int:
        """Blank phone and e-mail of every involvement whose contact archive date is on or before ``today`` and
        mark it archived; returns how many."""
        ...

    def mark_swept(self, day: date) -> None:
        """Record ``day`` as the last day swept."""
        ...

    def last_sweep(self) -> date | None:
        """The last day swept, None if never."""
        ...

    # -- the LA team's facts and the archive (R-RET-1, R-RET-2) ----------------------------------------
    def born_and_archived(self, child_id: int) -> tuple[int, int | None]:
        """(date of birth, archived on or None) of an existing child."""
        ...

    def record_consent_to_stay(self, child_id: int, age: int) -> None:
        """Set the age the child stays in the live directory to, by consent."""
        ...

    def record_death(self, child_id: int, on: int) -> None:
        """Set the day the child died."""
        ...

    def record_left_england(self, child_id: int, on: int) -> None:
        """Set the day the child left England."""
        ...

    def directory_number(self, child_id: int) -> int:
        """The directory id (as stored) of an existing child."""
        ...

    def archived(self, child_id: int) -> tuple[int | None, str | None, int | None, int]:
        """(archived on, why, destroy on, directory id) of an existing child; the first three None if live."""
        ...

    # -- closure's bookkeeping (R-CLOSE-1..5, R-AUDIT-3) -----------------------------------------------
    def la_contact(self, la: str) -> tuple[str, str, str] | None:
        """(name, phone, e-mail) of the LA, None if there is no such LA."""
        ...

    def closure_record(self, la: str) -> tuple[str, str, int, str, str, str] | None:
        """(register JSON, checklist JSON, version, changed by, changed where, changed at) kept for the LA."""
        ...

    def keep_closure_record(self, la: str, register: str, checklist: str, version: int, by: str, where: str,
                            at: str) -> None:
        """Keep the LA's closure register and checklist (JSON), replacing what was kept."""
        ...

    def organisations(self, la: str) -> tuple[str, ...]:
        """The distinct organisations of the LA's users outside the LA management team, in order."""
        ...

    def audit_span(self) -> tuple[str | None, str | None]:
        """The times of the first and the last audit entries (None, None for an empty log)."""
        ...
