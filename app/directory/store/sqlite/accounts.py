"""The accounts store on the embedded directory's SQLCipher file (``app.directory.store.accounts``)."""
from __future__ import annotations

from datetime import date

from ....model import Role, User
from ..accounts import Account, Credentials

_USER_COLUMNS = ("username, display_name, role, organisation, trained_on, check_date, enabled, token_serial, "
                 "trained, job_title, password_change_required")


def _account(row) -> Account:
    username, name, role, org, trained_on, check_date, enabled, serial, trained, job, one_time = row
    return Account(username, name, role, org, trained_on, check_date, bool(enabled), serial, bool(trained), job,
                   bool(one_time))


class SqliteAccounts:
    def __init__(self, conn) -> None:
        self.conn = conn

    # -- who --
    def user(self, username: str) -> User | None:
        row = self.conn.execute(
            "SELECT username, display_name, role, la_code, organisation, nominated, trained, check_date "
            "FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            return None
        u, name, role, la, org, nominated, trained, checked = row
        return User(u, name, Role(role), la, org, bool(nominated), bool(trained),
                    date.fromordinal(checked) if checked else None)

    def la_of(self, username: str) -> str | None:
        row = self.conn.execute("SELECT la_code FROM users WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None

    def usernames(self) -> list[str]:
        return [u for (u,) in self.conn.execute(
            "SELECT username FROM users WHERE role != 'colleague' ORDER BY username")]

    def usernames_in_order_made(self) -> list[str]:
        return [u for (u,) in self.conn.execute("SELECT username FROM users ORDER BY rowid")]

    def username_taken(self, username: str) -> bool:
        return self.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is not None

    # -- sign-in factors --
    def credentials(self, username: str) -> Credentials | None:
        row = self.conn.execute("SELECT password_hash, enabled, password_change_required FROM users "
                                "WHERE username = ?", (username,)).fetchone()
        return None if row is None else Credentials(row[0], bool(row[1]), bool(row[2]))

    def password_of(self, username: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT password_hash, la_code FROM users WHERE username = ?", (username,)).fetchone()
        return None if row is None else (row[0], row[1])

    def set_password(self, username: str, password_hash: str) -> None:
        self.conn.execute("UPDATE users SET password_hash = ?, password_change_required = 0 WHERE username = ?",
                          (password_hash, username))

    def set_one_time_password(self, username: str, password_hash: str) -> None:
        self.conn.execute("UPDATE users SET password_hash = ?, password_change_required = 1 WHERE username = ?",
                          (password_hash, username))

    def token_of(self, username: str) -> tuple[str | None, bytes | None] | None:
        row = self.conn.execute("SELECT token_serial, sign_public_der FROM users WHERE username = ?",
                                (username,)).fetchone()
        return None if row is None else (row[0], None if row[1] is None else bytes(row[1]))

    def wrap_key_of(self, username: str) -> bytes | None:
        row = self.conn.execute("SELECT wrap_public_der FROM users WHERE username = ?", (username,)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def enrol_token(self, username: str, serial: str, sign_public_der: bytes, wrap_public_der: bytes) -> bool:
        return bool(self.conn.execute(
            "UPDATE users SET token_serial = ?, sign_public_der = ?, wrap_public_der = ? WHERE username = ?",
            (serial, sign_public_der, wrap_public_der, username)).rowcount)

    def token_holder(self, serial: str, other_than: str) -> str | None:
        row = self.conn.execute("SELECT username FROM users WHERE token_serial = ? AND username != ?",
                                (serial, other_than)).fetchone()
        return None if row is None else row[0]

    def enrolled_tokens(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT username, token_serial FROM users WHERE token_serial IS NOT NULL"))

    def tokens_of_la(self, la_code: str) -> list[tuple[str, str, str, str, str, str]]:
        return [tuple(row) for row in self.conn.execute(
            "SELECT token_serial, username, display_name, organisation, phone, email FROM users "
            "WHERE la_code = ? AND token_serial IS NOT NULL ORDER BY organisation, display_name", (la_code,))]

    # -- failed sign-ins (R-ROLE-4) --
    def locked_at(self, username: str) -> str | None:
        row = self.conn.execute("SELECT locked_at FROM signin_failures WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None

    def count_failure(self, username: str) -> int:
        self.conn.execute(
            "INSERT INTO signin_failures (username, failures) VALUES (?, 1) "
            "ON CONFLICT(username) DO UPDATE SET failures = failures + 1", (username,))
        return int(self.conn.execute("SELECT failures FROM signin_failures WHERE username = ?",
                                     (username,)).fetchone()[0])

    def lock_out(self, username: str, at: str) -> None:
        self.conn.execute("UPDATE signin_failures SET locked_at = ? WHERE username = ?", (at, username))

    def clear_failures(self, username: str) -> bool:
        return bool(self.conn.execute("DELETE FROM signin_failures WHERE username = ?", (username,)).rowcount)

    # -- the LA team's user admin (work.la_users) --
    def account(self, username: str) -> Account | None:
        row = self.conn.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
        return None if row is None else _account(row)

    def account_and_la(self, username: str) -> tuple[Account, str] | None:
        row = self.conn.execute(f"SELECT {_USER_COLUMNS}, la_code FROM users WHERE username = ?",
                                (username,)).fetchone()
        return None if row is None else (_account(row[:-1]), row[-1])

    def accounts_of_la(self, la_code: str) -> list[Account]:
        return [_account(row) for row in self.conn.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE la_code = ? ORDER BY display_name, username", (la_code,))]

    def record_training(self, username: str, on: int) -> None:
        self.conn.execute("UPDATE users SET trained = 1, trained_on = ? WHERE username = ?", (on, username))

    def renew_check(self, username: str, on: int) -> None:
        self.conn.execute("UPDATE users SET check_date = ? WHERE username = ?", (on, username))

    def set_enabled(self, username: str, enabled: bool) -> None:
        if enabled:
            self.conn.execute("UPDATE users SET enabled = 1 WHERE username = ?", (username,))
        else:
            self.conn.execute("UPDATE users SET enabled = 0 WHERE username = ?", (username,))

    def user_exists(self, la_code: str, display_name: str, organisation: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM users WHERE la_code = ? AND role != ? AND lower(display_name) = lower(?) "
            "AND lower(organisation) = lower(?)",
            (la_code, Role.COLLEAGUE.value, display_name, organisation)).fetchone() is not None

    def create_user(self, username: str, display_name: str, role: str, la_code: str, organisation: str,
                    password_hash: str, trained_on: int | None, check_date: int, nominated_by: str,
                    nominated_on: int, created_by: str) -> None:
        self.conn.execute(
            "INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, nominated, "
            "trained, check_date, enabled, trained_on, job_title, password_change_required, nominated_by, "
            "nominated_on, created_by) VALUES (?,?,?,?,?,?,1,?,?,1,?,'',1,?,?,?)",
            (username, display_name, role, la_code, organisation, password_hash, int(trained_on is not None),
             check_date, trained_on, nominated_by, nominated_on, created_by))
