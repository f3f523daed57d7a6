"""A change sent again with its idempotency key (issue 13 §2 items 1-2), on both implementations: the repeat
is checked (session, account, policy) before anything is answered, audited, never answers a read from the
store, and the same key with another request is refused."""
from __future__ import annotations

import pytest

from app.directory import AccessRefused, SignedIn
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason
from tests.conftest import SoftToken
from tests.contract.test_directory_contract import done, find, refused, viewer
from tests.contract.test_work_involvements import new

SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)
KEY = "replay-override-0001"


def _override(client, sam, did):
    return client.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, SAFEGUARDING, True), key=KEY)


def _sams_entries(client, la, action: str):
    return [e for e in done(client.audit_entries(la)) if e.actor == "sam.cp" and e.action == action]


def _alerts(client, la, kind: t.AlertKind):
    return [a for a in done(client.perform(ops.ALERTS, la, t.Nothing())) if a.kind is kind and a.actor == "sam.cp"]


def test_a_replayed_override_is_never_answered_from_the_store(client, facts):
    """R-SHIELD-6, R-AUDIT-1: a repeat of an override is a read of the shielded record: it goes through policy
    again, so it is audited as an override again and the LA team is alerted again, with the repeat audited."""
    did = facts.shielded["did"]
    sam = viewer(client, "sam.cp")
    find(client, sam, did, SAFEGUARDING)
    first = done(_override(client, sam, did))
    again = done(_override(client, sam, did))
    assert again.override and again.address == first.address
    la = viewer(client, "jo.la")
    assert len(_sams_entries(client, la, "shield_override")) == 2
    assert len(_alerts(client, la, t.AlertKind.SHIELD_OVERRIDE)) == 2
    (replayed,) = _sams_entries(client, la, "request_replayed")
    assert replayed.detail["op"] == "override_shield" and replayed.detail["answered"] == "run_again"
    assert KEY not in str(replayed.detail)  # a fingerprint of the key, never the key itself


@pytest.mark.parametrize("stopped", ["disabled", "token_replaced"])
def test_the_old_bearer_replaying_an_override_after_the_la_team_stops_the_user_is_refused(client, facts, stopped):
    """The issue's attack: a child-protection user overrides a shield; the LA team disables the user (or
    re-enrols their token); the old session replays the idempotency key. Refused before anything is answered,
    audited as a refused override, and the LA team is alerted (R-SHIELD-6, R-ROLE-4, R-AUDIT-1)."""
    did = facts.shielded["did"]
    sam = viewer(client, "sam.cp")
    find(client, sam, did, SAFEGUARDING)
    done(_override(client, sam, did))
    la = viewer(client, "jo.la")
    if stopped == "disabled":
        done(client.perform(ops.CHANGE_USER, la, t.UserChange("sam.cp", t.UserAction.DISABLE)))
    else:
        fresh = SoftToken(f"replacement-{client.kind}-sam")
        done(client.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment("sam.cp", fresh.serial, fresh.public("sign"),
                                                                   fresh.public("wrap"))))
    refused(_override(client, sam, did), AccessRefused, "access.session_ended")
    (refusal,) = _sams_entries(client, la, "override_shield_refused")  # the operation refused
    assert refusal.detail["why"] == "access.session_ended" and refusal.detail["replayed"]
    assert len(_sams_entries(client, la, "shield_override")) == 1  # nothing was shown again
    (alert,) = _alerts(client, la, t.AlertKind.REPLAY_REFUSED)
    assert alert.directory_id == did


def test_the_same_key_with_another_request_is_refused(client, facts):
    """A key names one request: a different body under it is ``request.key_reused``, audited, never the first
    request's answer."""
    did = facts.plain["did"]
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did), key="outbox-reused-1"))
    refused(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did, phone="0191 555 0999"), key="outbox-reused-1"),
            AccessRefused, "request.key_reused")
    refused(client.perform(ops.REQUEST_SHIELD, alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE,
                                                                      new(did).reason), key="outbox-reused-1"),
            AccessRefused, "request.key_reused")
    la = viewer(client, "jo.la")
    refusals = [e for e in done(client.audit_entries(la))
                if e.actor == "alex.practitioner" and e.detail.get("why") == "request.key_reused"]
    assert [e.action for e in refusals] == ["record_involvement_refused", "request_shield_refused"]


def test_a_change_replayed_from_a_new_session_answers_what_it_answered_and_is_audited(client, facts):
    """The offline outbox re-sends after signing in again: the change is done once, its answer given again,
    and the repeat is in the audit (R-AUDIT-1)."""
    did = facts.plain["did"]
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    first = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did), key="outbox-again-1"))
    later = viewer(client, "alex.practitioner")  # a new session: no search needed to replay
    assert done(client.perform(ops.RECORD_INVOLVEMENT, later, new(did), key="outbox-again-1")) == first
    la = viewer(client, "jo.la")
    (replayed,) = [e for e in done(client.audit_entries(la))
                   if e.actor == "alex.practitioner" and e.action == "request_replayed"]
    assert replayed.detail["op"] == "record_involvement" and replayed.detail["answered"] == "stored"



def test_a_repeat_from_a_session_that_simply_ended_is_refused_without_an_alert(client, facts):
    """A session signed out (or gone idle) is not a stopped user: the repeat is refused and audited, and the
    LA team is not alerted."""
    did = facts.shielded["did"]
    sam = viewer(client, "sam.cp")
    find(client, sam, did, SAFEGUARDING)
    done(_override(client, sam, did))
    done(client.sign_out(SignedIn(sam.user, "", b"", sam.session)))
    refused(_override(client, sam, did), AccessRefused, "access.session_ended")
    la = viewer(client, "jo.la")
    assert _sams_entries(client, la, "override_shield_refused")
    assert not _alerts(client, la, t.AlertKind.REPLAY_REFUSED)
