"""A batch run in its own process, for the kill -9 test (tests/closure/test_closure_batch_kill.py).

    python -m tests.closure.batch_child HOME KEYSTORE_SERVICE PAUSE_SERIAL SERIAL...

Processes the serials in order with the LA-team path (SO PINs from the store) and prints one
line per token.  When PAUSE_SERIAL reaches "verifying" (its PIN already set to the transport
PIN, the verification not yet recorded) it prints PAUSED and sleeps, to be killed there.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from app.closure.batch import Batch
from app.closure.reset import TokenReset
from app.closure.store import ClosureStore
from app.keystore import SecureKeyStore
from app.paths import Paths
from tests.softhsm_fixtures import SOFTHSM_MODULE


class NoQuestions:
    def ask_pin(self, purpose):
        raise AssertionError(f"asked for {purpose}")

    def confirm(self, question):
        raise AssertionError(f"asked {question}")

    def tell(self, message):
        pass


def main(home: str, service: str, pause: str, *serials: str) -> None:
    def progress(serial: str, step: str) -> None:
        if serial == pause and step == "verifying":
            print("PAUSED", flush=True)
            time.sleep(120)

    ks = SecureKeyStore(service=service)
    store = ClosureStore.open(Paths(Path(home) / "data", Path(home) / "config"), ks)
    tokens = TokenReset(SOFTHSM_MODULE, progress)
    tokens.start().result(30)
    batch = Batch(store, tokens, NoQuestions(), "jo.la")
    for s in serials:
        r = batch.process(s)
        print(f"{r.serial} {r.result} {r.envelope}", flush=True)
    tokens.shutdown()
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
