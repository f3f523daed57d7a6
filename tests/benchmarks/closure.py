"""Closure benchmark (issue 9): resetting and verifying tokens, against OpenSC's pkcs11-tool.

    packaging/with-keyring.sh .venv/bin/python -m tests.benchmarks.closure [--runs 10] [--batch 100]

The last stdout line is JSON (``make bench`` merges it into its own):

- ``reset_verify_ms_holder`` / ``reset_verify_ms_so``: median time for one token's reset to the
  transport PIN and its verification (user login with it + flags read back), through
  ``TokenReset`` over the app's ``TokenService`` (one token thread), on SoftHSM: by the holder
  (C_SetPIN old -> transport) and by the LA team (SO login, C_InitPIN);
- ``pkcs11tool_reset_verify_ms_holder`` / ``_so``: the same PIN change plus a login with
  ``pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so`` (two processes: ``--change-pin`` or
  ``--init-pin --login-type so``, then ``--login --list-objects``);
- ``reset_verify_ratio`` (the worse of the two paths, ours / pkcs11-tool; target <= 1.2);
- ``batch_100_tokens_s``: wall time of a batch over N freshly initialised tokens (LA path, SO PINs
  imported into an encrypted closure store): reset, verify, record, envelope, audit per token.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO = "bench-so-pin-1"
OLD = "holder-pin-1"
TRANSPORT = "1234"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _init_token(label: str, pin: str = OLD) -> str:
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO, "--pin", pin],
                   check=True, capture_output=True)
    out = subprocess.run(["softhsm2-util", "--show-slots"], check=True, capture_output=True, text=True).stdout
    return out.split(f"Label:            {label}")[0].rsplit("Serial number:", 1)[1].split()[0]


def _tool(*args: str) -> None:
    subprocess.run(["pkcs11-tool", "--module", MODULE, *args], check=True, capture_output=True)


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def figures(tmp: Path, runs: int = 10, batch: int = 100) -> dict:
    tokendir = tmp / "tokens"
    tokendir.mkdir()
    conf = tmp / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # before the module is loaded in this process
    from app.closure.reset import ResetOutcome, TokenReset
    out: dict = {}
    serial = _init_token("closure-bench")
    label = "closure-bench"
    tr = TokenReset(MODULE)
    tr.start().result(30)
    try:
        ours_h, ours_s = [], []
        for i in range(runs + 1):  # the first is a warm-up
            t0 = time.perf_counter()
            assert tr.holder_reset(serial, OLD, TRANSPORT).result(30).outcome is ResetOutcome.RESET
            assert tr.verify(serial, TRANSPORT).result(30).outcome is ResetOutcome.VERIFIED
            (ours_h.append(_ms(t0)) if i else None)
            tr.service.change_pin(serial, TRANSPORT, OLD).result(30)  # back, untimed
            t0 = time.perf_counter()
            assert tr.la_reset(serial, SO, TRANSPORT).result(30).outcome is ResetOutcome.RESET
            assert tr.verify(serial, TRANSPORT).result(30).outcome is ResetOutcome.VERIFIED
            (ours_s.append(_ms(t0)) if i else None)
            tr.service.change_pin(serial, TRANSPORT, OLD).result(30)
    finally:
        tr.shutdown()
    tool_h, tool_s = [], []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        _tool("--token-label", label, "--change-pin", "--pin", OLD, "--new-pin", TRANSPORT)
        _tool("--token-label", label, "--login", "--pin", TRANSPORT, "--list-objects")
        (tool_h.append(_ms(t0)) if i else None)
        _tool("--token-label", label, "--change-pin", "--pin", TRANSPORT, "--new-pin", OLD)
        t0 = time.perf_counter()
        _tool("--token-label", label, "--init-pin", "--login", "--login-type", "so", "--so-pin", SO,
              "--new-pin", TRANSPORT)
        _tool("--token-label", label, "--login", "--pin", TRANSPORT, "--list-objects")
        (tool_s.append(_ms(t0)) if i else None)
        _tool("--token-label", label, "--change-pin", "--pin", TRANSPORT, "--new-pin", OLD)
    med = lambda xs: round(statistics.median(xs), 2)  # noqa: E731
    out.update(reset_verify_ms_holder=med(ours_h), reset_verify_ms_so=med(ours_s),
               pkcs11tool_reset_verify_ms_holder=med(tool_h), pkcs11tool_reset_verify_ms_so=med(tool_s))
    out["reset_verify_ms"] = max(out["reset_verify_ms_holder"], out["reset_verify_ms_so"])
    out["pkcs11tool_reset_verify_ms"] = min(out["pkcs11tool_reset_verify_ms_holder"],
                                            out["pkcs11tool_reset_verify_ms_so"])
    out["reset_verify_ratio"] = round(max(out["reset_verify_ms_holder"] / out["pkcs11tool_reset_verify_ms_holder"],
                                          out["reset_verify_ms_so"] / out["pkcs11tool_reset_verify_ms_so"]), 3)
    if batch:
        out.update(_batch(tmp, batch))
    return out


def _batch(tmp: Path, n: int) -> dict:
    from app.closure.batch import VERIFIED, Batch
    from app.closure.reset import TokenReset
    from app.closure.store import KEY_ITEM, SIGNING_ITEM, ClosureStore
    from app.keystore import SecureKeyStore
    from app.paths import Paths

    say(f"  initialising {n} tokens for the batch…")
    serials = [_init_token(f"batch-{i:03d}") for i in range(n)]
    ks = SecureKeyStore(service=f"signpost-bench-closure-{uuid.uuid4().hex[:8]}")
    store = ClosureStore.open(Paths(tmp / "data", tmp / "config"), ks)
    tr = TokenReset(MODULE)
    tr.start().result(60)
    try:
        store.setup("NBR", ["NSPCC"], date(2026, 8, 6), "bench")
        reg = store.register()
        for i, s in enumerate(serials):
            reg.add_token(s, f"Holder {i:03d}", "NBR" if i % 3 else "NSPCC", used=bool(i % 2))
        store.save("bench", "tokens_added", register=reg)
        pins = tmp / "so.csv"
        pins.write_text("serial,so_pin\n" + "".join(f"{s},{SO}\n" for s in serials))
        store.import_so_pins(pins, "bench")

        class Quiet:
            def ask_pin(self, purpose):
                raise AssertionError(purpose)

            def confirm(self, question):
                raise AssertionError(question)

            def tell(self, message):
                pass

        b = Batch(store, tr, Quiet(), "bench")
        t0 = time.perf_counter()
        results = [b.process(s).result for s in serials]
        took = time.perf_counter() - t0
        assert results == [VERIFIED] * n, set(results)
        assert b.tally().in_envelopes == n
    finally:
        tr.shutdown()
        store.close()
        for item in (KEY_ITEM, SIGNING_ITEM):
            ks.delete_now(item)
        ks.close()
    return {f"batch_{n}_tokens_s": round(took, 2), "batch_per_token_ms": round(took / n * 1000, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=100, help="tokens in the batch figure (0: none)")
    args = ap.parse_args()
    if not shutil.which("pkcs11-tool"):
        sys.exit("pkcs11-tool not found: apt-get install opensc")
    tmp = Path(tempfile.mkdtemp(prefix="signpost-closure-bench-"))
    try:
        result = figures(tmp, args.runs, args.batch)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
