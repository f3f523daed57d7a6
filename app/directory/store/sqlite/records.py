"""The records store on the embedded directory's SQLCipher file (``app.directory.store.records``)."""
from __future__ import annotations


class SqliteRecords:
    def __init__(self, conn) -> None:
        self.conn = conn
