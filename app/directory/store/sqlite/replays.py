"""The replays store on the embedded directory's SQLCipher file (``app.directory.store.replays``)."""
from __future__ import annotations


class SqliteReplays:
    def __init__(self, conn) -> None:
        self.conn = conn

    def kept(self, username: str, key: str, now: int) -> tuple[str, str | None, str] | None:
        row = self.conn.execute("SELECT op, fingerprint, answer FROM done_requests WHERE username = ? AND key = ? "
                                "AND expires_at > ?", (username, key, now)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def forget(self, username: str, key: str) -> None:
        self.conn.execute("DELETE FROM done_requests WHERE username = ? AND key = ?", (username, key))

    def keep(self, username: str, key: str, op: str, answer: str, at: str, fingerprint: str | None,
             child_id: int | None, expires_at: int) -> None:
        self.conn.execute(
            "INSERT INTO done_requests (username, key, op, answer, at, fingerprint, child_id, expires_at) "
            "VALUES (?,?,?,?,?,?,?,?)", (username, key, op, answer, at, fingerprint, child_id, expires_at))

    def purge(self, now: int) -> int:
        return self.conn.execute("DELETE FROM done_requests WHERE expires_at IS NULL OR expires_at <= ?",
                                 (now,)).rowcount
