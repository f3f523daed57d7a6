"""``audit verify`` for the training directory (R-AUDIT-2; issue 13 §1.1): the whole log, held to every
checkpoint this verifier can get, each said in its output with its size, root and where it came from.

- the checkpoints the directory stored, and the witness beside its file -- which a non-empty log must
  have: a witness that is gone is a finding, not a fresh start;
- checkpoints kept elsewhere and given with ``--against FILE`` (a checkpoint this command wrote with
  ``audit checkpoint --out``, a list of them, or an LA team's audit archive);
- the checkpoint this verifier kept itself after its last clean run, in the keyring (``VERIFIER_ITEM``),
  which a copy of the data folder does not carry.

A log shorter than any of them, or whose entries up to one of them are not the ones signed, fails. Someone
who holds the directory's own signing key can re-sign a rewritten log, and the witness beside it: that only
shows against a checkpoint held elsewhere, which the output says. No Qt here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import audit, db, training
from .directory import witness_path
from .keystore import SecureKeyStore
from .paths import Paths
from .private_files import write_private

VERIFIER_ITEM = training.VERIFIER_ITEM
CAVEAT = ("A log rewritten and re-signed with the directory's own key is caught only by a checkpoint held "
          "elsewhere: keep one (`audit checkpoint --out FILE`, or your LA team's audit archive) away from this "
          "computer and give it with --against FILE.")


@dataclass
class Outcome:
    code: int  # 0 intact, 1 a finding, 2 the log cannot be checked
    said: list[str] = field(default_factory=list)  # for stdout
    problem: str = ""  # for stderr
    verdict: audit.Verdict | None = None


class CheckpointFileError(ValueError):
    pass


def checkpoints_in(path: Path) -> list[audit.Checkpoint]:
    """The checkpoints a file given with ``--against`` holds: one checkpoint, a list, or an audit archive."""
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(body, dict) and isinstance(body.get("checkpoint"), dict):  # an audit archive
            body = body["checkpoint"]
        items = body if isinstance(body, list) else [body]
        return [audit.Checkpoint.from_json(item) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointFileError(f"{path} holds no checkpoint Signpost can read ({exc}).") from None


def remembered(store: SecureKeyStore, public_key: bytes) -> audit.Reference | None:
    """The checkpoint this verifier kept after its last clean run (``CheckpointFileError`` if it is not
    one); a checkpoint kept under another key fails the check as such."""
    raw = store.get_now(VERIFIER_ITEM)
    if raw is None:
        return None
    try:
        body = json.loads(raw)
        cp = audit.Checkpoint.from_json(body["checkpoint"])
        kept_key = bytes.fromhex(body["public_key"])
    except (ValueError, KeyError, TypeError):
        raise CheckpointFileError("the checkpoint this verifier kept in the keyring cannot be read") from None
    source = "kept by this verifier in the keyring after its last clean run"
    if kept_key != public_key:
        source += " (signed by a key that is not the directory's now)"
    return audit.Reference(cp, source)


def verify(paths: Paths, store: SecureKeyStore, against: tuple[Path, ...] = ()) -> Outcome:
    """The whole check; keeps the latest checkpoint in the keyring when the log is intact."""
    path = paths.training_directory
    try:
        if not path.exists():
            raise training.DirectoryProblem("no_directory", f"There is no training directory at {path}.")
        key = training.directory_key(store)
        public = training.public_signing_key(training.signing_key(store, create=False))
        refs = [audit.Reference(cp, f"--against {f}") for f in against for cp in checkpoints_in(f)]
    except (training.DirectoryProblem, CheckpointFileError) as exc:
        return Outcome(2, problem=f"The audit log cannot be checked: {exc}")
    try:
        mine = remembered(store, public)
    except CheckpointFileError as exc:
        return Outcome(1, problem=f"TAMPERED OR DAMAGED: {exc}.")
    if mine is not None:
        refs.append(mine)
    _, salt = training.stored_key(store)
    try:
        conn = db.open_encrypted(path, key)
    except (db.DatabaseError, db.WrongKeyOrCorrupt, OSError) as exc:
        return Outcome(2, problem=f"The audit log cannot be checked: {training.problem(exc, path, salt)}")
    try:
        try:
            db.check_pages(conn, path)
        except (db.DatabaseError, db.WrongKeyOrCorrupt, OSError) as exc:
            return Outcome(2, problem=f"The audit log cannot be checked: {training.problem(exc, path, salt)}")
        try:
            witness = audit.read_witness(witness_path(path))
        except audit.WitnessUnreadable as exc:
            return Outcome(1, problem=f"TAMPERED OR DAMAGED: {exc}")
        pinned = conn.execute("SELECT value FROM meta WHERE key = 'audit_public_key'").fetchone()
        verdict = audit.verify(conn, public, witness, references=tuple(refs), require_witness=True)
        if verdict.ok and pinned is not None and verdict.entries and pinned[0] != public.hex():
            verdict = audit.Verdict(False, verdict.entries, None, "The directory's log was begun under another "
                                    "signing key than the one in this keyring.", "key_changed", verdict.compared)
    finally:
        conn.close()
    said = ["Compared against:"] + [f"  - {r.describe()}" for r in verdict.compared]
    if not verdict.compared:
        said.append("  - nothing: the log is empty and no checkpoint was given")
    if not verdict.ok:
        first = f"first bad entry: {verdict.first_bad}; " if verdict.first_bad else ""
        return Outcome(1, said, f"TAMPERED: {verdict.problem} ({first}{verdict.entries} entries before it check "
                                "out).", verdict)
    latest = max((r.checkpoint for r in verdict.compared), key=lambda c: c.size, default=None)
    if latest is not None and latest.size == verdict.entries:
        store.put_now(VERIFIER_ITEM, json.dumps({"public_key": public.hex(), "checkpoint": latest.to_json()}).encode())
    root = f", root {latest.root.hex()[:16]}…" if latest is not None else ""
    said.append(f"The audit log is intact: {verdict.entries} entries{root}, each covered by a checkpoint the "
                "directory signed, and none shorter than or different from any checkpoint above.")
    said.append(CAVEAT)
    return Outcome(0, said, verdict=verdict)


def write_checkpoint(outcome: Outcome, out: Path) -> Path:
    """Keep the checkpoint a clean run ended on in ``out`` (0600), to hold elsewhere and give with --against."""
    assert outcome.verdict is not None and outcome.verdict.ok and outcome.verdict.compared
    latest = max((r.checkpoint for r in outcome.verdict.compared), key=lambda c: c.size)
    return write_private(out, json.dumps(latest.to_json()))
