"""The accounts store on the embedded directory's SQLCipher file (``app.directory.store.accounts``)."""
from __future__ import annotations


class SqliteAccounts:
    def __init__(self, conn) -> None:
        self.conn = conn
