"""The records store on the embedded directory's SQLCipher file (``app.directory.store.records``)."""
from __future__ import annotations

from ..records import Address, CarerRow, ChildRow, InvolvementRow, Place


class SqliteRecords:
    def __init__(self, conn) -> None:
        self.conn = conn

    def child_id_for(self, directory_id: int) -> int | None:
        row = self.conn.execute("SELECT id FROM children WHERE directory_id = ?", (directory_id,)).fetchone()
        return row[0] if row else None

    def la_of(self, child_id: int) -> str | None:
        row = self.conn.execute("SELECT la_code FROM children WHERE id = ?", (child_id,)).fetchone()
        return row[0] if row else None

    def las_of(self, child_ids: list[int]) -> set[str]:
        if not child_ids:
            return set()
        return {la for (la,) in self.conn.execute(
            f"SELECT DISTINCT la_code FROM children WHERE id IN ({','.join('?' * len(child_ids))})", child_ids)}

    def name_of(self, child_id: int) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT given_names, family_name FROM children WHERE id = ?", (child_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def directory_id_of(self, child_id: int) -> int | None:
        row = self.conn.execute("SELECT directory_id FROM children WHERE id = ?", (child_id,)).fetchone()
        return row[0] if row else None

    def la_team(self, la_code: str) -> tuple[str, str, str] | None:
        row = self.conn.execute("SELECT name, phone, email FROM las WHERE code = ?", (la_code,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def is_archived(self, child_id: int) -> bool:
        row = self.conn.execute("SELECT archived_on FROM children WHERE id = ?", (child_id,)).fetchone()
        return bool(row and row[0] is not None)

    def child(self, child_id: int) -> ChildRow | None:
        row = self.conn.execute(
            "SELECT directory_id, given_names, family_name, dob, gender, household_id, setting_id, gp_id, "
            "la_code, shielded_at FROM children WHERE id = ?", (child_id,)).fetchone()
        return None if row is None else ChildRow(*row)

    def other_names(self, child_id: int) -> list[tuple[str, str]]:
        return [(g, f) for g, f in self.conn.execute(
            "SELECT given_names, family_name FROM other_names WHERE child_id = ?", (child_id,))]

    def leaving_facts(self, child_id: int) -> tuple[int, int | None, int | None, int | None] | None:
        row = self.conn.execute("SELECT dob, stay_to_age, died_on, left_england_on FROM children "
                                "WHERE id = ?", (child_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def household_address(self, household_id: int) -> Address | None:
        row = self.conn.execute("SELECT line1, line2, town, postcode FROM households WHERE id = ?",
                                (household_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def carers(self, household_id: int) -> list[CarerRow]:
        return [CarerRow(*row) for row in self.conn.execute(
            "SELECT given_names, family_name, relationship, phone, line1, line2, town, postcode "
            "FROM carers WHERE household_id = ? ORDER BY id", (household_id,))]

    def setting(self, setting_id: int) -> tuple[str, str, str, str, str, str, str] | None:
        row = self.conn.execute(
            "SELECT kind, name, line1, line2, town, postcode, phone FROM settings WHERE id = ?",
            (setting_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5], row[6])

    def gp(self, gp_id: int) -> Place | None:
        row = self.conn.execute(
            "SELECT name, line1, line2, town, postcode, phone FROM gp_practices WHERE id = ?", (gp_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])

    def involvements_of(self, child_id: int, involvement_id: int | None = None) -> list[InvolvementRow]:
        only = "" if involvement_id is None else " AND id = ?"
        args = (child_id,) if involvement_id is None else (child_id, involvement_id)
        out = []
        for (iid, service, org, who, role, phone, email, started, ended, lead, caf, recorded_by, version,
             consent_by, consent_on, consent_override, archived) in self.conn.execute(
                "SELECT id, service, organisation, practitioner, role, phone, email, started, ended, lead, caf, "
                "recorded_by, version, consent_by, consent_on, consent_override, contact_archived "
                f"FROM involvements WHERE child_id = ?{only} ORDER BY started DESC, id DESC", args):
            out.append(InvolvementRow(iid, service, org, who, role, phone, email, started, ended, bool(lead),
                                      bool(caf), recorded_by, int(version or 0), consent_by, consent_on,
                                      consent_override, bool(archived)))
        return out

    def household(self, child_id: int) -> list[int]:
        return [s for (s,) in self.conn.execute(
            "SELECT s.id FROM children c JOIN children s ON s.household_id = c.household_id AND s.id != c.id "
            "WHERE c.id = ? "
            "UNION SELECT s.id FROM children c JOIN households h ON h.id = c.household_id "
            "JOIN carers k ON k.postcode = h.postcode AND k.line1 = h.line1 AND k.household_id != c.household_id "
            "JOIN children s ON s.household_id = k.household_id WHERE c.id = ? "
            "UNION SELECT s.id FROM children c JOIN carers k ON k.household_id = c.household_id "
            "AND k.postcode IS NOT NULL "
            "JOIN households h ON h.postcode = k.postcode AND h.line1 = k.line1 AND h.id != c.household_id "
            "JOIN children s ON s.household_id = h.id WHERE c.id = ? ORDER BY 1", (child_id, child_id, child_id))]

    def household_of(self, child_id: int) -> int | None:
        row = self.conn.execute("SELECT household_id FROM children WHERE id = ?", (child_id,)).fetchone()
        return row[0] if row else None

    def summary(self, child_id: int) -> tuple[int, str, str, int, str | None] | None:
        row = self.conn.execute(
            "SELECT directory_id, given_names, family_name, dob, shielded_at FROM children WHERE id = ?",
            (child_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4])

    def shares_household(self, child_id: int, others: list[int]) -> bool:
        marks = ",".join("?" * len(others))
        return self.conn.execute(f"SELECT 1 FROM children c JOIN children s ON s.household_id = c.household_id "
                                 f"WHERE c.id = ? AND s.id IN ({marks})", (child_id, *others)).fetchone() is not None

    def homes_of(self, child_ids: list[int]) -> set[tuple[str, str]]:
        marks = ",".join("?" * len(child_ids))
        return {(line1, postcode) for line1, postcode in self.conn.execute(
            f"SELECT h.line1, h.postcode FROM children s JOIN households h ON h.id = s.household_id "
            f"WHERE s.id IN ({marks})", child_ids)}

    def places_of(self, child_ids: list[int]) -> list[tuple[int | None, int | None]]:
        marks = ",".join("?" * len(child_ids))
        return [(s, g) for s, g in self.conn.execute(
            f"SELECT setting_id, gp_id FROM children WHERE id IN ({marks})", child_ids)]
