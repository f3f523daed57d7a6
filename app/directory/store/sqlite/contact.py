"""The contact store on the embedded directory's SQLCipher file (``app.directory.store.contact``)."""
from __future__ import annotations

from ..contact import Decidable, Request


class SqliteContact:
    def __init__(self, conn) -> None:
        self.conn = conn

    def involvement_of(self, involvement_id: int, child_id: int) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT service, recorded_by FROM involvements WHERE id = ? AND child_id = ?",
                                (involvement_id, child_id)).fetchone()
        return None if row is None else (row[0], row[1])

    def current_involvements(self, child_id: int) -> list[tuple[int, str]]:
        return [(iid, by) for iid, by in self.conn.execute(
            "SELECT id, recorded_by FROM involvements WHERE child_id = ? AND ended IS NULL "
            "ORDER BY id", (child_id,)).fetchall()]

    def involvement(self, involvement_id: int) -> list[tuple[int, str]]:
        return [(iid, by) for iid, by in self.conn.execute(
            "SELECT id, recorded_by FROM involvements WHERE id = ?", (involvement_id,)).fetchall()]

    def find(self, child_id: int, involvement_id: int, requested_by: str, status: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM contact_requests WHERE child_id = ? AND involvement_id = ? AND requested_by = ? "
            "AND status = ?", (child_id, involvement_id, requested_by, status)).fetchone()
        return None if row is None else int(row[0])

    def renew(self, request_id: int, phone: str, email: str) -> None:
        self.conn.execute("UPDATE contact_requests SET phone = ?, email = ? WHERE id = ?", (phone, email, request_id))

    def add(self, child_id: int, involvement_id: int, requested_by: str, phone: str, email: str,
            requested_at: str, status: str, la_code: str) -> int:
        return int(self.conn.execute(
            "INSERT INTO contact_requests (child_id, involvement_id, requested_by, phone, email, requested_at, "
            "status, la_code) VALUES (?,?,?,?,?,?,?,?)",
            (child_id, involvement_id, requested_by, phone, email, requested_at, status, la_code)).lastrowid)

    def request(self, request_id: int) -> Request | None:
        row = self.conn.execute(
            "SELECT id, child_id, involvement_id, requested_by, phone, email, requested_at, status, decided_at, "
            "passed_on_by FROM contact_requests WHERE id = ?", (request_id,)).fetchone()
        return None if row is None else Request(*row)

    def decidable(self, request_id: int) -> Decidable | None:
        row = self.conn.execute("SELECT child_id, involvement_id, requested_by, status, la_code FROM contact_requests "
                                "WHERE id = ?", (request_id,)).fetchone()
        return None if row is None else Decidable(*row)

    def of_requester(self, requested_by: str) -> list[int]:
        return [rid for (rid,) in self.conn.execute(
            "SELECT id FROM contact_requests WHERE requested_by = ? ORDER BY id DESC", (requested_by,)).fetchall()]

    def in_la(self, la_code: str, status: str) -> list[int]:
        return [rid for (rid,) in self.conn.execute(
            "SELECT id FROM contact_requests WHERE la_code = ? AND status = ? ORDER BY id",
            (la_code, status)).fetchall()]

    def decide(self, request_id: int, status: str, decided_by: str, decided_at: str,
               passed_on_by: str | None) -> None:
        self.conn.execute("UPDATE contact_requests SET status = ?, decided_by = ?, decided_at = ?, passed_on_by = ? "
                          "WHERE id = ?", (status, decided_by, decided_at, passed_on_by, request_id))
