"""Arrangements shared by the involvements, contact and notices conformance tests: a child nobody works with yet,
and involvements recorded through the involvements store."""
from __future__ import annotations

from app.model import ServiceType

PLAIN = ServiceType.EDUCATION.value
SENSITIVE = next(s for s in ServiceType if s.sensitive).value


def bare_children(store, n: int = 1) -> list[tuple[int, str]]:
    """(id, LA) of ``n`` live, unshielded children with no involvement at all (the children's store is not
    this package's: read directly)."""
    rows = store.conn.execute(
        "SELECT id, la_code FROM children WHERE archived_on IS NULL AND shielded_at IS NULL "
        "AND id NOT IN (SELECT child_id FROM involvements) ORDER BY id LIMIT ?", (n,)).fetchall()
    assert len(rows) == n
    return [(int(i), la) for i, la in rows]


def users(store, n: int = 2) -> list[str]:
    rows = store.conn.execute("SELECT username FROM users ORDER BY username LIMIT ?", (n,)).fetchall()
    assert len(rows) == n
    return [u for (u,) in rows]


def involve(store, child_id: int, recorded_by: str, organisation: str = "Northbridge Academy",
            service: str = PLAIN, started: int = 738000, practitioner: str = "Pat Example") -> int:
    """A current involvement, as ``work.involvements.record`` writes it."""
    return store.involvements.add(child_id, service, organisation, practitioner, "Teacher", "01632 960000",
                                  "pat@example.org", started, recorded_by, None, None, None)
