"""The register filled from the directory's tokens (R-CLOSE-3): once, with used from sign-ins, each holder's
own organisation and contact, and what the LA team recorded kept."""
from __future__ import annotations

from datetime import UTC, datetime

from app.closure.register import COLLECTED
from app.closure.sources import merge_issued
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.conftest import viewer_for


def test_the_register_is_filled_from_the_directory_once_with_used_from_sign_ins(directory, store):
    la = viewer_for(directory, "jo.la")
    viewer_for(directory, "alex.practitioner")  # alex signs in with their token: used
    viewer_for(directory, "sam.cp")
    issued = directory.perform(ops.TOKEN_REGISTER, la, t.Nothing())
    by_user = {i.username: i for i in issued}
    reg = store.register()
    first = merge_issued(reg, issued)
    alex = reg.token(by_user["alex.practitioner"].serial)
    assert alex.used is True and alex.organisation == "NBR" and alex.holder == by_user["alex.practitioner"].holder
    # rule R-CLOSE-3 (15 §3.4, §3.3): each holder's own organisation and how to reach them, from the directory
    assert (alex.holder_organisation, alex.phone, alex.email, alex.username) == (
        "Northbridge Family Hub", "07700 900101", "alex.morgan@northbridge-family-hub.example", "alex.practitioner")
    sam = reg.token(by_user["sam.cp"].serial)
    assert sam.holder_organisation == "Northbridge Children's Social Care" != alex.holder_organisation
    assert set(first.added) == {reg.token(i.serial).serial for i in issued}
    # what the LA team recorded is kept; filling again adds nothing and counts nothing twice
    reg.record_reset(alex.serial, "holder", "jo.la", datetime(2026, 8, 7, tzinfo=UTC))
    again = merge_issued(reg, directory.perform(ops.TOKEN_REGISTER, la, t.Nothing()))
    assert again.added == () and len(again.already) == len(first.added)
    assert reg.token(alex.serial).state == COLLECTED and len(reg.tokens) == len(first.added)
