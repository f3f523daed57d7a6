"""Bulk load of a directory into PostgreSQL with ``COPY`` (issue 16 §2).

The source is an embedded directory: the SQLCipher file ``app.generator`` builds (the training directory, at
any size) or a single node's. The target is a national database at the newest migration whose directory
tables are empty. The whole load is one transaction, so a failure or an interruption leaves the database as
empty as it was:

1. the secondary indexes and foreign keys the migrations made are dropped (their definitions kept);
2. every table is copied with ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``), each value turned into
   PostgreSQL's type on the way (a day's ordinal into a date, Unix seconds into a moment, 0/1 into a boolean);
3. the indexes and foreign keys are made again from those very definitions (one sort each, instead of an
   update per row), every identity moves past the ids loaded, and the tables are analysed.

Progress is reported as ``(phase, done, total)``: "rows" (every row copied, across all tables), then
"indexes" (indexes and foreign keys made), each from 0 to ``done == total``.

Refused, with what to do: a source whose schema is older than this code's (open it once with this version),
one with an audit log (its entries are signed with the single node's key and numbered by its own log; carrying
a live log across is not built), a target not at the newest migration, and a target that already holds a
directory (a load never merges).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from .. import db, schema
from . import migrate
from .roles import OWNER

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 50_000  # rows between two "rows" reports
_JULIAN_OF_ORDINAL_0 = 1721424.5  # SQLite's date(x) reads x as a Julian day: ordinal 1 (0001-01-01) is 1721425.5
_SKIPPED = {"schema_migrations"}  # each side keeps its own record of migrations


class LoadRefused(RuntimeError):
    """The load cannot be done as asked; the message says why and what to do."""


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    copy_s: float = 0.0
    index_s: float = 0.0
    total_s: float = 0.0
    database_bytes: int = 0

    @property
    def children(self) -> int:
        return self.rows.get("children", 0)


def _source_tables(src) -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, declared type)] of the embedded directory."""
    names = [n for (n,) in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: [(r[1], (r[2] or "").upper()) for r in src.execute(f"PRAGMA table_info({n})")]
            for n in names if n not in _SKIPPED}


def _in_order_written(src, table: str) -> str:
    """`` ORDER BY rowid`` for a table that has one (so ids and the users' order come across as written)."""
    ddl = src.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    return "" if "WITHOUT ROWID" in ddl.upper() else " ORDER BY rowid"


def _target_columns(cur, table: str) -> dict[str, str]:
    return dict(cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_schema = 'public' AND table_name = %s", (table,)).fetchall())


def _select_expression(column: str, declared: str, target: str) -> str:
    """The SQLite expression that gives ``column``'s value as PostgreSQL's ``COPY`` reads ``target``."""
    if target == "date" and "INT" in declared:
        return f"date({column} + {_JULIAN_OF_ORDINAL_0})"
    if target.startswith("timestamp") and "INT" in declared:
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column}, 'unixepoch')"
    return column


def _check_source(src) -> None:
    have = {n for (n,) in src.execute("SELECT name FROM schema_migrations")}
    missing = [name for name, _ in schema.MIGRATIONS if name not in have]
    if missing:
        raise LoadRefused(f"The directory file predates this version of Signpost (it lacks {', '.join(missing)}). "
                          "Open it once with this version (make run, or the service), then load it again.")
    entries = src.execute("SELECT count(*) FROM audit").fetchone()[0]
    if entries:
        raise LoadRefused(f"The directory file has an audit log ({entries} entries), signed with its own key and "
                          "numbered by its own log; moving a live log onto PostgreSQL is not built. Load a newly "
                          "generated training directory instead.")


def _check_target(cur, tables: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, str]]:
    at, newest = migrate.version(cur.connection), len(migrate.migrations())
    if at != newest:
        raise LoadRefused(f"The database is at migration {at}, not {newest}: apply the migrations first "
                          "(app.national.database.prepare).")
    targets = {}
    for table, columns in tables.items():
        target = _target_columns(cur, table)
        lacking = [c for c, _ in columns if c not in target]
        if not target or lacking:
            raise LoadRefused(f"The national schema lacks {table}{' (' + ', '.join(lacking) + ')' if target else ''}, "
                              "which the directory file has: a migration is missing from app/national/migrations.")
        if cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))).fetchone()[0]:
            raise LoadRefused(f"The database already holds a directory ({table} has rows). A load never merges: "
                              "load into a new database.")
        targets[table] = target
    return targets


def _drop_derived(cur, tables: list[str]) -> list[str]:
    """Drop the foreign keys and secondary indexes of ``tables``; returns the DDL that makes them again."""
    fks = cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
        (tables,)).fetchall()
    indexes = cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY i.indexrelid::regclass::text", (tables,)).fetchall()
    for table, name, _ in fks:
        cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    for name, _ in indexes:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [ddl for _, ddl in indexes] + [f"ALTER TABLE {sql.Identifier(t).as_string(cur)} ADD CONSTRAINT "
                                          f"{sql.Identifier(n).as_string(cur)} {d}" for t, n, d in fks]


def _move_identities(cur, tables: list[str]) -> None:
    for table, column in cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND is_identity = 'YES' AND table_name = ANY(%s)", (tables,)).fetchall():
        cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({t}, {c}), coalesce(max({col}), 0) + 1, false) "
                            "FROM {tab}").format(t=sql.Literal(table), c=sql.Literal(column),
                                                 col=sql.Identifier(column), tab=sql.Identifier(table)))


def load(source: str | Path, key: bytes, dsn: str, progress: Progress | None = None) -> LoadReport:
    """Copy the embedded directory at ``source`` (opened with ``key``) into the database ``dsn`` names (as its
    owner or a superuser). Returns what was loaded and how long it took."""
    report = progress or (lambda phase, done, total: None)
    started = time.monotonic()
    out = LoadReport()
    src = db.open_encrypted(source, key)
    try:
        _check_source(src)
        tables = _source_tables(src)
        counts = {t: src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        total = sum(counts.values())
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OWNER)))
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            targets = _check_target(cur, tables)
            remake = _drop_derived(cur, list(tables))
            report("rows", 0, total)
            done = 0
            for table, columns in tables.items():
                names = [c for c, _ in columns]
                select = ", ".join(_select_expression(c, d, targets[table][c]) for c, d in columns)
                order = _in_order_written(src, table)
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)))
                with cur.copy(copy_sql) as copy:
                    for row in src.execute(f"SELECT {select} FROM {table}{order}"):
                        copy.write_row(row)
                        done += 1
                        if done % PROGRESS_EVERY == 0:
                            report("rows", done, total)
                out.rows[table] = counts[table]
            report("rows", total, total)
            out.copy_s = time.monotonic() - started
            report("indexes", 0, len(remake))
            for i, ddl in enumerate(remake):
                cur.execute(ddl)
                report("indexes", i + 1, len(remake))
            _move_identities(cur, list(tables))
            cur.execute("ANALYZE")
            out.index_s = time.monotonic() - started - out.copy_s
        with psycopg.connect(dsn) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            out.database_bytes = size[0] if size else 0
    finally:
        src.close()
    out.total_s = time.monotonic() - started
    return out
