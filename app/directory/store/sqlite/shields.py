"""The shields store on the embedded directory's SQLCipher file (``app.directory.store.shields``)."""
from __future__ import annotations

from ....siblings import NOT_NEEDED, UNDECIDED
from ..shields import QueueRow, ShieldRow

# One query for the whole queue (issue 14 §3.3): the LA's shielded children through a partial index
# (``children_shielded_la``, schema migration ``la-admin-shield-queue``), each with its review row and requester.
_QUEUE = ("SELECT c.directory_id, c.given_names, c.family_name, c.shielded_at, s.ground, s.requested_by, "
          "s.requested_at, s.review_due, s.reviews, u.display_name, u.organisation, c.id FROM children c "
          "LEFT JOIN shields s ON s.child_id = c.id LEFT JOIN users u ON u.username = s.requested_by "
          "WHERE c.shielded_at IS NOT NULL AND ")


def _queue_row(row) -> QueueRow:
    did, given, family, shielded_at, ground, by, at, due, reviews, name, organisation, child_id = row
    shield = None if ground is None else ShieldRow(ground, by, at, due, reviews)
    return QueueRow(child_id, did, given, family, shielded_at, shield, name, organisation)


class SqliteShields:
    def __init__(self, conn) -> None:
        self.conn = conn

    def shield(self, child_id: int, at: str) -> bool:
        return bool(self.conn.execute("UPDATE children SET shielded_at = ? WHERE id = ? AND shielded_at IS NULL",
                                      (at, child_id)).rowcount)

    def unshield(self, child_id: int) -> bool:
        return bool(self.conn.execute(
            "UPDATE children SET shielded_at = NULL WHERE id = ? AND shielded_at IS NOT NULL", (child_id,)).rowcount)

    def is_shielded(self, child_id: int) -> bool:
        row = self.conn.execute("SELECT shielded_at FROM children WHERE id = ?", (child_id,)).fetchone()
        return bool(row and row[0] is not None)

    def queue(self, child_id: int, ground: str, requested_by: str, requested_at: str, review_due: int) -> bool:
        return bool(self.conn.execute(
            "INSERT OR IGNORE INTO shields (child_id, ground, requested_by, requested_at, review_due) "
            "VALUES (?,?,?,?,?)", (child_id, ground, requested_by, requested_at, review_due)).rowcount)

    def queue_reviewed(self, child_id: int, ground: str, requested_by: str, requested_at: str,
                       review_due: int) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO shields (child_id, ground, requested_by, requested_at, review_due, reviews) "
            "VALUES (?,?,?,?,?,1)", (child_id, ground, requested_by, requested_at, review_due))

    def keep(self, child_id: int, ground: str, requested_at: str, review_due: int) -> None:
        self.conn.execute(
            "INSERT INTO shields (child_id, ground, requested_by, requested_at, review_due, reviews) "
            "VALUES (?,?,?,?,?,1) ON CONFLICT(child_id) DO UPDATE SET review_due = excluded.review_due, "
            "reviews = reviews + 1", (child_id, ground, "", requested_at, review_due))

    def drop(self, child_id: int) -> None:
        self.conn.execute("DELETE FROM shields WHERE child_id = ?", (child_id,))

    def requested_by(self, child_id: int) -> str | None:
        row = self.conn.execute("SELECT requested_by FROM shields WHERE child_id = ?", (child_id,)).fetchone()
        return None if row is None else row[0]

    def add_review(self, child_id: int, by: str, at: str, decision: str, next_due: int | None) -> None:
        self.conn.execute("INSERT INTO shield_reviews (child_id, reviewed_by, reviewed_at, decision, next_due) "
                          "VALUES (?,?,?,?,?)", (child_id, by, at, decision, next_due))

    def line(self, child_id: int) -> QueueRow | None:
        row = self.conn.execute(_QUEUE + "c.id = ?", (child_id,)).fetchone()
        return None if row is None else _queue_row(row)

    def lines_of(self, la_code: str) -> list[QueueRow]:
        return [_queue_row(row) for row in self.conn.execute(_QUEUE + "c.la_code = ?", (la_code,))]

    def held_by(self, child_id: int) -> list[int]:
        undecided = UNDECIDED.format(c="c")
        rows = self.conn.execute(
            "SELECT s.id FROM children c JOIN children s ON s.household_id = c.household_id AND s.id != c.id "
            f"WHERE c.id = ? AND c.shielded_at IS NULL AND s.shielded_at IS NOT NULL AND {undecided} "
            "UNION SELECT s.id FROM children c JOIN carers k ON k.household_id = c.household_id "
            "AND k.postcode IS NOT NULL "
            "JOIN households hs ON hs.postcode = k.postcode AND hs.line1 = k.line1 "
            "JOIN children s ON s.household_id = hs.id AND s.household_id != c.household_id "
            f"WHERE c.id = ? AND c.shielded_at IS NULL AND s.shielded_at IS NOT NULL AND {undecided} ORDER BY 1",
            (child_id, child_id))
        return [s for (s,) in rows]

    def decide_not_needed(self, sibling_id: int, shielded_id: int, by: str, at: str) -> None:
        self.conn.execute(
            "INSERT INTO sibling_decisions (sibling_id, shielded_id, shield_set_at, decision, decided_by, decided_at) "
            "SELECT ?, id, shielded_at, ?, ?, ? FROM children WHERE id = ? AND shielded_at IS NOT NULL "
            "ON CONFLICT(sibling_id, shielded_id) DO UPDATE SET shield_set_at = excluded.shield_set_at, "
            "decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            (sibling_id, NOT_NEEDED, by, at, shielded_id))

    def forget_decisions(self, shielded_id: int) -> None:
        self.conn.execute("DELETE FROM sibling_decisions WHERE shielded_id = ?", (shielded_id,))
