"""The audit trail (R-AUDIT-1, R-AUDIT-2).

Append-only: the table refuses UPDATE and DELETE (triggers in ``schema``).
Tamper-evident: each entry's hash covers the previous entry's hash and the
entry itself, so removing, reordering or altering any entry breaks the chain
from that point, which ``verify`` reports.

Each entry names the local authorities it concerns (``las``: the acting
user's LA and the LA of any record it touched), so an LA management team
reads only its own LA's users and records (R-ROLE-3).
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
    las: tuple[str, ...] = ()


def _digest(prev: str, at: str, actor: str, on_behalf_of: str | None, action: str,
            reason: str | None, detail: str, las: str) -> str:
    body = json.dumps([prev, at, actor, on_behalf_of, action, reason, detail, las], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def record(conn, actor: str, action: str, *, detail: dict | None = None, reason: str | None = None,
           viewer: Viewer | None = None, las: "tuple[str, ...] | list[str] | set[str]" = ()) -> None:
    """Append one entry. Call inside the caller's transaction where there is one."""
    on_behalf = None
    if viewer is not None and viewer.on_behalf_of is not None:
        c = viewer.on_behalf_of
        on_behalf = f"{c.name} ({c.organisation})"
    at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
    la_codes = set(las)
    if viewer is not None:
        la_codes.add(viewer.user.la_code)
    la_text = ",".join(sorted(c for c in la_codes if c))
    prev = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = prev[0] if prev else GENESIS
    conn.execute(
        "INSERT INTO audit (at, actor, on_behalf_of, action, reason, detail, las, prev_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (at, actor, on_behalf, action, reason, text, la_text, prev_hash,
         _digest(prev_hash, at, actor, on_behalf, action, reason, text, la_text)))


def entries(conn, since_seq: int = 0, la_code: str | None = None) -> list[Entry]:
    """Entries after ``since_seq``; with ``la_code``, only those that concern that LA."""
    out = []
    for seq, at, actor, obo, action, reason, detail, las in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las FROM audit "
            "WHERE seq > ? ORDER BY seq", (since_seq,)):
        codes = tuple(las.split(",")) if las else ()
        if la_code is None or la_code in codes:
            out.append(Entry(seq, at, actor, obo, action, reason, json.loads(detail), codes))
    return out


def verify(conn) -> int | None:
    """The seq of the first entry that breaks the chain, or None if intact."""
    prev = GENESIS
    for seq, at, actor, obo, action, reason, detail, las, prev_hash, h in conn.execute(
            "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las, prev_hash, hash FROM audit "
            "ORDER BY seq"):
        if prev_hash != prev or h != _digest(prev, at, actor, obo, action, reason, detail, las):
            return seq
        prev = h
    return None
