"""Changes sent again with their idempotency key (issue 13 §2): done once, and a repeat is never a way round
policy or the audit.

``Directory.perform`` keeps, per user and key, the answer a change gave (``done_requests``), so the offline
outbox can re-send after a lost answer or a restart and nothing is done twice. A repeat is not trusted:

- It goes through the session, account and colleague checks first (``Directory.check_session``): a session
  that ended, a user the LA team disabled, locked out or gave a new token, a colleague no longer registered,
  is refused, audited as the operation's refusal (with ``replayed``: the key's fingerprint), and never given
  the stored answer (R-ROLE-4, R-AUDIT-1).
- The key names one request: a fingerprint of the operation, its canonical body and the colleague acted for is
  kept with the answer, and another request under the same key is ``request.key_reused``, audited.
- A change whose answer is a read of a record (``Operation.rerun_on_replay``: the shield override, R-SHIELD-6)
  is never answered from the store and its answer is never kept: a repeat runs again through policy (which may
  refuse it), so it is audited and the LA team alerted again. A repeat from a session the directory ended
  for its user (disabled, locked out, given a new token: ``Directory.end_sessions``) also alerts the LA
  teams of the user and the child (``AlertKind.REPLAY_REFUSED``): that is the old bearer of a stopped user,
  not a session that went idle.
- Every repeat answered is audited (``request_replayed``: the operation, the key's fingerprint, and whether it
  was answered from the store or run again).
- R-RET-2: a kept answer expires after ``Limits.stored_answer_hours`` (a directory setting; expired answers are
  never used and are deleted at the next change and when the directory opens), and one about a child goes
  when the child leaves the live directory (``retention``).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from ... import records, wire
from ...model import Viewer
from ...refusals import AccessRefused
from .alerts import raise_alert
from .types import AlertKind

PURGE_EVERY_S = 60  # expired answers are deleted at most this often (each change looks only at unexpired ones)
STORED, RUN_AGAIN = "stored", "run_again"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def fingerprint(op, viewer: Viewer, request) -> str:
    """What the key stands for: the operation, the request as sent and the colleague acted for."""
    colleague = viewer.on_behalf_of.username if viewer.on_behalf_of is not None else None
    try:
        body = _canonical({"op": op.name, "request": wire.encode(request), "on_behalf_of": colleague})
    except (wire.WireError, TypeError, ValueError):
        raise AccessRefused("request.invalid") from None
    return hashlib.sha256(body.encode("ascii")).hexdigest()


def key_tag(key: str) -> str:
    """The key as the audit names it: a fingerprint, so the audit never holds a key that could be sent again."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:16]


def _first_directory_id(value: Any) -> str | None:
    """The first ``directory_id`` in an encoded request or answer, depth first."""
    if isinstance(value, dict):
        if isinstance(value.get("directory_id"), str):
            return value["directory_id"]
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            found = _first_directory_id(v)
            if found is not None:
                return found
    return None


def _child_id(d, *encoded: Any) -> int | None:
    """The row id of the child a request or its answer is about, if any."""
    for value in encoded:
        did = _first_directory_id(value)
        if did is not None:
            return records.child_id_for(d.store, did)
    return None


def lookup(d, username: str, key: str) -> tuple[str, str | None, str] | None:
    """(operation, fingerprint, answer) kept for this user's key, if it has not expired."""
    _purge(d)
    row = d.store.replays.kept(username, key, int(d.now()))
    if row is None:  # an expired one is gone before the key is used again
        d.store.replays.forget(username, key)
    return row


def replay(d, viewer: Viewer, op, request, key: str, kept: tuple[str, str | None, str],
           asked: str) -> tuple[bool, Any]:
    """A repeat of a kept key (``asked``: this request's ``fingerprint``): (True, the answer) to give it, or
    (False, None) to run the operation again. Raises the refusal (audited, and alerted where it is a stopped
    user's old session)."""
    kept_op, kept_print, answer = kept
    reason = getattr(request, "reason", None)
    tag = key_tag(key)
    try:
        d.check_session(viewer)
    except AccessRefused as exc:
        d.audit_refusal(viewer, reason, op.audit_action, exc.code, replayed=tag)
        if isinstance(viewer.session, str) and d.was_stopped(viewer.session):
            _alert_stopped(d, viewer, request)
        exc.audited = True
        raise
    same = kept_op == op.name if kept_print is None else kept_print == asked
    if not same:
        d.audit_refusal(viewer, reason, op.audit_action, "request.key_reused", replayed=tag)
        reused = AccessRefused("request.key_reused")
        reused.audited = True
        raise reused
    how = RUN_AGAIN if op.rerun_on_replay else STORED
    d.audit.record(viewer.user.username, "request_replayed", viewer=viewer, detail={
        "op": op.name, "key": tag, "answered": how}, las=(viewer.user.la_code,))
    if op.rerun_on_replay:
        return False, None
    return True, wire.decode(op.answer, json.loads(answer))


def _alert_stopped(d, viewer: Viewer, request) -> None:
    """The LA teams of the user and of the child hear of a stopped user's session replaying a key."""
    child = _child_id(d, wire.encode(request))
    las = {viewer.user.la_code} | ({records.la_of(d.store, child)} if child is not None else set())
    for la in sorted(la for la in las if la):
        raise_alert(d, AlertKind.REPLAY_REFUSED, viewer.user.username, la, child)


def keep(d, viewer: Viewer, op, request, key: str, answer: Any, asked: str) -> None:
    """Keep what this change answered (an override's answer excepted) with ``asked`` (the request's
    ``fingerprint``), for a repeat with the same key."""
    encoded_request = wire.encode(request)
    encoded = None if op.rerun_on_replay else wire.encode(answer)
    d.store.replays.keep(viewer.user.username, key, op.name, "null" if encoded is None else json.dumps(encoded),
                         d._stamp(), asked, _child_id(d, encoded_request, encoded),
                         int(d.now() + d.limits.stored_answer_hours * 3600))


def _purge(d) -> None:
    now = d.now()
    if now - d.answers_purged_at < PURGE_EVERY_S:
        return
    purge(d)


def purge(d) -> int:
    """Delete every kept answer that has expired; returns how many."""
    d.answers_purged_at = d.now()
    return d.store.replays.purge(int(d.now()))


__all__ = ["fingerprint", "keep", "key_tag", "lookup", "purge", "replay"]
