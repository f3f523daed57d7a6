"""The retention store on the embedded directory's SQLCipher file (``app.directory.store.retention``)."""
from __future__ import annotations


class SqliteRetention:
    def __init__(self, conn) -> None:
        self.conn = conn
