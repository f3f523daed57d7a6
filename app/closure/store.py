"""The encrypted closure store (R-CLOSE-1..6, R-LOCAL-1, R-AUDIT-1).

One SQLCipher file per workstation, ``<data>/closure/closure.db`` (folder 0700,
file 0600), opened with a random 256-bit raw key kept in the secure key store
(``closure-store-key``; the key store refuses insecure keyrings).  It works
with no network at all and holds:

* the token register and envelopes, the checklist and its plan (JSON documents): while
  the directory answers, the directory's copy of them (it holds the LA's register,
  ``app.directory.work.closure``); otherwise this workstation's own;
* the closure steps made here that the directory does not have yet (``pending``, in
  order), journalled in the same transaction as the change they make, so a step done
  offline or just before a crash reaches the directory later (``app.closure.sync``);
* the batch state and every reset in progress (so the wizard resumes after a crash);
* the security officer PINs typed or imported from the LA's protected list --
  only here, encrypted at rest; never logged, never returned to a screen
  except to the reset itself (``so_pin``);
* its own append-only signed audit log (``app.audit.AuditLog`` on this
  connection, signed with ``closure-audit-signing-key``): every closure step
  writes an entry IN THE SAME TRANSACTION as the change it records.

Every change goes through ``write``: one ``BEGIN IMMEDIATE .. COMMIT`` holding
the new documents and the audit entry, so a kill -9 at any point leaves either
the old state or the new one, never half of each (R-CLOSE-3: nothing counted
twice).  Thread-safe: one lock around the connection; calls are short local
work, but open/close touch the key store, so never call them on the GUI thread.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app import audit as audit_log
from app.closure.plan import Checklist, Plan
from app.closure.register import Register, RegisterError, serial_of
from app.db import WrongKeyOrCorrupt, new_key, open_encrypted
from app.keystore import SecureKeyStore
from app.paths import Paths

from ..private_files import private_folder, write_private

log = logging.getLogger(__name__)

KEY_ITEM = "closure-store-key"
SIGNING_ITEM = "closure-audit-signing-key"
MAX_SO_PIN_FILE = 1_000_000
MAX_SO_PIN_ROWS = 5_000
_PIN_TEXT = re.compile(r"^[\x21-\x7e]{4,64}$")  # printable ASCII, no spaces

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resets (serial TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS so_pins (serial TEXT PRIMARY KEY, pin TEXT NOT NULL, stored_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, step TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, on_behalf_of TEXT,
    action TEXT NOT NULL, reason TEXT, detail TEXT NOT NULL, las TEXT NOT NULL DEFAULT '',
    leaf BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit_tree (
    level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    size INTEGER PRIMARY KEY, root BLOB NOT NULL, at TEXT NOT NULL, signature BLOB NOT NULL,
    origin TEXT NOT NULL DEFAULT '');
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_tree_no_update BEFORE UPDATE ON audit_tree
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_tree_no_delete BEFORE DELETE ON audit_tree
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""


class StoreError(RuntimeError):
    """The closure store refused or cannot be used; ``code`` for callers, ``str`` for a person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SoPinImport:
    added: int
    replaced: int
    serials: tuple[str, ...]


def store_path(paths: Paths) -> Path:
    return paths.data / "closure" / "closure.db"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ClosureStore:
    def __init__(self, conn, signing_key: bytes, path: Path) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._audit = audit_log.AuditLog(conn, signing_key, witness=audit_log.witness_path(path), kind="closure")
        self.public_key = self._audit.public_key

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, paths: Paths, keystore: SecureKeyStore, path: Path | None = None) -> ClosureStore:
        """Open or create the store.  Never rebuilds one whose key is gone: that would lose the
        register; it says so instead (``StoreError("key_missing")``)."""
        path = Path(path) if path is not None else store_path(paths)
        exists = path.exists() and path.stat().st_size > 0
        key = keystore.get_now(KEY_ITEM)
        signing = keystore.get_now(SIGNING_ITEM)
        if exists and (key is None or signing is None):
            raise StoreError("key_missing", "The closure record on this computer cannot be opened: its key is "
                                            "no longer in your keyring. Restore the keyring, or ask IT.")
        if key is None or signing is None:  # no store yet: a new pair (a key left from an old store is not reused)
            key, signing = new_key(), new_key()
            keystore.put_now(KEY_ITEM, key)
            keystore.put_now(SIGNING_ITEM, signing)
        try:
            conn = open_encrypted(path, key, check_same_thread=False)
        except WrongKeyOrCorrupt as exc:
            raise StoreError("unreadable", "The closure record on this computer cannot be read "
                                           "(wrong key or damaged file).") from exc
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a committed step survives a power cut too
        conn.executescript(_SCHEMA)
        if "origin" not in {c[1] for c in conn.execute("PRAGMA table_info(audit_checkpoints)")}:  # a store made before
            conn.execute("ALTER TABLE audit_checkpoints ADD COLUMN origin TEXT NOT NULL DEFAULT ''")  # logs were named
        return cls(conn, signing, path)

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            self._audit.flush()
            self._conn.close()
            self._conn = None

    # ---------------------------------------------------------------- writing
    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock:
            if self._conn is None:
                raise StoreError("closed", "The closure record is closed.")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._audit.forget_uncommitted()
                raise

    def write(self, actor: str, action: str, *, detail: dict | None = None, register: Register | None = None,
              checklist: Checklist | None = None, docs: dict[str, Any] | None = None,
              resets: dict[str, str | None] | None = None, steps: tuple[dict, ...] | list[dict] = (),
              confirmed: tuple[str, ...] = ()) -> None:
        """Save the given documents and ``resets`` (serial -> ResetState JSON, None deletes), journal
        ``steps`` for the directory and forget the ``confirmed`` ones it has, with one audit entry,
        atomically (R-AUDIT-1).  Nothing is written if anything fails."""
        la = self._doc("la") or (register.la if register is not None else None)
        with self._tx() as c:
            for step in steps:
                c.execute("INSERT INTO pending (id, step) VALUES (?, ?)",
                          (step["id"], json.dumps(step, sort_keys=True)))
            for step_id in confirmed:
                c.execute("DELETE FROM pending WHERE id = ?", (step_id,))
            if register is not None:
                self._put(c, "register", register.to_json())
            if checklist is not None:
                self._put(c, "checklist", checklist.to_json())
            for name, value in (docs or {}).items():
                self._put(c, name, json.dumps(value, sort_keys=True))
            for serial, state in (resets or {}).items():
                if state is None:
                    c.execute("DELETE FROM resets WHERE serial = ?", (serial,))
                else:
                    c.execute("INSERT OR REPLACE INTO resets VALUES (?, ?)", (serial, state))
            self._audit.record(actor, action, detail=detail or {}, las=(la,) if la else ())

    def save(self, actor: str, action: str, *, register: Register | None = None,
             checklist: Checklist | None = None, detail: dict | None = None) -> None:
        self.write(actor, action, detail=detail, register=register, checklist=checklist)

    def do(self, actor: str, *todo: dict, detail: dict | None = None, docs: dict[str, Any] | None = None,
           resets: dict[str, str | None] | None = None, action: str = "") -> tuple[Register, Checklist]:
        """Make closure steps (``app.closure.steps``) on the stored register and checklist and journal them
        for the directory, in one transaction with one audit entry; refused whole by the first step the
        register refuses.  The register and checklist after them."""
        from app.closure import steps as closure_steps
        with self.atomic():
            reg, cl = self.register(), self.checklist()
            if reg is None or cl is None:
                raise StoreError("not_set_up", "Closure is not set up on this computer yet.")
            for step in todo:
                if not closure_steps.KINDS[step["kind"]].directory_only:
                    reg, cl = closure_steps.apply(reg, cl, step)
            summary = closure_steps.summary(todo[0]) if len(todo) == 1 else {"steps": [s["kind"] for s in todo]}
            self.write(actor, action or todo[0]["kind"], register=reg, checklist=cl, steps=list(todo), docs=docs,
                       resets=resets, detail={**summary, **(detail or {})})
            return reg, cl

    def atomic(self):
        """Hold the store for a read-then-write that no other thread's step may come between."""
        return self._lock

    def pending(self) -> list[dict]:
        """The steps made here that the directory does not have yet, oldest first."""
        return [json.loads(text) for (text,) in self._read("SELECT step FROM pending ORDER BY seq")]

    @staticmethod
    def _put(c, name: str, value: str) -> None:
        c.execute("INSERT OR REPLACE INTO docs VALUES (?, ?)", (name, value))

    # ---------------------------------------------------------------- reading
    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            if self._conn is None:
                raise StoreError("closed", "The closure record is closed.")
            return self._conn.execute(sql, args).fetchall()

    def _doc_text(self, name: str) -> str | None:
        rows = self._read("SELECT value FROM docs WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def _doc(self, name: str) -> Any:
        text = self._doc_text(name)
        return None if text is None else json.loads(text)

    def doc(self, name: str, default: Any = None) -> Any:
        value = self._doc(name)
        return default if value is None else value

    def register(self) -> Register | None:
        text = self._doc_text("register")
        return None if text is None else Register.from_json(text)

    def register_set_up(self) -> Register:
        """The register, for work that runs only once closure is set up on this desk."""
        register = self.register()
        if register is None:
            raise StoreError("not_set_up", "Closure is not set up on this computer yet.")
        return register

    def checklist(self) -> Checklist | None:
        text = self._doc_text("checklist")
        return None if text is None else Checklist.from_json(text)

    def plan(self) -> Plan:
        cl = self.checklist()
        return cl.plan if cl is not None else Plan.default()

    def reset_states(self) -> dict[str, str]:
        return dict(self._read("SELECT serial, state FROM resets ORDER BY serial"))

    # ---------------------------------------------------------------- set-up
    def setup(self, la: str, partners: list[str], switch_off: date, actor: str, plan: Plan | None = None) -> None:
        """The LA's register and checklist, dated from the switch-off (R-CLOSE-3, R-CLOSE-5)."""
        if self.register() is not None:
            raise StoreError("already_set_up", "Closure is already set up on this computer.")
        plan = plan or Plan.default()
        reg = Register(la, plan.return_deadline(switch_off), list(partners))
        cl = Checklist(plan, switch_off)
        self.write(actor, "closure_setup", register=reg, checklist=cl,
                   docs={"la": la, "switch_off": switch_off.isoformat()},
                   detail={"la": la, "partners": list(partners), "switch_off": switch_off.isoformat()})

    # ---------------------------------------------------------------- SO PINs
    def import_so_pins(self, source: str | Path, actor: str) -> SoPinImport:
        """The LA's protected list of security officer PINs: a CSV file with the header
        ``serial,so_pin`` and one token per line.  All or nothing; errors name the line, never the
        PIN.  Only the PINs are kept (encrypted); the file's path and name are not."""
        p = Path(source)
        try:
            size = p.stat().st_size
            if size > MAX_SO_PIN_FILE:
                raise StoreError("so_pins_too_large", "That file is too large for a list of PINs.")
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise StoreError("so_pins_unreadable", "That file cannot be read as a CSV list of PINs.") from None
        rows = parse_so_pins(text)
        with self._tx() as c:
            have = {r[0] for r in c.execute("SELECT serial FROM so_pins")}
            for s, pin in rows.items():
                c.execute("INSERT OR REPLACE INTO so_pins VALUES (?, ?, ?)", (s, pin, _now()))
            replaced = len(have & rows.keys())
            self._audit.record(actor, "so_pins_imported", las=self._las(),
                               detail={"tokens": len(rows), "replaced": replaced})
        return SoPinImport(len(rows) - replaced, replaced, tuple(sorted(rows)))

    def so_pin(self, serial: str) -> str | None:
        """The stored security officer PIN, for the reset only (never shown, never logged)."""
        rows = self._read("SELECT pin FROM so_pins WHERE serial = ?", (serial_of(serial),))
        return rows[0][0] if rows else None

    def so_pin_count(self) -> int:
        return self._read("SELECT count(*) FROM so_pins")[0][0]

    def _las(self) -> tuple[str, ...]:
        la = self._doc("la")
        return (la,) if la else ()

    # ---------------------------------------------------------------- audit
    def record(self, actor: str, action: str, detail: dict | None = None) -> None:
        """An audit entry on its own (a step that changes nothing stored, e.g. a refused reset)."""
        with self._tx():
            self._audit.record(actor, action, detail=detail or {}, las=self._las())

    def audit_entries(self) -> list[audit_log.Entry]:
        with self._lock:
            return audit_log.entries(self._conn)

    def verify_audit(self) -> audit_log.Verdict:
        with self._lock:
            self._audit.flush()
            witness = audit_log.read_witness(audit_log.witness_path(self.path))
            return audit_log.verify(self._conn, self.public_key, witness)

    def export_audit(self, folder: Path) -> Path:
        """The closure audit as a JSON archive kept for retention (R-AUDIT-3): every entry, every
        signed checkpoint and the public key that checks them.  Folder 0700, file 0600."""
        with self._lock:
            entries = audit_log.entries(self._conn)
            cps = [audit_log.Checkpoint(s, bytes(r), a, bytes(g), o).to_json() for s, r, a, g, o in self._conn.execute(
                "SELECT size, root, at, signature, origin FROM audit_checkpoints ORDER BY size")]
        folder = private_folder(folder)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = folder / f"closure-audit-{stamp}.json"
        body = {"kind": "signpost-closure-audit", "version": 1, "public_key": self.public_key.hex(),
                "la": self._doc("la"),
                "entries": [{"seq": e.seq, "at": e.at, "actor": e.actor, "on_behalf_of": e.on_behalf_of,
                             "action": e.action, "reason": e.reason, "detail": e.detail, "las": list(e.las)}
                            for e in entries],
                "checkpoints": cps}
        return write_private(out, json.dumps(body, indent=1, ensure_ascii=False))


def _check_pin(pin: str) -> None:
    if not isinstance(pin, str) or not _PIN_TEXT.match(pin):
        raise StoreError("so_pin_invalid", "A security officer PIN is 4 to 64 letters, digits or symbols.")


def parse_so_pins(text: str) -> dict[str, str]:
    """``serial,so_pin`` rows -> {serial: pin}; refuses the whole file with line numbers (no PIN
    value ever appears in a message)."""
    reader = csv.reader(io.StringIO(text))
    header = [c.strip().lower() for c in next(reader, [])]
    if header[:2] != ["serial", "so_pin"]:
        raise StoreError("so_pins_header", "The first line of the list must be: serial,so_pin")
    out: dict[str, str] = {}
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(out) + len(errors) >= MAX_SO_PIN_ROWS:
            errors.append(f"line {line}: more than {MAX_SO_PIN_ROWS} tokens")
            break
        if len(row) != 2:
            errors.append(f"line {line}: needs exactly two fields (serial, so_pin)")
            continue
        try:
            s = serial_of(row[0])
        except RegisterError:
            errors.append(f"line {line}: the serial is not a token serial")
            continue
        pin = row[1].strip()
        try:
            _check_pin(pin)
        except StoreError:
            errors.append(f"line {line}: the PIN is not 4 to 64 letters, digits or symbols")
            continue
        if s in out and out[s] != pin:
            errors.append(f"line {line}: token {s} is listed twice with different PINs")
            continue
        out[s] = pin
    if errors:
        raise StoreError("so_pins_invalid", "Nothing was imported; fix these lines:\n" + "\n".join(errors[:50]))
    if not out:
        raise StoreError("so_pins_empty", "The list has no tokens.")
    return out
