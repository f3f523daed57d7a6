"""A workstation that makes a closure step and is killed before it reaches the directory
(tests/closure/test_closure_sync.py).

    python -m tests.closure.sync_child HOME KEYSTORE_SERVICE DIRECTORY_FILE KEY_HEX SERIAL

Opens the closure store, takes the LA's register from the directory, records SERIAL as used in the store
(journalled for the directory, not yet sent), prints KEPT and waits to be killed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from app.closure import steps, sync
from app.closure.store import ClosureStore
from app.directory import Directory, EmbeddedDirectory
from app.keystore import SecureKeyStore
from app.paths import Paths
from tests.conftest import TODAY, viewer_for


def main(home: str, service: str, directory_file: str, key: str, serial: str) -> None:
    store = ClosureStore.open(Paths(Path(home) / "data", Path(home) / "config"), SecureKeyStore(service=service))
    directory = EmbeddedDirectory(lambda: Directory.open(directory_file, bytes.fromhex(key), clock=lambda: TODAY))
    la = directory.run_on_engine(lambda d: viewer_for(d, "jo.la")).result(30)
    sync.join(store, directory, la, "jo.la", TODAY)
    directory.close()
    store.do("jo.la", steps.make("set_used", "jo.la", where="DESK-KILLED", serial=serial, used=False))
    print("KEPT", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    main(*sys.argv[1:])
