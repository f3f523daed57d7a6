"""The records store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

A child's record as stored and the household around it, read for ``app.records`` (which decides what a viewer
sees: R-SHIELD-1/4, R-SENS-3) and ``app.siblings`` (which decides whom a shield holds). Every method reads; an
unknown row gives None (or an empty answer), never a refusal.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChildRow:
    """A child's own row, as ``records.build`` starts from it (dates as ordinals, as stored)."""
    directory_id: int
    given_names: str
    family_name: str
    dob: int
    gender: str
    household_id: int
    setting_id: int | None
    gp_id: int | None
    la_code: str
    shielded_at: str | None


@dataclass(frozen=True)
class CarerRow:
    """A parent or carer of a household (R-REC-2): name and contact details only; no address when ``line1`` is
    empty (they live at the household's)."""
    given_names: str
    family_name: str
    relationship: str
    phone: str
    line1: str | None
    line2: str | None
    town: str | None
    postcode: str | None


@dataclass(frozen=True)
class InvolvementRow:
    """An involvement as stored (R-REC-4), with its consent (R-SENS-2) and whether its contact details were
    archived (R-RET-3); dates as ordinals."""
    id: int
    service: str
    organisation: str
    practitioner: str
    role: str
    phone: str
    email: str
    started: int
    ended: int | None
    lead: bool
    caf: bool
    recorded_by: str
    version: int
    consent_by: str | None
    consent_on: int | None
    consent_override: str | None
    contact_archived: bool


Address = tuple[str, str, str, str]  # line1, line2, town, postcode
Place = tuple[str, str, str, str, str, str]  # name, line1, line2, town, postcode, phone


class Records(Protocol):
    """A child's record as stored, and the household around it."""

    def child_id_for(self, directory_id: int) -> int | None:
        """The row id of the child with this directory id (R-REC-1), or None."""
        ...

    def la_of(self, child_id: int) -> str | None:
        """The child's LA code, or None for no such child."""
        ...

    def las_of(self, child_ids: list[int]) -> set[str]:
        """The LA codes of the children ``child_ids`` (the LAs a search's results concern, for its audit entry)."""
        ...

    def name_of(self, child_id: int) -> tuple[str, str] | None:
        """The child's (given names, family name), or None."""
        ...

    def directory_id_of(self, child_id: int) -> int | None:
        """The child's directory id, or None."""
        ...

    def la_team(self, la_code: str) -> tuple[str, str, str] | None:
        """(name, phone, e-mail) of an LA's management team (R-SENS-4), or None for no such LA."""
        ...

    def is_archived(self, child_id: int) -> bool:
        """Whether the child has left the live directory (``archived_on`` set, R-RET-2); False for no such child."""
        ...

    def child(self, child_id: int) -> ChildRow | None:
        """The child's own row, or None."""
        ...

    def other_names(self, child_id: int) -> list[tuple[str, str]]:
        """The child's former and alternative names (given names, family name)."""
        ...

    def leaving_facts(self, child_id: int) -> tuple[int, int | None, int | None, int | None] | None:
        """(dob, stay_to_age, died_on, left_england_on) the retention rule dates a record's leaving by (R-RET-1)."""
        ...

    def household_address(self, household_id: int) -> Address | None:
        """A household's address (line1, line2, town, postcode), or None."""
        ...

    def carers(self, household_id: int) -> list[CarerRow]:
        """A household's parents and carers, in the order they were recorded."""
        ...

    def setting(self, setting_id: int) -> tuple[str, str, str, str, str, str, str] | None:
        """An educational setting: (kind, name, line1, line2, town, postcode, phone), or None."""
        ...

    def gp(self, gp_id: int) -> Place | None:
        """A GP practice: (name, line1, line2, town, postcode, phone), or None."""
        ...

    def involvements_of(self, child_id: int, involvement_id: int | None = None) -> list[InvolvementRow]:
        """The child's involvements (or only ``involvement_id``), newest start first, then newest row first."""
        ...

    def household(self, child_id: int) -> list[int]:
        """The other children of the child's household, and of a household where one of its carers lives or that
        lists one of its carers living here, by row id ascending."""
        ...

    def household_of(self, child_id: int) -> int | None:
        """The child's household's row id, or None."""
        ...

    def summary(self, child_id: int) -> tuple[int, str, str, int, str | None] | None:
        """(directory id, given names, family name, dob, shielded_at) of a child, as a household line shows it."""
        ...

    def shares_household(self, child_id: int, others: list[int]) -> bool:
        """Whether one of ``others`` lives in the child's household."""
        ...

    def homes_of(self, child_ids: list[int]) -> set[tuple[str, str]]:
        """The (line1, postcode) of the homes of ``child_ids``."""
        ...

    def places_of(self, child_ids: list[int]) -> list[tuple[int | None, int | None]]:
        """(setting id, GP practice id) of each of ``child_ids``."""
        ...
