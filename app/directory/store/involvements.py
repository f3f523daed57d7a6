"""The involvements store's protocol (see ``app.directory.store``): what policy asks of the tables."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Held:
    """An involvement as a change to it is checked against (``work.involvements._own``)."""

    started: int  # day ordinals
    ended: int | None
    version: int
    recorded_by: str
    service: str
    organisation: str


@dataclass(frozen=True)
class Lead:
    """The involvement that holds a child's lead professional indicator (R-REC-4)."""

    involvement_id: int
    service: str
    practitioner: str
    organisation: str
    recorded_by: str


class Involvements(Protocol):
    """Involvements with a child: recorded, changed, ended, and who holds the lead (R-REC-4)."""

    def held(self, involvement_id: int, child_id: int) -> Held | None:
        """Reads the involvement ``involvement_id`` of ``child_id``; None when there is none (or another child's)."""
        ...

    def current_by(self, child_id: int, recorded_by: str, service: str, organisation: str) -> bool:
        """Reads whether ``recorded_by`` has a current involvement with the child for this service and
        organisation (organisation compared without case)."""
        ...

    def add(self, child_id: int, service: str, organisation: str, practitioner: str, role: str, phone: str,
            email: str, started: int, recorded_by: str, consent_by: str | None, consent_on: int | None,
            consent_override: str | None) -> int:
        """Writes a new current involvement, no indicators set, at version 0; returns its id."""
        ...

    def organisation_and_role(self, involvement_id: int) -> tuple[str, str]:
        """Reads the organisation and role an existing involvement holds."""
        ...

    def update_contact(self, involvement_id: int, organisation: str, role: str, phone: str, email: str) -> None:
        """Writes new contact details to the involvement and bumps its version."""
        ...

    def end(self, involvement_id: int, ended: int, keep_contact_years: int, contact_archive_on: int) -> None:
        """Writes the involvement's end day and when its contact details are archived (R-RET-3); bumps its version."""
        ...

    def lead_of(self, child_id: int, besides: int) -> Lead | None:
        """Reads a current involvement of the child other than ``besides`` that holds the lead, or None."""
        ...

    def set_indicators(self, involvement_id: int, lead: bool, caf: bool) -> None:
        """Writes the lead professional and CAF completed indicators and bumps the version."""
        ...
