"""The local national stack, cluster side (issue 16 §6): one command makes and starts a primary and its
synchronous standby as the unprivileged account, the database with its roles and migrations, the training
directory loaded, the audit-signing key on its token; prints it; and stops cleanly on Ctrl-C or SIGTERM. A
second start finds it all again. Run as the real command, in its own process."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

from app.national import pgcluster, roles
from app.national.stack import _reachable_by

READY = "Press Ctrl-C to stop."


class Running:
    def __init__(self, folder: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "SOFTHSM2_CONF"}
        self.proc = subprocess.Popen([sys.executable, "-m", "app.national.stack", "--data", str(folder), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"the stack never said {text!r}:\n" + "\n".join(self.seen))

    def stop(self, sig: signal.Signals) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=120)
        self.wait_for("Stopped the national stack.", timeout=10)
        return code

    def said(self, text: str) -> str:
        return next(line for line in self.seen if text in line)


@pytest.fixture
def folder():
    made = Path(tempfile.mkdtemp(prefix="signpost-stack-"))  # /tmp: a folder PostgreSQL's account can reach
    stack: list[Running] = []
    yield made, stack
    for running in stack:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait(timeout=30)
    for name in ("primary", "standby"):  # whatever happened above, no PostgreSQL outlives the test
        pgcluster.Cluster(made / "clusters", name).stop("immediate")
    shutil.rmtree(made, ignore_errors=True)


def _postmasters(folder: Path) -> list[int]:
    return [c.pid() for c in (pgcluster.Cluster(folder / "clusters", n) for n in ("primary", "standby")) if c.running()]


def test_the_stack_starts_a_synchronous_pair_with_the_directory_loaded_and_stops_on_ctrl_c(folder):
    path, stack = folder
    first = Running(path, "--children", "400")
    stack.append(first)
    first.wait_for(READY)
    assert "Generating a training directory of 400 children" in "\n".join(first.seen)
    dsn = first.said("target_session_attrs=read-write").strip()
    key = first.said("public key").rsplit(" ", 1)[1]
    assert "synchronous (remote_apply)" in first.said("  standby   port")
    with psycopg.connect(dsn) as conn:  # the nodes' connection string, as the nodes' role
        assert conn.execute("SELECT current_user").fetchone()[0] == roles.SERVICE
        assert conn.execute("SELECT count(*) FROM children").fetchone()[0] >= 400
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0
    primary = pgcluster.Cluster(path / "clusters", "primary")
    owner = os.stat(primary.data).st_uid
    assert owner != 0 and (os.geteuid() != 0 or owner == pgcluster.account().pw_uid)
    assert not list(path.glob("building-*")), "the SQLCipher file it loaded from is gone"
    assert first.stop(signal.SIGINT) == 0
    assert _postmasters(path) == []

    again = Running(path, "--children", "400")  # a second start: everything found again, nothing rebuilt
    stack.append(again)
    again.wait_for(READY)
    assert not any("Generating" in line for line in again.seen)
    assert again.said("public key").rsplit(" ", 1)[1] == key  # the same audit-signing key, on the same token
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM children").fetchone()[0] >= 400
    assert again.stop(signal.SIGTERM) == 0
    assert _postmasters(path) == []


def test_a_folder_the_postgres_account_cannot_reach_is_named():
    """As root's home is to signpost-pg: the stack names the folder in the way instead of failing in initdb."""
    closed = Path(tempfile.mkdtemp(prefix="signpost-closed-"))  # 0700, like /root
    try:
        inside = closed / "national" / "clusters"
        inside.mkdir(parents=True)
        nobody = 65534
        assert _reachable_by(inside, nobody, nobody) == closed
        closed.chmod(0o711)
        assert _reachable_by(inside, nobody, nobody) is None
    finally:
        shutil.rmtree(closed)
