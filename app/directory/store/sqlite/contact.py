"""The contact store on the embedded directory's SQLCipher file (``app.directory.store.contact``)."""
from __future__ import annotations


class SqliteContact:
    def __init__(self, conn) -> None:
        self.conn = conn
