"""The directory's own switch-off (R-CLOSE-1, issue 14 §1 item 7) through both implementations: from the
switch-off every request a signed-in user makes is ``ServiceClosed``, and the status says when it closed,
embedded and over HTTPS alike (the switch-off set in the directory, as ``signpost switch-off`` does)."""
from __future__ import annotations

import time

import pytest

from app.directory import ServiceClosed
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.search import Criteria
from tests.contract.test_directory_contract import REASON, done, viewer


def test_after_the_directorys_switch_off_every_request_is_service_closed_and_the_status_says_when(
        client, kind, facts):
    alex, la = viewer(client, "alex.practitioner"), viewer(client, "jo.la")
    engine = client if kind == "embedded" else client.service.app.state.directory
    when = time.time() - 5
    done(engine.run_on_engine(lambda d: d.set_switch_off(when, by="admin")))
    for future in (client.search(alex, Criteria(directory_id=facts.plain["did"]), REASON),
                   client.view_record(alex, facts.plain["did"], REASON), client.perform(ops.INBOX, alex, t.Nothing()),
                   client.perform(ops.ALERTS, la, t.Nothing()), client.audit_entries(la)):
        assert isinstance(future.exception(timeout=30), ServiceClosed)
    assert client.status().closes_at == pytest.approx(when, abs=1)
    if kind == "remote":  # and what the service says of itself, asked afresh
        assert done(client.probe())["closes_at"] and client.status().closes_at == pytest.approx(when, abs=1)
