"""The settings store on the embedded directory's SQLCipher file (``app.directory.store.settings``)."""
from __future__ import annotations


class SqliteSettings:
    def __init__(self, conn) -> None:
        self.conn = conn

    def limit(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"limit.{name}",)).fetchone()
        return None if row is None else str(row[0])

    def set_limit(self, name: str, value: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"limit.{name}", str(value)))

    def closes_at(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'closes_at'").fetchone()
        return None if row is None else str(row[0])

    def set_closes_at(self, when: str | None) -> None:
        if when is None:
            self.conn.execute("DELETE FROM meta WHERE key = 'closes_at'")
        else:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('closes_at', ?)", (when,))

    def kind_and_reference_date(self) -> tuple[str | None, str | None]:
        meta = dict(self.conn.execute("SELECT key, value FROM meta WHERE key IN ('kind', 'reference_date')"))
        return meta.get("kind"), meta.get("reference_date")
