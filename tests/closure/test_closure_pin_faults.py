"""Blocked PINs and PIN rules SoftHSM cannot produce, through faultmod/closure_faults.c
wrapped around real SoftHSM tokens (R-CLOSE-2)."""
from __future__ import annotations

from app.closure.flow import LA_TEAM, ResetFlow, ResetState
from app.closure.reset import ResetOutcome
from tests.closure.conftest import ScriptedPrompts
from tests.softhsm_fixtures import SO_PIN

T = 15


def test_blocked_user_pin_is_reset_by_the_la_team_and_verified(resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="blocked-pin-1")
    (switches / "user_pin_locked").touch()
    tr = resetter(module=module)
    r = tr.holder_reset(tok.serial, "blocked-pin-1").result(T)
    assert r.outcome is ResetOutcome.USER_PIN_BLOCKED and "security officer PIN" in r.message
    assert tr.la_reset(tok.serial, SO_PIN).result(T).outcome is ResetOutcome.RESET
    assert tr.verify(tok.serial).result(T).outcome is ResetOutcome.VERIFIED


def test_blocked_user_pin_sends_the_flow_straight_to_the_la_path(resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="blocked-pin-2")
    (switches / "user_pin_locked").touch()
    prompts = ScriptedPrompts(pins=[SO_PIN], confirms=[])  # no "is the holder here?"
    state = ResetFlow(ResetState(tok.serial), resetter(module=module), prompts).run()
    assert (state.path, state.ending, state.record) == (LA_TEAM, "done", "verified")
    assert any("PIN is blocked" in m for m in prompts.told)


def test_blocked_so_pin_means_cannot_reset_return_as_blocked(resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="blocked-pin-3")
    (switches / "user_pin_locked").touch()
    (switches / "so_pin_locked").touch()
    tr = resetter(module=module)
    assert tr.la_reset(tok.serial, SO_PIN).result(T).outcome is ResetOutcome.SO_PIN_BLOCKED
    prompts = ScriptedPrompts(pins=[], confirms=[])  # no SO PIN is asked for
    state = ResetFlow(ResetState(tok.serial), tr, prompts).run()
    assert (state.ending, state.record) == ("so_blocked", "returned_blocked")
    assert prompts.told[-1].startswith("Cannot reset: return as blocked.")


def test_so_pin_on_its_final_try_asks_first_and_declining_records_nothing(
        resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="final-try-1")
    (switches / "so_pin_final_try").touch()
    tr = resetter(module=module)
    r = tr.la_reset(tok.serial, "wrong-so-pin").result(T)
    assert r.outcome is ResetOutcome.SO_PIN_WRONG and "One more wrong try blocks it" in r.message
    prompts = ScriptedPrompts(pins=[], confirms=[False, False])  # holder absent; do not risk it
    state = ResetFlow(ResetState(tok.serial), tr, prompts).run()
    assert (state.ending, state.record) == ("cancelled", None)
    assert "ONE try left" in prompts.asked[-1]


def test_token_whose_rules_refuse_the_transport_pin(resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="rules-pin-1")
    (switches / "pin_invalid").touch()
    tr = resetter(module=module)
    for r in (tr.holder_reset(tok.serial, "rules-pin-1").result(T), tr.la_reset(tok.serial, SO_PIN).result(T)):
        assert r.outcome is ResetOutcome.TRANSPORT_PIN_REJECTED
        assert "PIN rules (characters or strength) refuse it" in r.message
    state = ResetFlow(ResetState(tok.serial), tr, ScriptedPrompts(["rules-pin-1"], [True])).run()
    assert (state.ending, state.record) == ("transport_rejected", None)
    (switches / "pin_invalid").unlink()
    assert tr.verify(tok.serial).result(T).outcome is ResetOutcome.NOT_VERIFIED  # old PIN kept
