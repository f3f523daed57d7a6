"""The audit log (R-AUDIT-1, R-AUDIT-2): append-only, and tamper-evident to
anyone holding a signed checkpoint.

- Each entry is a leaf of an RFC 6962 Merkle tree (``app.merkle``); the
  entry's leaf hash covers its position, time, actor, on-whose-behalf, action,
  reason, detail and the LAs it concerns.
- After every entry the directory signs a **checkpoint** (size, root, time)
  with its own Ed25519 key, which is not in the database. Checkpoints are kept
  outside the audit table (``audit_checkpoints``), and the latest is also
  written beside the directory file (the *witness*: within a second while
  busy, and on close), so cutting entries off the end of the log shows.
- Clients keep the last checkpoint they saw and, at each sign-in, ask for a
  consistency proof to the current one (``consistency``): a log that shrank
  or was rewritten cannot prove it extends what they saw.
- ``verify`` checks the whole log and names the first bad entry: edited,
  deleted in the middle or at the end, inserted, reordered, or edited with
  every stored hash recomputed (only the directory's key could re-sign).

The table also refuses UPDATE and DELETE (triggers in ``schema``).

Each entry names the local authorities it concerns (``las``: the acting
user's LA and the LA of any record it touched), so an LA management team
reads only its own LA's users and records (R-ROLE-3).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import merkle
from .model import Viewer
from .private_files import write_private

CHECKPOINT_CONTEXT = b"signpost-audit-checkpoint-v1"
NAMED_CHECKPOINT_CONTEXT = b"signpost-audit-checkpoint-v2\n"  # the checkpoint of a named log (``origin``)
MAX_ORIGIN_CHARS = 120
WITNESS_EVERY_S = 1.0  # the witness beside the directory lags the log by at most this while it is busy
FULL_CHECK_ENTRIES = 10_000  # the engine checks a log this long whole at open (about 0.3 s on this 2-core machine)
TAIL_CHECK_ENTRIES = 1_000  # ... and a longer one's last entries; ``audit verify`` always checks all of it


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    on_behalf_of: str | None
    action: str
    reason: str | None
    detail: dict
    las: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnEntry:
    """One of a user's own entries as the directory holds it, with its RFC 6962 inclusion proof in the tree
    of ``size`` entries: the client recomputes the leaf and checks it (``app.audit_memory``)."""

    entry: Entry
    size: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head: the log named ``origin`` had ``size`` entries with this ``root`` at ``at``.

    The origin names the log, as C2SP's tlog-checkpoint does, and is signed with the rest: a checkpoint of one
    log (a training directory's) can never pass for another's (the service's), even under the same key (issue
    16 §4). ``""``: a checkpoint signed before logs were named, whose signature covers no origin."""

    size: int
    root: bytes
    at: str
    signature: bytes
    origin: str = ""

    def message(self) -> bytes:
        return checkpoint_message(self.size, self.root, self.at, self.origin)

    def verify(self, public_key: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(self.signature, self.message())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> dict:
        return {"size": self.size, "root": self.root.hex(), "at": self.at, "signature": self.signature.hex(),
                "origin": self.origin}

    @classmethod
    def from_json(cls, data: dict) -> Checkpoint:
        origin = data.get("origin", "")
        if not origin_ok(origin):
            raise ValueError("a checkpoint's origin is one line of printable text")
        return cls(int(data["size"]), bytes.fromhex(data["root"]), str(data["at"]), bytes.fromhex(data["signature"]),
                   origin)


def witness_path(path: str | Path) -> Path:
    """Where the latest signed checkpoint of the audit log in the database file ``path`` is kept, beside it."""
    return Path(f"{path}.audit-head")


def checkpoint_message(size: int, root: bytes, at: str, origin: str = "") -> bytes:
    """What a checkpoint's signature covers. A named log's (``origin``) starts with its own context and the name
    on a line of its own; ``""`` is the form signed before logs were named, read for the checkpoints kept then."""
    if not origin:
        return CHECKPOINT_CONTEXT + struct.pack(">Q", size) + root + at.encode("utf-8")
    if not origin_ok(origin):
        raise ValueError("a checkpoint's origin is one line of printable text")
    return NAMED_CHECKPOINT_CONTEXT + origin.encode("utf-8") + b"\n" + struct.pack(">Q", size) + root + at.encode()


def origin_ok(origin: object) -> bool:
    """A log's name: one line of printable ASCII, at most ``MAX_ORIGIN_CHARS`` (C2SP tlog-checkpoint's origin)."""
    return isinstance(origin, str) and len(origin) <= MAX_ORIGIN_CHARS and all(" " <= c <= "~" for c in origin)


def new_origin(kind: str) -> str:
    """A name for a new log: what it is (``training``, ``service``, ``closure``) and a random part of its own."""
    return f"signpost/{kind}/{secrets.token_hex(8)}"


def entry_leaf(seq: int, at: str, actor: str, on_behalf_of: str | None, action: str, reason: str | None,
               detail: str, las: str) -> bytes:
    body = json.dumps([seq, at, actor, on_behalf_of, action, reason, detail, las], separators=(",", ":"),
                      ensure_ascii=False)
    return merkle.leaf_hash(body.encode("utf-8"))


def fingerprint(public_key: bytes) -> str:
    """A key's fingerprint as people compare it: the first 64 bits of its SHA-256, in groups of four."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:16]
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))


def derived_signing_key(directory_key: bytes) -> bytes:
    """A signing key derived from the directory's key, for tests and benchmarks that pass none.
    The app passes its own key, kept apart in the key store."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"signpost-audit-signing").derive(directory_key)


class _Tampered(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.problem)
        self.verdict = verdict


def _tampering(exc: BaseException, size: int) -> Verdict | None:
    """The finding an append's failure means, if it means the log was changed outside the directory: a node
    or checkpoint for the next entry already stored (IntegrityError), or one the tree needs gone (LookupError)."""
    from .db import DatabaseError
    if isinstance(exc, LookupError) or (isinstance(exc, DatabaseError) and "UNIQUE constraint" in str(exc)):
        return Verdict(False, size, size + 1, f"The log's hash tree does not fit its {size} entries: it was changed "
                                              "outside the directory.", "tree_broken")
    return None


class _TreeStore:
    """Merkle nodes in ``audit_tree`` (complete subtrees only; append-only)."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def get(self, level: int, index: int) -> bytes:
        row = self.conn.execute("SELECT hash FROM audit_tree WHERE level = ? AND idx = ?", (level, index)).fetchone()
        if row is None:
            raise LookupError(f"audit tree node ({level}, {index}) is missing")
        return bytes(row[0])

    def put(self, level: int, index: int, value: bytes) -> None:
        self.conn.execute("INSERT INTO audit_tree VALUES (?,?,?)", (level, index, value))


class AuditLog:
    """Appends entries and signs a checkpoint after each. Single-threaded, like the engine."""

    def __init__(self, conn, signing_key: bytes, witness: Path | None = None, kind: str = "directory") -> None:
        """``kind``: what the log is, for the name a new log is given (``new_origin``); a log keeps its name."""
        self.conn = conn
        self._key = Ed25519PrivateKey.from_private_bytes(signing_key)
        self.public_key = self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)
        self.witness = witness
        self._witnessed_at = -1e9
        self._pending: Checkpoint | None = None
        self.tree = _TreeStore(conn)
        self.size = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        self.broken: Verdict | None = None  # set when the log failed a check: nothing more is appended to it
        known = conn.execute("SELECT value FROM meta WHERE key = 'audit_public_key'").fetchone()
        if known is None or (known[0] != self.public_key.hex() and not self.size):  # an empty log: its first key
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('audit_public_key', ?)", (self.public_key.hex(),))
        self.pinned = bytes.fromhex(known[0]) if known is not None and self.size else self.public_key
        named = conn.execute("SELECT value FROM meta WHERE key = 'audit_origin'").fetchone()
        if named is None:  # a new log, or one from before logs were named: named now, and its checkpoints from now
            conn.execute("INSERT INTO meta VALUES ('audit_origin', ?)", (new_origin(kind),))
            named = conn.execute("SELECT value FROM meta WHERE key = 'audit_origin'").fetchone()
        self.origin: str = named[0]

    def self_check(self) -> Verdict:
        """Check the log at open (issue 13 §1.2): every entry when there are at most ``FULL_CHECK_ENTRIES``
        (about 10 µs each), else the last ``TAIL_CHECK_ENTRIES`` and the tree's stored nodes; the latest
        checkpoint against the key pinned when the log began, and the witness beside the file, which a
        non-empty log must have. A failure leaves the log ``broken``: appending to it is refused."""
        if self.pinned != self.public_key:
            verdict = Verdict(False, 0, None, "The directory's audit log was signed with another key than the one "
                                              "it is opened with now.", "key_changed")
        else:
            try:
                witness = read_witness(self.witness)
            except WitnessUnreadable as exc:
                verdict = Verdict(False, 0, None, str(exc), "bad_signature")
            else:
                tail = None if self.size <= FULL_CHECK_ENTRIES else TAIL_CHECK_ENTRIES
                verdict = verify(self.conn, self.public_key, witness, require_witness=self.witness is not None,
                                 every_checkpoint=False, tail=tail)
                if not verdict.ok and verdict.code == "altered":  # found: now name the first bad entry
                    verdict = verify(self.conn, self.public_key, witness, require_witness=self.witness is not None,
                                     tail=tail)
        self.broken = None if verdict.ok else verdict
        return verdict

    def _refuse_broken(self) -> NoReturn:
        from .refusals import AuditBroken
        assert self.broken is not None
        raise AuditBroken("audit.log_broken", finding=self.broken.code, entry=self.broken.first_bad)

    def record(self, actor: str, action: str, *, detail: dict | None = None, reason: str | None = None,
               viewer: Viewer | None = None, las: tuple[str, ...] | list[str] | set[str] = ()) -> None:
        """Append one entry and sign the new tree head, atomically."""
        on_behalf = None
        if viewer is not None and viewer.on_behalf_of is not None:
            c = viewer.on_behalf_of
            on_behalf = f"{c.name} ({c.organisation})"
            if getattr(c, "username", ""):  # R-ROLE-2 (issue 8): a registered colleague, as the LA team registered them
                row = self.conn.execute("SELECT display_name, organisation FROM users WHERE username = ? "
                                        "AND role = 'colleague'", (str(c.username).strip().lower()[:64],)).fetchone()
                if row is not None:
                    on_behalf = f"{row[0]} ({row[1]})"
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
        la_codes = set(las)
        if viewer is not None:
            la_codes.add(viewer.user.la_code)
        la_text = ",".join(sorted(c for c in la_codes if c))
        if self.broken is not None:  # never on top of a log that failed its check (issue 13 §1.2)
            self._refuse_broken()
        own = not self.conn.in_transaction
        if own:  # take the write lock first: another process (app and service on one file) may append too
            self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("SAVEPOINT audit_append")
        try:
            top = self.conn.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]
            latest = self.conn.execute("SELECT coalesce(max(size), 0) FROM audit_checkpoints").fetchone()[0]
            if latest != top:  # entries cut off, or added without a checkpoint, since the check (O(log n) each)
                raise _Tampered(Verdict(False, min(top, latest), min(top, latest) + 1, "The log changed outside "
                                        "the directory while it was open.", "cut_off" if latest > top else
                                        "not_covered"))
            self.size = top
            seq = self.size + 1
            leaf = entry_leaf(seq, at, actor, on_behalf, action, reason, text, la_text)
            self.conn.execute(
                "INSERT INTO audit (seq, at, actor, on_behalf_of, action, reason, detail, las, leaf) "
                "VALUES (?,?,?,?,?,?,?,?,?)", (seq, at, actor, on_behalf, action, reason, text, la_text, leaf))
            merkle.append(self.tree, self.size, leaf)
            cp = self._sign(seq, merkle.root(self.tree, seq), at)
            self.conn.execute("INSERT INTO audit_checkpoints (size, root, at, signature, origin) VALUES (?,?,?,?,?)",
                              (cp.size, cp.root, cp.at, cp.signature, cp.origin))
            self.conn.execute("RELEASE audit_append")
            if own:
                self.conn.execute("COMMIT")
        except BaseException as exc:
            self.conn.execute("ROLLBACK TO audit_append")
            self.conn.execute("RELEASE audit_append")
            if own:
                self.conn.execute("ROLLBACK")
            tampered = exc.verdict if isinstance(exc, _Tampered) else _tampering(exc, self.size)
            if tampered is not None:  # a tree node or checkpoint already there, or one missing: the log was
                self.broken = tampered  # changed behind the directory's back -- say so, never a raw error
                self._refuse_broken()
            raise
        self.size = seq
        self._witness(cp)

    def _sign(self, size: int, root: bytes, at: str) -> Checkpoint:
        return Checkpoint(size, root, at, self._key.sign(checkpoint_message(size, root, at, self.origin)), self.origin)

    def _witness(self, cp: Checkpoint, force: bool = False) -> None:
        """Write the latest checkpoint beside the directory: at most every ``WITNESS_EVERY_S`` while busy
        (a rename per entry would be most of a search's cost), and always when the log is closed."""
        if self.witness is None:
            return
        self._pending = cp
        now = time.monotonic()
        if not force and now - self._witnessed_at < WITNESS_EVERY_S:
            return
        self._witnessed_at = now
        self._pending = None
        write_private(self.witness, json.dumps(cp.to_json()))

    def forget_uncommitted(self) -> None:
        """After a caller rolled back a transaction this log appended in: drop what it no longer holds."""
        self._pending = None
        self.size = self.conn.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]

    def flush(self) -> None:
        """Write the witness now if a checkpoint is waiting (on close, and before a verify)."""
        if self._pending is not None:
            self._witness(self._pending, force=True)

    def checkpoint(self) -> Checkpoint:
        """The latest signed checkpoint (an empty log is signed on demand)."""
        row = self.conn.execute("SELECT size, root, at, signature, origin FROM audit_checkpoints ORDER BY size DESC "
                                "LIMIT 1").fetchone()
        if row is None:
            return self._sign(0, merkle.EMPTY_ROOT, datetime.now(UTC).isoformat(timespec="microseconds"))
        return Checkpoint(row[0], bytes(row[1]), row[2], bytes(row[3]), row[4])

    def own_entry(self, seq: int, size: int) -> OwnEntry | None:
        """Entry ``seq`` with its inclusion proof in the tree of ``size`` entries, or None if there is none."""
        if not 1 <= seq <= size <= self.size:
            raise ValueError("sizes out of range")
        got = entries(self.conn, seq - 1, until_seq=seq)
        if not got or got[0].seq != seq:
            return None
        return OwnEntry(got[0], size, tuple(merkle.inclusion_proof(self.tree, seq - 1, size)))

    def consistency(self, old: int, new: int) -> list[bytes]:
        """Proof that the log of size ``new`` extends the log of size ``old`` (RFC 6962 §2.1.2)."""
        if not 0 <= old <= new <= self.size:
            raise ValueError("sizes out of range")
        return merkle.consistency_proof(self.tree, old, new)


def entries(conn, since_seq: int = 0, la_code: str | None = None, until_seq: int | None = None) -> list[Entry]:
    """Entries after ``since_seq`` (up to ``until_seq``); with ``la_code``, only those that concern that LA."""
    out = []
    for seq, at, actor, obo, action, reason, detail, las in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las FROM audit "
            "WHERE seq > ? AND seq <= ? ORDER BY seq", (since_seq, until_seq if until_seq is not None else 2**62)):
        codes = tuple(las.split(",")) if las else ()
        if la_code is None or la_code in codes:
            out.append(Entry(seq, at, actor, obo, action, reason, json.loads(detail), codes))
    return out


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad: int | None = None  # the first entry (seq) that is missing, altered or unsigned
    problem: str = ""
    code: str = ""  # what was found (FINDINGS), for alerts and words; "" when ok
    compared: tuple[Reference, ...] = ()  # every checkpoint the log was compared against
    redacted: int = 0  # (archives) entries whose detail was cut for the reader: proven in the log, not read


# What a check can find (Verdict.code): each names one way a log stops being the one that was signed.
FINDINGS = ("missing", "altered", "not_covered", "cut_off", "rewritten", "bad_signature", "key_changed",
            "witness_missing", "tree_broken", "other_log")


@dataclass(frozen=True)
class Reference:
    """A signed checkpoint the log is held to, and where it came from (said in ``audit verify``'s output)."""

    checkpoint: Checkpoint
    source: str

    def describe(self) -> str:
        return f"{self.checkpoint.size} entries, root {self.checkpoint.root.hex()[:16]}…, {self.source}"


def verify(conn, public_key: bytes, witness: Checkpoint | None = None, *, references: tuple[Reference, ...] = (),
           require_witness: bool = False, every_checkpoint: bool = True, tail: int | None = None) -> Verdict:
    """Check the log against its signed checkpoints, the witness beside it and ``references`` kept elsewhere.

    Recomputes every leaf from the entry itself and every tree head from the leaves, so stored hashes that
    were recomputed after an edit do not help; an entry is covered when the latest signed checkpoint's root
    is the root of the recomputed leaves. ``references`` (a client's or the LA team's checkpoint, one given
    on the command line, one this verifier kept) each must be a prefix of the log: one for more entries
    than the log holds means entries were cut off, one whose root differs means the log was rewritten --
    the only way a rewrite re-signed with the directory's own key shows.

    ``require_witness``: a non-empty log with no witness beside it is a finding, not a fresh start.
    ``every_checkpoint``: check each stored checkpoint's signature and root, which names the first bad entry
    (``audit verify``), or only the latest one and the references (the engine at open: the latest covers
    every entry, and each signature costs about 0.1 ms, each root some 30 µs). ``tail``: recompute only the
    last ``tail`` leaves, and take the tree's stored nodes for the rest (the engine, on a long log).
    """
    refs = list(references)
    if witness is not None:
        refs.append(Reference(witness, "the witness beside the directory"))
    count, top = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM audit").fetchone()
    start = count - tail if tail is not None and count > tail else 0  # checkpoints before the tail are not read
    signed = {size: Checkpoint(size, bytes(root), at, bytes(sig), name) for size, root, at, sig, name in conn.execute(
        "SELECT size, root, at, signature, origin FROM audit_checkpoints WHERE size > ? OR size = (SELECT max(size) "
        "FROM audit_checkpoints)", (start,))}
    latest = max(signed.values(), key=lambda c: c.size, default=None)
    compared = tuple(refs) + ((Reference(latest, "the latest checkpoint stored in the directory"),)
                              if latest is not None else ())

    def bad(code: str, entries: int, first: int | None, problem: str) -> Verdict:
        return Verdict(False, entries, first, problem, code, compared)

    for ref in refs:
        if not ref.checkpoint.verify(public_key):
            return bad("bad_signature" if ref.source.startswith("the witness") else "key_changed", 0,
                       ref.checkpoint.size, f"The checkpoint from {ref.source} is not signed by the directory's "
                                            "key: it was forged, or the directory's key has changed since.")
    named = conn.execute("SELECT value FROM meta WHERE key = 'audit_origin'").fetchone()
    for ref in refs:  # issue 16 §4: a checkpoint of another log, even one signed by the same key
        if ref.checkpoint.origin and named is not None and ref.checkpoint.origin != named[0]:
            return bad("other_log", 0, ref.checkpoint.size, f"The checkpoint from {ref.source} is of another log "
                                                            f"({ref.checkpoint.origin}), not this one ({named[0]}).")
    if latest is not None and not latest.verify(public_key):
        return bad("bad_signature", 0, latest.size, "The latest checkpoint's signature is not the directory's.")
    if require_witness and witness is None and count:
        return bad("witness_missing", 0, None, "The checkpoint the directory keeps beside its file (the witness) "
                                               f"is missing, though the log holds {count} entries: it was deleted, "
                                               "or the log was put back from somewhere else.")
    store: merkle.NodeStore
    size = start
    if start:
        store = _TailStore(_TreeStore(conn))
        if top != count:
            return bad("missing", 0, None, f"The log holds {count} entries numbered up to {top}: some are missing.")
    else:
        store = merkle.MemoryStore()
    for seq, at, actor, obo, action, reason, detail, las, leaf in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las, leaf FROM audit WHERE seq > ? "
            "ORDER BY seq", (size,)):
        position = size + 1
        if seq != position:
            return bad("missing", size, position, f"Entry {position} is missing: the log jumps to entry {seq}.")
        computed = entry_leaf(seq, at, actor, obo, action, reason, detail, las)
        if bytes(leaf) != computed:
            return bad("altered", size, seq, f"Entry {seq} was altered after it was written.")
        try:
            size = merkle.append(store, size, computed)
            if latest is None or size > latest.size:
                return bad("not_covered", size - 1, seq, f"Entry {seq} is not covered by any signed "
                                                         "checkpoint: it was added outside the directory.")
            cp = signed.get(size) if every_checkpoint or size == latest.size else None
            if cp is None:
                continue
            if (every_checkpoint and not cp.verify(public_key)) or cp.root != merkle.root(store, size):
                return bad("altered", size - 1, seq, f"Entry {seq} does not match the checkpoint the directory "
                                                     "signed for it: it was altered, inserted or moved.")
        except LookupError:
            return bad("tree_broken", size, seq, f"The log's stored hash tree is incomplete at entry {seq}.")
    try:
        stored_root = merkle.root(_TreeStore(conn), size)
    except LookupError:
        stored_root = None
    if latest is not None and latest.size == size and stored_root != latest.root:
        return bad("tree_broken", size, None, "The log's stored hash tree does not give the root the directory "
                                              "signed: proofs made from it would not hold.")
    for ref in sorted(compared, key=lambda r: r.checkpoint.size):
        cp = ref.checkpoint
        if cp.size > size:
            return bad("cut_off", size, size + 1, f"The log ends at entry {size}, but {ref.source} holds a signed "
                                                  f"checkpoint for {cp.size} entries: entries were cut off.")
        try:
            root = merkle.root(store, cp.size)
        except LookupError:
            return bad("tree_broken", size, cp.size, f"The log's stored hash tree is incomplete at entry {cp.size}.")
        if root != cp.root:
            return bad("rewritten", size, None, f"The first {cp.size} entries are not the ones {ref.source} "
                                                "signed for: the log was rewritten (re-signed) since.")
    return Verdict(True, size, compared=compared)


class _TailStore:
    """A node store for a check of the last entries only: the stored tree's nodes below the tail, new ones
    (recomputed from the entries) above it, kept apart so a stored node never stands in for a recomputed one."""

    def __init__(self, stored: _TreeStore) -> None:
        self.stored = stored
        self.fresh = merkle.MemoryStore()

    def get(self, level: int, index: int) -> bytes:
        got = self.fresh.nodes.get((level, index))
        return got if got is not None else self.stored.get(level, index)

    def put(self, level: int, index: int, value: bytes) -> None:
        self.fresh.put(level, index, value)


class WitnessUnreadable(ValueError):
    pass


def read_witness(path: Path | None) -> Checkpoint | None:
    """The latest checkpoint written beside the directory; None if there is none yet."""
    if path is None:
        return None
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WitnessUnreadable(f"The audit checkpoint beside the directory ({path}) cannot be read: {exc}") from None
