"""The national directory's database and the two roles that use it (issue 16 §2, §7).

- ``OWNER`` owns the database and its schema and runs the migrations (``app.national.migrate``). The service
  nodes never hold its credentials.
- ``SERVICE`` is what the nodes connect as: it owns nothing, cannot create anything (not even a temporary
  table), reads and writes the directory's tables, and may only add to the audit (migration 0005 grants it;
  0004's triggers refuse a change to the audit whoever asks).

Both are made by a superuser (``create_database``), once per cluster; the migrations name them, so they are fixed
names. On one machine they connect over the cluster's private Unix socket (``app.national.pgcluster``);
between machines they would each have a SCRAM password or a client certificate, over TLS (README: *Data at
rest on the national side*).
"""
from __future__ import annotations

import psycopg
from psycopg import sql

OWNER = "signpost_owner"
SERVICE = "signpost_service"
DATABASE = "signpost"


def _ensure_role(conn: psycopg.Connection, name: str, inherit: bool) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                             + ("INHERIT" if inherit else "NOINHERIT")).format(sql.Identifier(name)))


def ensure_roles(conn: psycopg.Connection) -> None:
    """Both roles, if the cluster lacks them (``conn``: a superuser's, autocommit). The owner inherits, as
    PostgreSQL's ``pg_database_owner`` (which owns the public schema) needs; the service is a member of nothing."""
    _ensure_role(conn, OWNER, inherit=True)
    _ensure_role(conn, SERVICE, inherit=False)


def create_database(conn: psycopg.Connection, name: str = DATABASE) -> bool:
    """The database, owned by ``OWNER``, in UTF-8 and UTC, that only the two roles may connect to; False if it
    was there already (``conn``: a superuser's, autocommit)."""
    ensure_roles(conn)
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        return False
    db = sql.Identifier(name)
    conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'").format(
        db, sql.Identifier(OWNER)))
    conn.execute(sql.SQL("ALTER DATABASE {} SET timezone TO 'UTC'").format(db))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))  # no CONNECT, no TEMPORARY
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, sql.Identifier(SERVICE)))
    return True
