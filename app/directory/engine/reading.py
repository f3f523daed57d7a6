"""Searching and viewing (R-SEARCH-2/3), and the audit log as clients check it and the LA team reads it
(R-AUDIT-1/2, R-LOCAL-3).

Functions of the engine's ``Directory``, bound to it by name in ``app.directory.engine``; each takes
the directory as ``self``."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ... import audit, records
from ... import search as searching
from ...model import Reason, RecordView, User, Viewer
from ...refusals import (
    AccessRefused,
    AuditBroken,
)
from .common import (
    MAX_USERNAME_CHARS,
    _plain_text,
)

if TYPE_CHECKING:
    from . import Directory


def search(self: Directory, viewer: Viewer, criteria: searching.Criteria, reason: Reason) -> searching.Outcome:
    self.check_request(viewer, reason, "search")
    self._check_search_rate(viewer, reason)
    try:
        found = searching.run(self.conn, criteria, viewer.role, self.clock())
    except searching.SearchRefused as exc:
        self.audit.record(viewer.user.username, "search_refused", viewer=viewer, reason=reason.text(),
                     detail={"criteria": _safe_criteria(criteria), "why": exc.code})
        raise
    outcome = found.outcome
    detail: dict[str, object] = {"criteria": criteria.for_audit(),
                                 "returned": [h.directory_id for h in outcome.hits]}
    if outcome.refine:
        detail["refine"] = True
    las = self.store.records.las_of(list(found.child_ids))
    self.audit.record(viewer.user.username, "search", viewer=viewer, reason=reason.text(), detail=detail,
                 las=las)
    self.store.sessions.grant(viewer.session, found.child_ids)
    return outcome


def view_record(self: Directory, viewer: Viewer, directory_id: str, reason: Reason) -> RecordView:
    """One record, only from a result this session was given (R-SEARCH-2/3: no trawling by id)."""
    self.check_request(viewer, reason, "view_record")
    child_id = records.child_id_for(self.store, directory_id)
    if child_id is None or not self.store.sessions.granted(viewer.session, child_id):
        shown = directory_id if _plain_text(directory_id, 16) is not None else "(unusable id)"
        self.audit_refusal(viewer, reason, "view_record", "not from this session's results",
                            directory_id=shown)
        raise AccessRefused("access.not_from_results")
    with self.store.sessions.opening(viewer.user.username):  # counted and added to as one, on every node
        day = self._check_open_budget(viewer, reason, child_id)
        view = records.build(self.store, viewer, child_id)
        self.store.sessions.record_open(viewer.user.username, day, child_id)
    self.audit.record(viewer.user.username, "view_record", viewer=viewer, reason=reason.text(),
                 detail={"directory_id": view.directory_id, "restricted": view.shield_applied},
                 las=(records.la_of(self.store, child_id),))
    return view


def training_facts(self: Directory) -> tuple[date, tuple[User, ...]]:
    """The training directory's reference date and its users, for the training guide; refused on
    anything but a training directory (a real directory lists no users to a client)."""
    kind, reference_date = self.store.settings.kind_and_reference_date()
    if kind != "training":
        raise AccessRefused("access.not_training")
    reference = date.fromisoformat(reference_date) if reference_date else self.clock()
    users = [self.user(u) for u in self.store.accounts.usernames_in_order_made()]
    return reference, tuple(u for u in users if u is not None)


def audit_checkpoint(self: Directory) -> audit.Checkpoint:
    """The latest signed checkpoint, for a client to compare with the one it kept (R-AUDIT-2)."""
    return self.audit.checkpoint()


def audit_consistency(self: Directory, old_size: int, new_size: int) -> list[bytes]:
    """Proof that today's log extends the one a client saw at ``old_size`` entries."""
    if not isinstance(old_size, int) or not isinstance(new_size, int):
        raise AccessRefused("audit.bad_sizes")
    try:
        return self.audit.consistency(old_size, new_size)
    except ValueError:
        raise AccessRefused("audit.bad_sizes") from None
    except LookupError:  # a node the proof needs is gone: the log was changed behind the directory's back
        self.audit.broken = audit.Verdict(False, self.audit.size, None, "A node of the log's hash tree is "
                                          "missing.", "tree_broken")
        self.audit._refuse_broken()


def audit_public_key(self: Directory) -> bytes:
    return self.audit.public_key


def audit_own_entry(self: Directory, viewer: Viewer, seq: int, size: int) -> audit.OwnEntry:
    """One of the signed-in user's own audit entries with its inclusion proof in the tree of ``size``
    entries, so the client can check the entry it remembers is still there as written (R-AUDIT-2; issue 13
    §1.2). Anyone else's entry, or one that is not there, is refused alike."""
    self._session_of(viewer)
    if not isinstance(seq, int) or not isinstance(size, int):
        raise AccessRefused("audit.bad_sizes")
    try:
        got = self.audit.own_entry(seq, size)
    except ValueError:
        raise AccessRefused("audit.bad_sizes") from None
    except LookupError:
        self.audit.broken = audit.Verdict(False, self.audit.size, seq, "A node of the log's hash tree is "
                                          "missing.", "tree_broken")
        self.audit._refuse_broken()
    if got is None or got.entry.actor != viewer.user.username:
        raise AccessRefused("audit.not_yours")
    return got


def report_audit_alert(self: Directory, username: str, kept: dict, now_seen: dict, what: str = "") -> None:
    """A client found the log shrank or forked since it last looked, or its own memory of the log was
    altered or lost (``what``, one of ``app.audit_memory.ALARMS``): alert the LA team (R-AUDIT-2)."""
    from ...audit_memory import ALARMS
    name = (_plain_text(username, MAX_USERNAME_CHARS) or "(unusable username)").strip().lower()
    try:
        self.audit.record(name, "security_alert", las=self._la_of_user(name),
                          detail={"what": "audit log inconsistent with the checkpoint this client kept",
                                  "finding": what if what in ALARMS else "audit.rewritten",
                                  "kept": {k: kept.get(k) for k in ("size", "root")},
                                  "now": {k: now_seen.get(k) for k in ("size", "root")}})
    except AuditBroken:  # the log is past recording it: the LA team's alert still goes (issue 13 §1.2)
        pass
    for la in self._la_of_user(name):  # issue 8, LA management: the LA team's alerts inbox
        from ..work.alerts import raise_alert
        from ..work.types import AlertKind
        raise_alert(self, AlertKind.SECURITY_ALERT, name, la)


def audit_entries(self: Directory, viewer: Viewer, since_seq: int = 0) -> list[audit.Entry]:
    """The audit trail, for the LA management team only, and only entries about its own
    LA's users and records (R-LOCAL-3, R-ROLE-3), each cut to what the team may see: another LA's
    child's sensitive service is withheld (R-SENS-3; ``app.audit_redaction``)."""
    from ...audit_redaction import ForTeam
    self.la_team_request(viewer, "audit_read", "access.audit_la_only")
    cut = ForTeam(self.conn, viewer.user.la_code)
    return [cut(e) for e in audit.entries(self.conn, since_seq, la_code=viewer.user.la_code)]


def _safe_criteria(c: searching.Criteria) -> dict:
    """Criteria for the audit, each text cut to a bounded length (a 1 MB name is not stored verbatim)."""
    out = {}
    for k, v in c.for_audit().items():
        if isinstance(v, str):
            v = v.encode("utf-8", "replace").decode("utf-8")[:80]
        elif isinstance(v, int) and not -10**6 < v < 10**6:
            v = "(out of range)"
        out[k] = v
    return out
