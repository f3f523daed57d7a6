"""Offline copies checked against shields set since, on both implementations (issue 13 §3.2, R-SHIELD-2/4): a
client names the copies it holds; the directory answers which to drop: a shield set since by another user, a
shield in the household, a child the user never opened. It answers nothing more, and each check is audited."""
from __future__ import annotations

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.contract.test_directory_contract import MONITORING, REASON, done, find, refused, viewer


def _opened(client, who, did):
    find(client, who, did)
    return done(client.view_record(who, did, REASON))


def test_a_shield_set_by_another_user_since_the_copy_was_made_drops_it(client, facts):
    plain, shielded = facts.plain["did"], facts.shielded["did"]
    alex = viewer(client, "alex.practitioner")
    assert not _opened(client, alex, plain).shield_applied
    assert _opened(client, alex, shielded).shield_applied  # a restricted copy: nothing in it to drop
    never = "900 000 0068"  # a cast child alex has not opened: "drop", so nothing is learnt about it
    held = t.HeldCopies((plain, never))
    assert done(client.perform(ops.CHECK_COPIES, alex, held)).drop == (never,)
    sam = viewer(client, "sam.cp")
    find(client, sam, plain)
    assert done(client.perform(ops.REQUEST_SHIELD, sam, t.ShieldRequest(plain, t.ShieldGround.DOMESTIC_ABUSE,
                                                                        REASON)))
    assert done(client.perform(ops.CHECK_COPIES, alex, held)).drop == (plain, never)  # R-SHIELD-2: at once
    la = viewer(client, "jo.la")
    entries = [e for e in done(client.audit_entries(la)) if e.action == "copies_checked"]
    assert [(e.actor, e.detail["held"], e.detail["drop"]) for e in entries] == [
        ("alex.practitioner", 2, [never]), ("alex.practitioner", 2, [plain, never])]  # R-AUDIT-1


def test_a_shield_in_the_household_drops_a_siblings_copy(client):
    """Issue 13 §3.1 with §3.2: Kerensa is held by her sister Lowenna's shield; a copy of her record (as the LA
    team, which sees it in full) stays, a practitioner's is dropped."""
    kerensa = "900 000 0114"
    la = viewer(client, "jo.la")
    find(client, la, kerensa, MONITORING)
    done(client.view_record(la, kerensa, MONITORING))
    assert done(client.perform(ops.CHECK_COPIES, la, t.HeldCopies((kerensa,)))).drop == ()
    alex = viewer(client, "alex.practitioner")
    assert _opened(client, alex, kerensa).household_withheld
    assert done(client.perform(ops.CHECK_COPIES, alex, t.HeldCopies((kerensa,)))).drop == (kerensa,)


def test_what_a_check_may_name_is_bounded(client):
    alex = viewer(client, "alex.practitioner")
    refused(client.perform(ops.CHECK_COPIES, alex, t.HeldCopies(("1" * 17,))), AccessRefused, "input.required")
    refused(client.perform(ops.CHECK_COPIES, alex, t.HeldCopies(("900 000 0017",) * 501)), AccessRefused,
            "input.required")
