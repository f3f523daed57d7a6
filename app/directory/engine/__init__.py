"""The embedded directory engine: the one place policy is enforced.

Every call names its viewer; the engine checks role, reason and account,
applies shielding and sensitivity while building what it returns, and audits
(R-AUDIT-1). The client only ever shows what it was given.

A ``Directory`` is single-threaded: it is created and used on one thread
(``app.directory.EmbeddedDirectory`` owns that thread).

Its parts (issue 16 §1), each a module of functions bound to the class by name below: ``signin`` (password,
token and PIN, unlock, lock, sign-out), ``sessions`` (what every request is checked for, the limits, how a
refusal is audited), ``reading`` (search, records, the audit log), ``runner`` (the work operations) and
``admin`` (lock-outs, limits, switch-off, retention); ``common`` holds what they share. Every statement goes
through ``self.store`` (``app.directory.store``).
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from ... import audit, db, schema
from ...limits import Limits
from ...model import Colleague, Role, User
from ...refusals import AccessRefused, NoSuchRecord, RateLimited, Refusal, SearchRefused, SignInRefused
from ..store import Store
from ..store.sqlite import SqliteStore
from . import admin, reading, runner, sessions, signin
from .common import (
    MAX_COLLEAGUE_CHARS,
    MAX_PASSWORD_CHARS,
    MAX_USERNAME_CHARS,
    SELF_CHECK,
    WRONG_FACTOR,
    SignedIn,
    check_expiry,
)

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, conn, clock: Callable[[], date] = date.today, limits: Limits | None = None,
                 now: Callable[[], float] = time.time, signing_key: bytes | None = None,
                 witness: Path | None = None, closes_at: float | None = None) -> None:
        self.conn = conn
        self.store: Store = SqliteStore(conn)  # issue 16 §1: every statement of the work goes through it
        self.audit = audit.AuditLog(conn, signing_key or os.urandom(32), witness, kind=_log_kind(self.store))
        self.clock = clock
        self.limits = limits or Limits()
        self.now = now
        self.closes_at = closes_at if closes_at is not None else _switch_off_of(self.store)  # R-CLOSE-1
        self.answers_purged_at = 0.0  # when expired answers kept for repeats were last deleted (work.replays)
        self._retention_day: date | None = None  # the day the retention sweep last ran in this process (admin)

    @classmethod
    def open(cls, path: str | Path, key: bytes, clock: Callable[[], date] = date.today,
             limits: Limits | None = None, now: Callable[[], float] = time.time,
             signing_key: bytes | None = None) -> Directory:
        """Open the directory file. ``signing_key`` signs audit checkpoints (R-AUDIT-2): the app
        passes its own, kept in the key store; tests and benchmarks may leave it to be derived."""
        conn = db.open_encrypted(path, key)
        schema.migrate(conn)  # a directory made by an earlier version gains what this one needs, nothing lost
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")
        opened = cls(conn, clock, limits or Limits.from_directory(SqliteStore(conn).settings), now,
                     signing_key or audit.derived_signing_key(key), witness_path(path))
        verdict = opened.audit.self_check()  # R-AUDIT-2 (issue 13 §1.2): a broken log is never carried on silently
        if not verdict.ok:
            opened._alert_broken_log(verdict)
            return opened
        opened.retention_if_due()  # R-RET-1..3 (retention): at open, then on the first request of each day
        from ..work import replays
        replays.purge(opened)  # answers kept for repeats that expired while the directory was closed (R-RET-2)
        return opened

    def _alert_broken_log(self, verdict: audit.Verdict) -> None:
        """The log failed the engine's own check at open: every LA team is alerted (once while unacknowledged);
        nothing can be audited on top of it, so every request is refused with a security alert."""
        from ..work.alerts import raise_alert
        from ..work.types import AlertKind
        log.error("audit log failed its check at open (%s, entry %s): %s", verdict.code, verdict.first_bad,
                  verdict.problem)
        for la in self.store.register.la_codes():
            if not self.store.notices.unacknowledged(la, AlertKind.SECURITY_ALERT.value, SELF_CHECK, self.audit.size):
                raise_alert(self, AlertKind.SECURITY_ALERT, SELF_CHECK, la)

    def _refuse_if_log_broken(self) -> None:
        if self.audit.broken is not None:
            self.audit._refuse_broken()

    def close(self) -> None:
        witness = self.audit.witness
        if witness is None or witness.parent.is_dir():  # R-CLOSE-6: closure may have destroyed the folder, the
            self.audit.flush()  # log and its witness with it: then there is nothing left to write the witness to
        self.conn.close()

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat(timespec="seconds")

    def user(self, username: str) -> User | None:
        return self.store.accounts.user(username)

    def _la_of_user(self, username: str) -> tuple[str, ...]:
        la = self.store.accounts.la_of(username)
        return (la,) if la is not None else ()

    def account_problem(self, user: User) -> tuple[str, str, dict] | None:
        """(audit words, refusal code, params) when an account may not be used (R-ROLE-4)."""
        if user.role is Role.COLLEAGUE:  # R-ROLE-2 (issue 8, LA management): no access of their own
            return ("a registered colleague has no access of their own", "account.colleague_no_access", {})
        if not user.nominated:
            return ("not nominated", "account.not_nominated", {})
        if not user.trained:
            return ("training not recorded", "account.not_trained", {})
        if user.check_date is None:
            return ("no criminal-records check", "account.no_check", {})
        expiry = check_expiry(user.check_date)
        if expiry <= self.clock():
            return ("criminal-records check expired", "account.check_expired", {"expired_on": expiry.isoformat()})
        return None

    def _refuse(self, username: str, action: str, why: str, refusal: Refusal) -> NoReturn:
        self.audit.record(username or "(blank)", action, detail={"why": why}, las=self._la_of_user(username))
        raise refusal

    def switched_off(self) -> bool:
        """R-CLOSE-1: from the switch-off time the directory does no work for anyone."""
        return self.closes_at is not None and self.now() >= self.closes_at


    # -- signin (``signin.py``)
    challenge = signin.challenge
    _take_challenge = signin._take_challenge
    _token_ok = signin._token_ok
    _locked_out = signin._locked_out
    _count_failure = signin._count_failure
    _locked_out_refusal = signin._locked_out_refusal
    sign_in = signin.sign_in
    end_sessions = signin.end_sessions
    was_stopped = signin.was_stopped
    unlock = signin.unlock
    lock = signin.lock
    sign_out = signin.sign_out
    report_token_refusal = signin.report_token_refusal
    audit_refused_request = signin.audit_refused_request
    enrol_token = signin.enrol_token
    usernames = signin.usernames
    enrolled_tokens = signin.enrolled_tokens

    # -- sessions (``sessions.py``)
    _session_of = sessions._session_of
    check_request = sessions.check_request
    check_session = sessions.check_session
    audit_refusal = sessions.audit_refusal
    la_team_request = sessions.la_team_request
    _check_search_rate = sessions._check_search_rate
    _check_open_budget = sessions._check_open_budget

    # -- reading (``reading.py``)
    search = reading.search
    view_record = reading.view_record
    training_facts = reading.training_facts
    audit_checkpoint = reading.audit_checkpoint
    audit_consistency = reading.audit_consistency
    audit_public_key = reading.audit_public_key
    audit_own_entry = reading.audit_own_entry
    report_audit_alert = reading.report_audit_alert
    audit_entries = reading.audit_entries

    # -- runner (``runner.py``)
    perform = runner.perform
    _audit_work_refusal = runner._audit_work_refusal

    # -- admin (``admin.py``)
    admin_unlock = admin.admin_unlock
    set_limit = admin.set_limit
    unlock_account = admin.unlock_account
    set_switch_off = admin.set_switch_off
    apply_retention = admin.apply_retention
    retention_if_due = admin.retention_if_due


def _switch_off_of(store: Store) -> float | None:
    stored = store.settings.closes_at()
    try:
        return datetime.fromisoformat(stored).timestamp() if stored is not None else None
    except ValueError:
        return None


def _log_kind(store: Store) -> str:
    """What the directory's audit log is called when it is first named (``audit.new_origin``): a training
    directory's, or a service's."""
    return "training" if store.settings.kind_and_reference_date()[0] == "training" else "directory"


def witness_path(path: str | Path) -> Path | None:
    """Where the latest signed audit checkpoint is kept beside a directory file."""
    return None if str(path) == ":memory:" else audit.witness_path(path)


__all__ = ["Directory", "SignInRefused", "AccessRefused", "RateLimited", "SearchRefused", "NoSuchRecord",
           "Colleague", "SignedIn", "check_expiry", "witness_path", "MAX_COLLEAGUE_CHARS", "MAX_PASSWORD_CHARS",
           "MAX_USERNAME_CHARS", "WRONG_FACTOR"]
