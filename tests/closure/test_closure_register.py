"""The token register, envelopes, the chase list and CSV import (R-CLOSE-3, R-CLOSE-4)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.closure.flow import HOLDER, LA_TEAM, ResetState
from app.closure.plan import Plan
from app.closure.register import (
    COLLECTED,
    DESTROYED,
    LOST,
    MAX_CSV_ROWS,
    MISSING,
    RETURNED,
    RETURNED_BLOCKED,
    CsvImportError,
    Register,
    RegisterError,
)

LA, NP = "Northshire", "National Charity"
SWITCH_OFF = date(2010, 8, 6)
AT = datetime(2010, 8, 9, 14, 0)


def register() -> Register:
    r = Register(LA, Plan.default().return_deadline(SWITCH_OFF), [NP])
    r.add_token("TK-001", "Ann Able", LA, used=True, holder_organisation="Northshire Family Hub",
                email="ann.able@northshire.example")
    r.add_token("TK-002", "Bob Bell", LA, used=False, holder_organisation="Northshire School Nursing")
    r.add_token("NP-001", "Cat Cole", NP, used=True, holder_organisation=NP, phone="01632 960001")
    r.add_token("TK-003", "Dan Dale", LA)  # used not yet known
    return r


def ready(r: Register, eid: str) -> None:
    """What comes before sending: the count and every serial checked, then the labels made."""
    e = r.envelope(eid)
    r.seal(eid, e.count, list(e.serials), "la.officer", AT)
    r.labels_made([eid], AT)


def refused(code, act):
    with pytest.raises(RegisterError) as e:
        act()
    assert e.value.code == code, str(e.value)
    return e.value


def test_each_token_is_logged_with_holder_organisation_used_and_verified_reset():
    """R-CLOSE-3: serial, holder, organisation (partners included), used, reset verified how/when/by."""
    r = register()
    r.record_reset("tk-001", HOLDER, "ann.able", AT)
    r.record_reset("NP-001", LA_TEAM, "la.officer", AT)
    t = r.token("TK-001")
    assert (t.holder, t.organisation, t.used, t.state) == ("Ann Able", LA, True, COLLECTED)
    assert (t.reset_how, t.reset_by, t.reset_at) == (HOLDER, "ann.able", "2010-08-09T14:00:00")
    assert r.token("NP-001").organisation == NP and r.token("NP-001").reset_how == LA_TEAM
    assert r.token("TK-002").state == MISSING and not r.token("TK-002").reset_verified
    refused("serial_duplicate", lambda: r.add_token("tk-001", "Someone", LA))
    refused("organisation_unknown", lambda: r.add_token("TK-009", "Eve", "Other Council"))
    refused("reset_how_unknown", lambda: r.record_reset("TK-002", "post", "x", AT))
    refused("state_unknown", lambda: r.set_state("TK-002", "eaten"))


def test_reset_flow_endings_are_recorded_and_nothing_else_is():
    """R-CLOSE-3: a verified flow records the reset; a blocked SO PIN records returned_blocked."""
    r = register()
    r.record_flow(ResetState("TK-001", path=HOLDER, record="verified", ending="done"), "la.officer", AT)
    r.record_flow(ResetState("TK-002", path=LA_TEAM, record="returned_blocked", ending="so_blocked"), "x", AT)
    r.record_flow(ResetState("NP-001", path=HOLDER, record=None, ending="pulled"), "x", AT)
    assert r.token("TK-001").reset_how == HOLDER and r.token("TK-001").state == COLLECTED
    assert r.token("TK-002").state == RETURNED_BLOCKED and not r.token("TK-002").reset_verified
    assert r.token("NP-001").state == MISSING and not r.token("NP-001").reset_verified


def test_chase_list_lists_missing_tokens_with_holders_la_first():
    """R-CLOSE-3: the missing ones with the holder's contact; lost/destroyed are not chased."""
    r = register()
    r.record_reset("TK-001", HOLDER, "ann.able", AT)
    r.set_state("TK-003", LOST)
    assert [(c.serial, c.holder, c.holder_organisation, c.phone, c.email) for c in r.chase_list()] == [
        ("TK-002", "Bob Bell", "Northshire School Nursing", "", ""), ("NP-001", "Cat Cole", NP, "01632 960001", "")]


def test_envelope_is_marked_with_organisation_and_used_and_never_mixes_them():
    """R-CLOSE-4: one organisation and one of used/unused per envelope; refusals are coded."""
    r = register()
    for s in ("TK-001", "TK-002", "NP-001", "TK-003"):
        r.record_reset(s, HOLDER, "holder", AT)
    used = r.new_envelope("NS-U-1", LA, used=True)
    r.new_envelope("NS-N-1", LA, used=False)
    r.put_in_envelope("TK-001", "NS-U-1")
    r.put_in_envelope("TK-001", "NS-U-1")  # again: no double count
    assert (used.serials, used.count) == (["TK-001"], 1)
    assert used.label == "Northshire — USED tokens — 1"
    e = refused("envelope_mixes_used", lambda: r.put_in_envelope("TK-002", "NS-U-1"))
    assert "unused" in str(e)
    refused("envelope_mixes_organisations", lambda: r.put_in_envelope("NP-001", "NS-U-1"))
    refused("used_unknown", lambda: r.put_in_envelope("TK-003", "NS-N-1"))
    refused("already_in_envelope", lambda: r.put_in_envelope("TK-001", "NS-N-1"))
    refused("in_envelope", lambda: r.set_used("TK-001", False))
    refused("envelope_duplicate", lambda: r.new_envelope("NS-U-1", LA, used=True))
    refused("organisation_unknown", lambda: r.new_envelope("X-1", "Elsewhere", used=True))
    r.take_out("TK-001")
    r.set_used("TK-001", False)
    r.put_in_envelope("TK-001", "NS-N-1")
    assert used.count == 0 and r.envelope("NS-N-1").serials == ["TK-001"]


def test_only_collected_and_reset_tokens_go_in_an_envelope_blocked_ones_included():
    """R-CLOSE-3/R-CLOSE-2: a missing or unreset token cannot go; a returned_blocked one may."""
    r = register()
    r.new_envelope("NS-N-1", LA, used=False)
    refused("token_not_in_hand", lambda: r.put_in_envelope("TK-002", "NS-N-1"))
    r.set_state("TK-002", COLLECTED)
    refused("not_reset", lambda: r.put_in_envelope("TK-002", "NS-N-1"))
    r.set_state("TK-002", RETURNED_BLOCKED)
    r.put_in_envelope("TK-002", "NS-N-1")
    assert r.envelope("NS-N-1").serials == ["TK-002"]


def test_sending_records_recorded_delivery_and_returns_the_tokens():
    """R-CLOSE-4: recorded-delivery reference and date; a sent envelope is closed."""
    r = register()
    r.record_reset("TK-001", HOLDER, "ann.able", AT)
    r.set_state("TK-002", RETURNED_BLOCKED)
    r.new_envelope("NS-U-1", LA, used=True)
    r.new_envelope("NS-N-1", LA, used=False)
    refused("envelope_empty", lambda: r.send("NS-U-1", "RR123456789GB", date(2010, 8, 10)))
    r.put_in_envelope("TK-001", "NS-U-1")
    r.put_in_envelope("TK-002", "NS-N-1")
    ready(r, "NS-U-1")
    refused("delivery_ref_invalid", lambda: r.send("NS-U-1", "??", date(2010, 8, 10)))
    r.send("NS-U-1", "rr 1234 5678 9gb", date(2010, 8, 10))
    e = r.envelope("NS-U-1")
    assert (e.delivery_ref, e.sent_on) == ("RR 1234 5678 9GB", "2010-08-10")
    assert r.token("TK-001").state == RETURNED
    refused("envelope_sent", lambda: r.send("NS-U-1", "RR999999999GB", date(2010, 8, 11)))
    refused("envelope_sent", lambda: r.take_out("TK-001"))
    refused("state_by_sending", lambda: r.set_state("TK-003", RETURNED))
    ready(r, "NS-N-1")
    r.send("NS-N-1", "RR000000001GB", date(2010, 8, 10))
    assert r.token("TK-002").state == RETURNED_BLOCKED  # still says how it went back


def test_late_shows_what_missed_the_return_deadline():
    """R-CLOSE-4: the return deadline (seed 000: 13 August) and what is late after it."""
    r = register()
    assert r.return_deadline == date(2010, 8, 13)
    for s in ("TK-001", "TK-002", "NP-001"):
        r.record_reset(s, HOLDER, "holder", AT)
    r.set_state("TK-003", DESTROYED)
    r.new_envelope("NS-U-1", LA, used=True)
    r.new_envelope("NS-N-1", LA, used=False)
    r.new_envelope("NP-U-1", NP, used=True)
    r.put_in_envelope("TK-001", "NS-U-1")
    r.put_in_envelope("TK-002", "NS-N-1")
    r.put_in_envelope("NP-001", "NP-U-1")
    ready(r, "NS-U-1")
    r.send("NS-U-1", "RR000000001GB", date(2010, 8, 13))
    assert not r.late(date(2010, 8, 13))  # on the deadline day nothing is late yet
    ready(r, "NP-U-1")
    r.send("NP-U-1", "RR000000002GB", date(2010, 8, 16))
    late = r.late(date(2010, 8, 17))
    assert late.envelopes_unsent == ("NS-N-1",)
    assert late.envelopes_sent_late == ("NP-U-1",)
    assert late.tokens_not_returned == ("TK-002",)  # destroyed TK-003 is accounted for


def test_csv_import_adds_tokens_issued_outside_the_directory_once():
    """R-CLOSE-3: CSV import; a repeated row or an already-registered serial is not counted twice."""
    r = register()
    text = ("\ufeffSerial,Holder,Organisation,Used,Holder_organisation,Phone,Email\n"
            "ext-100,Fay Fox,Northshire,yes,Northshire Youth Service,,fay@example.org\n"
            "EXT-101,Gus Gray,National Charity,,,01632 960002,\n"
            "\n"
            "EXT-100,Fay Fox,Northshire,yes,Northshire Youth Service,,fay@example.org\n"
            "TK-001,Ann Able,Northshire,yes,,,\n")
    res = r.import_csv(text)
    assert res.added == ("EXT-100", "EXT-101")
    assert res.repeated_in_file == ("EXT-100",) and res.already_present == ("TK-001",)
    assert len(r.tokens) == 6
    assert r.token("EXT-101").used is None and r.token("EXT-101").organisation == NP
    fay = r.token("EXT-100")
    assert (fay.email, fay.holder_organisation) == ("fay@example.org", "Northshire Youth Service")
    assert (r.token("EXT-101").phone, r.token("EXT-101").holder_organisation) == ("01632 960002", NP)
    assert r.import_csv(text).added == ()


def test_csv_import_refuses_the_whole_file_with_line_numbered_errors():
    """R-CLOSE-3: validated as a whole; each error names its line; nothing half-imported."""
    r = register()
    before = r.to_json()
    text = ("serial,holder,organisation,used\n"
            "EXT-1,Hal Hunt,Northshire,yes\n"
            "bad serial!,Ian Ives,Northshire,no\n"
            "EXT-2,,Northshire,no\n"
            "EXT-3,Jo Jay,Southshire,no\n"
            "EXT-4,Kim Kay,Northshire,perhaps\n"
            "EXT-1,Someone Else,Northshire,yes\n"
            "TK-002,Not Bob,Northshire,no\n"
            "EXT-5,Lee Lo,Northshire,no,extra,fields\n")
    with pytest.raises(CsvImportError) as e:
        r.import_csv(text)
    assert [n for n, _ in e.value.errors] == [3, 4, 5, 6, 7, 8, 9]
    msg = str(e.value)
    assert "Nothing was imported" in msg and "line 5:" in msg and "Southshire" in msg
    assert "line 7: token EXT-1 is also on line 2" in msg
    assert "already registered to Bob Bell" in msg
    assert r.to_json() == before
    with pytest.raises(CsvImportError) as e:
        r.import_csv("serial,name\nX,Y\n")
    assert e.value.errors[0][0] == 1 and "holder" in str(e.value)


def test_csv_import_is_bounded():
    """R-CLOSE-3: a file beyond the row bound is refused, not half-read."""
    r = register()
    rows = "".join(f"B-{i},Holder {i},Northshire,no\n" for i in range(MAX_CSV_ROWS + 1))
    with pytest.raises(CsvImportError) as e:
        r.import_csv("serial,holder,organisation,used\n" + rows)
    assert "split the file" in str(e.value)
    assert len(r.tokens) == 4
    with pytest.raises(CsvImportError) as e:
        r.import_csv("serial,holder,organisation\n" + "x" * 1_000_001)
    assert "larger than" in str(e.value)


def test_register_round_trips_through_json():
    """R-CLOSE-3/R-CLOSE-4: a later session resumes the register and envelopes intact."""
    r = register()
    r.record_reset("TK-001", HOLDER, "ann.able", AT)
    r.new_envelope("NS-U-1", LA, used=True)
    r.put_in_envelope("TK-001", "NS-U-1")
    ready(r, "NS-U-1")
    r.send("NS-U-1", "RR000000001GB", date(2010, 8, 10))
    again = Register.from_json(r.to_json())
    assert again == r and again.to_json() == r.to_json()
    assert again.late(date(2010, 8, 20)) == r.late(date(2010, 8, 20))
    broken = r.to_json().replace('"envelope": "NS-U-1"', '"envelope": null')
    with pytest.raises(RegisterError) as e:
        Register.from_json(broken)
    assert e.value.code == "store_inconsistent"
    with pytest.raises(RegisterError) as e:
        Register.from_json(r.to_json().replace('"serials": ["TK-001"]', '"serials": []'))
    assert e.value.code == "store_inconsistent"


def _envelope_of_two() -> Register:
    r = register()
    r.la_code = "NS"
    for s in ("TK-001", "NP-001"):
        r.record_reset(s, HOLDER, "holder", AT)
    r.add_token("TK-004", "Eve East", LA, used=True)
    r.record_reset("TK-004", HOLDER, "holder", AT)
    r.new_envelope("NS-U-1", LA, used=True)
    r.put_in_envelope("TK-001", "NS-U-1")
    r.put_in_envelope("TK-004", "NS-U-1")
    return r


def test_an_envelope_is_sealed_only_when_the_count_and_every_scanned_serial_match():
    """R-CLOSE-3/4 (15 §3.6): before sealing, the officer's count and each serial (a barcode reader types it)
    must match the register; a mismatch is refused, names the serials and seals nothing."""
    r = _envelope_of_two()
    e = refused("count_mismatch", lambda: r.seal("NS-U-1", 3, ["TK-001", "TK-004"], "la.officer", AT))
    assert "You counted 3; the register has 2" in str(e)
    e = refused("serials_mismatch", lambda: r.seal("NS-U-1", 2, ["tk-001", "NP-001"], "la.officer", AT))
    assert "not in envelope NS-U-1 in the register: NP-001" in str(e) and "not scanned: TK-004" in str(e)
    refused("serial_scanned_twice", lambda: r.seal("NS-U-1", 2, ["TK-001", "tk-001"], "la.officer", AT))
    assert r.envelope("NS-U-1").sealed_at is None
    r.seal("NS-U-1", 2, [" tk-004 ", "TK-001"], "la.officer", AT)  # any order, as scanned
    assert r.envelope("NS-U-1").sealed_by == "la.officer"
    r.add_token("TK-005", "Fay Fern", LA, used=True)
    r.record_reset("TK-005", HOLDER, "holder", AT)
    refused("envelope_sealed", lambda: r.put_in_envelope("TK-005", "NS-U-1"))
    refused("envelope_sealed", lambda: r.take_out("TK-001"))
    assert r.place("TK-005", 50) == "NS-USED-1"  # a sealed envelope takes no more: a new one
    r.unseal("NS-U-1")
    r.take_out("TK-004")
    assert r.envelope("NS-U-1").serials == ["TK-001"]


def test_an_envelope_is_sent_only_once_sealed_and_its_labels_made_and_the_reference_comes_after():
    """R-CLOSE-4 (15 §3.1): "sent" is refused until the label was made; the recorded-delivery reference exists
    only once the counter issued the receipt, so it is recorded when sending, never before."""
    r = _envelope_of_two()
    refused("not_sealed", lambda: r.send("NS-U-1", "RR123456789GB", date(2010, 8, 10)))
    refused("not_sealed", lambda: r.labels_made(["NS-U-1"], AT))
    r.seal("NS-U-1", 2, ["TK-001", "TK-004"], "la.officer", AT)
    refused("labels_not_made", lambda: r.send("NS-U-1", "RR123456789GB", date(2010, 8, 10)))
    assert r.envelope("NS-U-1").delivery_ref is None
    r.labels_made(["NS-U-1"], AT)
    r.send("NS-U-1", "RR123456789GB", date(2010, 8, 10))
    assert r.envelope("NS-U-1").delivery_ref == "RR123456789GB"
    refused("envelope_sent", lambda: r.unseal("NS-U-1"))


def test_place_fills_one_open_envelope_per_organisation_and_use_then_a_new_one():
    """R-CLOSE-4: one way to choose an envelope (the batch and "Reset one token" alike): never mixed."""
    r = register()
    r.la_code = "NS"
    for s in ("TK-001", "TK-002", "NP-001"):
        r.record_reset(s, HOLDER, "holder", AT)
    assert [r.place(s, 1) for s in ("TK-001", "TK-002", "NP-001")] == ["NS-USED-1", "NS-UNUSED-1", "NC-USED-1"]
    refused("used_unknown", lambda: r.place("TK-003", 1))
    r.add_token("TK-009", "Gil Green", LA, used=True)
    r.record_reset("TK-009", HOLDER, "holder", AT)
    assert r.place("TK-009", 1) == "NS-USED-2"  # the first is full


def test_national_partners_are_listed_by_the_la_and_carry_their_holders_tokens():
    """R-CLOSE-3/4 (14 §2.2): the LA lists its partners; a holder of a partner organisation returns the token
    with that partner (envelope and label), the rest with the LA; a partner with an envelope stays listed."""
    r = Register(LA, date(2010, 8, 13))
    r.add_token("TK-1", "Ann Able", LA, holder_organisation="Northshire Family Hub", used=True)
    r.add_token("TK-2", "Cat Cole", LA, holder_organisation="National Charity", used=True)
    r.set_partners(["National Charity", " National  Charity "])
    assert r.partners == [NP] and r.token("TK-2").organisation == NP and r.token("TK-1").organisation == LA
    refused("partner_is_la", lambda: r.set_partners([LA]))
    r.record_reset("TK-2", LA_TEAM, "la.officer", AT)
    r.place("TK-2", 50)
    refused("partner_has_envelopes", lambda: r.set_partners([]))
    r.set_sender(["Northshire LA closure team", "1 Town Hall Street", "Northtown", "NT1 1AA"])
    assert r.sender[0] == "Northshire LA closure team"
    refused("address_invalid", lambda: r.set_sender(["Just one line"]))
    refused("phone_invalid", lambda: r.add_token("TK-3", "Dan Dale", LA, phone="call me maybe"))


def test_a_register_kept_before_holders_had_contact_fields_still_opens():
    """Nothing lost: a register saved by the previous version (one ``contact`` text per token) loads."""
    import json
    r = register()
    d = json.loads(r.to_json())
    for t in d["tokens"]:
        for k in ("holder_organisation", "phone", "email", "username"):
            t.pop(k)
        t["contact"] = {"TK-001": "ann@northshire.example", "TK-002": "Signpost user bob"}.get(t["serial"], "")
    for k in ("la_code", "sender"):
        d.pop(k)
    for e in d["envelopes"]:
        for k in ("sealed_at", "sealed_by", "labels_at"):
            e.pop(k)
    old = Register.from_json(json.dumps(d))
    assert old.token("TK-001").email == "ann@northshire.example" and old.token("TK-002").phone == ""
