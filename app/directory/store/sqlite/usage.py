"""The usage store on the embedded directory's SQLCipher file (``app.directory.store.usage``)."""
from __future__ import annotations


class SqliteUsage:
    def __init__(self, conn) -> None:
        self.conn = conn
