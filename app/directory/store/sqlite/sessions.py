"""The sessions store on the embedded directory's SQLCipher file (``app.directory.store.sessions``)."""
from __future__ import annotations


class SqliteSessions:
    def __init__(self, conn) -> None:
        self.conn = conn
