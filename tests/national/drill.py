"""The failover drill (issue 16 §5), reusable by tests and the benchmark.

Writers record changes the way a service node does: each change is one transaction that inserts an involvement,
keeps the answer under the client's idempotency key (``done_requests``) and appends its audit entry at the next
gap-free number (migration 0004). Each writer connects through one libpq multi-host connection string naming
both clusters with ``target_session_attrs=read-write``, so after a failover it finds the new primary by itself.
A write whose answer was lost (the primary died during the COMMIT) is sent again with its key: if the key is
there the first one committed and that is its answer; if not, it is done now. So each is done exactly once.

``drill`` runs the load, ``kill -9``s the primary, promotes the standby, measures the time until a write is
acknowledged again, runs the load a little longer, and checks the new primary: every acknowledged write
present exactly once, the audit's numbers 1..n with no gap, and every entry written before the kill unchanged.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import psycopg

from app import audit
from app.national import roles
from app.national.pgcluster import Cluster, multi_host_dsn

from .rows import a_child


@dataclass
class DrillReport:
    writers: int
    acknowledged: int = 0  # writes acknowledged, before and after the failover
    acknowledged_before_kill: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, but missing on the new primary
    duplicated: list[str] = field(default_factory=list)  # present more than once
    audit_entries: int = 0
    audit_gaps: list[int] = field(default_factory=list)  # numbers missing from 1..n
    audit_changed: list[int] = field(default_factory=list)  # entries from before the kill that differ now
    kill_to_promoted_s: float = 0.0
    recovery_s: float = 0.0  # from the kill to the first write the new primary acknowledged
    resent: int = 0  # writes sent again with their key after a lost answer
    errors: list[str] = field(default_factory=list)  # anything a writer met that was not the failover

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.audit_gaps or self.audit_changed or self.errors)

    def to_json(self) -> dict:
        return {"failover_lost_writes": len(self.lost), "failover_recovery_s": round(self.recovery_s, 3),
                "failover_acknowledged_writes": self.acknowledged, "failover_writers": self.writers,
                "failover_duplicated_writes": len(self.duplicated), "failover_audit_gaps": len(self.audit_gaps),
                "failover_resent_writes": self.resent}


class _Writer(threading.Thread):
    def __init__(self, n: int, dsn: str, child: int, stop: threading.Event, acknowledged: dict[str, tuple],
                 lock: threading.Lock, report: DrillReport) -> None:
        super().__init__(name=f"drill-writer-{n}")
        self.n, self.dsn, self.child, self.stop, self.acknowledged = n, dsn, child, stop, acknowledged
        self.lock, self.report = lock, report
        self.username = f"drill.writer{n}"

    def _connect(self) -> psycopg.Connection:
        while True:
            try:
                return psycopg.connect(self.dsn)
            except psycopg.OperationalError:
                if self.stop.is_set():
                    raise
                time.sleep(0.05)

    def _write(self, conn: psycopg.Connection, key: str, resent: bool) -> tuple[int, bytes]:
        """The change, its kept answer and its audit entry, in one transaction; or, sent again after a lost
        answer, the answer kept already if the first one committed."""
        kept = conn.execute("SELECT answer FROM done_requests WHERE username = %s AND key = %s",
                            (self.username, key)).fetchone() if resent else None
        if kept is not None:
            conn.rollback()
            answer = json.loads(kept[0])
            return answer["seq"], bytes.fromhex(answer["leaf"])
        involvement = conn.execute(
            "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
            "recorded_by) VALUES (%s, 'school_nurse', 'Drill', %s, 'Nurse', '0', 'n@drill.example', current_date, "
            "%s) RETURNING id", (self.child, key, self.username)).fetchone()[0]
        seq = conn.execute("SELECT audit_sequence_next()").fetchone()[0]
        at = f"{time.time():.6f}"
        detail = json.dumps({"involvement": involvement, "key": key}, sort_keys=True, separators=(",", ":"))
        leaf = audit.entry_leaf(seq, at, self.username, None, "record_involvement", None, detail, "NBR")
        conn.execute("INSERT INTO audit (seq, at, actor, action, detail, las, leaf) "
                     "VALUES (%s, %s, %s, 'record_involvement', %s, 'NBR', %s)", (seq, at, self.username, detail, leaf))
        conn.execute("INSERT INTO done_requests (username, key, op, answer, at, expires_at) "
                     "VALUES (%s, %s, 'record_involvement', %s, now(), now() + interval '1 day')",
                     (self.username, key, json.dumps({"seq": seq, "leaf": leaf.hex()})))
        conn.commit()
        return seq, leaf

    def run(self) -> None:
        conn: psycopg.Connection | None = None
        i = 0
        try:
            while not self.stop.is_set():
                key = f"drill-{self.n}-{i:07d}"
                resent = False
                while True:
                    try:
                        if conn is None or conn.closed:
                            conn = self._connect()
                        seq, leaf = self._write(conn, key, resent)
                        break
                    except psycopg.OperationalError:  # the server went away: the answer, if any, was lost
                        if conn is not None:
                            conn.close()
                        conn, resent = None, True
                        if self.stop.is_set():
                            return
                with self.lock:  # (number, leaf, when, which server acknowledged it)
                    self.acknowledged[key] = (seq, leaf, time.monotonic(), conn.info.port)
                    self.report.resent += int(resent)
                i += 1
        except psycopg.OperationalError:
            return  # stopped while no server would take the connection
        except Exception as exc:  # reported, and the drill is not clean
            self.report.errors.append(f"{self.name}: {type(exc).__name__}: {exc}")
        finally:
            if conn is not None:
                conn.close()


def prepare_drill(primary: Cluster, name: str) -> int:
    """A child the drill's involvements are about (the database made and migrated already): its id."""
    with psycopg.connect(primary.dsn(name, user=roles.SERVICE)) as conn:
        return a_child(conn)


def drill(primary: Cluster, standby: Cluster, name: str, writers: int = 4, load_s: float = 2.0,
          after_s: float = 1.0) -> DrillReport:
    """Write load, kill -9 of the primary, promotion of the standby, more load, then the checks."""
    report = DrillReport(writers)
    child = prepare_drill(primary, name)
    dsn = multi_host_dsn([primary, standby], name, roles.SERVICE)
    acknowledged: dict[str, tuple] = {}
    lock = threading.Lock()
    stop = threading.Event()
    threads = [_Writer(n, dsn, child, stop, acknowledged, lock, report) for n in range(writers)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + load_s
        while time.monotonic() < deadline or not acknowledged:
            time.sleep(0.05)
            if time.monotonic() > deadline + 60:
                raise RuntimeError("the drill's writers acknowledged nothing in a minute")
        with psycopg.connect(standby.dsn(name)) as s:  # what the standby has: every acknowledged entry
            before: dict[int, bytes] = dict(s.execute("SELECT seq, leaf FROM audit").fetchall())
        killed = time.monotonic()
        primary.kill()
        with lock:
            report.acknowledged_before_kill = len(acknowledged)
        standby.promote()
        report.kill_to_promoted_s = time.monotonic() - killed
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                after = [at for _, _, at, port in acknowledged.values() if port == standby.port]
            if after:
                report.recovery_s = min(after) - killed
                break
            time.sleep(0.01)
        else:
            report.errors.append("no write was acknowledged within 60 s of the kill")
        time.sleep(after_s)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    report.acknowledged = len(acknowledged)
    _check(standby, name, acknowledged, before, report)
    return report


def _check(new_primary: Cluster, name: str, acknowledged: dict[str, tuple], before: dict[int, bytes],
           report: DrillReport) -> None:
    with psycopg.connect(new_primary.dsn(name)) as conn:
        involvements: dict[str, int] = {}
        for (key,) in conn.execute("SELECT practitioner FROM involvements WHERE organisation = 'Drill'"):
            involvements[key] = involvements.get(key, 0) + 1
        entries: dict[int, bytes] = dict(conn.execute("SELECT seq, leaf FROM audit").fetchall())
        answers = {k for (k,) in conn.execute("SELECT key FROM done_requests WHERE key LIKE 'drill-%'")}
    report.lost = sorted(k for k in acknowledged if involvements.get(k, 0) == 0 or k not in answers)
    report.duplicated = sorted(k for k, n in involvements.items() if n > 1)
    report.audit_entries = len(entries)
    report.audit_gaps = [s for s in range(1, max(entries, default=0) + 1) if s not in entries]
    changed = {s for s, leaf in before.items() if bytes(entries.get(s, b"")) != bytes(leaf)}
    changed |= {seq for seq, leaf, *_ in acknowledged.values() if bytes(entries.get(seq, b"")) != leaf}
    report.audit_changed = sorted(changed)
