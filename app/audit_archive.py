"""A verifiable audit archive for retention (R-AUDIT-2, R-AUDIT-3, R-CLOSE-6): one LA's audit entries for a
period, each with its RFC 6962 inclusion proof against the directory's latest signed checkpoint, the
checkpoint and the public key that signed it.

- ``build(log, la_code, start, end)`` makes one from the directory's audit log (the engine's
  ``usage.archive`` operation, and closure);
- ``write(path, archive)`` keeps it as JSON, readable by its owner only (0600, folder 0700);
  ``read(path)`` loads it back;
- ``verify(archive, trusted_key)`` checks it against a key the verifier already trusts (the directory's
  key as the client pinned it, or one given on the command line; never the key the archive carries, which
  anyone re-signing it would swap too): the checkpoint's signature, every entry's leaf hash recomputed
  from the entry itself, and every inclusion proof against the signed root, and names the first thing
  that is wrong; an archive signed by any other key is "signed by an unknown key" (issue 13 §1.4).

What it cannot show: that no entry of the LA was left out (entries about other LAs are not in the
archive, so gaps in the sequence are normal). Keep the checkpoint a client saw at the time to compare.
Entries cut for the LA team (another LA's child's sensitive service withheld, ``app.audit_redaction``)
carry the leaf hash the directory recorded: their place in the log is proven, and ``verify`` counts them,
but what they show cannot be checked against it.
No Qt here: it runs in the engine, the service and the closure tools alike.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import merkle, wire
from .audit import AuditLog, Checkpoint, Entry, Verdict, entry_leaf, fingerprint
from .audit_redaction import ForTeam, redacted
from .private_files import write_private

LONDON = ZoneInfo("Europe/London")
CLOCK_SKEW_S = 120  # entries are stamped before the write lock is taken: times may be out of order by this


def day_start_utc(day: date) -> str:
    """The ISO UTC stamp (as the audit writes them) of midnight starting ``day`` in Europe/London."""
    moment = datetime.combine(day, time(0), LONDON).astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def seq_range(conn, since_at: str, until_at: str) -> tuple[int, int]:
    """(first, last) audit seq that may fall in [since_at, until_at): a binary search on the entries' times
    (which rise with seq, give or take ``CLOCK_SKEW_S``), widened by the skew so no entry is missed; callers
    still compare each entry's own time. O(log n) look-ups instead of a scan of the whole log."""
    size = conn.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]

    def first_at_or_after(stamp: str) -> int:
        lo, hi = 1, size + 1
        while lo < hi:
            mid = (lo + hi) // 2
            row = conn.execute("SELECT at FROM audit WHERE seq = ?", (mid,)).fetchone()
            if row is not None and row[0] >= stamp:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def shifted(stamp: str, seconds: int) -> str:
        return (datetime.fromisoformat(stamp) + timedelta(seconds=seconds)).isoformat(timespec="microseconds")

    return first_at_or_after(shifted(since_at, -CLOCK_SKEW_S)), first_at_or_after(shifted(until_at, CLOCK_SKEW_S)) - 1


class _CachedNodes:
    """Proofs for neighbouring entries share most nodes: read each from the tree table once."""

    def __init__(self, store) -> None:
        self.store = store
        self.nodes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        key = (level, index)
        value = self.nodes.get(key)
        if value is None:
            value = self.nodes[key] = self.store.get(level, index)
        return value

    def put(self, level: int, index: int, value: bytes) -> None:  # pragma: no cover - read only
        raise TypeError("read only")


def _detail_text(detail: dict) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"))  # as AuditLog.record writes it


def leaf_of(entry: Entry) -> bytes:
    """The leaf hash of ``entry``, recomputed from its fields (app.audit.entry_leaf)."""
    return entry_leaf(entry.seq, entry.at, entry.actor, entry.on_behalf_of, entry.action, entry.reason,
                      _detail_text(entry.detail), ",".join(entry.las))


def build(log: AuditLog, la_code: str, start: date, end: date):
    """The archive of ``la_code``'s entries from ``start`` to ``end`` (inclusive, Europe/London days),
    proven against the latest signed checkpoint."""
    from .directory.work.types import AuditArchive
    conn = log.conn
    checkpoint = log.checkpoint()
    since, until = day_start_utc(start), day_start_utc(end + timedelta(days=1))
    first, last = seq_range(conn, since, until)
    last = min(last, checkpoint.size)
    nodes = _CachedNodes(log.tree)
    cut = ForTeam(conn, la_code)  # R-SENS-3: another LA's child's sensitive service is withheld
    entries, proofs, leaves = [], [], []
    for seq, at, actor, obo, action, reason, detail, las, leaf in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las, leaf FROM audit "
            "WHERE seq BETWEEN ? AND ? AND at >= ? AND at < ? AND instr(',' || las || ',', ?) > 0 ORDER BY seq",
            (first, last, since, until, f",{la_code},")):
        entries.append(cut(Entry(seq, at, actor, obo, action, reason, json.loads(detail),
                                 tuple(las.split(",")) if las else ())))
        leaves.append(bytes(leaf).hex())
        proofs.append(tuple(p.hex() for p in merkle.inclusion_proof(nodes, seq - 1, checkpoint.size)))
    return AuditArchive(la_code, tuple(entries), tuple(proofs), checkpoint.to_json(), log.public_key.hex(),
                        tuple(leaves), start, end)


WHOLE_LOG = "*"  # the la_code of an archive of every entry (``build_whole``): kept before a rebuild


def build_whole(log: AuditLog):
    """Every entry of the log, each with its proof against the latest signed checkpoint, uncut: the
    directory administrator's export before a rebuild (``app.training_rebuild``), never an LA team's."""
    from .directory.work.types import AuditArchive
    checkpoint = log.checkpoint()
    nodes = _CachedNodes(log.tree)
    entries, proofs, leaves = [], [], []
    for seq, at, actor, obo, action, reason, detail, las, leaf in log.conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las, leaf FROM audit WHERE seq <= ? "
            "ORDER BY seq", (checkpoint.size,)):
        entries.append(Entry(seq, at, actor, obo, action, reason, json.loads(detail),
                             tuple(las.split(",")) if las else ()))
        leaves.append(bytes(leaf).hex())
        proofs.append(tuple(p.hex() for p in merkle.inclusion_proof(nodes, seq - 1, checkpoint.size)))
    return AuditArchive(WHOLE_LOG, tuple(entries), tuple(proofs), checkpoint.to_json(), log.public_key.hex(),
                        tuple(leaves))


def verify(archive, trusted_key: bytes) -> Verdict:
    """Check ``archive`` against ``trusted_key``; ``Verdict.first_bad`` is the first entry (seq) found wrong."""
    try:
        public_key = bytes.fromhex(archive.public_key)
        checkpoint = Checkpoint.from_json(archive.checkpoint)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Verdict(False, 0, None, "The archive's checkpoint or public key cannot be read.")
    if public_key != trusted_key:
        return Verdict(False, 0, None, f"The archive is signed by an unknown key (fingerprint "
                                       f"{fingerprint(public_key)}), not the directory's (fingerprint "
                                       f"{fingerprint(trusted_key)}): it was re-signed, or is another "
                                       "directory's.", "unknown_key")
    if not checkpoint.verify(trusted_key):
        return Verdict(False, 0, None, "The checkpoint's signature does not match the directory's key: "
                                       "the checkpoint (its size, root or time) was altered.")
    if len(archive.proofs) != len(archive.entries) or (archive.leaves and len(archive.leaves) != len(archive.entries)):
        return Verdict(False, 0, None, "The archive has a different number of entries and proofs.")
    previous, cut = 0, 0
    for i, entry in enumerate(archive.entries):
        seq = entry.seq
        if not isinstance(seq, int) or seq <= previous or seq > checkpoint.size:
            return Verdict(False, i, seq, f"Entry {seq} is out of order or beyond the signed checkpoint.")
        previous = seq
        if archive.la_code == WHOLE_LOG and seq != i + 1:
            return Verdict(False, i, i + 1, f"Entry {i + 1} is missing from an archive of the whole log.")
        if archive.la_code != WHOLE_LOG and archive.la_code not in entry.las:
            return Verdict(False, i, seq, f"Entry {seq} is not about {archive.la_code}: it does not belong here.")
        if redacted(entry):  # cut for the reader: proven by the leaf the directory recorded, not recomputed
            try:
                leaf = bytes.fromhex(archive.leaves[i])
            except (IndexError, TypeError, ValueError):
                return Verdict(False, i, seq, f"Entry {seq} was cut for your team but carries no recorded hash.")
            cut += 1
        else:
            try:
                leaf = leaf_of(entry)
            except (TypeError, ValueError):
                return Verdict(False, i, seq, f"Entry {seq} cannot be read.")
        if archive.leaves and archive.leaves[i] != leaf.hex():
            return Verdict(False, i, seq, f"Entry {seq} was altered after it was written: it no longer matches "
                                          "the hash the directory recorded for it.")
        try:
            proof = [bytes.fromhex(p) for p in archive.proofs[i]]
        except (TypeError, ValueError):
            return Verdict(False, i, seq, f"The inclusion proof of entry {seq} cannot be read.")
        if not merkle.verify_inclusion(seq - 1, checkpoint.size, leaf, proof, checkpoint.root):
            return Verdict(False, i, seq, f"The inclusion proof of entry {seq} does not lead to the signed "
                                          "checkpoint: the proof, or the entry with its hash, was altered.")
    if archive.la_code == WHOLE_LOG and len(archive.entries) != checkpoint.size:
        return Verdict(False, len(archive.entries), len(archive.entries) + 1, "An archive of the whole log ends "
                                                                              "before its checkpoint does.")
    return Verdict(True, len(archive.entries), redacted=cut)


def write(path: Path, archive) -> Path:
    """Keep ``archive`` as JSON at ``path``: the file 0600, a folder it makes 0700 (R-LOCAL-3: the audit
    export is the LA team's alone)."""
    return write_private(path, json.dumps(wire.encode(archive), ensure_ascii=False, separators=(",", ":")))


def read(path: Path):
    """An archive written by ``write`` (``wire.WireError`` / ``ValueError`` if it is not one)."""
    from .directory.work.types import AuditArchive
    return wire.decode(AuditArchive, json.loads(Path(path).read_text(encoding="utf-8")))
