"""The embedded directory's store: the SQLCipher file, one connection, used on the directory's one thread.

Statements are SQLite's (``INSERT OR``, ``json_extract``, ``BEGIN IMMEDIATE``, ``rowid``), moved here unchanged
from the engine and the work operations (issue 16 §1).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .accounts import SqliteAccounts
from .contact import SqliteContact
from .involvements import SqliteInvolvements
from .notices import SqliteNotices
from .records import SqliteRecords
from .register import SqliteRegister
from .replays import SqliteReplays
from .retention import SqliteRetention
from .sessions import SqliteSessions
from .settings import SqliteSettings
from .shields import SqliteShields
from .usage import SqliteUsage


class SqliteStore:
    def __init__(self, conn) -> None:
        self.conn = conn
        self._accounts = SqliteAccounts(conn)
        self._register = SqliteRegister(conn)
        self._sessions = SqliteSessions(conn)
        self._settings = SqliteSettings(conn)
        self._records = SqliteRecords(conn)
        self._shields = SqliteShields(conn)
        self._involvements = SqliteInvolvements(conn)
        self._contact = SqliteContact(conn)
        self._notices = SqliteNotices(conn)
        self._usage = SqliteUsage(conn)
        self._retention = SqliteRetention(conn)
        self._replays = SqliteReplays(conn)

    @property
    def accounts(self) -> SqliteAccounts:
        return self._accounts

    @property
    def register(self) -> SqliteRegister:
        return self._register

    @property
    def sessions(self) -> SqliteSessions:
        return self._sessions

    @property
    def settings(self) -> SqliteSettings:
        return self._settings

    @property
    def records(self) -> SqliteRecords:
        return self._records

    @property
    def shields(self) -> SqliteShields:
        return self._shields

    @property
    def involvements(self) -> SqliteInvolvements:
        return self._involvements

    @property
    def contact(self) -> SqliteContact:
        return self._contact

    @property
    def notices(self) -> SqliteNotices:
        return self._notices

    @property
    def usage(self) -> SqliteUsage:
        return self._usage

    @property
    def retention(self) -> SqliteRetention:
        return self._retention

    @property
    def replays(self) -> SqliteReplays:
        return self._replays

    @property
    def in_write(self) -> bool:
        return bool(self.conn.in_transaction)

    @contextmanager
    def write(self, keep_on: tuple[type[BaseException], ...] = (),
              on_rollback: Callable[[], None] | None = None) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except keep_on:
            self.conn.execute("COMMIT")
            raise
        except BaseException:
            self.conn.execute("ROLLBACK")
            if on_rollback is not None:
                on_rollback()
            raise
        self.conn.execute("COMMIT")
