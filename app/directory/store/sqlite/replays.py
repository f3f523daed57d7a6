"""The replays store on the embedded directory's SQLCipher file (``app.directory.store.replays``)."""
from __future__ import annotations


class SqliteReplays:
    def __init__(self, conn) -> None:
        self.conn = conn
