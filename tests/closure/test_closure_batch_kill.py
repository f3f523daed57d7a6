"""kill -9 in the middle of a batch, then restart: the register is intact, the batch resumes and
no token is counted twice (R-CLOSE-3).  A real subprocess, killed with SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from app.closure.store import ClosureStore
from tests.softhsm_fixtures import SO_PIN

ROOT = Path(__file__).resolve().parents[2]


def _child(home, keystore, pause, serials):
    return subprocess.Popen([sys.executable, "-m", "tests.closure.batch_child", str(home), keystore.service,
                             pause, *serials], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def test_kill_9_mid_batch_then_restart_counts_every_token_once(store, home, keystore, new_token, tmp_path):
    toks = [new_token(pin=f"kill-pin-{i}") for i in range(4)]
    serials = [t.serial for t in toks]
    upper = sorted(s.upper() for s in serials)  # the register keeps serials in capitals
    reg = store.register()
    for i, s in enumerate(serials):
        reg.add_token(s, f"Holder {i}", "NBR", used=True)
    store.save("jo.la", "tokens_added", register=reg)
    f = tmp_path / "so.csv"
    f.write_text("serial,so_pin\n" + "".join(f"{s},{SO_PIN}\n" for s in serials))
    store.import_so_pins(f, "jo.la")
    store.close()

    child = _child(home.data.parent, keystore, serials[2], serials)
    lines = []
    for line in child.stdout:
        lines.append(line.split())
        if line.strip() == "PAUSED":
            os.kill(child.pid, signal.SIGKILL)  # token 3: PIN set, verification not recorded
            break
    child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert [row[1] for row in lines[:2]] == ["verified", "verified"]

    again = ClosureStore.open(home, keystore)
    try:
        reg = again.register()
        assert [reg.token(s).reset_verified for s in serials] == [True, True, False, False]  # intact
        assert again.verify_audit().ok
    finally:
        again.close()

    child = _child(home.data.parent, keystore, "-", serials)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0, out
    results = [row.split()[1] for row in out.splitlines()]
    assert results == ["already_done", "already_done", "verified", "verified"]

    final = ClosureStore.open(home, keystore)
    try:
        reg = final.register()
        assert all(reg.token(s).reset_verified for s in serials)
        placed = [s for e in reg.envelopes.values() for s in e.serials]
        assert sorted(placed) == upper  # each once
        ready = [e.detail["serial"] for e in final.audit_entries() if e.action == "token_ready_for_return"]
        assert sorted(ready) == upper
        assert final.verify_audit().ok and final.reset_states() == {}
    finally:
        final.close()
