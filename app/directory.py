"""The embedded directory engine: the one place policy is enforced.

Every call names its viewer; the engine checks role, reason and account,
applies shielding and sensitivity while building what it returns, and audits
(R-AUDIT-1). The client only ever shows what it was given.

A ``Directory`` is single-threaded: it is created and used on one thread
(``app.service.DirectoryService`` owns that thread).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import audit, db, records, search
from .model import Colleague, Reason, RecordView, Role, User, Viewer
from .passwords import hash_password, verify_password
from .token.signin import signin_message, verify_signin

CHECK_VALID_YEARS = 3
CHALLENGE_TTL_S = 60


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when a username is unknown, so both cases take as long."""
    return hash_password("not a real password")


class SignInRefused(Exception):
    """Sign-in failed; ``str(exc)`` is the message to show."""


class AccessRefused(Exception):
    """A request breaks a role or reason rule; ``str(exc)`` is the message to show."""


SearchRefused = search.SearchRefused
NoSuchRecord = records.NoSuchRecord


def check_expiry(checked: date) -> date:
    try:
        return checked.replace(year=checked.year + CHECK_VALID_YEARS)
    except ValueError:
        return checked.replace(year=checked.year + CHECK_VALID_YEARS, day=28)


@dataclass(frozen=True)
class SignedIn:
    user: User
    serial: str
    wrap_public_der: bytes  # to wrap the user's local cache key to their token


class Directory:
    def __init__(self, conn, clock: Callable[[], date] = date.today) -> None:
        self.conn = conn
        self.clock = clock
        self._challenges: dict[bytes, float] = {}

    @classmethod
    def open(cls, path: str | Path, key: bytes, clock: Callable[[], date] = date.today) -> "Directory":
        conn = db.open_encrypted(path, key)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")
        return cls(conn, clock)

    def close(self) -> None:
        self.conn.close()

    # -- who -----------------------------------------------------------------
    def user(self, username: str) -> User | None:
        row = self.conn.execute(
            "SELECT username, display_name, role, la_code, organisation, nominated, trained, check_date "
            "FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            return None
        u, name, role, la, org, nominated, trained, checked = row
        return User(u, name, Role(role), la, org, bool(nominated), bool(trained),
                    date.fromordinal(checked) if checked else None)

    # -- sign-in: password + token + PIN (R-ROLE-4) ---------------------------
    def challenge(self) -> bytes:
        """A fresh single-use challenge for a token to sign."""
        self._expire_challenges()
        value = os.urandom(32)
        self._challenges[value] = time.monotonic() + CHALLENGE_TTL_S
        return value

    def _expire_challenges(self) -> None:
        now = time.monotonic()
        for c in [c for c, until in self._challenges.items() if until < now]:
            del self._challenges[c]

    def _take_challenge(self, challenge: bytes) -> bool:
        self._expire_challenges()
        return self._challenges.pop(challenge, None) is not None

    def _token_proof(self, username: str, serial: str, purpose: str, challenge: bytes, signature: bytes,
                     failed_action: str) -> None:
        row = self.conn.execute("SELECT token_serial, sign_public_der FROM users WHERE username = ?",
                                (username,)).fetchone()
        if not row or not row[0] or not row[1]:
            self._refuse(username, failed_action, "no token enrolled",
                         "No security token is enrolled for this account. Ask your LA team to enrol one.")
        if row[0] != serial:
            self._refuse(username, failed_action, f"token {serial} is not this user's",
                         "This security token is not enrolled for you. Use your own token; if it is lost, "
                         "tell your LA team.")
        if not verify_signin(row[1], signin_message(purpose, serial, challenge), signature):
            self._refuse(username, failed_action, "token signature did not verify",
                         "The security token's answer could not be verified. Remove and reinsert it, then "
                         "try again; if this keeps happening, contact your LA team.")

    def sign_in(self, username: str, password: str, serial: str, challenge: bytes, signature: bytes) -> "SignedIn":
        """Username, password and the token's signature over a fresh challenge; audited either way."""
        username = username.strip().lower()
        if not self._take_challenge(challenge):
            self._refuse(username, "sign_in_failed", "challenge unknown or expired",
                         "The sign-in took too long and has expired. Try again.")
        row = self.conn.execute("SELECT password_hash, enabled FROM users WHERE username = ?",
                                (username,)).fetchone()
        ok = verify_password(row[0] if row else _dummy_hash(), password)
        if not (row and ok):
            self._refuse(username, "sign_in_failed", "unknown user or wrong password",
                         "The username or password is not right. Check them and try again.")
        if not row[1]:
            self._refuse(username, "sign_in_failed", "account disabled",
                         "This account is disabled. Contact your LA team.")
        self._token_proof(username, serial, "sign-in", challenge, signature, "sign_in_failed")
        user = self.user(username)
        assert user is not None
        problem = self.account_problem(user)
        if problem:
            self._refuse(username, "sign_in_failed", problem[0], problem[1])
        audit.record(self.conn, username, "sign_in", detail={"role": user.role.value, "token": serial})
        wrap = self.conn.execute("SELECT wrap_public_der FROM users WHERE username = ?", (username,)).fetchone()[0]
        return SignedIn(user, serial, bytes(wrap))

    def unlock(self, user: User, serial: str, challenge: bytes, signature: bytes) -> None:
        """Back into a locked session: the same token, proven afresh (R-LOCAL-2)."""
        if not self._take_challenge(challenge):
            self._refuse(user.username, "unlock_failed", "challenge unknown or expired",
                         "Unlocking took too long and has expired. Try again.")
        self._token_proof(user.username, serial, "unlock", challenge, signature, "unlock_failed")
        problem = self.account_problem(user)
        if problem:
            self._refuse(user.username, "unlock_failed", problem[0], problem[1])
        audit.record(self.conn, user.username, "unlock", detail={"token": serial})

    def lock(self, user: User, why: str) -> None:
        audit.record(self.conn, user.username, "lock", detail={"why": why})

    def enrol_token(self, username: str, serial: str, sign_public_der: bytes, wrap_public_der: bytes,
                    by: str) -> None:
        """Register a token's public keys for a user (admin command, training set-up)."""
        done = self.conn.execute(
            "UPDATE users SET token_serial = ?, sign_public_der = ?, wrap_public_der = ? WHERE username = ?",
            (serial, sign_public_der, wrap_public_der, username)).rowcount
        if not done:
            raise LookupError(f"no user {username!r} in the directory")
        audit.record(self.conn, by, "token_enrolled", detail={"user": username, "token": serial})

    def enrolled_tokens(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT username, token_serial FROM users WHERE token_serial IS NOT NULL"))

    def account_problem(self, user: User) -> tuple[str, str] | None:
        """(audit code, message) when an account may not be used (R-ROLE-4)."""
        if not user.nominated:
            return ("not nominated", "Your account has not been nominated for access. Contact your LA team.")
        if not user.trained:
            return ("training not recorded",
                    "Your training has not been recorded yet. Complete the training, then ask your LA team "
                    "to record it.")
        if user.check_date is None:
            return ("no criminal-records check",
                    "No enhanced criminal-records check is recorded for you. Contact your LA team.")
        expiry = check_expiry(user.check_date)
        if expiry <= self.clock():
            return ("criminal-records check expired",
                    f"Your enhanced criminal-records check expired on {expiry:%d %B %Y}. Access is blocked "
                    "until it is renewed: contact your LA team.")
        return None

    def _refuse(self, username: str, action: str, code: str, message: str):
        audit.record(self.conn, username or "(blank)", action, detail={"why": code})
        raise SignInRefused(message)

    def sign_out(self, user: User) -> None:
        audit.record(self.conn, user.username, "sign_out")

    # -- searching and viewing ----------------------------------------------
    def _check_request(self, viewer: Viewer, reason: Reason) -> None:
        problem = self.account_problem(viewer.user)
        if problem:
            raise AccessRefused(problem[1])
        if viewer.role.acts_for_colleague:  # R-ROLE-2
            c = viewer.on_behalf_of
            if c is None or len(c.name.strip()) < 3 or len(c.organisation.strip()) < 2:
                raise AccessRefused("Name the colleague you are acting for, and their organisation.")
        elif viewer.on_behalf_of is not None:
            raise AccessRefused("Only a mediating user acts on behalf of a colleague.")
        problem = reason.problem()
        if problem:  # R-SEARCH-1
            raise AccessRefused(problem)

    def search(self, viewer: Viewer, criteria: search.Criteria, reason: Reason) -> search.Outcome:
        self._check_request(viewer, reason)
        try:
            outcome = search.run(self.conn, criteria, viewer.role, self.clock())
        except search.SearchRefused as exc:
            audit.record(self.conn, viewer.user.username, "search_refused", viewer=viewer, reason=reason.text(),
                         detail={"criteria": criteria.for_audit(), "why": str(exc)})
            raise
        detail = {"criteria": criteria.for_audit(), "returned": list(self._directory_ids(outcome.matched_ids))}
        if outcome.refine:
            detail["refine"] = True
        audit.record(self.conn, viewer.user.username, "search", viewer=viewer, reason=reason.text(), detail=detail)
        return outcome

    def view_record(self, viewer: Viewer, child_id: int, reason: Reason) -> RecordView:
        self._check_request(viewer, reason)
        view = records.build(self.conn, viewer, child_id)
        audit.record(self.conn, viewer.user.username, "view_record", viewer=viewer, reason=reason.text(),
                     detail={"directory_id": view.directory_id, "restricted": view.shield_applied})
        return view

    def _directory_ids(self, child_ids: tuple[int, ...]):
        for cid in child_ids:
            yield from (r[0] for r in self.conn.execute("SELECT directory_id FROM children WHERE id = ?", (cid,)))

    # -- audit ----------------------------------------------------------------
    def audit_entries(self, viewer: Viewer, since_seq: int = 0) -> list[audit.Entry]:
        """The audit trail, for the LA management team only (R-LOCAL-3)."""
        if viewer.role is not Role.LA_MANAGEMENT:
            raise AccessRefused("The audit trail is for the LA management team.")
        return audit.entries(self.conn, since_seq)


__all__ = ["Directory", "SignInRefused", "AccessRefused", "SearchRefused", "NoSuchRecord", "Colleague"]
