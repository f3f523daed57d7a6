"""The LA's closure register kept by the directory, on both implementations (R-CLOSE-1..5, R-AUDIT-1/3):
several LA officers at several desks work on one register, one audited step at a time."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app import audit_archive
from app.closure import steps
from app.closure.plan import Checklist
from app.closure.register import Register
from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.contract.conftest import token_for
from tests.contract.test_directory_contract import done, refused, viewer

SWITCH_OFF = date(2026, 12, 11)


def send(client, who, kind, where="NBR-DESK-1", **args):
    step = steps.make(kind, who.user.username, where=where, **args)
    return client.perform(ops.CLOSURE_STEP, who, t.ClosureStep(step), key=step["id"]), step


def record(client, who) -> tuple[t.ClosureRecord, Register, Checklist]:
    rec = done(client.perform(ops.CLOSURE_RECORD, who, t.Nothing()))
    return rec, Register.from_json(rec.register), Checklist.from_json(rec.checklist)


def test_the_register_is_the_directorys_each_step_audited_with_who_and_where(client):
    """R-CLOSE-3, R-AUDIT-1: set up once, filled with the LA's issued tokens (each holder's own organisation and
    contact), changed from two desks; each step recorded with who and where, and the register the same for all."""
    la = viewer(client, "jo.la")
    viewer(client, "alex.practitioner")  # alex has signed in with their token: used
    empty = done(client.perform(ops.CLOSURE_RECORD, la, t.Nothing()))
    assert (empty.version, empty.register, empty.la_name) == (0, "", "Northbridge")
    assert "Northbridge Family Hub" in empty.organisations and empty.la_code == "NBR"
    assert done(send(client, la, "setup", day=SWITCH_OFF.isoformat())[0]).version == 1
    rec, reg, cl = record(client, la)
    alex = reg.token(token_for("alex.practitioner").serial)
    assert reg.la == "Northbridge" and reg.la_code == "NBR"
    assert (alex.holder, alex.holder_organisation, alex.organisation) == (
        "Alex Morgan", "Northbridge Family Hub", "Northbridge")  # returned with the LA, their own organisation kept
    assert (alex.phone, alex.email, alex.used) == ("07700 900101", "alex.morgan@northbridge-family-hub.example", True)
    assert cl.switch_off == SWITCH_OFF and reg.return_deadline == date(2026, 12, 18)

    sam = token_for("sam.cp").serial
    done(send(client, la, "set_used", where="NBR-DESK-1", serial=sam, used=False)[0])
    later = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)  # verified offline, sent later
    step = steps.make("record_reset", "someone.else", at=later, where="NBR-DESK-2", serial=sam, how="la_team")
    assert done(client.perform(ops.CLOSURE_STEP, la, t.ClosureStep(step), key=step["id"])).version == 3
    rec, reg, _ = record(client, la)
    token = reg.token(sam)
    assert (token.used, token.reset_how, token.reset_by, token.state) == (False, "la_team", "jo.la", "collected")
    assert token.reset_at == later.isoformat(timespec="seconds")  # the desk's own time of the verified reset
    assert (rec.version, rec.changed_by, rec.changed_where) == (3, "jo.la", "NBR-DESK-2")
    entries = [e for e in done(client.audit_entries(la)) if e.action == "closure_step"]
    assert [(e.actor, e.detail["kind"], e.detail["where"]) for e in entries] == [
        ("jo.la", "setup", "NBR-DESK-1"), ("jo.la", "set_used", "NBR-DESK-1"), ("jo.la", "record_reset", "NBR-DESK-2")]


def test_a_step_the_register_refuses_changes_nothing_and_says_why_by_code(client):
    la = viewer(client, "jo.la")
    done(send(client, la, "setup", day=SWITCH_OFF.isoformat())[0])
    alex = token_for("alex.practitioner").serial
    exc = refused(send(client, la, "put_in_envelope", serial=alex, envelope="NBR-USED-1")[0], AccessRefused,
                  "closure.step_refused")
    assert exc.params["refused"] == "token_not_in_hand"
    rec, reg, _ = record(client, la)
    assert rec.version == 1 and not reg.envelopes
    refused(send(client, la, "setup", day=SWITCH_OFF.isoformat())[0], AccessRefused, "closure.already_set_up")
    bad = client.perform(ops.CLOSURE_STEP, la, t.ClosureStep({"kind": "set_used", "serial": alex}))
    assert refused(bad, AccessRefused, "closure.step_invalid").params["refused"] == "step_invalid"


def test_a_step_sent_twice_is_done_once(client):
    """Nothing counted twice (R-CLOSE-3): a step re-sent after a lost answer, with the same key."""
    la = viewer(client, "jo.la")
    done(send(client, la, "setup", day=SWITCH_OFF.isoformat())[0])
    step = steps.make("set_partners", "jo.la", where="NBR-DESK-1", partners=["Northbridge Contact Centre"])
    first = done(client.perform(ops.CLOSURE_STEP, la, t.ClosureStep(step), key=step["id"]))
    again = done(client.perform(ops.CLOSURE_STEP, la, t.ClosureStep(step), key=step["id"]))
    assert first.version == again.version == 2
    _, reg, _ = record(client, la)
    morgan = reg.token(token_for("morgan.mediator").serial)
    assert reg.partners == ["Northbridge Contact Centre"] and morgan.organisation == "Northbridge Contact Centre"


def test_only_the_la_team_reads_or_changes_its_closure_register(client):
    alex = viewer(client, "alex.practitioner")
    refused(client.perform(ops.CLOSURE_RECORD, alex, t.Nothing()), AccessRefused, "access.la_team_only")
    refused(send(client, alex, "setup", day=SWITCH_OFF.isoformat())[0], AccessRefused, "access.la_team_only")
    refused(client.perform(ops.CLOSURE_AUDIT_ARCHIVE, alex, t.Nothing()), AccessRefused, "access.la_team_only")


def test_the_las_whole_audit_is_exported_for_retention_and_verifies(client):
    """R-AUDIT-3: every entry about the LA from the log's first day, proven against the signed checkpoint."""
    la = viewer(client, "jo.la")
    viewer(client, "alex.practitioner")
    archive = done(client.perform(ops.CLOSURE_AUDIT_ARCHIVE, la, t.Nothing()))
    assert archive.la_code == "NBR" and audit_archive.verify(archive, done(client.audit_public_key())).ok
    assert {"sign_in"} <= {e.action for e in archive.entries}
    assert any(e.actor == "alex.practitioner" for e in archive.entries)


def test_after_the_switch_off_only_a_directory_on_this_computer_keeps_the_la_teams_closure_register(client, kind):
    """R-CLOSE-1 (seed 000: "From this point, it will not be possible for the system to be accessed by any user
    ... no activities will be possible on the system"): after the switch-off the directory service answers
    nobody, the LA team's closure register included, which then goes on from the workstation's encrypted copy
    (app.closure.sync). The embedded training directory, on this computer, keeps the LA team's closure tasks
    (its register, its steps, its audit for retention) so a training desk can rehearse them; nobody else works."""
    import time

    from app.directory.interface import ServiceClosed
    la = viewer(client, "jo.la")
    alex = viewer(client, "alex.practitioner")
    done(send(client, la, "setup", day=SWITCH_OFF.isoformat())[0])
    engine = client if kind == "embedded" else client.service.app.state.directory
    engine.run_on_engine(lambda d: d.set_switch_off(time.time() - 1, by="test")).result(timeout=30)
    if kind == "remote":
        for op, request in ((ops.CLOSURE_RECORD, t.Nothing()), (ops.CLOSURE_AUDIT_ARCHIVE, t.Nothing()),
                            (ops.INBOX, t.Nothing())):
            assert isinstance(client.perform(op, la, request).exception(timeout=30), ServiceClosed)
    else:
        assert done(send(client, la, "set_partners", partners=["Northbridge Contact Centre"])[0]).version == 2
        assert done(client.perform(ops.CLOSURE_RECORD, la, t.Nothing())).version == 2
        kept = done(client.perform(ops.CLOSURE_AUDIT_ARCHIVE, la, t.Nothing()))
        assert audit_archive.verify(kept, done(client.audit_public_key())).ok
        assert isinstance(client.perform(ops.INBOX, la, t.Nothing()).exception(timeout=30), ServiceClosed)
    assert isinstance(client.perform(ops.CLOSURE_RECORD, alex, t.Nothing()).exception(timeout=30), ServiceClosed)
