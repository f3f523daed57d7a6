"""The accounts store (issue 16 §1): the users rows sign-in and the LA team's user admin read and write, and the
failed sign-ins that lock an account out (R-ROLE-4). What the engine and ``work.la_users`` rely on: an unknown
user reads as None (sign-in answers alike for it, WRONG_FACTOR), failures count consecutively per username typed
until a clear, one enrolled token per user, and each change touches only its own user."""
from __future__ import annotations

from datetime import date

from app.model import Role

USER = "alex.practitioner"
NOBODY = "nobody.at.all"
AT = "2026-11-21T10:00:00+00:00"


def test_an_unknown_user_reads_as_none_everywhere(store):
    a = store.accounts
    assert a.user(NOBODY) is None
    assert a.la_of(NOBODY) is None
    assert a.credentials(NOBODY) is None
    assert a.password_of(NOBODY) is None
    assert a.token_of(NOBODY) is None
    assert a.wrap_key_of(NOBODY) is None
    assert a.account(NOBODY) is None
    assert a.account_and_la(NOBODY) is None
    assert not a.username_taken(NOBODY)
    assert a.enrol_token(NOBODY, "serial-x", b"sign", b"wrap") is False  # the engine's LookupError
    assert NOBODY not in a.enrolled_tokens()


def test_a_known_user_is_read_with_their_la_and_account(store):
    a = store.accounts
    user = a.user(USER)
    assert user is not None and user.username == USER and user.role is Role.PRACTITIONER
    assert user.nominated and user.trained and isinstance(user.check_date, date)
    assert a.la_of(USER) == user.la_code
    account, la = a.account_and_la(USER)
    assert la == user.la_code and account == a.account(USER)
    assert (account.username, account.display_name, account.organisation) == (USER, user.display_name,
                                                                              user.organisation)
    assert a.username_taken(USER)
    creds = a.credentials(USER)
    assert creds is not None and creds.enabled and not creds.password_change_required
    assert a.password_of(USER) == (creds.password_hash, user.la_code)


def test_failures_count_consecutively_per_username_typed_known_or_not(store):  # R-ROLE-4
    a = store.accounts
    assert [a.count_failure(USER) for _ in range(3)] == [1, 2, 3]
    assert a.count_failure(NOBODY) == 1  # a username nobody has counts too: the lock-out reveals no account
    assert a.count_failure(USER) == 4  # one username's failures are not another's
    assert a.locked_at(USER) is None  # counting is not locking: the engine decides when, by its limit


def test_a_lock_out_is_read_back_and_a_clear_lifts_it_and_restarts_the_count(store):  # R-ROLE-4
    a = store.accounts
    assert a.locked_at(USER) is None
    a.count_failure(USER)
    a.count_failure(NOBODY)
    a.lock_out(USER, AT)
    assert a.locked_at(USER) == AT
    assert a.locked_at(NOBODY) is None  # only the one username is locked
    assert a.clear_failures(USER) is True  # admin_unlock reports that there was something to lift
    assert a.locked_at(USER) is None
    assert a.clear_failures(USER) is False
    assert a.count_failure(USER) == 1  # consecutive: a clear (a good sign-in, an unlock) starts again
    assert a.count_failure(NOBODY) == 2  # and clears nobody else's


def test_one_enrolled_token_per_user_a_new_one_replaces_the_old(store):  # R-ROLE-4, R-CLOSE-3
    a = store.accounts
    assert a.token_of(USER) == (None, None) and a.wrap_key_of(USER) is None  # nothing enrolled yet
    assert a.enrol_token(USER, "serial-1", b"sign-1", b"wrap-1") is True
    assert a.token_of(USER) == ("serial-1", b"sign-1") and a.wrap_key_of(USER) == b"wrap-1"
    assert a.enrol_token(USER, "serial-2", b"sign-2", b"wrap-2") is True
    assert a.token_of(USER) == ("serial-2", b"sign-2") and a.wrap_key_of(USER) == b"wrap-2"
    assert a.enrolled_tokens()[USER] == "serial-2"
    assert a.account(USER).token_serial == "serial-2"
    assert a.token_holder("serial-1", "") is None  # the old token is nobody's now
    assert a.token_holder("serial-2", "someone.else") == USER  # la_users refuses a token in use
    assert a.token_holder("serial-2", USER) is None  # enrolling one's own token again is no clash


def test_usernames_leave_out_registered_colleagues_and_are_sorted(store):  # R-ROLE-2
    a = store.accounts
    la = a.la_of(USER)
    store.register.add_colleague("zz.colleague", "Zed Colleague", la, "Harbour Surgery", "GP")
    names = a.usernames()
    assert USER in names and names == sorted(names)
    assert "zz.colleague" not in names
    made = a.usernames_in_order_made()
    assert made[-1] == "zz.colleague" and set(names) < set(made)


def _create(store, username: str, name: str, la: str, trained_on: int | None = None) -> None:
    store.accounts.create_user(username, name, Role.PRACTITIONER.value, la, "Harbour Surgery", "hash-one-time",
                               trained_on, date(2026, 1, 5).toordinal(), "Pat Nominator",
                               date(2026, 1, 2).toordinal(), "lee.manager")


def test_a_created_user_is_nominated_enabled_and_must_replace_the_one_time_password(store):  # R-ROLE-4
    a = store.accounts
    la = a.la_of(USER)
    before = a.credentials(USER)
    _create(store, "new.person", "New Person", la)
    user = a.user("new.person")
    assert user is not None and user.role is Role.PRACTITIONER and user.la_code == la
    assert user.nominated and not user.trained and user.check_date == date(2026, 1, 5)
    creds = a.credentials("new.person")
    assert creds is not None and creds.password_hash == "hash-one-time"
    assert creds.enabled and creds.password_change_required
    assert a.user_exists(la, "NEW person", "harbour surgery")  # ignoring case
    assert not a.user_exists(la, "New Person", "Another Practice")
    a.set_password("new.person", "hash-own")
    creds = a.credentials("new.person")
    assert creds.password_hash == "hash-own" and not creds.password_change_required
    a.set_one_time_password("new.person", "hash-reset")
    creds = a.credentials("new.person")
    assert creds.password_hash == "hash-reset" and creds.password_change_required
    assert a.credentials(USER) == before  # the changes touched one user


def test_a_registered_colleague_is_not_a_user_of_the_same_name(store):  # R-ROLE-2
    la = store.accounts.la_of(USER)
    store.register.add_colleague("pat.colleague", "Pat Colleague", la, "Harbour Surgery", "GP")
    assert not store.accounts.user_exists(la, "Pat Colleague", "Harbour Surgery")


def test_training_check_and_enabled_are_recorded_for_one_user(store):  # R-ROLE-4
    a = store.accounts
    la = a.la_of(USER)
    before = a.account(USER)
    _create(store, "new.person", "New Person", la)
    on = date(2026, 3, 1).toordinal()
    a.record_training("new.person", on)
    a.renew_check("new.person", on + 1)
    a.set_enabled("new.person", False)
    got = a.account("new.person")
    assert (got.trained, got.trained_on, got.check_date, got.enabled) == (True, on, on + 1, False)
    assert a.user("new.person").trained and not a.credentials("new.person").enabled
    a.set_enabled("new.person", True)
    assert a.account("new.person").enabled and a.credentials("new.person").enabled
    assert a.account(USER) == before  # only the one user's row changed


def test_an_la_lists_its_own_users_by_name_then_username_and_its_tokens(store):  # R-ROLE-3, R-CLOSE-3
    a = store.accounts
    la = a.la_of(USER)
    _create(store, "sam.lee.2", "Sam Lee", la)
    _create(store, "sam.lee", "Sam Lee", la)
    _create(store, "ann.able", "Ann Able", la)
    mine = [x.username for x in a.accounts_of_la(la) if x.username in ("sam.lee.2", "sam.lee", "ann.able")]
    assert mine == ["ann.able", "sam.lee", "sam.lee.2"]
    assert all(a.la_of(x.username) == la for x in a.accounts_of_la(la))
    other = next(code for code in store.register.la_codes() if code != la)
    assert "ann.able" not in [x.username for x in a.accounts_of_la(other)]
    a.enrol_token("sam.lee", "serial-sam", b"s", b"w")
    a.enrol_token("ann.able", "serial-ann", b"s", b"w")
    tokens = a.tokens_of_la(la)
    assert [t[0] for t in tokens if t[0] in ("serial-sam", "serial-ann")] == ["serial-ann", "serial-sam"]
    serial, username, name, org, _phone, _email = next(t for t in tokens if t[0] == "serial-ann")
    assert (username, name, org) == ("ann.able", "Ann Able", "Harbour Surgery")
    assert all(t[0] for t in tokens)  # only users with a token
    assert "serial-ann" not in [t[0] for t in a.tokens_of_la(other)]
