"""The notices store on the embedded directory's SQLCipher file (``app.directory.store.notices``)."""
from __future__ import annotations


class SqliteNotices:
    def __init__(self, conn) -> None:
        self.conn = conn
