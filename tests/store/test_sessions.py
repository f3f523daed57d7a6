"""The sessions store (issue 16 §1), on every store: what ``Directory`` relies on for a session, the children it
was given (R-SEARCH-2/3), the single-use challenge (R-ROLE-4), the search windows (R-SEARCH-6) and the daily
budget of children opened. The limits themselves and the refusals are the engine's; these are the counts and
facts it decides on."""
from __future__ import annotations

from datetime import date, timedelta

from app.directory.store.sessions import Held
from app.model import Role, User

ADA = User("ada.test", "Ada Test", Role.PRACTITIONER, "NBR", "Northbridge Health", True, True, date(2025, 1, 6))
BEN = User("ben.test", "Ben Test", Role.LA_MANAGEMENT, "NBR", "Northbridge Council", True, True, None)
T0 = 1_780_000_000.0  # 2026-05-28, epoch seconds


def test_a_session_is_held_with_the_user_as_signed_in_and_nothing_else_is(sessions_store):
    s = sessions_store.sessions
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    s.start("bearer-b", BEN, "TOKEN-2", False, T0)
    assert s.held("bearer-a") == Held("ada.test", ADA, locked=False, must_change_password=False)
    assert s.held("bearer-b") == Held("ben.test", BEN, locked=False, must_change_password=False)
    assert s.held("bearer-c") is None


def test_a_one_time_password_holds_the_session_until_it_is_changed(sessions_store):  # R-ROLE-4 (la-admin)
    s = sessions_store.sessions
    s.start("bearer-a", ADA, "TOKEN-1", True, T0)
    s.start("bearer-b", ADA, "TOKEN-1", True, T0)
    assert s.held("bearer-a").must_change_password
    s.password_changed("bearer-a")
    assert not s.held("bearer-a").must_change_password
    assert s.held("bearer-b").must_change_password  # only the session that changed it


def test_a_session_its_user_ended_is_gone_and_not_taken_for_one_ended_for_them(sessions_store):
    s = sessions_store.sessions
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    assert not s.end("bearer-a", "ben.test", "", T0 + 1)  # only its holder ends it
    assert s.held("bearer-a") is not None
    assert s.end("bearer-a", "ada.test", "idle", T0 + 1)
    assert s.held("bearer-a") is None
    assert not s.end("bearer-a", "ada.test", "", T0 + 2)  # once
    assert not s.was_stopped("bearer-a")


def test_every_session_of_a_user_ends_at_once_and_each_is_told_apart_later(sessions_store):  # R-ROLE-4
    s = sessions_store.sessions
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    s.start("bearer-b", ADA, "TOKEN-1", False, T0)
    s.start("bearer-c", BEN, "TOKEN-2", False, T0)
    s.start("bearer-d", ADA, "TOKEN-1", False, T0)
    s.end("bearer-d", "ada.test", "", T0)  # signed out before: not one of those ended for her
    assert s.end_all_of("ada.test", T0 + 5) == 2
    assert s.held("bearer-a") is None and s.held("bearer-b") is None
    assert s.held("bearer-c") == Held("ben.test", BEN)
    assert s.was_stopped("bearer-a") and s.was_stopped("bearer-b")
    assert not s.was_stopped("bearer-c") and not s.was_stopped("bearer-d") and not s.was_stopped("bearer-x")
    assert s.end_all_of("ada.test", T0 + 6) == 0


def test_a_session_locks_and_unlocks_only_for_its_holder_and_only_while_live(sessions_store):  # R-LOCAL-2
    s = sessions_store.sessions
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    assert s.set_locked("bearer-a", "ada.test", True)
    assert s.held("bearer-a").locked
    assert not s.set_locked("bearer-a", "ben.test", False)
    assert s.held("bearer-a").locked
    assert s.set_locked("bearer-a", "ada.test", False)
    assert not s.held("bearer-a").locked
    s.end("bearer-a", "ada.test", "", T0)
    assert not s.set_locked("bearer-a", "ada.test", False)  # an ended session is not unlocked back to life
    assert not s.set_locked("bearer-x", "ada.test", False)


def test_a_session_may_open_only_the_children_it_was_given(sessions_store):  # R-SEARCH-2/3
    s = sessions_store.sessions
    c1, c2, c3 = sessions_store.children
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    s.start("bearer-b", ADA, "TOKEN-1", False, T0)
    s.grant("bearer-a", [c1, c2])
    s.grant("bearer-a", [c2])  # given again in a later result
    s.grant("bearer-a", [])
    assert s.granted("bearer-a", c1) and s.granted("bearer-a", c2)
    assert not s.granted("bearer-a", c3)
    assert not s.granted("bearer-b", c1)  # the same user's other session found nothing: no trawling by id
    s.end("bearer-a", "ada.test", "", T0)
    assert not s.granted("bearer-a", c1)


def test_a_session_ended_for_its_user_keeps_no_grant(sessions_store):  # R-SEARCH-2/3
    s = sessions_store.sessions
    c1 = sessions_store.children[0]
    s.start("bearer-a", ADA, "TOKEN-1", False, T0)
    s.grant("bearer-a", [c1])
    s.end_all_of("ada.test", T0)
    assert not s.granted("bearer-a", c1)


def test_a_challenge_is_taken_once(sessions_store):  # R-ROLE-4
    s = sessions_store.sessions
    s.add_challenge(b"\x01" * 32, T0 + 60, T0)
    s.add_challenge(b"\x02" * 32, T0 + 60, T0)
    assert s.take_challenge(b"\x01" * 32, T0 + 1)
    assert not s.take_challenge(b"\x01" * 32, T0 + 2)
    assert not s.take_challenge(b"\x03" * 32, T0 + 2)  # never issued
    assert s.take_challenge(b"\x02" * 32, T0 + 2)  # taking one leaves the others


def test_an_expired_challenge_is_refused(sessions_store):  # R-ROLE-4: 60 s to sign it
    s = sessions_store.sessions
    s.add_challenge(b"\x01" * 32, T0 + 60, T0)
    s.add_challenge(b"\x02" * 32, T0 + 60, T0)
    assert s.take_challenge(b"\x01" * 32, T0 + 59)
    assert not s.take_challenge(b"\x02" * 32, T0 + 61)
    s.add_challenge(b"\x03" * 32, T0 + 200, T0 + 120)  # a new one forgets the expired
    assert not s.take_challenge(b"\x02" * 32, T0 + 2)


def test_the_minute_window_counts_only_the_last_minutes_searches(sessions_store):  # R-SEARCH-6
    s = sessions_store.sessions
    with s.searches("ada.test") as mine:
        for at in (T0, T0 + 30, T0 + 59):
            mine.record(at, forget_up_to=at - 3600)
    now = T0 + 70
    with s.searches("ada.test") as mine:
        assert mine.since(now - 60, 1) == (2, T0 + 59)  # the search at T0 is over a minute old
        assert mine.since(now - 60, 2) == (2, T0 + 30)
        assert mine.since(now - 60, 3) == (2, None)
        assert mine.since(now - 3600, 3) == (3, T0)  # the hour counts all three
        assert mine.since(T0 + 30, 1) == (1, T0 + 59)  # a search exactly a window ago is out of it
        assert mine.since(T0 + 30, 2) == (1, None)
    with s.searches("ben.test") as his:
        assert his.since(now - 3600, 1) == (0, None)  # each user's own searches


def test_recording_a_search_forgets_only_those_past_the_longest_window(sessions_store):  # R-SEARCH-6
    s = sessions_store.sessions
    with s.searches("ada.test") as mine:
        for at in (T0, T0 + 30, T0 + 59):
            mine.record(at, forget_up_to=at - 3600)
        mine.record(T0 + 3630, forget_up_to=T0 + 30)
        assert mine.since(T0 - 1, 5) == (2, None)
        assert mine.since(T0 - 1, 2) == (2, T0 + 59)


def test_the_daily_budget_counts_distinct_children_per_user_per_day(sessions_store):
    s = sessions_store.sessions
    c1, c2, c3 = sessions_store.children
    today, tomorrow = date(2026, 5, 28), date(2026, 5, 29)
    assert not s.opened_on("ada.test", today, c1)
    assert s.opens_on("ada.test", today) == 0
    s.record_open("ada.test", today, c1)
    s.record_open("ada.test", today, c1)  # opened again: still one child
    s.record_open("ada.test", today, c2)
    s.record_open("ben.test", today, c3)
    assert s.opened_on("ada.test", today, c1) and not s.opened_on("ada.test", today, c3)
    assert s.opens_on("ada.test", today) == 2
    assert s.opens_on("ada.test", tomorrow) == 0 and not s.opened_on("ada.test", tomorrow, c1)
    assert s.opens_on("ben.test", today) == 1
    assert s.opened_since("ada.test", c1, today) and s.opened_since("ada.test", c1, today - timedelta(days=1))
    assert not s.opened_since("ada.test", c1, tomorrow) and not s.opened_since("ada.test", c3, today)
