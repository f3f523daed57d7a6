"""Closure mode (R-CLOSE-1): switch-off from the environment, the service's status or the store;
remembered for later starts with no network; the LA team may open closure tasks beforehand."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.closure.mode import ON_DEMAND, OPEN, SERVICE_CLOSED, SWITCHED_OFF, ModeError, closure_mode, open_on_demand

BEFORE = datetime(2026, 8, 6, 16, 59, tzinfo=UTC)
AFTER = datetime(2026, 8, 6, 17, 0, tzinfo=UTC)


def test_not_in_closure_before_switch_off():
    m = closure_mode(BEFORE, environ={"SIGNPOST_SWITCH_OFF": "2026-08-06T18:00:00+01:00"})
    assert (m.closed, m.why, m.tasks_open) == (False, OPEN, False)
    assert m.switch_off == AFTER


def test_closed_from_the_switch_off_set_in_the_environment():
    m = closure_mode(AFTER, environ={"SIGNPOST_SWITCH_OFF": "2026-08-06T17:00:00Z"})
    assert (m.closed, m.why, m.tasks_open) == (True, SWITCHED_OFF, True)


def test_the_service_status_switch_off_is_remembered_for_a_start_with_no_network(store):
    status = {"kind": "service", "version": "1", "closes_at": "2026-08-06T17:00:00+00:00"}
    assert not closure_mode(BEFORE, store=store, status=status, environ={}).closed
    # later, offline: no status at all
    m = closure_mode(AFTER, store=store, environ={})
    assert (m.closed, m.why) == (True, SWITCHED_OFF)
    assert "switch_off_known" in [e.action for e in store.audit_entries()]


def test_service_closed_error_puts_the_client_in_closure_and_stays(store):
    assert closure_mode(BEFORE, store=store, service_closed=True, environ={}).why == SERVICE_CLOSED
    assert closure_mode(BEFORE, store=store, environ={}).closed


def test_the_date_the_la_set_up_closure_with_switches_off_at_noon_with_no_network(store):
    """Set up with switch-off 2026-08-06: closed from noon that day, Europe/London (11:00 UTC in summer), as
    seed 000's was, not from the midnight before (issue 15 3.10)."""
    assert not closure_mode(datetime(2026, 8, 6, 10, 59, tzinfo=UTC), store=store, environ={}).closed
    m = closure_mode(datetime(2026, 8, 6, 11, 0, tzinfo=UTC), store=store, environ={})
    assert m.closed and m.switch_off == datetime(2026, 8, 6, 11, 0, tzinfo=UTC)


def test_a_switch_off_always_has_a_time_on_the_las_clock():
    from app.closure.mode import parse_when, when_words
    assert parse_when("2010-08-06") == datetime(2010, 8, 6, 11, 0, tzinfo=UTC)  # noon BST (seed 000)
    assert parse_when("2026-12-01T17:00") == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # GMT in winter
    assert parse_when("2026-08-06T17:00") == datetime(2026, 8, 6, 16, 0, tzinfo=UTC)  # without a zone: London
    assert when_words(parse_when("2010-08-06")) == "12:00 on 6 August 2010"
    with pytest.raises(ModeError):
        parse_when("6th August")


def test_la_team_opens_closure_on_demand_without_closing_the_directory(store):
    with pytest.raises(ModeError):
        open_on_demand(store, "alex.practitioner", la_team=False, now=BEFORE)
    open_on_demand(store, "jo.la", la_team=True, now=datetime(2026, 7, 1, tzinfo=UTC))
    m = closure_mode(datetime(2026, 7, 2, tzinfo=UTC), store=store, environ={})
    assert (m.closed, m.why, m.tasks_open) == (False, ON_DEMAND, True)
