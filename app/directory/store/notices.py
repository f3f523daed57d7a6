"""The notices store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Other:
    """Another involvement with the child, as ``tell_others`` decides whom to tell and what to list."""

    service: str
    practitioner: str
    role: str
    organisation: str
    phone: str
    email: str
    contact_archived: bool
    recorded_by: str
    is_user: bool  # the recorder is a directory user


@dataclass(frozen=True)
class InboxRow:
    """One notice with what it is about: the child, and the involvement or contact request it names, if any."""

    notice_id: int
    kind: str
    at: str
    read: bool
    directory_id: int
    given_names: str
    family_name: str
    la_code: str
    shielded: bool
    involvement_id: int | None
    service: str | None
    practitioner: str | None
    role: str | None
    organisation: str | None
    phone: str | None
    email: str | None
    contact_archived: bool | None
    request_id: int | None
    requested_by: str | None
    request_phone: str | None
    request_email: str | None


class Notices(Protocol):
    """Users' notices (their inbox) and the LA teams' alerts."""

    def newcomer(self, involvement_id: int) -> tuple[str, str]:
        """Reads the organisation and recorder of a just recorded involvement."""
        ...

    def others_working(self, child_id: int, besides: int, organisation: str) -> list[Other]:
        """Reads the child's other current involvements from other organisations than ``organisation`` (compared
        without case), earliest started first, each with whether its recorder is a user."""
        ...

    def add_about_involvement(self, username: str, at: str, kind: str, child_id: int, involvement_id: int) -> None:
        """Writes an unread notice to ``username`` about an involvement with the child."""
        ...

    def add_about_child(self, username: str, at: str, kind: str, child_id: int) -> None:
        """Writes an unread notice to ``username`` about the child itself (a shield they asked for was lifted)."""
        ...

    def add_about_request(self, username: str, at: str, kind: str, child_id: int, request_id: int,
                          involvement_id: int | None = None) -> None:
        """Writes an unread notice to ``username`` about a contact request (and the involvement it is for, if
        given)."""
        ...

    def inbox_of(self, username: str) -> list[InboxRow]:
        """Reads ``username``'s notices about children still in the live directory, newest first."""
        ...

    def own_notice(self, notice_id: int, username: str) -> tuple[bool, str] | None:
        """Reads whether ``username``'s notice ``notice_id`` is read and its child's LA; None if not theirs."""
        ...

    def mark_read(self, notice_id: int) -> None:
        """Writes the notice as read."""
        ...

    def add_alert(self, la_code: str, at: str, kind: str, actor: str, child_id: int | None, audit_seq: int) -> int:
        """Writes an unacknowledged alert to ``la_code``'s LA team pointing at audit entry ``audit_seq``; returns its
        id."""
        ...

    def unacknowledged(self, la_code: str, kind: str, actor: str, audit_seq: int) -> bool:
        """Reads whether ``la_code`` holds an alert of this kind, actor and audit entry not yet acknowledged."""
        ...
