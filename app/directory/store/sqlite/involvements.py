"""The involvements store on the embedded directory's SQLCipher file (``app.directory.store.involvements``)."""
from __future__ import annotations


class SqliteInvolvements:
    def __init__(self, conn) -> None:
        self.conn = conn
