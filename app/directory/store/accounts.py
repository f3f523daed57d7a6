"""The accounts store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

The ``users`` rows of the people who sign in (their password hash, enrolled token, training and check), and
``signin_failures``, the consecutive failed sign-ins per username typed. Whether a password, token or account will
do, when failures lock an account out (R-ROLE-4) and who may change whom (R-ROLE-3) are the engine's and
``work.la_users``'s; registered colleagues (R-ROLE-2) are the register store's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ...model import User


class Credentials(NamedTuple):
    """What sign-in checks: the stored password hash, whether the account is enabled, and whether its password is
    a one-time one still to be replaced."""
    password_hash: str
    enabled: bool
    password_change_required: bool


@dataclass(frozen=True)
class Account:
    """A users row as the LA team's user admin shows it (``work.la_users``); days are ordinals, None when unset."""
    username: str
    display_name: str
    role: str
    organisation: str
    trained_on: int | None
    check_date: int | None
    enabled: bool
    token_serial: str | None
    trained: bool
    job_title: str
    password_change_required: bool


class Accounts(Protocol):
    # -- who --
    def user(self, username: str) -> User | None:
        """The user ``username`` as the engine knows them, or None when there is no such users row."""
        ...

    def la_of(self, username: str) -> str | None:
        """The LA of user ``username``, or None when there is no such user."""
        ...

    def usernames(self) -> list[str]:
        """Every username but registered colleagues', sorted."""
        ...

    def usernames_in_order_made(self) -> list[str]:
        """Every username, registered colleagues' too, in the order their rows were made."""
        ...

    def username_taken(self, username: str) -> bool:
        """Whether a users row of ``username`` exists (of any role)."""
        ...

    # -- sign-in factors --
    def credentials(self, username: str) -> Credentials | None:
        """The password hash and account state sign-in checks, or None when there is no such user."""
        ...

    def password_of(self, username: str) -> tuple[str, str] | None:
        """(password hash, LA) of ``username``, or None when there is no such user."""
        ...

    def set_password(self, username: str, password_hash: str) -> None:
        """The user's own new password hash; any one-time password is replaced with it."""
        ...

    def set_one_time_password(self, username: str, password_hash: str) -> None:
        """A one-time password hash for ``username``, to be replaced at their next sign-in."""
        ...

    def token_of(self, username: str) -> tuple[str | None, bytes | None] | None:
        """(enrolled token serial, its signing public key DER), either None if not enrolled; None: no such user."""
        ...

    def wrap_key_of(self, username: str) -> bytes | None:
        """The enrolled token's wrapping public key DER, or None when none is enrolled or no such user."""
        ...

    def enrol_token(self, username: str, serial: str, sign_public_der: bytes, wrap_public_der: bytes) -> bool:
        """Enrol (or replace) the one token of ``username``; False when there is no such user."""
        ...

    def token_holder(self, serial: str, other_than: str) -> str | None:
        """The user other than ``other_than`` whose enrolled token is ``serial``, or None."""
        ...

    def enrolled_tokens(self) -> dict[str, str]:
        """Every user with an enrolled token: username to token serial."""
        ...

    def tokens_of_la(self, la_code: str) -> list[tuple[str, str, str, str, str, str]]:
        """The LA's users with an enrolled token, by organisation then name: (serial, username, display name,
        organisation, phone, email)."""
        ...

    # -- failed sign-ins (R-ROLE-4) --
    def locked_at(self, username: str) -> str | None:
        """When ``username`` (typed, known or not) was locked out, or None when it is not."""
        ...

    def count_failure(self, username: str) -> int:
        """One more consecutive failed sign-in of ``username`` (typed, known or not); returns how many now."""
        ...

    def lock_out(self, username: str, at: str) -> None:
        """Mark ``username``'s failures as locked out at ``at``."""
        ...

    def clear_failures(self, username: str) -> bool:
        """Forget ``username``'s failures and any lock-out; whether there were any."""
        ...

    # -- the LA team's user admin (work.la_users) --
    def account(self, username: str) -> Account | None:
        """The users row of ``username``, or None."""
        ...

    def account_and_la(self, username: str) -> tuple[Account, str] | None:
        """The users row of ``username`` and its LA, or None."""
        ...

    def accounts_of_la(self, la_code: str) -> list[Account]:
        """The LA's users (registered colleagues too), by display name then username."""
        ...

    def record_training(self, username: str, on: int) -> None:
        """``username`` trained on day ``on`` (an ordinal)."""
        ...

    def renew_check(self, username: str, on: int) -> None:
        """``username``'s criminal-records check done on day ``on`` (an ordinal)."""
        ...

    def set_enabled(self, username: str, enabled: bool) -> None:
        """Enable or disable ``username``."""
        ...

    def user_exists(self, la_code: str, display_name: str, organisation: str) -> bool:
        """Whether the LA has a user (not a registered colleague) of this name and organisation, ignoring case."""
        ...

    def create_user(self, username: str, display_name: str, role: str, la_code: str, organisation: str,
                    password_hash: str, trained_on: int | None, check_date: int, nominated_by: str,
                    nominated_on: int, created_by: str) -> None:
        """A new nominated, enabled user with a one-time password; trained when ``trained_on`` is given."""
        ...
