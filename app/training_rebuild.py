"""Rebuilding the training directory: a person's explicit choice, after its audit log is kept (issue 13 §4.2;
R-AUDIT-3). No Qt here.

``export(paths, store, to)`` writes the whole log, each entry with its proof against the latest signed
checkpoint, to a file outside the training folder (0600), and checks it from disk. ``rebuild`` then refuses
unless it is given such an archive that verifies against the directory's own key and covers the log as it
stands (its checkpoint is the latest one, in the directory or beside it), or ``discard_audit`` (the admin
command's ``--discard-audit``, typed in full). Only then does it delete the directory, the checkpoint beside
it, its keys and this desk's caches (which hold the old directory's records and memory of its log), and
build a new one whose first entry says what was done.
"""
from __future__ import annotations

from pathlib import Path

from . import audit, audit_archive, db, training
from .keystore import SecureKeyStore
from .localcache import cache_files, key_item_name
from .paths import Paths


class RebuildRefused(RuntimeError):
    """``str()`` says why, and what to do."""


def _outside_training(paths: Paths, to: Path) -> Path:
    to = Path(to).expanduser().resolve()
    if to.is_relative_to(paths.training_directory.parent.resolve()):
        raise RebuildRefused(f"Keep the archive outside {paths.training_directory.parent}: a rebuild deletes "
                             "what is there.")
    return to


def export(paths: Paths, store: SecureKeyStore, to: Path) -> tuple[Path, audit.Verdict]:
    """The whole log to ``to`` (0600), read back and verified against the directory's own key."""
    to = _outside_training(paths, to)
    key = training.directory_key(store)
    signing = training.signing_key(store, create=False)
    conn = db.open_encrypted(paths.training_directory, key)
    try:
        log = audit.AuditLog(conn, signing, None)
        try:
            made = audit_archive.build_whole(log)
        except LookupError as exc:
            raise RebuildRefused(f"The log cannot be exported: its hash tree is broken ({exc}).") from None
    finally:
        conn.close()
    audit_archive.write(to, made)
    return to, audit_archive.verify(audit_archive.read(to), training.public_signing_key(signing))


def _latest(paths: Paths, store: SecureKeyStore) -> audit.Checkpoint | None:
    """The log's latest signed checkpoint: from the directory if it opens, else the witness beside it."""
    try:
        conn = db.open_encrypted(paths.training_directory, training.directory_key(store))
        try:
            row = conn.execute("SELECT size, root, at, signature, origin FROM audit_checkpoints ORDER BY size DESC "
                               "LIMIT 1").fetchone()
        finally:
            conn.close()
        if row is not None:
            return audit.Checkpoint(row[0], bytes(row[1]), row[2], bytes(row[3]), row[4])
    except (training.DirectoryProblem, db.DatabaseError, db.WrongKeyOrCorrupt, OSError):
        pass
    try:
        return audit.read_witness(audit.witness_path(paths.training_directory))
    except audit.WitnessUnreadable:
        return None


def check_archive(paths: Paths, store: SecureKeyStore, archive_file: Path) -> str:
    """Why ``archive_file`` does not keep this directory's whole audit log, or "" when it does."""
    try:
        made = audit_archive.read(archive_file)
    except (OSError, ValueError) as exc:
        return f"The archive {archive_file} cannot be read ({exc})."
    if made.la_code != audit_archive.WHOLE_LOG:
        return f"{archive_file} is an LA team's archive, not the whole log: export it with `audit export --to FILE`."
    try:
        trusted = training.public_signing_key(training.signing_key(store, create=False))
    except training.DirectoryProblem as exc:
        return str(exc)
    verdict = audit_archive.verify(made, trusted)
    if not verdict.ok:
        return f"The archive {archive_file} does not verify: {verdict.problem}"
    latest = _latest(paths, store)
    kept = audit.Checkpoint.from_json(made.checkpoint)
    if latest is None or (kept.size, kept.root) != (latest.size, latest.root):
        return (f"The archive {archive_file} holds {kept.size} entries, but the log now has "
                f"{'an unknown number' if latest is None else latest.size}: export it again, just before the rebuild.")
    return ""


def rebuild(paths: Paths, store: SecureKeyStore, *, archive_file: Path | None, discard_audit: bool,
            children: int, say=print) -> None:
    """Delete the training directory and build a new one, only as the module docstring says."""
    if archive_file is None and not discard_audit:
        raise RebuildRefused("Nothing was deleted. Export the audit log first (`audit export --to FILE`) and give "
                             "it with --archive FILE, or, to lose the audit log, type --discard-audit in full.")
    previous = _latest(paths, store)
    if archive_file is not None:
        why = check_archive(paths, store, archive_file)
        if why:
            raise RebuildRefused(f"Nothing was deleted. {why}")
    gone = []
    for f in (*db.sqlite_files(paths.training_directory), audit.witness_path(paths.training_directory)):
        if f.exists():
            f.unlink()
            gone.append(str(f))
    cache = paths.data / "cache"
    users = sorted(p.name[:-3] for p in cache.glob("*.db")) if cache.is_dir() else []
    for user in users:  # the old directory's records, and this desk's memory of its log
        for f in cache_files(paths.cache_file(user)):
            f.unlink(missing_ok=True)
        store.delete_now(key_item_name(user))
    for item in (training.KEY_ITEM, training.SIGNING_ITEM, training.VERIFIER_ITEM):
        store.delete_now(item)
    say(f"Deleted the training directory ({', '.join(gone) or 'already gone'}), its keys, and {len(users)} local "
        "cache(s) of this desk's users. Building a new training directory…")
    directory = training.open_or_build(paths, store, children=children)
    try:
        directory.audit.record(f"admin:{_who()}", "training_directory_rebuilt", detail={
            "previous_log": None if previous is None else {"size": previous.size, "root": previous.root.hex()},
            "audit": "archived" if archive_file is not None else "discarded",
            "archive": None if archive_file is None else str(Path(archive_file).resolve())})
    finally:
        directory.close()
    say("A new training directory is ready; its audit log records the rebuild.")


def _who() -> str:
    import getpass
    import os
    return f"{getpass.getuser()}@{os.uname().nodename}"
