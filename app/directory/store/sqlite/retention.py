"""The retention store on the embedded directory's SQLCipher file (``app.directory.store.retention``)."""
from __future__ import annotations

from datetime import date

from ..retention import LiveChild

LAST_SWEEP_KEY = "retention.last_sweep"
_BATCH = 500  # children destroyed per statement (SQLite's bound on parameters)

# Partial indexes: each holds only the rows a sweep may still have to look at, keyed on the date it looks up.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS children_live_dob ON children(dob) WHERE archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_died ON children(died_on) "
    "WHERE died_on IS NOT NULL AND archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_left_england ON children(left_england_on) "
    "WHERE left_england_on IS NOT NULL AND archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_destroy ON children(destroy_on) WHERE destroy_on IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS involvements_contact_archive ON involvements(contact_archive_on) "
    "WHERE contact_archived = 0 AND contact_archive_on IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS involvements_ended_undated ON involvements(ended) "
    "WHERE contact_archive_on IS NULL AND ended IS NOT NULL",
    # destruction deletes by child: these small tables must not be scanned once a child
    "CREATE INDEX IF NOT EXISTS notices_child ON notices(child_id)",
    "CREATE INDEX IF NOT EXISTS contact_requests_child ON contact_requests(child_id)",
    "CREATE INDEX IF NOT EXISTS shield_reviews_child ON shield_reviews(child_id)",
    "CREATE INDEX IF NOT EXISTS record_opens_child ON record_opens(child_id)",
    "CREATE INDEX IF NOT EXISTS alerts_child ON alerts(child_id) WHERE child_id IS NOT NULL",
)
_COLS = "id, la_code, dob, stay_to_age, died_on, left_england_on"


class SqliteRetention:
    def __init__(self, conn) -> None:
        self.conn = conn

    # -- the sweep ---------------------------------------------------------------------------------------
    def ensure_indexes(self) -> None:
        for ddl in INDEXES:
            self.conn.execute(ddl)

    def live_children(self, child_ids: list[int]) -> list[LiveChild]:
        if not child_ids:
            return []
        return [tuple(r) for r in self.conn.execute(
            f"SELECT {_COLS} FROM children WHERE archived_on IS NULL AND id IN "
            f"({','.join('?' * len(child_ids))})", child_ids)]

    def maybe_leaving(self, born_by: int, died_by: int, left_before: int) -> list[LiveChild]:
        cols = _COLS
        return [tuple(r) for r in self.conn.execute(
            f"SELECT {cols} FROM children WHERE archived_on IS NULL AND dob <= ? "
            f"UNION SELECT {cols} FROM children WHERE archived_on IS NULL AND died_on IS NOT NULL AND died_on <= ? "
            f"UNION SELECT {cols} FROM children WHERE archived_on IS NULL AND left_england_on IS NOT NULL "
            f"AND left_england_on < ?", (born_by, died_by, left_before))]

    def archive(self, leaving: list[tuple[int, int, str, int]]) -> None:
        conn = self.conn
        conn.executemany("UPDATE children SET archived_on = ?, archived_why = ?, destroy_on = ? WHERE id = ?",
                         [(on, why, destroy_on, cid) for cid, on, why, destroy_on in leaving])
        conn.executemany("DELETE FROM search_names WHERE child_id = ?", [(cid,) for cid, *_ in leaving])
        conn.executemany("DELETE FROM done_requests WHERE child_id = ?", [(cid,) for cid, *_ in leaving])

    def due_for_destruction(self, today: int) -> list[tuple[int, str]]:
        return [(cid, la) for cid, la in self.conn.execute(
            "SELECT id, la_code FROM children WHERE destroy_on IS NOT NULL AND destroy_on <= ?", (today,))]

    def destroy(self, child_ids: list[int]) -> list[int]:
        conn = self.conn
        live: dict[int, None] = {}
        for i in range(0, len(child_ids), _BATCH):
            chunk = child_ids[i:i + _BATCH]
            marks = ",".join("?" * len(chunk))
            households = [h for (h,) in conn.execute(
                f"SELECT DISTINCT household_id FROM children WHERE id IN ({marks})", chunk)]
            for table in ("other_names", "involvements", "search_names", "shields", "shield_reviews",
                          "contact_requests", "notices", "record_opens", "done_requests"):
                conn.execute(f"DELETE FROM {table} WHERE child_id IN ({marks})", chunk)
            conn.execute(f"UPDATE alerts SET child_id = NULL WHERE child_id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM sibling_decisions WHERE sibling_id IN ({marks}) OR shielded_id IN ({marks})",
                         chunk + chunk)  # shields branch: decisions about a household (app.siblings)
            conn.execute(f"DELETE FROM children WHERE id IN ({marks})", chunk)
            empty = [h for h in households
                     if conn.execute("SELECT 1 FROM children WHERE household_id = ? LIMIT 1", (h,)).fetchone() is None]
            conn.executemany("DELETE FROM carers WHERE household_id = ?", [(h,) for h in empty])
            conn.executemany("DELETE FROM households WHERE id = ?", [(h,) for h in empty])
            for (left,) in conn.execute(
                    f"SELECT id FROM children WHERE household_id IN ({','.join('?' * len(households))}) "
                    "AND archived_on IS NULL", households).fetchall() if households else ():
                live[left] = None
        return list(live)

    def undated_ends(self) -> list[tuple[int, int]]:
        return [(iid, ended) for iid, ended in self.conn.execute(
            "SELECT id, ended FROM involvements WHERE contact_archive_on IS NULL AND ended IS NOT NULL "
            "AND ended > 0")]

    def date_contact_archive(self, dated: list[tuple[int, int]]) -> None:
        self.conn.executemany("UPDATE involvements SET contact_archive_on = ?, keep_contact_years = 1 WHERE id = ?",
                              dated)

    def archive_contacts(self, today: int) -> int:
        return self.conn.execute(
            "UPDATE involvements SET contact_archived = 1, phone = '', email = '' "
            "WHERE contact_archived = 0 AND contact_archive_on IS NOT NULL AND contact_archive_on <= ?",
            (today,)).rowcount

    def mark_swept(self, day: date) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (LAST_SWEEP_KEY, str(day.toordinal())))

    def last_sweep(self) -> date | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (LAST_SWEEP_KEY,)).fetchone()
        return date.fromordinal(int(row[0])) if row else None

    # -- the LA team's facts and the archive -------------------------------------------------------------
    def born_and_archived(self, child_id: int) -> tuple[int, int | None]:
        dob, archived = self.conn.execute("SELECT dob, archived_on FROM children WHERE id = ?",
                                          (child_id,)).fetchone()
        return dob, archived

    def record_consent_to_stay(self, child_id: int, age: int) -> None:
        self.conn.execute("UPDATE children SET stay_to_age = ? WHERE id = ?", (age, child_id))

    def record_death(self, child_id: int, on: int) -> None:
        self._set_fact("died_on", child_id, on)

    def record_left_england(self, child_id: int, on: int) -> None:
        self._set_fact("left_england_on", child_id, on)

    def _set_fact(self, column: str, child_id: int, on: int) -> None:
        self.conn.execute(f"UPDATE children SET {column} = ? WHERE id = ?", (on, child_id))

    def directory_number(self, child_id: int) -> int:
        return self.conn.execute("SELECT directory_id FROM children WHERE id = ?", (child_id,)).fetchone()[0]

    def archived(self, child_id: int) -> tuple[int | None, str | None, int | None, int]:
        row = self.conn.execute("SELECT archived_on, archived_why, destroy_on, directory_id FROM children "
                                "WHERE id = ?", (child_id,)).fetchone()
        return row[0], row[1], row[2], row[3]

    # -- closure's bookkeeping -----------------------------------------------------------------------------
    def la_contact(self, la: str) -> tuple[str, str, str] | None:
        row = self.conn.execute("SELECT name, phone, email FROM las WHERE code = ?", (la,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def closure_record(self, la: str) -> tuple[str, str, int, str, str, str] | None:
        row = self.conn.execute("SELECT register, checklist, version, changed_by, changed_where, changed_at "
                                "FROM closure_records WHERE la_code = ?", (la,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])

    def keep_closure_record(self, la: str, register: str, checklist: str, version: int, by: str, where: str,
                            at: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO closure_records VALUES (?,?,?,?,?,?,?)",
                          (la, register, checklist, version, by, where, at))

    def organisations(self, la: str) -> tuple[str, ...]:
        return tuple(o for (o,) in self.conn.execute(
            "SELECT DISTINCT organisation FROM users WHERE la_code = ? AND role != 'la_management' "
            "ORDER BY organisation", (la,)))

    def audit_span(self) -> tuple[str | None, str | None]:
        first = self.conn.execute("SELECT at FROM audit ORDER BY seq LIMIT 1").fetchone()
        last = self.conn.execute("SELECT at FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (first[0] if first else None), (last[0] if last else None)
