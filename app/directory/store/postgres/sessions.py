"""The sessions store on PostgreSQL (``app.directory.store.sessions``): the tables of migration 0003, so a session
made through one node works through any other, a challenge is taken once whichever node is asked, and a user's
searches count across every node (issue 16 §3).

- ``sessions`` is keyed by the SHA-256 of the bearer, never the bearer itself. An ended session stays with when
  and why (``stopped``: ended for its user, by ``end_all_of``), so it is told apart from one its user ended.
  The user as signed in is ``signed_in`` (JSON); it also says whether the password used was a one-time one.
- ``session_grants``: the children a session was given in results (R-SEARCH-2/3); dropped when it ends.
- ``challenges`` (R-ROLE-4): ``DELETE ... RETURNING``, so of two nodes asked for the same challenge one gets it.
- ``search_events`` (R-SEARCH-6): counted and recorded under ``pg_advisory_xact_lock`` on the user, so two nodes
  cannot both let the limit's last search by.
- ``record_opens`` (0001): the daily budget of children opened, counted and added to under a per-user lock too.

Each method runs in a transaction of its own (``Connection.transaction``: a savepoint when the caller already
has one open), on the connection given or on one taken from a pool for the call.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from ....model import Role, User
from ..sessions import Held

STOPPED = "stopped"  # ended_why of a session ended for its user (end_all_of)
_SEARCH_LOCKS = 0x5350_5352  # pg_advisory_xact_lock(class, hashtext(username)): a user's searches
_OPEN_LOCKS = 0x5350_4F50  # the same, a user's children opened (the daily budget)


def token_hash(session: str) -> bytes:
    """The key of a session's row: the bearer itself is never stored."""
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).digest()


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _signed_in(user: User, one_time_password: bool) -> Jsonb:
    return Jsonb({"username": user.username, "display_name": user.display_name, "role": user.role.value,
                  "la_code": user.la_code, "organisation": user.organisation, "nominated": user.nominated,
                  "trained": user.trained, "check_date": user.check_date and user.check_date.isoformat(),
                  "one_time_password": one_time_password})


def _user(signed_in: dict) -> User:
    checked = signed_in.get("check_date")
    return User(signed_in["username"], signed_in["display_name"], Role(signed_in["role"]), signed_in["la_code"],
                signed_in["organisation"], bool(signed_in["nominated"]), bool(signed_in["trained"]),
                date.fromisoformat(checked) if checked else None)


class _PgSearches:
    """One user's searches, inside the transaction that holds the user's advisory lock."""

    def __init__(self, conn: psycopg.Connection, username: str) -> None:
        self.conn = conn
        self.username = username

    def since(self, after: float, nth_newest: int) -> tuple[int, float | None]:
        row = self.conn.execute(
            "SELECT count(*), (SELECT at FROM search_events WHERE username = %(u)s AND at > %(after)s "
            "                  ORDER BY at DESC OFFSET %(skip)s LIMIT 1) "
            "FROM search_events WHERE username = %(u)s AND at > %(after)s",
            {"u": self.username, "after": _at(after), "skip": max(nth_newest - 1, 0)}).fetchone()
        assert row is not None
        count, nth = row
        return count, (nth.timestamp() if nth is not None and nth_newest > 0 else None)

    def record(self, at: float, forget_up_to: float) -> None:
        self.conn.execute("DELETE FROM search_events WHERE username = %s AND at <= %s",
                          (self.username, _at(forget_up_to)))
        self.conn.execute("INSERT INTO search_events (username, at) VALUES (%s, %s)", (self.username, _at(at)))


class PostgresSessions:
    def __init__(self, db: psycopg.Connection | ConnectionPool) -> None:
        self.db = db

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        if isinstance(self.db, ConnectionPool):
            with self.db.connection() as conn, conn.transaction():
                yield conn
        else:
            with self.db.transaction():
                yield self.db

    # -- sessions ----------------------------------------------------------------------------------
    def start(self, session: str, user: User, serial: str, must_change_password: bool, at: float) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO sessions (token_hash, username, signed_in, serial, created_at, last_used_at) "
                         "VALUES (%s, %s, %s, %s, %s, %s)",
                         (token_hash(session), user.username, _signed_in(user, must_change_password), serial,
                          _at(at), _at(at)))

    def held(self, session: str) -> Held | None:
        with self._tx() as conn:
            row = conn.execute("SELECT username, signed_in, locked FROM sessions "
                               "WHERE token_hash = %s AND ended_at IS NULL", (token_hash(session),)).fetchone()
        if row is None:
            return None
        username, signed_in, locked = row
        return Held(username, _user(signed_in), bool(locked), bool(signed_in.get("one_time_password")))

    def end(self, session: str, username: str, why: str, at: float) -> bool:
        key = token_hash(session)
        with self._tx() as conn:
            done = conn.execute("UPDATE sessions SET ended_at = %s, ended_why = %s "
                                "WHERE token_hash = %s AND username = %s AND ended_at IS NULL",
                                (_at(at), why or "signed_out", key, username)).rowcount
            if done:
                conn.execute("DELETE FROM session_grants WHERE token_hash = %s", (key,))
        return bool(done)

    def end_all_of(self, username: str, at: float) -> int:
        with self._tx() as conn:
            ended = conn.execute("UPDATE sessions SET ended_at = %s, ended_why = %s "
                                 "WHERE username = %s AND ended_at IS NULL RETURNING token_hash",
                                 (_at(at), STOPPED, username)).fetchall()
            if ended:
                conn.execute("DELETE FROM session_grants WHERE token_hash = ANY(%s)", ([k for (k,) in ended],))
        return len(ended)

    def was_stopped(self, session: str) -> bool:
        with self._tx() as conn:
            return conn.execute("SELECT 1 FROM sessions WHERE token_hash = %s AND ended_why = %s",
                                (token_hash(session), STOPPED)).fetchone() is not None

    def set_locked(self, session: str, username: str, locked: bool) -> bool:
        with self._tx() as conn:
            return bool(conn.execute("UPDATE sessions SET locked = %s "
                                     "WHERE token_hash = %s AND username = %s AND ended_at IS NULL",
                                     (locked, token_hash(session), username)).rowcount)

    def password_changed(self, session: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE sessions SET signed_in = signed_in || '{\"one_time_password\": false}'::jsonb "
                         "WHERE token_hash = %s AND ended_at IS NULL", (token_hash(session),))

    def grant(self, session: str, child_ids: Iterable[int]) -> None:
        ids = list(child_ids)
        if not ids:
            return
        with self._tx() as conn:  # a child destroyed meanwhile (R-RET-2) is simply not granted
            conn.execute("INSERT INTO session_grants (token_hash, child_id) "
                         "SELECT s.token_hash, c.id FROM sessions s JOIN children c ON c.id = ANY(%s::bigint[]) "
                         "WHERE s.token_hash = %s AND s.ended_at IS NULL ON CONFLICT DO NOTHING",
                         (ids, token_hash(session)))

    def granted(self, session: str, child_id: int) -> bool:
        with self._tx() as conn:
            return conn.execute("SELECT 1 FROM session_grants g JOIN sessions s USING (token_hash) "
                                "WHERE g.token_hash = %s AND g.child_id = %s AND s.ended_at IS NULL",
                                (token_hash(session), child_id)).fetchone() is not None

    # -- sign-in challenges (R-ROLE-4) -------------------------------------------------------------
    def add_challenge(self, challenge: bytes, expires_at: float, now: float) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM challenges WHERE expires_at < %s", (_at(now),))
            conn.execute("INSERT INTO challenges (challenge, expires_at) VALUES (%s, %s)",
                         (challenge, _at(expires_at)))

    def take_challenge(self, challenge: bytes, now: float) -> bool:
        with self._tx() as conn:
            row = conn.execute("DELETE FROM challenges WHERE challenge = %s RETURNING expires_at >= %s",
                               (challenge, _at(now))).fetchone()
        return row is not None and bool(row[0])

    # -- search rates (R-SEARCH-6) -----------------------------------------------------------------
    @contextmanager
    def searches(self, username: str) -> Iterator[_PgSearches]:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s::int4, hashtext(%s))", (_SEARCH_LOCKS, username))
            yield _PgSearches(conn, username)

    # -- the daily budget of children opened -------------------------------------------------------
    @contextmanager
    def opening(self, username: str) -> Iterator[None]:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s::int4, hashtext(%s))", (_OPEN_LOCKS, username))
            yield

    def opened_on(self, username: str, day: date, child_id: int) -> bool:
        with self._tx() as conn:
            return conn.execute("SELECT 1 FROM record_opens WHERE username = %s AND day = %s AND child_id = %s",
                                (username, day, child_id)).fetchone() is not None

    def opens_on(self, username: str, day: date) -> int:
        with self._tx() as conn:
            row = conn.execute("SELECT count(*) FROM record_opens WHERE username = %s AND day = %s",
                               (username, day)).fetchone()
        assert row is not None
        return int(row[0])

    def opened_since(self, username: str, child_id: int, day: date) -> bool:
        with self._tx() as conn:
            return conn.execute("SELECT 1 FROM record_opens WHERE username = %s AND child_id = %s AND day >= %s",
                                (username, child_id, day)).fetchone() is not None

    def record_open(self, username: str, day: date, child_id: int) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO record_opens (username, day, child_id) VALUES (%s, %s, %s) "
                         "ON CONFLICT DO NOTHING", (username, day, child_id))
