"""The shields store on the embedded directory's SQLCipher file (``app.directory.store.shields``)."""
from __future__ import annotations


class SqliteShields:
    def __init__(self, conn) -> None:
        self.conn = conn
