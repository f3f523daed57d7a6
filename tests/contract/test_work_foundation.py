"""The work operations' shared machinery, on both implementations (issue 8): one table of operations, typed
requests and answers over the interface, refusals audited, and a write with an idempotency key done once."""
from __future__ import annotations

import pytest

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.contract.conftest import token_for
from tests.contract.test_directory_contract import done, refused, viewer


def test_the_token_register_lists_the_la_teams_own_tokens_and_which_were_used(client):
    """R-CLOSE-3: the closure register's source, read through the interface."""
    la = viewer(client, "jo.la")
    viewer(client, "alex.practitioner")  # alex has now signed in with their token
    tokens = {tok.username: tok for tok in done(client.perform(ops.TOKEN_REGISTER, la, t.Nothing()))}
    assert tokens["alex.practitioner"].serial == token_for("alex.practitioner").serial
    assert tokens["alex.practitioner"].used is True and tokens["alex.practitioner"].last_sign_in
    assert all(tok.la_code == la.user.la_code for tok in tokens.values())


def test_a_practitioner_cannot_read_the_token_register_and_the_refusal_is_audited(client):
    alex = viewer(client, "alex.practitioner")
    refused(client.perform(ops.TOKEN_REGISTER, alex, t.Nothing()), AccessRefused, "access.la_team_only")
    la = viewer(client, "jo.la")
    entries = done(client.audit_entries(la))
    assert any(e.actor == "alex.practitioner" and e.action == "token_register_refused" for e in entries)


def test_a_request_of_the_wrong_kind_is_refused_not_run(client):
    la = viewer(client, "jo.la")
    future = client.perform(ops.TOKEN_REGISTER, la, t.NoticeRef(1))
    exc = future.exception(timeout=30)
    assert isinstance(exc, AccessRefused) and exc.code == "request.invalid"


@pytest.mark.parametrize("role", ["alex.practitioner"])
def test_a_viewer_claiming_another_role_is_refused(client, role):
    """The engine uses the role it signed in, never one a client claims (policy at the source)."""
    from dataclasses import replace

    from app.model import Role, Viewer
    alex = viewer(client, role)
    forged = Viewer(replace(alex.user, role=Role.LA_MANAGEMENT), None, alex.session)
    exc = client.perform(ops.TOKEN_REGISTER, forged, t.Nothing()).exception(timeout=30)
    assert isinstance(exc, AccessRefused)
