"""The settings store on the embedded directory's SQLCipher file (``app.directory.store.settings``)."""
from __future__ import annotations


class SqliteSettings:
    def __init__(self, conn) -> None:
        self.conn = conn
