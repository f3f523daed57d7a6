"""The involvements store on the embedded directory's SQLCipher file (``app.directory.store.involvements``)."""
from __future__ import annotations

from ..involvements import Held, Lead


class SqliteInvolvements:
    def __init__(self, conn) -> None:
        self.conn = conn

    def held(self, involvement_id: int, child_id: int) -> Held | None:
        row = self.conn.execute(
            "SELECT started, ended, version, recorded_by, service, organisation FROM involvements "
            "WHERE id = ? AND child_id = ?", (involvement_id, child_id)).fetchone()
        return None if row is None else Held(*row)

    def current_by(self, child_id: int, recorded_by: str, service: str, organisation: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM involvements WHERE child_id = ? AND recorded_by = ? AND ended IS NULL AND service = ? "
            "AND lower(organisation) = lower(?)",
            (child_id, recorded_by, service, organisation)).fetchone() is not None

    def add(self, child_id: int, service: str, organisation: str, practitioner: str, role: str, phone: str,
            email: str, started: int, recorded_by: str, consent_by: str | None, consent_on: int | None,
            consent_override: str | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
            "lead, caf, recorded_by, consent_by, consent_on, consent_override, version) "
            "VALUES (?,?,?,?,?,?,?,?,0,0,?,?,?,?,0)",
            (child_id, service, organisation, practitioner, role, phone, email,
             started, recorded_by, consent_by, consent_on, consent_override))
        return int(cur.lastrowid)

    def organisation_and_role(self, involvement_id: int) -> tuple[str, str]:
        organisation, role = self.conn.execute("SELECT organisation, role FROM involvements WHERE id = ?",
                                               (involvement_id,)).fetchone()
        return organisation, role

    def update_contact(self, involvement_id: int, organisation: str, role: str, phone: str, email: str) -> None:
        self.conn.execute("UPDATE involvements SET organisation = ?, role = ?, phone = ?, email = ?, "
                          "version = version + 1 "
                          "WHERE id = ?", (organisation, role, phone, email, involvement_id))

    def end(self, involvement_id: int, ended: int, keep_contact_years: int, contact_archive_on: int) -> None:
        self.conn.execute("UPDATE involvements SET ended = ?, keep_contact_years = ?, contact_archive_on = ?, "
                          "version = version + 1 WHERE id = ?",
                          (ended, keep_contact_years, contact_archive_on, involvement_id))

    def lead_of(self, child_id: int, besides: int) -> Lead | None:
        row = self.conn.execute(
            "SELECT id, service, practitioner, organisation, recorded_by FROM involvements "
            "WHERE child_id = ? AND ended IS NULL AND lead = 1 AND id != ? LIMIT 1",
            (child_id, besides)).fetchone()
        return None if row is None else Lead(*row)

    def set_indicators(self, involvement_id: int, lead: bool, caf: bool) -> None:
        self.conn.execute("UPDATE involvements SET lead = ?, caf = ?, version = version + 1 WHERE id = ?",
                          (int(lead), int(caf), involvement_id))
