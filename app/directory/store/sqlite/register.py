"""The register store on the embedded directory's SQLCipher file (``app.directory.store.register``)."""
from __future__ import annotations


class SqliteRegister:
    def __init__(self, conn) -> None:
        self.conn = conn
