"""A local national stack, cluster side (issue 16 §6): ``python -m app.national.stack`` (``make serve-national``).

It keeps everything in its own data folder, and on first start makes it all there:

- a PostgreSQL primary and its synchronous standby (``remote_apply``), from Debian's packages, run as the
  unprivileged account ``signpost-pg`` when started as root (PostgreSQL refuses to run as root);
- the database, its two roles and every migration (``app.national.database``);
- the training directory, generated and loaded with ``COPY`` (``app.national.load``); the SQLCipher file it is
  built in has a key that only this process ever holds, and is deleted once loaded;
- the audit-signing key, made on a SoftHSM training token of the stack's own (``app.national.signer``).

A later start finds them there and starts the clusters again (applying any new migration). It prints what it
started and how the service nodes connect, then runs until Ctrl-C (or SIGTERM), when it stops both clusters.

The two HTTPS service nodes on top are not built yet: they need the PostgreSQL store (issue 16 §2-3). Their
hook is ``Stack.node_settings()``: the connection string, the database and the signing token a node is given.

The data folder: ``--data``, else ``$SIGNPOST_HOME/data/national``, else ``/var/lib/signpost/national`` for root
(PostgreSQL's account must be able to reach it, and root's home is closed to it), else
``~/.local/share/signpost/national``.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .. import db, generator, training
from ..paths import Paths
from ..private_files import write_private
from . import database, load, migrate, pgcluster, roles
from .signer import Signer, make_softhsm_token

DEFAULT_CHILDREN = 20_000  # as the embedded training directory (app.settings)
SIGNING_TOKEN = "signpost audit (training)"
SOFTHSM_MODULE = training.SOFTHSM_MODULE
ROOT_FOLDER = Path("/var/lib/signpost/national")

Say = Callable[[str], None]


class StackError(RuntimeError):
    """The stack cannot start as asked; the message says what to do."""


def default_folder() -> Path:
    home = os.environ.get("SIGNPOST_HOME")
    if home:
        return Path(home) / "data" / "national"
    if os.geteuid() == 0:
        return ROOT_FOLDER
    return Paths.default().data / "national"


def _reachable_by(path: Path, uid: int, gid: int) -> Path | None:
    """The first folder above ``path`` that ``uid`` cannot pass through, or None."""
    for folder in reversed(path.resolve().parents):
        st = folder.stat()
        bit = stat.S_IXUSR if st.st_uid == uid else stat.S_IXGRP if st.st_gid == gid else stat.S_IXOTH
        if not st.st_mode & bit:
            return folder
    return None


@dataclass
class Stack:
    folder: Path
    children: int = DEFAULT_CHILDREN
    primary: pgcluster.Cluster = field(init=False)
    standby: pgcluster.Cluster = field(init=False)
    public_key: bytes = b""
    loaded: int = 0  # children in the directory

    @property
    def clusters_folder(self) -> Path:
        return self.folder / "clusters"

    @property
    def tokens_folder(self) -> Path:
        return self.folder / "tokens"

    @property
    def state_file(self) -> Path:
        return self.folder / "stack.json"

    # -- the folder ----------------------------------------------------------------------------------
    def _prepare_folder(self) -> dict:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        owner = pgcluster.account()
        # the PostgreSQL account passes through (never lists) this folder to reach its own, clusters/ (0700)
        os.chmod(self.folder, 0o711 if owner is not None else 0o700)
        if owner is not None:
            blocked = _reachable_by(self.clusters_folder, owner.pw_uid, owner.pw_gid)
            if blocked is not None:
                raise StackError(f"PostgreSQL runs as {owner.pw_name}, which cannot reach {self.folder} ({blocked} is "
                                 f"closed to it). Choose a folder it can reach with --data, such as {ROOT_FOLDER}.")
        pgcluster.private_folder(self.clusters_folder)
        if self.state_file.exists():
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        state = {"primary_port": pgcluster.free_port(), "standby_port": pgcluster.free_port()}
        write_private(self.state_file, json.dumps(state))  # 0600, atomically (the one way: app/private_files.py)
        return state

    # -- start and stop --------------------------------------------------------------------------------
    def start(self, say: Say = lambda text: print(text, flush=True)) -> None:
        """Make what is missing, start both clusters, bring the database up to date and load it if empty."""
        state = self._prepare_folder()
        self.primary = pgcluster.Cluster(self.clusters_folder, "primary", port=state["primary_port"])
        self.standby = pgcluster.Cluster(self.clusters_folder, "standby", port=state["standby_port"])
        made = not (self.primary.data / "PG_VERSION").exists()
        if made:
            say("Making the PostgreSQL primary and its synchronous standby…")
            self.primary.init().start()
            self.standby.standby_of(self.primary).start()
        else:
            if not (self.standby.data / "standby.signal").exists():
                raise StackError(f"The standby in {self.clusters_folder} is no longer a standby (it was promoted). "
                                 f"Remove {self.folder} to start afresh.")
            self.primary.start()
            self.standby.start()
        prepared = database.prepare(self.primary)
        if prepared.migrations and not made:
            say(f"Applied migrations: {', '.join(prepared.migrations)}")
        self.loaded = self._children()
        if not self.loaded:
            self._load(say)
            self.loaded = self._children()
        self.public_key = self._signing_key()

    def _children(self) -> int:
        with psycopg.connect(self.primary.dsn(roles.DATABASE)) as conn:
            row = conn.execute("SELECT count(*) FROM children").fetchone()
        return row[0] if row else 0

    def _load(self, say: Say) -> None:
        key = db.new_key()  # only this process ever holds it; the file goes once it is loaded
        with tempfile.TemporaryDirectory(dir=self.folder, prefix="building-") as building:
            path = Path(building) / "training.db"
            say(f"Generating a training directory of {self.children:,} children…")
            generator.generate(path, key, children=self.children, progress=_progress(say, "Generated"))
            say("Loading it into PostgreSQL…")
            report = load.load(path, key, self.primary.dsn(roles.DATABASE), progress=_progress(say, "Loaded"))
        say(f"Loaded {report.children:,} children in {report.total_s:.1f} s "
            f"(copy {report.copy_s:.1f} s, indexes {report.index_s:.1f} s); "
            f"the database is {report.database_bytes / 2**20:,.0f} MB.")

    def _signing_key(self) -> bytes:
        """The audit-signing key on the stack's SoftHSM token, made with the token on first start."""
        tokens = self.tokens_folder / "tokens"
        tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.tokens_folder, 0o700)
        conf = self.tokens_folder / "softhsm2.conf"
        if not conf.exists():
            conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
                            encoding="utf-8")
        os.environ["SOFTHSM2_CONF"] = str(conf)  # before the module is loaded in this process
        if not any(tokens.iterdir()):
            make_softhsm_token(SIGNING_TOKEN, training.TRAINING_SO_PIN, training.TRAINING_PIN)
        signer = Signer(SOFTHSM_MODULE, SIGNING_TOKEN, training.TRAINING_PIN)
        try:
            return signer.public_key
        finally:
            signer.close()

    def running(self) -> list[str]:
        """The clusters that are not running (empty while all is well)."""
        return [c.name for c in (self.primary, self.standby) if not c.running()]

    def stop(self) -> None:
        for c in (getattr(self, "primary", None), getattr(self, "standby", None)):
            if c is not None:
                c.stop("fast")

    # -- what a service node is given (the hook for the nodes, issue 16 §3) ---------------------------------
    def node_settings(self) -> dict[str, str]:
        return {"dsn": pgcluster.multi_host_dsn([self.primary, self.standby], roles.DATABASE, roles.SERVICE),
                "softhsm2_conf": os.environ.get("SOFTHSM2_CONF", ""), "pkcs11_module": SOFTHSM_MODULE,
                "signing_token": SIGNING_TOKEN, "signing_public_key": self.public_key.hex()}

    def describe(self) -> str:
        with psycopg.connect(self.primary.dsn(roles.DATABASE)) as conn:
            version = migrate.version(conn)
        with psycopg.connect(self.primary.dsn()) as conn:
            sync = conn.execute("SELECT sync_state FROM pg_stat_replication WHERE application_name = %s",
                                (self.standby.name,)).fetchone()
        node = self.node_settings()
        return "\n".join([
            f"Signpost national stack (training), data in {self.folder}",
            f"  primary   port {self.primary.port}, socket {self.primary.socket_dir}, pid {self.primary.pid()}",
            f"  standby   port {self.standby.port}, socket {self.standby.socket_dir}, pid {self.standby.pid()}, "
            f"{'synchronous (remote_apply)' if sync and sync[0] == 'sync' else 'NOT synchronous: check its log'}",
            f"  database  {roles.DATABASE} at migration {version}, {self.loaded:,} children",
            f"  service nodes connect as {roles.SERVICE}:",
            f"    {node['dsn']}",
            f"  audit-signing key  Ed25519 on the SoftHSM token \"{SIGNING_TOKEN}\" "
            f"(SOFTHSM2_CONF={node['softhsm2_conf']}), public key {node['signing_public_key']}",
            "  service nodes  not built yet: the two HTTPS nodes need the PostgreSQL store (issue 16 §2-3).",
            "    Until then `make run-remote` works against `make serve` (one node on the SQLCipher directory).",
        ])


def _progress(say: Say, verb: str) -> generator.Progress:
    shown: dict[str, float] = {}

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - shown.get(phase, 0.0) >= 2.0:
            shown[phase] = now
            say(f"  {verb}: {phase} {done:,} of {total:,}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.national.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the stack's data folder")
    parser.add_argument("--children", type=int, default=DEFAULT_CHILDREN,
                        help=f"children in the training directory loaded on first start (default {DEFAULT_CHILDREN:,})")
    args = parser.parse_args(argv)
    stack = Stack(args.data or default_folder(), args.children)

    def interrupted(*_) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # as Ctrl-C: whatever is under way stops, and both clusters
    try:
        stack.start()
        print(stack.describe(), flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(1.0)
            down = stack.running()
            if down:
                print(f"PostgreSQL stopped unexpectedly ({', '.join(down)}): see its log in "
                      f"{stack.clusters_folder}. Stopping the stack.", file=sys.stderr, flush=True)
                return 1
    except (StackError, pgcluster.ClusterError, load.LoadRefused, migrate.MigrationError) as exc:
        print(f"The national stack could not start: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
        print("Stopped the national stack.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
