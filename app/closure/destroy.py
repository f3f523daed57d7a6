"""The last closure step: destroy this workstation's local data (R-CLOSE-6, R-AUDIT-3, R-LOCAL-3).

``plan_destruction`` says, in words, what will go (each with its files and keyring items for a details
view), what is kept, which files outside the data folder name people (the closure documents and audit
archives this workstation wrote, ``~/Signpost closure/``, and ``tokens-last-used.json``: each listed for the
LA to keep or remove), what must come first, and what stops it: the LA's directory audit archive must have
been exported and verified (R-AUDIT-3) -- the directory's record of the LA's use would otherwise go with
the training directory.

``destroy_local_data`` then, in this order, so that its receipt is true:

1. deletes Signpost's keys from the keyring (each cache's wrapped key, the training directory's keys) --
   first, because on a training desk the keyring's own files are inside the data folder;
2. removes the files outside the data folder the LA chose to remove;
3. deletes every file under the data folder except the archive folder, the closure store and the
   keyring's own files: the record caches with their sidecars, the training directory and its audit head,
   the training tokens' memory (SoftHSM), anything else;
4. appends a signed ``local_data_destroyed`` entry to the closure audit saying what went and what did not,
   exports the closure audit to the archive folder (kept), closes and deletes the closure store (its
   security officer PINs included) and then its two keys;
5. deletes the keyring's own files when they are inside the data folder (now holding no Signpost key);
6. writes the receipt beside the archive, naming every deletion that failed and why.

A failure never stops the rest; it is named in the receipt, and the step can be run again (with no
closure store once it has gone: the receipt then says the closure audit was archived by the earlier run).
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app import audit as audit_log
from app import merkle, training
from app.closure import exports
from app.closure import store as closure_store
from app.db import sqlite_files
from app.keystore import KeystoreError, SecureKeyStore
from app.localcache import key_item_name
from app.paths import Paths

from ..private_files import private_folder, write_private

log = logging.getLogger(__name__)
ARCHIVE = "closure-archive"
DOCUMENTS = "Signpost closure"  # the folder the wizard offers for the closure documents, in the home folder
TOKEN_MEMORY = "tokens-last-used.json"  # ui.token_memory: which token each user last signed in with
KEYRING_HOME = "SIGNPOST_KEYRING_HOME"  # packaging/with-keyring.sh: a training desk's private keyring


class DestroyError(RuntimeError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Item:
    """One thing that goes (or stays), in words, with the files and keyring items behind it."""
    words: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outside:
    """A file outside the data folder that names people: the LA keeps or removes it."""
    path: str
    words: str
    keep_by_default: bool


@dataclass(frozen=True)
class Destruction:
    goes: tuple[Item, ...]
    kept: tuple[Item, ...]
    outside: tuple[Outside, ...]
    first: tuple[str, ...]  # what must be done before: checks of the tokens from outside Signpost
    blockers: tuple[str, ...]  # why the step is refused now

    @property
    def allowed(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class Receipt:
    at: str
    actor: str
    destroyed: tuple[str, ...]  # files (relative to the data folder, or absolute outside it) and "keyring: <item>"
    kept: tuple[str, ...]
    failed: tuple[str, ...]  # what was not destroyed, and why
    audit_archive: str
    path: str  # the receipt file
    notes: tuple[str, ...] = field(default=())

    def text(self) -> str:
        lines = [f"Signpost closure: local data destroyed on this computer at {self.at} by {self.actor}.", "",
                 "Destroyed:"] + [f"  {d}" for d in self.destroyed] + ["", "Kept:"] + [f"  {k}" for k in self.kept]
        if self.failed:
            lines += ["", "NOT destroyed (fix what is said, then run the last step again):"] + \
                     [f"  {f}" for f in self.failed]
        if self.notes:
            lines += [""] + list(self.notes)
        return "\n".join(lines) + "\n"


def archive_dir(paths: Paths) -> Path:
    return paths.data / ARCHIVE


def keyring_home(paths: Paths) -> Path | None:
    """The training keyring's own folder when it is inside the data folder (a ``make run`` desk)."""
    home = os.environ.get(KEYRING_HOME)
    if not home:
        return None
    p = Path(home).expanduser().resolve()
    try:
        p.relative_to(paths.data.resolve())
    except ValueError:
        return None
    return p


def _users(paths: Paths, usernames: Iterable[str]) -> list[str]:
    users = set(usernames)
    cache = paths.data / "cache"
    if cache.is_dir():
        users |= {p.name[:-3] for p in cache.iterdir() if p.name.endswith(".db")}
    return sorted(users)


def _keys(paths: Paths, usernames: Iterable[str]) -> list[str]:
    return [key_item_name(u) for u in _users(paths, usernames)] + [training.KEY_ITEM, training.SIGNING_ITEM,
                                                                   training.VERIFIER_ITEM]


def _store_files(paths: Paths) -> set[Path]:
    p = closure_store.store_path(paths)
    return {*sqlite_files(p), audit_log.witness_path(p)}


def _files(top: Path, skip_dirs: Iterable[Path] = (), skip: frozenset[Path] | set[Path] = frozenset()) -> list[Path]:
    """Every file and link under ``top``, deepest first, but not under ``skip_dirs`` or in ``skip``."""
    out: list[Path] = []
    if not top.is_dir():
        return out
    keep = {Path(d).resolve() for d in skip_dirs}
    for root, dirs, files in os.walk(top, topdown=True):
        r = Path(root)
        dirs[:] = [d for d in dirs if (r / d).resolve() not in keep]
        out += [r / f for f in files if r / f not in skip]
    return sorted(out, key=lambda p: (-len(p.parts), str(p)))


def _rel(paths: Paths, p: Path) -> str:
    try:
        return str(p.relative_to(paths.data))
    except ValueError:
        return str(p)


def outside_files(paths: Paths) -> list[Outside]:
    """The files outside the data folder that name people: every export recorded, anything in the closure
    documents folder, and the token memory."""
    seen: dict[str, Outside] = {}
    for e in exports.listed(paths):
        if e.exists:
            seen[e.path] = Outside(e.path, e.what, e.keep_by_default)
    documents = Path.home() / DOCUMENTS
    if documents.is_dir():
        for f in sorted(documents.rglob("*")):
            if f.is_file() and str(f.resolve()) not in seen:
                seen[str(f.resolve())] = Outside(str(f.resolve()), "a closure document: it may name holders", False)
    memory = paths.config / TOKEN_MEMORY
    if memory.exists():
        seen[str(memory)] = Outside(str(memory), "which token each user last signed in with here (usernames and "
                                                 "serials)", False)
    return list(seen.values())


def holds_directory_audit(paths: Paths) -> bool:
    """Whether this computer holds a directory's audit log that Destroy would take with it: the embedded training
    directory's (R-AUDIT-3). A workstation of the directory service holds none; the service keeps its own audit
    for its retention period, so there Destroy does not wait for an export (which the switch-off may have made
    impossible: after it the service answers nobody)."""
    return paths.training_directory.exists()


def plan_destruction(paths: Paths, usernames: tuple[str, ...] = (), *, audit_exported: bool,
                     waiting_steps: int = 0) -> Destruction:
    """What the last step will destroy and keep, in words, for the confirmation page."""
    home = keyring_home(paths)
    everything = _files(paths.data, [archive_dir(paths), *([home] if home else [])])
    store_files = _store_files(paths)
    groups: dict[str, list[str]] = {"cache": [], "directory": [], "tokens": [], "store": [], "other": []}
    for f in everything:
        rel = _rel(paths, f)
        group = ("store" if f in store_files else "cache" if rel.startswith("cache/") else
                 "tokens" if rel.startswith("training/tokens/") or rel.endswith("softhsm2.conf") else
                 "directory" if rel.startswith("training/") else "other")
        groups[group].append(rel)
    users = _users(paths, usernames)
    keys = _keys(paths, usernames)
    goes = []
    if groups["cache"] or users:
        goes.append(Item(f"The encrypted record caches of {len(users)} user{'s' if len(users) != 1 else ''} "
                         f"({', '.join(users)}) and their keys", tuple(groups["cache"])))
    if groups["directory"]:
        goes.append(Item("The training directory: its records and its own audit log", tuple(groups["directory"])))
    if groups["tokens"]:
        goes.append(Item("The training security tokens' memory: the training tokens stop working",
                         tuple(groups["tokens"])))
    goes.append(Item("The closure record on this computer: the register, envelopes, checklist and the security "
                     "officer PINs (its audit is archived first)", tuple(groups["store"])))
    goes.append(Item("Signpost's keys in your keyring", tuple(f"keyring: {k}" for k in
                                                              [*keys, closure_store.KEY_ITEM,
                                                               closure_store.SIGNING_ITEM])))
    if home is not None:
        goes.append(Item("The training keyring's own files, once Signpost's keys are out of it",
                         tuple(_rel(paths, f) for f in _files(home))))
    if groups["other"]:
        goes.append(Item("Other files in Signpost's data folder", tuple(groups["other"])))
    kept = (Item(f"The archive folder ({ARCHIVE}/): the closure audit archives and the receipt of this step",
                 tuple(_rel(paths, f) for f in _files(archive_dir(paths)))),
            Item("The settings file (no personal data)", (str(paths.settings_file),)))
    first: tuple[str, ...] = (
        "Any check of the tokens from outside Signpost (for example listing each reset token's objects with OpenSC's "
        "pkcs11-tool and the transport PIN) must be done before this step: the training tokens stop working with it.",)
    if waiting_steps:
        first += (f"{waiting_steps} closure change{'s' if waiting_steps != 1 else ''} made here never reached the "
                  "directory. Open Closure once the directory answers to send them, or note them from the closure "
                  "audit archive.",)
    blockers = () if audit_exported or not holds_directory_audit(paths) else (
        "Export the LA's directory audit archive and verify it first (Save the closure documents): the audit of "
        "your LA's use of the directory is kept for its retention period, and on this computer it goes with the "
        "training directory.",)
    return Destruction(tuple(goes), kept, tuple(outside_files(paths)), first, blockers)


def destroy_local_data(paths: Paths, keystore: SecureKeyStore, store: closure_store.ClosureStore | None, actor: str,
                       *, confirmed: bool, audit_exported: bool, usernames: tuple[str, ...] = (),
                       remove: Iterable[str] = ()) -> Receipt:
    """Destroy, in the order the module says; ``remove``: the outside files (paths) the LA chose to remove,
    the others are kept.  ``store`` is None on a run after the closure store already went."""
    # rule R-CLOSE-6: destroy local data with a receipt and a signed closure entry; the audit archive is kept.
    if not confirmed:
        raise DestroyError("not_confirmed", "Confirm that this computer's Signpost data is to be destroyed.")
    if not audit_exported and holds_directory_audit(paths):  # rule R-AUDIT-3: exported and verified first
        raise DestroyError("audit_not_exported", plan_destruction(paths, audit_exported=False).blockers[0])
    at = datetime.now(UTC).isoformat(timespec="seconds")
    destroyed: list[str] = []
    failed: list[str] = []
    kept: list[str] = [f"{ARCHIVE}/ (closure audit archives and receipts)", "the settings file"]
    notes: list[str] = []
    home = keyring_home(paths)
    outside = outside_files(paths)
    chosen = {str(Path(p)) for p in remove}

    def delete_key(item: str) -> None:
        try:
            keystore.delete_now(item)
            destroyed.append(f"keyring: {item}")
        except KeystoreError as exc:
            failed.append(f"keyring: {item} (the keyring said: {exc})")

    def delete_file(f: Path) -> bool:
        try:
            f.unlink()
        except FileNotFoundError:
            return True
        except OSError as exc:
            failed.append(f"{_rel(paths, f)} ({exc.strerror})")
            return False
        destroyed.append(_rel(paths, f))
        return True

    for item in _keys(paths, usernames):  # 1. keys first: the keyring's files may be in the data folder
        delete_key(item)
    gone = set()  # 2. outside the data folder, as the LA chose
    for o in outside:
        if o.path in chosen:
            if delete_file(Path(o.path)):
                gone.add(o.path)
        else:
            kept.append(f"{o.path}: {o.words}")
    store_files = _store_files(paths)
    for f in _files(paths.data, [archive_dir(paths), *([home] if home else [])], store_files):  # 3. the data folder
        delete_file(f)
    archive = ""
    if store is not None:  # 4. the closure store, its audit archived first
        waiting = len(store.pending())
        if waiting:
            notes.append(f"{waiting} closure change(s) made here never reached the directory; they are in the "
                         "closure audit archive.")
        store.record(actor, "local_data_destroyed", {"destroyed": destroyed, "failed": failed, "kept": kept,
                                                     "then": ["the closure store and its two keys",
                                                              *(["the training keyring's files"] if home else [])],
                                                     "at": at})
        archive = _rel(paths, store.export_audit(archive_dir(paths)))
        store.close()
    else:
        notes.append("The closure store had gone already: its audit was archived in "
                     f"{ARCHIVE}/ by the earlier run of this step.")
    for f in sorted(store_files):
        if f.exists():
            delete_file(f)
    for item in (closure_store.KEY_ITEM, closure_store.SIGNING_ITEM):
        delete_key(item)
    if home is not None:  # 5. the keyring's own files, now holding no Signpost key
        for f in _files(home):
            delete_file(f)
    _remove_empty_folders(paths, home)
    try:  # the list of exports: the removed ones forgotten, the ledger itself gone with the rest
        exports.forget(paths, gone)
        if exports.ledger_path(paths).exists():
            exports.ledger_path(paths).unlink()
            destroyed.append(str(exports.ledger_path(paths)))
    except OSError as exc:
        failed.append(f"{exports.ledger_path(paths)} ({exc.strerror})")
    private_folder(archive_dir(paths))
    receipt_path = archive_dir(paths) / f"closure-receipt-{at[:19].replace(':', '')}.json"
    n = 2
    while receipt_path.exists():  # a run again within the same second keeps the first receipt
        receipt_path = receipt_path.with_name(f"closure-receipt-{at[:19].replace(':', '')}-{n}.json")
        n += 1
    receipt = Receipt(at, actor, tuple(destroyed), tuple(kept), tuple(failed), archive, str(receipt_path),
                      tuple(notes))
    write_private(receipt_path, json.dumps(asdict(receipt) | {"text": receipt.text()}, indent=1))
    log.info("closure: local data destroyed (%d items, %d failed)", len(destroyed), len(failed))
    return receipt


def _remove_empty_folders(paths: Paths, home: Path | None) -> None:
    if not paths.data.is_dir():
        return
    for root, dirs, _ in os.walk(paths.data, topdown=False):
        for d in dirs:
            p = Path(root) / d
            if p != archive_dir(paths) and not any(p.iterdir()):
                try:
                    p.rmdir()
                except OSError:
                    pass  # something appeared in it meanwhile: it is listed on the next run


def verify_archive(path: Path, trusted_key: bytes) -> audit_log.Verdict:
    """Check an exported closure audit against ``trusted_key`` (the closure store's key, as the verifier knew
    it beforehand; never the key the file carries, issue 13 §1.4): every entry against the signed checkpoints."""
    body = json.loads(Path(path).read_text(encoding="utf-8"))
    key = bytes.fromhex(body["public_key"])
    if key != trusted_key:
        return audit_log.Verdict(False, 0, None, f"The archive is signed by an unknown key (fingerprint "
                                                 f"{audit_log.fingerprint(key)}), not the one trusted "
                                                 f"(fingerprint {audit_log.fingerprint(trusted_key)}).",
                                 "unknown_key")
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


__all__ = ["Receipt", "Destruction", "DestroyError", "destroy_local_data", "plan_destruction", "verify_archive",
           "archive_dir", "outside_files"]
