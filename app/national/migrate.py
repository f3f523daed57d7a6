"""The national directory's schema on PostgreSQL, as versioned migrations (issue 16 §2).

Each migration is a file ``migrations/NNNN_name.sql``, applied once, in order, in a transaction of its own (a
database is never left half-migrated), as the owner role (``roles.OWNER``), and recorded in
``schema_migrations`` with its checksum. A migration that has shipped is never edited: a change is a new file.
So a database whose record does not match the files is refused, with what to do, rather than guessed at:
an applied migration whose text has changed since, or one this code does not know (a newer version's).

Several nodes may start at once: each migration's transaction first takes one advisory lock and looks again
at what is applied, so each is applied exactly once.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from psycopg import Connection, sql

from .roles import OWNER

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK = 0x5167_6E70_6F73_7401  # pg_advisory_xact_lock key: "signpost" migrations


class MigrationError(RuntimeError):
    """The database's schema cannot be brought up to date; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def migrations() -> tuple[Migration, ...]:
    """Every migration this code ships, in order."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        m = _FILE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"The migrations shipped are not numbered 1, 2, 3... without gaps: {versions}.")
    return tuple(found)


def applied(conn: Connection) -> dict[int, str]:
    """version -> checksum of every migration this database has, {} before the first."""
    exists = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    return dict(conn.execute("SELECT version, checksum FROM schema_migrations ORDER BY version").fetchall())


def _check(done: dict[int, str], known: tuple[Migration, ...]) -> None:
    by_version = {m.version: m for m in known}
    for version, checksum in sorted(done.items()):
        m = by_version.get(version)
        if m is None:
            raise MigrationError(f"This database has migration {version}, which this Signpost does not know: it was "
                                 f"set up by a newer version. Run that version, or restore a backup of this one.")
        if m.checksum != checksum:
            raise MigrationError(f"Migration {m.label} was changed after it was applied to this database. Restore the "
                                 f"shipped file (a change to the schema is a new migration), then run again.")


def migrate(conn: Connection, upto: int | None = None) -> list[str]:
    """Apply the migrations this database lacks (up to version ``upto``), each in its own transaction, as the
    owner role; returns the labels applied. ``conn`` is the owner's or a superuser's, in autocommit mode."""
    if not conn.autocommit:
        raise MigrationError("migrate() needs a connection in autocommit mode (it makes one transaction per step).")
    known = migrations()
    _check(applied(conn), known)
    done_now: list[str] = []
    for m in known:
        if upto is not None and m.version > upto:
            break
        with conn.transaction():
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OWNER)))
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                         "name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            now_done = applied(conn)
            _check(now_done, known)
            if m.version in now_done:
                continue
            conn.execute(m.text)
            conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                         (m.version, m.name, m.checksum))
        done_now.append(m.label)
    return done_now


def version(conn: Connection) -> int:
    """The newest migration applied (0 for an empty database)."""
    return max(applied(conn), default=0)
