"""The usage store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from ...audit import Entry

# (seq, at, actor, action, returned ids (JSON) of a search, family name searched, directory id of a view or
# override, why of a refusal or failure): the few detail fields the usage patterns read, None where not that kind
Activity = tuple[int, str, str, str, str | None, Any, Any, Any]
# (id, kind, at, actor, directory id, audit seq, acknowledged by, actor's name, acknowledger's name, child's given
# names, child's family name)
AlertRow = tuple[int, str, str, str, int | None, int | None, str | None, str | None, str | None, str | None,
                 str | None]


class Usage(Protocol):
    """Usage reports over the audit, the audit entries behind them, and the LA team's alerts inbox (policy in
    ``work.usage`` and ``work.guessing``, R-AUDIT-2). Seq bounds come from ``app.audit_archive.seq_range``."""

    def users_of(self, la: str, but_role: str) -> dict[str, tuple[str, str]]:
        """username -> (display name, role) of the LA's users, those with ``but_role`` left out."""
        ...

    def user_of(self, username: str, la: str, but_role: str) -> tuple[str, str] | None:
        """(display name, role) of the LA's user, None if not the LA's or of ``but_role``."""
        ...

    def activity(self, first: int, last: int, since: str, until: str, actors: list[str],
                 la: str) -> Iterator[Activity]:
        """The entries by ``actors`` concerning ``la`` with seq in [first, last] and time in [since, until), in
        seq order, with the detail fields the patterns read."""
        ...

    def family_names(self, directory_ids: list[int]) -> list[tuple[int, str]]:
        """(directory id, family name) of each child, current and former names alike."""
        ...

    def entries(self, seqs: list[int], la: str) -> tuple[Entry, ...]:
        """The audit entries ``seqs`` (ascending) that concern ``la``, in seq order."""
        ...

    def entry_time(self, seq: int) -> str | None:
        """The time of the audit entry ``seq``, None if there is none."""
        ...

    def actor_before(self, seq: int, actor: str, since: str, limit: int) -> list[int]:
        """The last ``limit`` seqs before ``seq`` (within 100,000) by ``actor`` at or after ``since``, in order."""
        ...

    def actor_after(self, seq: int, actor: str, until: str) -> list[int]:
        """The first 20 seqs after ``seq`` (within 100,000) by ``actor`` at or before ``until``, in order."""
        ...

    def unknown_sign_ins(self, first: int, last: int, since: str, until: str) -> Iterator[tuple[int, str, Any]]:
        """(seq, at, count) of each refused sign-in that names no LA, seq in [first, last] and time in
        [since, until), in seq order; count is the entry's own (attempts it stands for), 1 where it has none."""
        ...

    def alerts(self, la: str, limit: int) -> list[AlertRow]:
        """The LA's newest ``limit`` alerts, newest first, with the names of their actor, acknowledger and child."""
        ...

    def alert_about(self, alert_id: int) -> tuple[str, str, int] | None:
        """(la, actor, audit seq) of an alert, None if there is none."""
        ...

    def alert_acknowledged(self, alert_id: int) -> tuple[str, str | None] | None:
        """(la, acknowledged by or None) of an alert, None if there is none."""
        ...

    def acknowledge(self, alert_id: int, by: str, at: str) -> None:
        """Mark the alert acknowledged by ``by`` at ``at``."""
        ...
