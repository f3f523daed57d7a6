"""PostgreSQL clusters for the national directory, started from Debian's ``postgresql`` package.

Each cluster is ``initdb``'d into a folder of its own and run with ``pg_ctl``; nothing is installed as a
system service. PostgreSQL refuses to run as root, and CI runs as root, so when we are root every
PostgreSQL command runs as the project's own unprivileged account (``ACCOUNT``), which is created on first
use; otherwise they run as the invoking user.

Connections go over a Unix socket in the cluster's own folder (mode 0700, owned by the account that runs
PostgreSQL): on one machine nothing but that account and root can reach the server, and no password or
TLS key has to be kept for it. Between machines the same roles would connect with TLS and SCRAM
(see the README's *Data at rest on the national side*).

A ``Cluster`` can be a primary or a streaming standby of one (``standby_of``): the primary names it in
``synchronous_standby_names`` with ``synchronous_commit = remote_apply``, so a commit returns only once
the standby has replayed it (no acknowledged write is lost when the primary dies, and a read on the
standby sees it). ``kill()`` is ``kill -9`` of the postmaster; ``promote()`` makes a standby the primary.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ACCOUNT = "signpost-pg"  # the unprivileged account PostgreSQL runs as when we are root
START_TIMEOUT_S = 60


class ClusterError(RuntimeError):
    """PostgreSQL could not be set up or started; the message says what to do."""


def bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (the newest installed major version)."""
    env = os.environ.get("SIGNPOST_PG_BINDIR")
    candidates = [Path(env)] if env else sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                                                key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                                                reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ClusterError("PostgreSQL's server programs were not found (no /usr/lib/postgresql/*/bin/initdb). "
                       "Install Debian's postgresql package: apt-get install postgresql postgresql-contrib.")


def available() -> bool:
    try:
        bindir()
    except ClusterError:
        return False
    return True


def account() -> pwd.struct_passwd | None:
    """The account PostgreSQL runs as: ``ACCOUNT`` when we are root (created if missing), else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(ACCOUNT)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    done = subprocess.run([useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                           "--shell", "/usr/sbin/nologin", "--user-group", ACCOUNT],
                          capture_output=True, text=True)
    if done.returncode not in (0, 9):  # 9: it was made meanwhile
        raise ClusterError(f"Could not create the unprivileged account {ACCOUNT!r} PostgreSQL runs as: "
                           f"{done.stderr.strip() or done.returncode}")
    return pwd.getpwnam(ACCOUNT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_root(parent: Path | None = None) -> Path:
    """A new private folder for clusters, owned by the account PostgreSQL runs as (0700)."""
    return private_folder(Path(tempfile.mkdtemp(prefix="signpost-pg-", dir=parent)))


def private_folder(path: Path) -> Path:
    """``path`` (made if missing) as a folder for clusters: owned by the account PostgreSQL runs as, 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner = account()
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chmod(path, 0o700)
    return path


@dataclass
class Cluster:
    root: Path  # the private folder (``make_root``) holding the data folder and the socket
    name: str = "primary"
    port: int = field(default_factory=free_port)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / self.name

    @property
    def socket_dir(self) -> Path:
        return self.root / f"{self.name}.sock"

    @property
    def log_file(self) -> Path:
        return self.root / f"{self.name}.log"

    def dsn(self, dbname: str = "postgres", user: str | None = None, **extra: str) -> str:
        parts = {"host": str(self.socket_dir), "port": str(self.port), "dbname": dbname,
                 "user": user or self.superuser, **extra}
        return " ".join(f"{k}={v}" for k, v in parts.items())

    @property
    def superuser(self) -> str:
        owner = account()
        return owner.pw_name if owner is not None else pwd.getpwuid(os.geteuid()).pw_name

    # -- running PostgreSQL's programs as the right account ---------------------------------------------
    def _run(self, program: str, *args: str, check: bool = True, timeout: float = START_TIMEOUT_S
             ) -> subprocess.CompletedProcess:
        owner = account()
        kwargs: dict = {}
        if owner is not None:
            kwargs = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
        done = subprocess.run([str(bindir() / program), *args], capture_output=True, text=True, env=env,
                              cwd=self.root, timeout=timeout, **kwargs)
        if check and done.returncode != 0:
            raise ClusterError(f"{program} failed for the {self.name} cluster: "
                               f"{(done.stderr or done.stdout).strip()[-2000:]}")
        return done

    def _own(self, path: Path) -> None:
        owner = account()
        if owner is not None:
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def _write_settings(self, extra: dict[str, str]) -> None:
        lines = [f"{k} = '{v}'" for k, v in {**self._base_settings(), **self.settings, **extra}.items()]
        conf = self.data / "postgresql.signpost.conf"
        conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._own(conf)
        main = self.data / "postgresql.conf"
        text = main.read_text(encoding="utf-8")
        if "include_if_exists = 'postgresql.signpost.conf'" not in text:
            main.write_text(text + "\ninclude_if_exists = 'postgresql.signpost.conf'\n", encoding="utf-8")

    def _base_settings(self) -> dict[str, str]:
        return {"port": str(self.port), "listen_addresses": "", "unix_socket_directories": str(self.socket_dir),
                "unix_socket_permissions": "0700", "wal_level": "replica", "max_wal_senders": "10",
                "hot_standby": "on", "fsync": "on", "synchronous_commit": "on",
                "log_destination": "stderr", "logging_collector": "off", "shared_buffers": "128MB",
                "max_connections": "200"}

    # -- life cycle ---------------------------------------------------------------------------------------
    def init(self) -> Cluster:
        """A new, empty cluster (local connections over the private socket only)."""
        self._run("initdb", "-D", str(self.data), "--auth-local=trust", "--auth-host=reject",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums", "-U", self.superuser)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._own(self.socket_dir)
        hba = self.data / "pg_hba.conf"
        hba.write_text("local all all trust\nlocal replication all trust\n", encoding="utf-8")
        self._own(hba)
        self._write_settings({})
        return self

    def standby_of(self, primary: Cluster) -> Cluster:
        """A streaming standby made from a base backup of ``primary``, which then waits for it on every commit
        (``synchronous_commit = remote_apply``)."""
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._own(self.socket_dir)
        self._run("pg_basebackup", "-D", str(self.data), "-h", str(primary.socket_dir), "-p", str(primary.port),
                  "-U", primary.superuser, "-X", "stream", "-c", "fast", "--no-password", timeout=600)
        (self.data / "standby.signal").touch()
        self._own(self.data / "standby.signal")
        self._write_settings({
            "primary_conninfo": f"host={primary.socket_dir} port={primary.port} user={primary.superuser} "
                                f"application_name={self.name}",
            "synchronous_standby_names": "", "synchronous_commit": "on"})
        primary.settings.update({"synchronous_standby_names": f"FIRST 1 ({self.name})",
                                 "synchronous_commit": "remote_apply"})
        primary._write_settings({})
        primary.reload()
        return self

    def start(self) -> Cluster:
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w", "-t",
                         str(START_TIMEOUT_S), "start", check=False, timeout=START_TIMEOUT_S + 10)
        if done.returncode != 0:
            tail = self.log_file.read_text(encoding="utf-8", errors="replace")[-2000:] if self.log_file.exists() \
                else done.stderr
            raise ClusterError(f"PostgreSQL ({self.name}) did not start: {tail.strip()}")
        return self

    def reload(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "reload")

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def kill(self) -> None:
        """``kill -9`` the postmaster and every backend: the machine died, as far as clients can tell."""
        pid = self.pid()
        if pid is None:
            return
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        for p in [pid, *map(int, children)]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.running():
            time.sleep(0.05)

    def promote(self) -> None:
        """This standby becomes the primary (it stops waiting for the old one)."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "promote")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def multi_host_dsn(clusters: list[Cluster], dbname: str, user: str, **extra: str) -> str:
    """One connection string naming every cluster: libpq tries them in turn and keeps the one that takes writes
    (``target_session_attrs=read-write``), so a client finds a promoted standby by itself."""
    parts = {"host": ",".join(str(c.socket_dir) for c in clusters), "port": ",".join(str(c.port) for c in clusters),
             "dbname": dbname, "user": user, "target_session_attrs": "read-write", "connect_timeout": "2", **extra}
    return " ".join(f"{k}={v}" for k, v in parts.items())
