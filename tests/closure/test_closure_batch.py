"""The batch: inserted -> holder found -> reset -> verified -> right envelope -> next, on real
SoftHSM tokens, recorded in the encrypted store (R-CLOSE-2, R-CLOSE-3, R-CLOSE-4)."""
from __future__ import annotations

import time

from app.closure.batch import ALREADY_DONE, BLOCKED, NOT_RECORDED, UNKNOWN, VERIFIED, Batch
from app.closure.flow import HOLDER, LA_TEAM
from app.closure.register import RETURNED_BLOCKED
from tests.closure.conftest import ScriptedPrompts
from tests.softhsm_fixtures import SO_PIN

T = 15


def _so_list(tmp_path, serials):
    f = tmp_path / "so.csv"
    f.write_text("serial,so_pin\n" + "".join(f"{s},{SO_PIN}\n" for s in serials))
    return f


def _register(store, rows):
    reg = store.register()
    for serial, holder, org, used in rows:
        reg.add_token(serial, holder, org, used=used, email=f"{holder.split()[0].lower()}@example.org")
    store.save("jo.la", "tokens_added", register=reg)


def test_la_team_batch_with_imported_so_pins_asks_nothing_and_never_mixes_envelopes(
        store, resetter, new_token, tmp_path):
    toks = [new_token(pin=f"batch-pin-{i}") for i in range(4)]
    _register(store, [(toks[0].serial, "Alex P", "NBR", True), (toks[1].serial, "Sam C", "NBR", False),
                      (toks[2].serial, "Morgan M", "NSPCC", True), (toks[3].serial, "Jo L", "NBR", True)])
    store.import_so_pins(_so_list(tmp_path, [t.serial for t in toks]), "jo.la")
    prompts = ScriptedPrompts([], [])  # no question at all
    batch = Batch(store, resetter(), prompts, "jo.la")
    results = [batch.process(t.serial) for t in toks]
    assert [r.result for r in results] == [VERIFIED] * 4, [(r.ending, r.message) for r in results]
    env = [r.envelope for r in results]
    assert env[0] == env[3] and len({env[0], env[1], env[2]}) == 3  # NBR used / NBR unused / NSPCC used
    reg = store.register()
    for t in toks:
        tok = reg.token(t.serial)
        assert tok.reset_how == LA_TEAM and tok.reset_by == "jo.la" and tok.reset_verified
    e = reg.envelope(env[0])
    assert (e.organisation, e.used, e.count) == ("NBR", True, 2)
    # a token put in again is not counted twice
    assert batch.process(toks[0].serial).result == ALREADY_DONE
    tally = batch.tally()
    assert (tally.issued, tally.verified, tally.in_envelopes, tally.still_missing) == (4, 4, 4, 0)
    assert tally.progress == 1.0
    actions = [e.action for e in store.audit_entries()]
    assert actions.count("token_ready_for_return") == 4 and "reset_step" in actions
    assert store.verify_audit().ok
    assert store.reset_states() == {}


def test_holder_batch_asks_only_the_pin_and_unknown_use_is_the_one_question(store, resetter, new_token):
    tok = new_token(pin="holder-batch-1")
    _register(store, [(tok.serial, "Alex P", "NBR", None)])
    prompts = ScriptedPrompts(["holder-batch-1"], [False])  # "was it used?" -> no
    r = Batch(store, resetter(), prompts, "jo.la", path=HOLDER).process(tok.serial)
    assert r.result == VERIFIED and r.holder == "Alex P"
    assert [q for q in prompts.asked if q.startswith("confirm")] == [prompts.asked[0]]
    t = store.register().token(tok.serial)
    assert (t.used, t.reset_how) == (False, HOLDER)
    assert store.register().envelope(r.envelope).used is False


def test_a_token_not_in_the_register_is_refused_and_audited(store, resetter, new_token):
    tok = new_token(pin="stranger-1")
    r = Batch(store, resetter(), ScriptedPrompts([], []), "jo.la").process(tok.serial)
    assert r.result == UNKNOWN and "not in the register" in r.message
    assert store.audit_entries()[-1].action == "batch_token_unknown"


def test_token_pulled_mid_verify_records_nothing_then_resumes_at_verify(
        store, resetter, new_token, softhsm, tmp_path):
    tok = new_token(pin="pulled-batch-1")
    _register(store, [(tok.serial, "Alex P", "NBR", True)])
    store.import_so_pins(_so_list(tmp_path, [tok.serial]), "jo.la")
    pulled = []
    tr = resetter(lambda s, step: step == "verifying" and not pulled and pulled.append(softhsm.pull(s)))
    batch = Batch(store, tr, ScriptedPrompts([], []), "jo.la")
    r = batch.process(tok.serial)
    assert (r.result, r.ending) == (NOT_RECORDED, "pulled")
    t = store.register().token(tok.serial)
    assert not t.reset_verified and t.envelope is None  # nothing half-recorded
    softhsm.insert(pulled[0])
    r = batch.process(tok.serial)  # resumes at verify: no SO PIN spent again
    assert r.result == VERIFIED
    assert batch.tally().in_envelopes == 1


def test_blocked_so_pin_is_returned_as_blocked_in_the_right_envelope(store, resetter, new_token, pin_faults):
    module, switches = pin_faults
    tok = new_token(pin="blocked-batch-1")
    _register(store, [(tok.serial, "Sam C", "NBR", True)])
    (switches / "so_pin_locked").touch()
    r = Batch(store, resetter(module=module), ScriptedPrompts([], []), "jo.la").process(tok.serial)
    assert r.result == BLOCKED and "returned as blocked" in r.message
    t = store.register().token(tok.serial)
    assert t.state == RETURNED_BLOCKED and t.envelope == r.envelope and not t.reset_verified


def test_full_envelopes_roll_over_to_a_new_one(store, resetter, new_token, tmp_path):
    toks = [new_token(pin=f"roll-pin-{i}") for i in range(3)]
    _register(store, [(t.serial, f"Holder {i}", "NBR", True) for i, t in enumerate(toks)])
    store.import_so_pins(_so_list(tmp_path, [t.serial for t in toks]), "jo.la")
    batch = Batch(store, resetter(), ScriptedPrompts([], []), "jo.la", envelope_size=2)
    envs = [batch.process(t.serial).envelope for t in toks]
    assert envs[0] == envs[1] != envs[2]
    assert batch.tally().by_envelope == {envs[0]: 2, envs[2]: 1}


def test_inserted_tokens_are_detected_by_the_token_service(store, resetter, new_token):
    tr = resetter()
    batch = Batch(store, tr, ScriptedPrompts([], []), "jo.la")
    batch.watch(tr.service)
    time.sleep(0.2)
    while batch.next_serial(0.1):  # tokens already present
        pass
    tok = new_token(pin="inserted-1")  # "inserted" now
    assert batch.next_serial(timeout=5) == tok.serial
