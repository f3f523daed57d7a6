"""The wire format (HTTPS service and client): every directory object survives the round trip, and a
reply that does not fit its type is refused rather than shown."""
from __future__ import annotations

import json
from datetime import date

import pytest

from app import audit, wire
from app.model import (
    AccessReason,
    Address,
    Gender,
    GpPractice,
    Involvement,
    Match,
    Name,
    ParentCarer,
    Reason,
    RecordView,
    Role,
    SearchHit,
    ServiceType,
    Setting,
    SettingKind,
    User,
    WithheldInvolvement,
)
from app.search import Criteria, Outcome

ADDR = Address("1 Elm Row", "", "Testbury", "NE1 4XY")
VIEW = RecordView("123 456 7890", Name("Ada", "Okafor-Hart"), (Name("Ada", "Brannigan"),), date(2015, 6, 8),
                  Gender.FEMALE,
                  shielded=False, shield_applied=False, address=ADDR,
                  carers=(ParentCarer(Name("Bea", "Hart"), "Mother", "07700 900123", None),),
                  setting=Setting(SettingKind.PRIMARY, "Elm Primary", ADDR, "0191 496 0000"),
                  gp=GpPractice("Elm Surgery", ADDR, "0191 496 0001"),
                  involvements=(Involvement(7, ServiceType.SOCIAL_CARE, "Northbridge CSC", "Sam Okoro", "Social worker",
                                            "0191 496 0002", "sam@x.example", date(2024, 1, 2), None, True, False),
                                WithheldInvolvement(9, current=False)))


@pytest.mark.parametrize("tp, value", [
    (RecordView, VIEW),
    (Outcome, Outcome(hits=(SearchHit("123 456 7890", Name("Ada", "Hart"), date(2015, 6, 8), Gender.FEMALE, "Testbury",
                                      (Match.SOUNDS_LIKE, Match.DOB_SWAPPED)),), notice="looser_left_out",
                      params={"shown": 1}, looser_left_out=True)),
    (Criteria, Criteria(family_name="Smith", given_name="Poppy", age_from=5, age_to=7)),
    (Criteria, Criteria(family_name="Smith", dob=date(2015, 1, 1), dob_to=date(2016, 1, 1), postcode="NE1 4")),
    (Reason, Reason(AccessReason.OTHER, "Home visit follow-up")),
    (User, User("alex", "Alex Morgan", Role.PRACTITIONER, "NBR", "Hub", True, True, date(2025, 1, 1))),
    (audit.Checkpoint, audit.Checkpoint(5, bytes(range(32)), "2026-11-23T10:00:00+00:00", bytes(64))),
    (list[audit.Entry],
     [audit.Entry(1, "t", "alex", None, "search", "r", {"criteria": {"family_name": "X"}}, ("NBR",))]),
])
def test_round_trip_through_json(tp, value):
    assert wire.decode(tp, json.loads(json.dumps(wire.encode(value)))) == value


@pytest.mark.parametrize("tp, data", [
    (RecordView, {"directory_id": "1"}),  # fields missing
    (Outcome, {"hits": "not a list"}),
    (SearchHit, {"directory_id": "1", "name": {"given_names": "A", "family_name": "B"}, "dob": "2015-13-45",
                 "gender": "F", "locality": ""}),
    (SearchHit, {"directory_id": "1", "name": {"given_names": "A", "family_name": "B"}, "dob": "2015-01-01",
                 "gender": "Q", "locality": ""}),
    (RecordView, {**wire.encode(VIEW), "involvements": [{"type": "Pwned", "involvement_id": 1}]}),
    (audit.Checkpoint, {"size": "5", "root": "AAAA", "at": "t", "signature": "AAAA"}),
])
def test_a_reply_that_does_not_fit_is_refused(tp, data):
    with pytest.raises(wire.WireError):
        wire.decode(tp, data)
