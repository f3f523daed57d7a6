"""The audit trail (R-AUDIT-1, R-AUDIT-2).

Append-only: the table refuses UPDATE and DELETE (triggers in ``schema``).
Tamper-evident: each entry's hash covers the previous entry's hash and the
entry itself, so removing, reordering or altering any entry breaks the chain
from that point, which ``verify`` reports.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from .model import Viewer

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    on_behalf_of: str | None
    action: str
    reason: str | None
    detail: dict


def _digest(prev: str, at: str, actor: str, on_behalf_of: str | None, action: str,
            reason: str | None, detail: str) -> str:
    body = json.dumps([prev, at, actor, on_behalf_of, action, reason, detail], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def record(conn, actor: str, action: str, *, detail: dict | None = None, reason: str | None = None,
           viewer: Viewer | None = None) -> None:
    """Append one entry. Call inside the caller's transaction where there is one."""
    on_behalf = None
    if viewer is not None and viewer.on_behalf_of is not None:
        c = viewer.on_behalf_of
        on_behalf = f"{c.name} ({c.organisation})"
    at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
    prev = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = prev[0] if prev else GENESIS
    conn.execute(
        "INSERT INTO audit (at, actor, on_behalf_of, action, reason, detail, prev_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (at, actor, on_behalf, action, reason, text, prev_hash,
         _digest(prev_hash, at, actor, on_behalf, action, reason, text)))


def entries(conn, since_seq: int = 0) -> list[Entry]:
    return [Entry(seq, at, actor, obo, action, reason, json.loads(detail))
            for seq, at, actor, obo, action, reason, detail in conn.execute(
                "SELECT seq, at, actor, on_behalf_of, action, reason, detail FROM audit "
                "WHERE seq > ? ORDER BY seq", (since_seq,))]


def verify(conn) -> int | None:
    """The seq of the first entry that breaks the chain, or None if intact."""
    prev = GENESIS
    for seq, at, actor, obo, action, reason, detail, prev_hash, h in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, prev_hash, hash FROM audit ORDER BY seq"):
        if prev_hash != prev or h != _digest(prev, at, actor, obo, action, reason, detail):
            return seq
        prev = h
    return None
