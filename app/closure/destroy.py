"""The last closure step: destroy this workstation's local data (R-CLOSE-6).

After the wizard's confirmation, ``destroy_local_data``:

1. deletes every file under the data folder except the archive folder: each
   user's encrypted record cache with its ``-wal``/``-shm``/``-journal``
   sidecars, the training directory and its audit head, the training tokens'
   memory (SoftHSM token folder: the enrolment keys) and anything else there;
2. deletes the keys kept in the keyring: each cache's wrapped key, the
   training directory's key and audit-signing key;
3. appends a signed ``local_data_destroyed`` entry to the closure audit,
   listing what went, and exports the closure audit to the archive folder
   (``<data>/closure-archive``, kept, R-AUDIT-3) with a receipt beside it;
4. then destroys the closure store itself (its SO PINs included) and its keys
   -- the archive keeps its audit, checkable with ``verify_archive``.

The settings file (no secrets) and the archive folder are kept.  A step that
fails is listed in the receipt's ``failed`` and the rest still runs; run it
again to finish (it is idempotent).
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import audit as audit_log
from app import merkle, training
from app.closure import store as closure_store
from app.keystore import KeystoreError, SecureKeyStore
from app.localcache import key_item_name
from app.paths import Paths

log = logging.getLogger(__name__)
ARCHIVE = "closure-archive"


class DestroyError(RuntimeError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Receipt:
    at: str
    actor: str
    destroyed: tuple[str, ...]  # files (relative to the data folder) and "keyring: <item>"
    kept: tuple[str, ...]
    failed: tuple[str, ...]
    audit_archive: str
    path: str  # the receipt file

    def text(self) -> str:
        lines = [f"Signpost closure: local data destroyed on this computer at {self.at} by {self.actor}.", "",
                 "Destroyed:"] + [f"  {d}" for d in self.destroyed] + ["", "Kept:"] + [f"  {k}" for k in self.kept]
        if self.failed:
            lines += ["", "NOT destroyed (run the final step again):"] + [f"  {f}" for f in self.failed]
        return "\n".join(lines) + "\n"


def archive_dir(paths: Paths) -> Path:
    return paths.data / ARCHIVE


def _keys(paths: Paths, usernames: tuple[str, ...]) -> list[str]:
    users = set(usernames)
    cache = paths.data / "cache"
    if cache.is_dir():
        users |= {p.name[:-3] for p in cache.iterdir() if p.name.endswith(".db")}
    return [key_item_name(u) for u in sorted(users)] + [training.KEY_ITEM, training.SIGNING_ITEM]


def _files(paths: Paths, skip: set[Path]) -> list[Path]:
    """Every file and link under the data folder, deepest first, but not the archive or ``skip``."""
    keep = archive_dir(paths)
    out = []
    if not paths.data.is_dir():
        return out
    for root, dirs, files in os.walk(paths.data, topdown=True):
        r = Path(root)
        dirs[:] = [d for d in dirs if r / d != keep]
        out += [r / f for f in files if r / f not in skip]
    return sorted(out, key=lambda p: (-len(p.parts), str(p)))


def plan_destruction(paths: Paths, store_file: Path | None = None, usernames: tuple[str, ...] = ()) -> list[str]:
    """What the final step will destroy, for the confirmation page."""
    store_file = store_file or closure_store.store_path(paths)
    items = [str(p.relative_to(paths.data)) for p in _files(paths, set())]
    return items + [f"keyring: {k}" for k in _keys(paths, usernames)] + \
        [f"keyring: {closure_store.KEY_ITEM}", f"keyring: {closure_store.SIGNING_ITEM}"]


def destroy_local_data(paths: Paths, keystore: SecureKeyStore, store: closure_store.ClosureStore, actor: str, *,
                       confirmed: bool, usernames: tuple[str, ...] = ()) -> Receipt:
    # rule R-CLOSE-6: destroy local data with a receipt and a signed closure entry; the audit archive is kept.
    if not confirmed:
        raise DestroyError("not_confirmed", "Confirm that this computer's Signpost data is to be destroyed.")
    at = datetime.now(UTC).isoformat(timespec="seconds")
    store_files = {store.path, *(Path(f"{store.path}{s}") for s in ("-wal", "-shm", "-journal", ".audit-head"))}
    destroyed, failed = [], []
    keys = _keys(paths, usernames)  # before the caches go: their names say whose keys to delete
    for f in _files(paths, store_files):
        name = str(f.relative_to(paths.data))
        try:
            f.unlink()
            destroyed.append(name)
        except OSError as exc:
            failed.append(f"{name} ({exc.strerror})")
    for root, dirs, _ in os.walk(paths.data, topdown=False):  # empty folders, not the archive or the store's
        for d in dirs:
            p = Path(root) / d
            if p != archive_dir(paths) and p != store.path.parent and not any(p.iterdir()):
                p.rmdir()
    for item in keys:
        try:
            keystore.delete_now(item)
            destroyed.append(f"keyring: {item}")
        except KeystoreError as exc:
            failed.append(f"keyring: {item} ({exc})")
    later = ["closure store (register, envelopes, checklist, security officer PINs) and its two keys, "
             "after its audit was archived"]
    kept = [f"{ARCHIVE}/ (closure audit archive, receipts, any directory audit archive)", "settings file"]
    store.record(actor, "local_data_destroyed",
                 {"destroyed": destroyed, "failed": failed, "then": later, "kept": kept, "at": at})
    archive = store.export_audit(archive_dir(paths))
    store.close()
    for f in sorted(store_files):
        if f.exists():
            f.unlink()
    try:
        store.path.parent.rmdir()
    except OSError:
        pass
    for item in (closure_store.KEY_ITEM, closure_store.SIGNING_ITEM):
        try:
            keystore.delete_now(item)
        except KeystoreError as exc:
            failed.append(f"keyring: {item} ({exc})")
    destroyed += [str(store.path.relative_to(paths.data)), f"keyring: {closure_store.KEY_ITEM}",
                  f"keyring: {closure_store.SIGNING_ITEM}"]
    receipt_path = archive_dir(paths) / f"closure-receipt-{at[:19].replace(':', '')}.json"
    receipt = Receipt(at, actor, tuple(destroyed), tuple(kept), tuple(failed),
                      str(archive.relative_to(paths.data)), str(receipt_path))
    fd = os.open(receipt_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(receipt) | {"text": receipt.text()}, fh, indent=1)
    log.info("closure: local data destroyed (%d items, %d failed)", len(destroyed), len(failed))
    return receipt


def verify_archive(path: Path) -> audit_log.Verdict:
    """Check an exported closure audit on its own: every entry against the signed checkpoints."""
    body = json.loads(Path(path).read_text(encoding="utf-8"))
    key = bytes.fromhex(body["public_key"])
    signed = {c["size"]: audit_log.Checkpoint.from_json(c) for c in body["checkpoints"]}
    mem, size = merkle.MemoryStore(), 0
    for e in body["entries"]:
        if e["seq"] != size + 1:
            return audit_log.Verdict(False, size, size + 1, f"Entry {size + 1} is missing.")
        leaf = audit_log.entry_leaf(e["seq"], e["at"], e["actor"], e["on_behalf_of"], e["action"], e["reason"],
                                    json.dumps(e["detail"], sort_keys=True, separators=(",", ":")),
                                    ",".join(e["las"]))
        size = merkle.append(mem, size, leaf)
        cp = signed.get(size)
        if cp is None or not cp.verify(key) or cp.root != merkle.root(mem, size):
            return audit_log.Verdict(False, size - 1, size, f"Entry {size} does not match its signed checkpoint.")
    if signed and max(signed) != size:
        return audit_log.Verdict(False, size, size + 1, "Entries were cut off the end.")
    return audit_log.Verdict(True, size)


__all__ = ["Receipt", "DestroyError", "destroy_local_data", "plan_destruction", "verify_archive", "archive_dir"]
