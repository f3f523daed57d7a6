"""The closure reset flow walked in plain pytest with scripted answers (R-CLOSE-2)."""
from __future__ import annotations

from app.closure.flow import HOLDER, LA_TEAM, ResetFlow, ResetState
from tests.closure.conftest import ScriptedPrompts
from tests.softhsm_fixtures import SO_PIN


def test_holder_path_walks_to_a_verified_record(resetter, new_token):
    tok = new_token(pin="holder-pin-a")
    prompts = ScriptedPrompts(pins=["holder-pin-a"], confirms=[True])
    state = ResetFlow(ResetState(tok.serial), resetter(), prompts).run()
    assert (state.path, state.ending, state.record) == (HOLDER, "done", "verified")
    assert state.history == ["choose_path", "holder_reset", "verify", "done"]
    assert prompts.told[-1].startswith("Reset verified.")


def test_holder_mistypes_once_then_gets_it_right(resetter, new_token):
    tok = new_token(pin="holder-pin-b")
    prompts = ScriptedPrompts(pins=["typo-pin", "holder-pin-b"], confirms=[True, True])
    state = ResetFlow(ResetState(tok.serial), resetter(), prompts).run()
    assert state.record == "verified"
    assert state.history == ["choose_path", "holder_reset", "holder_reset", "verify", "done"]
    assert any("old PIN is not correct" in m for m in prompts.told)


def test_la_team_path_warns_about_few_so_tries_and_walks_to_verified(resetter, new_token):
    tok = new_token(pin="absent-holder")
    # holder absent -> LA; wrong SO PIN -> try again? yes -> "few tries left" warning: go on
    prompts = ScriptedPrompts(pins=["wrong-so-pin", SO_PIN], confirms=[False, True, True])
    state = ResetFlow(ResetState(tok.serial), resetter(), prompts).run()
    assert (state.path, state.ending, state.record) == (LA_TEAM, "done", "verified")
    assert state.history == ["choose_path", "la_reset", "la_reset", "verify", "done"]
    assert any("only a few tries left" in q for q in prompts.asked)


def test_declining_the_so_warning_records_nothing(resetter, new_token):
    tok = new_token(pin="absent-holder-2")
    prompts = ScriptedPrompts(pins=["wrong-so-pin"], confirms=[False, True, False])
    state = ResetFlow(ResetState(tok.serial), resetter(), prompts).run()
    assert (state.ending, state.record) == ("cancelled", None)


def test_token_pulled_before_the_reset_records_nothing(resetter, new_token, softhsm):
    tok = new_token(pin="holder-pin-c")
    tr = resetter()
    pulled = softhsm.pull(tok.serial)
    try:
        state = ResetFlow(ResetState(tok.serial), tr, ScriptedPrompts([], [])).run()
    finally:
        softhsm.insert(pulled)
    assert (state.ending, state.record) == ("pulled", None)


def test_token_pulled_mid_reset_records_nothing(resetter, new_token, softhsm):
    tok = new_token(pin="holder-pin-d")
    pulled = []
    tr = resetter(lambda serial, step: step == "verifying" and not pulled
                  and pulled.append(softhsm.pull(serial)))
    state = ResetFlow(ResetState(tok.serial), tr, ScriptedPrompts(["holder-pin-d"], [True])).run()
    softhsm.insert(pulled[0])
    assert (state.ending, state.record) == ("pulled", None)
    assert state.outcome == "token_pulled"
    assert state.history == ["choose_path", "holder_reset", "verify", "pulled"]


def test_transport_pin_rejected_by_the_token_records_nothing(resetter, new_token):
    tok = new_token(pin="holder-pin-e")
    state = ResetFlow(ResetState(tok.serial, transport_pin="12"), resetter(),
                      ScriptedPrompts(["holder-pin-e"], [True])).run()
    assert (state.ending, state.record) == ("transport_rejected", None)


def test_state_saved_as_json_resumes_where_it_stopped(resetter, new_token):
    tok = new_token(pin="holder-pin-f")
    tr = resetter()
    flow = ResetFlow(ResetState(tok.serial), tr, ScriptedPrompts(["holder-pin-f"], [True]))
    flow.advance()  # choose_path
    flow.advance()  # holder_reset: the PIN is now the transport PIN
    saved = flow.state.to_json()
    assert "holder-pin-f" not in saved  # no PIN is kept in the state
    # "restart": a new flow from the saved state goes on to verify without asking again
    state = ResetFlow(ResetState.from_json(saved), tr, ScriptedPrompts([], [])).run()
    assert (state.ending, state.record) == ("done", "verified")
    assert state.history == ["choose_path", "holder_reset", "verify", "done"]
