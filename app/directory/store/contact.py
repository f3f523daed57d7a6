"""The contact store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Request:
    """A brokered contact request as kept (R-SENS-4); ``involvement_id`` 0 is "whoever works with this child"."""

    request_id: int
    child_id: int
    involvement_id: int
    requested_by: str
    phone: str
    email: str
    requested_at: str
    status: str
    decided_at: str | None
    passed_on_by: str | None


@dataclass(frozen=True)
class Decidable:
    """What the LA team's decision on a request is checked against."""

    child_id: int
    involvement_id: int
    requested_by: str
    status: str
    la_code: str


class Contact(Protocol):
    """Brokered contact requests (R-SENS-4) and the involvements they are for."""

    def involvement_of(self, involvement_id: int, child_id: int) -> tuple[str, str] | None:
        """Reads the service and recorder of the child's involvement ``involvement_id``; None if there is none."""
        ...

    def current_involvements(self, child_id: int) -> list[tuple[int, str]]:
        """Reads (id, recorded by) of the child's current involvements, oldest id first."""
        ...

    def involvement(self, involvement_id: int) -> list[tuple[int, str]]:
        """Reads (id, recorded by) of the involvement ``involvement_id``: one, or none if there is none."""
        ...

    def find(self, child_id: int, involvement_id: int, requested_by: str, status: str) -> int | None:
        """Reads the id of ``requested_by``'s request in ``status`` about this child and involvement, or None."""
        ...

    def renew(self, request_id: int, phone: str, email: str) -> None:
        """Writes the contact details the requester gave now to their request."""
        ...

    def add(self, child_id: int, involvement_id: int, requested_by: str, phone: str, email: str,
            requested_at: str, status: str, la_code: str) -> int:
        """Writes a new request in ``status`` for ``la_code``'s LA team; returns its id."""
        ...

    def request(self, request_id: int) -> Request | None:
        """Reads the request ``request_id``, or None if there is none."""
        ...

    def decidable(self, request_id: int) -> Decidable | None:
        """Reads the request ``request_id`` as a decision on it needs it, or None if there is none."""
        ...

    def of_requester(self, requested_by: str) -> list[int]:
        """Reads the ids of ``requested_by``'s requests, newest first."""
        ...

    def in_la(self, la_code: str, status: str) -> list[int]:
        """Reads the ids of ``la_code``'s requests in ``status``, oldest first."""
        ...

    def decide(self, request_id: int, status: str, decided_by: str, decided_at: str,
               passed_on_by: str | None) -> None:
        """Writes the request's outcome: its new status, who decided when, and how it was passed on."""
        ...
