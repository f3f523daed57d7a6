"""R-CLOSE-1: at the switch-off time the directory stops for every user, signed in or not, and both ways of
reaching it say so the same way (``ServiceClosed``), so the client can offer only the closure tasks."""
from __future__ import annotations

import time
from datetime import date

import pytest

from app import audit, directory_id
from app.directory import Directory, EmbeddedDirectory
from app.directory.interface import ServiceClosed
from app.refusals import SwitchedOff
from app.search import Criteria
from tests.conftest import TODAY, viewer_for


def test_work_stops_at_the_switch_off_even_for_a_user_signed_in_before_it(directory, reason):
    clock = [time.time()]
    directory.now = lambda: clock[0]
    alex = viewer_for(directory, "alex.practitioner")
    directory.set_switch_off(clock[0] + 60, by="jo.la")
    did = directory_id.fmt(directory.conn.execute("SELECT directory_id FROM children LIMIT 1").fetchone()[0])
    assert directory.search(alex, Criteria(directory_id=did), reason).hits  # before switch-off: works
    clock[0] += 61
    with pytest.raises(SwitchedOff):
        directory.search(alex, Criteria(directory_id=did), reason)
    with pytest.raises(SwitchedOff):
        viewer_for(directory, "sam.cp")  # nobody but the LA team signs in any more ...
    la = viewer_for(directory, "jo.la")  # ... and the LA team only to reach the closure tasks
    with pytest.raises(SwitchedOff):
        directory.search(la, Criteria(directory_id=did), reason)
    assert any(e.action == "switch_off_set" and e.actor == "jo.la" for e in audit.entries(directory.conn))


def test_the_switch_off_is_kept_in_the_directory_and_shown_in_its_status(directory_copy, reason):
    path, key = directory_copy
    client = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    try:
        alex = client.run_on_engine(lambda d: viewer_for(d, "alex.practitioner")).result(timeout=30)
        when = time.time() - 1
        client.run_on_engine(lambda d: d.set_switch_off(when, by="admin")).result(timeout=30)
        assert client.status().closes_at == pytest.approx(when, abs=1)
        refused = client.search(alex, Criteria(family_name="Smith", dob=date(2015, 1, 1)), reason)
        assert isinstance(refused.exception(timeout=30), ServiceClosed)  # as the HTTPS client says the 503
    finally:
        client.close()
    reopened = Directory.open(path, key, clock=lambda: TODAY)  # kept in the directory, not the process
    try:
        assert reopened.switched_off()
    finally:
        reopened.close()
