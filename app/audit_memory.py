"""What a client remembers of the directory's audit log, and its check at each sign-in (R-AUDIT-2; issue 13
§1.2, §1.3). No Qt here.

The memory (``Memory``) is the last signed checkpoint this client saw, the key that signed it, and the
positions of this user's own recent sign-in entries. It is kept twice: in the user's encrypted cache, and
MACed beside the wrapped cache key in the keyring item (``app.localcache``), so deleting the cache file
forgets nothing, and a mirror that was altered or is missing after this workstation signed the user in
before is itself an alarm.

At sign-in ``check`` holds the directory to that memory:

- the checkpoint it shows now must be signed by the key it was signed by before, and be of the same log
  (its origin);
- the log may only have grown, and must prove it (an RFC 6962 consistency proof from the size seen to the
  size now): a log cut short, rolled back or rewritten -- even re-signed with the directory's own key --
  cannot;
- each remembered entry of the user's own must still be there, as written: the client recomputes its leaf
  from the entry the directory serves and checks its inclusion proof against the checkpoint, so an entry
  edited, deleted or swapped in the middle shows even where the stored tree was left alone.

A finding is an ``AuditAlarm`` (a coded refusal, worded in ``ui/refusals.py``): the user is told at once
and the LA team alerted through the directory.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from . import merkle
from .audit import Checkpoint, OwnEntry, entry_leaf
from .refusals import Refusal

OWN_KEPT = 5  # the user's own sign-in entries remembered, newest last


class AuditAlarm(Refusal):
    """A security alert from the client's check of the audit log (``ALARMS``); ``params`` say what."""

    kind = "audit_alarm"


ALARMS = ("audit.bad_signature", "audit.key_changed", "audit.shrunk", "audit.rewritten", "audit.own_entry",
          "audit.unproven", "audit.memory_altered", "audit.memory_missing", "audit.memory_unconfirmed",
          "audit.archive_unknown_key", "audit.other_log")


@dataclass(frozen=True)
class Memory:
    checkpoint: Checkpoint
    public_key: bytes
    own: tuple[int, ...] = ()  # seq of this user's recent sign-in entries

    def to_bytes(self) -> bytes:
        return json.dumps({"checkpoint": self.checkpoint.to_json(), "public_key": self.public_key.hex(),
                           "own": list(self.own)}, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Memory:
        """``ValueError`` if ``data`` is not a memory."""
        try:
            body = json.loads(data)
            own = tuple(int(s) for s in body.get("own", ()))
            return cls(Checkpoint.from_json(body["checkpoint"]), bytes.fromhex(body["public_key"]), own)
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"not an audit memory: {exc}") from None

    @classmethod
    def from_old_cache(cls, checkpoint: bytes | None, public_key: bytes | None) -> Memory | None:
        """What a cache written before the memory was mirrored kept (its ``audit_checkpoint`` and key)."""
        if checkpoint is None or public_key is None:
            return None
        try:
            return cls(Checkpoint.from_json(json.loads(checkpoint)), public_key)
        except (ValueError, KeyError, TypeError):
            return None

    def after(self, checkpoint: Checkpoint, public_key: bytes, signed_in_at: int) -> Memory:
        """The memory to keep after this sign-in (its own entry at ``signed_in_at`` added)."""
        own = self.own + ((signed_in_at,) if signed_in_at > 0 else ())
        return Memory(checkpoint, public_key, own[-OWN_KEPT:])


@dataclass(frozen=True)
class Directory:
    """The directory calls ``check`` needs, each answering at once (the caller waits on its futures)."""

    consistency: Callable[[int, int], list[bytes]]
    own_entry: Callable[[int, int], OwnEntry]


def check(username: str, memory: Memory | None, state: str, checkpoint: Checkpoint, public_key: bytes,
          directory: Directory) -> AuditAlarm | None:
    """The alarm, if the directory's log (``checkpoint``, signed by ``public_key``) is not what this client
    remembers. ``state`` is how the keyring's mirror read (``app.localcache.MEMORY_STATES``). A refusal from
    the directory while it is asked to prove itself is an alarm too; a directory that cannot be reached
    (``DirectoryUnavailable``) is left to the caller."""
    if not checkpoint.verify(public_key):
        return AuditAlarm("audit.bad_signature")
    if state == "altered":
        return AuditAlarm("audit.memory_altered")
    if state == "unverified":  # its MAC needs a key the token no longer unwraps: anyone could have written it
        return AuditAlarm("audit.memory_unconfirmed")
    if memory is None:
        return AuditAlarm("audit.memory_missing") if state == "missing" else None
    kept = memory.checkpoint
    if memory.public_key != public_key:
        return AuditAlarm("audit.key_changed")
    if kept.origin and checkpoint.origin != kept.origin:  # issue 16 §4: another log's checkpoint, whatever key
        return AuditAlarm("audit.other_log")  # signed it (a log kept from before logs were named learns its name)
    if checkpoint.size < kept.size:
        return AuditAlarm("audit.shrunk", kept=kept.size, now=checkpoint.size)
    try:
        proof = directory.consistency(kept.size, checkpoint.size)
    except Refusal:
        return AuditAlarm("audit.unproven")
    if not merkle.verify_consistency(kept.size, checkpoint.size, kept.root, checkpoint.root, proof):
        return AuditAlarm("audit.rewritten", kept=kept.size, now=checkpoint.size)
    for seq in memory.own:
        try:
            got = directory.own_entry(seq, checkpoint.size)
        except Refusal:
            return AuditAlarm("audit.own_entry", entry=seq)
        if not _is_own_sign_in(got, username, seq, checkpoint):
            return AuditAlarm("audit.own_entry", entry=seq)
    return None


def _is_own_sign_in(got: OwnEntry, username: str, seq: int, checkpoint: Checkpoint) -> bool:
    e = got.entry
    if e.seq != seq or e.actor != username or e.action != "sign_in":
        return False
    try:
        leaf = entry_leaf(e.seq, e.at, e.actor, e.on_behalf_of, e.action, e.reason,
                          json.dumps(e.detail, sort_keys=True, separators=(",", ":")), ",".join(e.las))
    except (TypeError, ValueError):
        return False
    return merkle.verify_inclusion(seq - 1, checkpoint.size, leaf, list(got.proof), checkpoint.root)
