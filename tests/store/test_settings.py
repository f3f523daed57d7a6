"""The settings store (issue 16 §1): the directory's limits, switch-off time, kind and reference date, as the
engine reads them at open and after an administrator's change (R-SEARCH-6, R-ROLE-4, R-CLOSE-1)."""
from __future__ import annotations

from app.limits import Limits
from tests.conftest import TODAY


def test_a_limit_not_set_reads_as_none_and_the_default_holds(store):
    assert store.settings.limit("searches_per_minute") is None
    assert Limits.from_directory(store.settings) == Limits()


def test_a_limit_written_is_read_back_and_a_second_write_replaces_it(store):
    store.settings.set_limit("failed_signins_before_lock", 3)
    assert store.settings.limit("failed_signins_before_lock") == "3"
    store.settings.set_limit("failed_signins_before_lock", 8)
    assert store.settings.limit("failed_signins_before_lock") == "8"
    assert store.settings.limit("searches_per_hour") is None  # one limit's key is not another's
    assert Limits.from_directory(store.settings).failed_signins_before_lock == 8  # R-ROLE-4


def test_the_switch_off_time_is_set_replaced_and_cleared(store):  # R-CLOSE-1
    assert store.settings.closes_at() is None
    store.settings.set_closes_at("2027-01-31T17:00:00+00:00")
    assert store.settings.closes_at() == "2027-01-31T17:00:00+00:00"
    store.settings.set_closes_at("2027-02-28T17:00:00+00:00")
    assert store.settings.closes_at() == "2027-02-28T17:00:00+00:00"
    store.settings.set_closes_at(None)
    assert store.settings.closes_at() is None
    store.settings.set_closes_at(None)  # clearing what is not set is no error
    assert store.settings.closes_at() is None


def test_a_training_directory_names_its_kind_and_reference_date(store):
    assert store.settings.kind_and_reference_date() == ("training", TODAY.isoformat())
