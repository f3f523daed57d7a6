"""The register store on the embedded directory's SQLCipher file (``app.directory.store.register``)."""
from __future__ import annotations

from ....model import Role

# an entry's kind (work.types.RegisterKind's value): its table, its name's column, its service's
_TABLES = {"organisation": ("organisations", "name", "NULL"), "role": ("role_titles", "title", "service")}


class SqliteRegister:
    def __init__(self, conn) -> None:
        self.conn = conn

    def la_codes(self) -> list[str]:
        return [la for (la,) in self.conn.execute("SELECT code FROM las ORDER BY code").fetchall()]

    # -- registered colleagues (R-ROLE-2) --
    def colleague_registered(self, username: str, la_code: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM users WHERE username = ? AND role = ? AND la_code = ? AND enabled = 1",
            (username, Role.COLLEAGUE.value, la_code)).fetchone() is not None

    def colleagues_of(self, la_code: str) -> list[tuple[str, str, str, str]]:
        return [tuple(row) for row in self.conn.execute(
            "SELECT username, display_name, job_title, organisation FROM users "
            "WHERE la_code = ? AND role = ? AND enabled = 1 ORDER BY display_name, username",
            (la_code, Role.COLLEAGUE.value))]

    def colleague_exists(self, la_code: str, display_name: str, organisation: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM users WHERE la_code = ? AND role = ? AND lower(display_name) = lower(?) "
            "AND lower(organisation) = lower(?)",
            (la_code, Role.COLLEAGUE.value, display_name, organisation)).fetchone() is not None

    def add_colleague(self, username: str, display_name: str, la_code: str, organisation: str,
                      job_title: str) -> None:
        self.conn.execute(
            "INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, nominated, "
            "trained, check_date, enabled, job_title) VALUES (?,?,?,?,?,'!',0,0,NULL,1,?)",
            (username, display_name, Role.COLLEAGUE.value, la_code, organisation, job_title))

    # -- the register of organisations and role titles (R-REC-5) --
    def organisation_named(self, name: str, status: str) -> str | None:
        row = self.conn.execute("SELECT name FROM organisations WHERE name = ? COLLATE NOCASE AND status = ? LIMIT 1",
                                (name, status)).fetchone()
        return None if row is None else row[0]

    def organisations_of(self, la_code: str, status: str) -> list[str]:
        return [name for (name,) in self.conn.execute(
            "SELECT name FROM organisations WHERE la_code = ? AND status = ? ORDER BY name COLLATE NOCASE",
            (la_code, status))]

    def role_title(self, title: str, la_code: str, status: str, services: tuple[str, ...]) -> str | None:
        marks = ",".join("?" * len(services))
        row = self.conn.execute(f"SELECT title FROM role_titles WHERE title = ? COLLATE NOCASE AND la_code = ? AND "
                                f"status = ? AND service IN ({marks}) LIMIT 1",
                                (title, la_code, status, *services)).fetchone()
        return None if row is None else row[0]

    def role_titles_of(self, la_code: str, status: str) -> list[tuple[str, str]]:
        return [(service, title) for service, title in self.conn.execute(
            "SELECT service, title FROM role_titles WHERE la_code = ? AND status = ? ORDER BY title",
            (la_code, status))]

    def add_organisation(self, name: str, la_code: str, status: str, by: str, at: str) -> int:
        return int(self.conn.execute(
            "INSERT INTO organisations (name, la_code, status, requested_by, requested_at) VALUES (?,?,?,?,?)",
            (name, la_code, status, by, at)).lastrowid)

    def add_role_title(self, service: str, title: str, la_code: str, status: str, by: str, at: str) -> int:
        return int(self.conn.execute(
            "INSERT INTO role_titles (service, title, la_code, status, requested_by, requested_at) "
            "VALUES (?,?,?,?,?,?)", (service, title, la_code, status, by, at)).lastrowid)

    def entry_named(self, kind: str, la_code: str, name: str, service: str | None = None) -> tuple[int, str] | None:
        if kind == "organisation":
            row = self.conn.execute("SELECT id, status FROM organisations WHERE la_code = ? AND name = ? COLLATE "
                                    "NOCASE", (la_code, name)).fetchone()
        else:
            row = self.conn.execute("SELECT id, status FROM role_titles WHERE la_code = ? AND service = ? AND "
                                    "title = ? COLLATE NOCASE", (la_code, service, name)).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def ask_again(self, kind: str, entry_id: int, status: str, by: str, at: str) -> None:
        table = _TABLES[kind][0]
        self.conn.execute(f"UPDATE {table} SET status = ?, requested_by = ?, requested_at = ?, decided_by = NULL, "
                          f"decided_at = NULL WHERE id = ?", (status, by, at, entry_id))

    def waiting_organisations(self, la_code: str, status: str, requested_by: str | None,
                              limit: int) -> list[tuple[int, str, str, str, str]]:
        who = " AND requested_by = ?" if requested_by else ""
        args = (la_code, status, *((requested_by,) if requested_by else ()))
        return [tuple(row) for row in self.conn.execute(
            f"SELECT id, name, requested_by, requested_at, status FROM organisations WHERE la_code = ? AND "
            f"status = ?{who} ORDER BY id LIMIT {int(limit)}", args)]

    def waiting_role_titles(self, la_code: str, status: str, requested_by: str | None,
                            limit: int) -> list[tuple[int, str, str, str, str, str]]:
        who = " AND requested_by = ?" if requested_by else ""
        args = (la_code, status, *((requested_by,) if requested_by else ()))
        return [tuple(row) for row in self.conn.execute(
            f"SELECT id, service, title, requested_by, requested_at, status FROM role_titles WHERE la_code = ? AND "
            f"status = ?{who} ORDER BY id LIMIT {int(limit)}", args)]

    def entry(self, kind: str, entry_id: int) -> tuple[str, str | None, str, str, str, str] | None:
        table, column, service_column = _TABLES[kind]
        row = self.conn.execute(f"SELECT {column}, {service_column}, la_code, status, requested_by, requested_at "
                                f"FROM {table} WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else tuple(row)

    def decide(self, kind: str, entry_id: int, status: str, by: str, at: str) -> None:
        table = _TABLES[kind][0]
        self.conn.execute(f"UPDATE {table} SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                          (status, by, at, entry_id))
