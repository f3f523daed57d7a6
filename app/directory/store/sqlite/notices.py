"""The notices store on the embedded directory's SQLCipher file (``app.directory.store.notices``)."""
from __future__ import annotations

from ..notices import InboxRow, Other


class SqliteNotices:
    def __init__(self, conn) -> None:
        self.conn = conn

    def newcomer(self, involvement_id: int) -> tuple[str, str]:
        organisation, me = self.conn.execute("SELECT organisation, recorded_by FROM involvements WHERE id = ?",
                                             (involvement_id,)).fetchone()
        return organisation, me

    def others_working(self, child_id: int, besides: int, organisation: str) -> list[Other]:
        rows = self.conn.execute(
            "SELECT i.service, i.practitioner, i.role, i.organisation, i.phone, i.email, i.contact_archived, "
            "i.recorded_by, u.username IS NOT NULL FROM involvements i LEFT JOIN users u ON u.username = i.recorded_by "
            "WHERE i.child_id = ? AND i.ended IS NULL AND i.id != ? AND lower(i.organisation) != lower(?) "
            "ORDER BY i.started, i.id", (child_id, besides, organisation)).fetchall()
        return [Other(service, who, role, org, phone, email, bool(archived), by, bool(is_user))
                for service, who, role, org, phone, email, archived, by, is_user in rows]

    def add_about_involvement(self, username: str, at: str, kind: str, child_id: int, involvement_id: int) -> None:
        self.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_involvement) VALUES (?,?,?,?,?)",
                          (username, at, kind, child_id, involvement_id))

    def add_about_child(self, username: str, at: str, kind: str, child_id: int) -> None:
        self.conn.execute("INSERT INTO notices (username, at, kind, child_id) VALUES (?,?,?,?)",
                          (username, at, kind, child_id))

    def add_about_request(self, username: str, at: str, kind: str, child_id: int, request_id: int,
                          involvement_id: int | None = None) -> None:
        if involvement_id is not None:
            self.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_involvement, about_request) "
                              "VALUES (?,?,?,?,?,?)", (username, at, kind, child_id, involvement_id, request_id))
        else:
            self.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_request) VALUES (?,?,?,?,?)",
                              (username, at, kind, child_id, request_id))

    def inbox_of(self, username: str) -> list[InboxRow]:
        rows = self.conn.execute(
            "SELECT n.id, n.kind, n.at, n.read, c.directory_id, c.given_names, c.family_name, c.la_code, "
            "c.shielded_at IS NOT NULL, i.id, i.service, i.practitioner, i.role, i.organisation, i.phone, i.email, "
            "i.contact_archived, r.id, r.requested_by, r.phone, r.email "
            "FROM notices n JOIN children c ON c.id = n.child_id "
            "LEFT JOIN involvements i ON i.id = n.about_involvement "
            "LEFT JOIN contact_requests r ON r.id = n.about_request "
            "WHERE n.username = ? AND c.archived_on IS NULL ORDER BY n.id DESC", (username,)).fetchall()
        return [InboxRow(nid, kind, at, bool(read), did, given, family, la, bool(shielded), iid, service, who, role,
                         org, phone, email, None if archived is None else bool(archived), rid, r_by, r_phone, r_email)
                for (nid, kind, at, read, did, given, family, la, shielded, iid, service, who, role, org, phone,
                     email, archived, rid, r_by, r_phone, r_email) in rows]

    def own_notice(self, notice_id: int, username: str) -> tuple[bool, str] | None:
        row = self.conn.execute("SELECT n.read, c.la_code FROM notices n JOIN children c ON c.id = n.child_id "
                                "WHERE n.id = ? AND n.username = ?", (notice_id, username)).fetchone()
        return None if row is None else (bool(row[0]), row[1])

    def mark_read(self, notice_id: int) -> None:
        self.conn.execute("UPDATE notices SET read = 1 WHERE id = ?", (notice_id,))

    def add_alert(self, la_code: str, at: str, kind: str, actor: str, child_id: int | None, audit_seq: int) -> int:
        cur = self.conn.execute(
            "INSERT INTO alerts (la_code, at, kind, actor, child_id, audit_seq) VALUES (?,?,?,?,?,?)",
            (la_code, at, kind, actor, child_id, audit_seq))
        return int(cur.lastrowid)

    def unacknowledged(self, la_code: str, kind: str, actor: str, audit_seq: int) -> bool:
        return self.conn.execute("SELECT 1 FROM alerts WHERE la_code = ? AND kind = ? AND actor = ? AND "
                                 "audit_seq = ? AND acknowledged_by IS NULL",
                                 (la_code, kind, actor, audit_seq)).fetchone() is not None
