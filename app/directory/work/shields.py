"""Shields: requested by any practitioner or the LA team, in force at once, reviewed by the LA team,
overridden by child protection (R-SHIELD-1..6).

- R-SHIELD-2 ``request``: a practitioner (child protection included) or the LA team shields a child their
  session found, with a ground from a fixed list; the record is restricted and its postcode and former names
  leave the search index in the same transaction. The LA team is alerted.
- R-SHIELD-3 ``due`` / ``review``: the LA team's queue of its own LA's shields, overdue first; a new shield
  is reviewed within 7 days, a kept one every 6 months. A shield set when the directory was built has no
  ``shields`` row: it is shown as needing its first review, due 7 days after it was set, with the ground
  ``OTHER_RISK_OF_HARM`` (the build did not record one) and no requester. Keeping it at review gives it a
  row. Reviewing a child lets the LA team act on it in this session without a search.
- Another LA's team (or practitioner) may shield a child of this LA: a shield protects at once whoever asks, and
  the first to know of a risk is often another LA (a family moving in). The shield is still the child's own LA's:
  it goes into that team's queue and alerts it; the team that asked sees the record restricted like anyone else
  and cannot review, keep or lift it (R-SHIELD-3, R-ROLE-3; ``tests/test_work_shields_other_la.py``).
- R-SHIELD-6 ``override``: a child-protection user who saw the warning gets the record in full, once, for
  this call; audited as ``shield_override`` and the child's LA team alerted at once.
- R-SHIELD-1/2, issue 13 §3.1 (``app.siblings``): a shield holds the household's other children (their shared
  address, carers, setting and GP withheld, their postcode out of the index) until the LA team decides about
  each. The team sees them on each review line (``ShieldDue.siblings``) and before it shields a child itself
  (``household``); it can shield them in the same step (``ShieldRequest.siblings``) or decide at review
  (``ShieldReview.siblings``: shield too, or no shield needed).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import NoReturn

from ... import directory_id as ids
from ... import records, search_index, siblings
from ...model import RecordView, Role, Viewer
from ...refusals import AccessRefused
from ..store.shields import QueueRow
from . import types as t
from .alerts import raise_alert

FIRST_REVIEW_DAYS = 7  # R-SHIELD-3
REVIEW_MONTHS = 6
MAX_SIBLINGS = 20  # directory ids one request may name
BUILD_GROUND = t.ShieldGround.OTHER_RISK_OF_HARM  # a shield set at build time: no ground was recorded


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` later, on the last day of the month where that day does not exist (31 Aug + 6 = 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _set_on(shielded_at: str) -> date:
    """The day a shield was set, from ``children.shielded_at`` (an ISO date or time)."""
    return datetime.fromisoformat(shielded_at[:10]).date() if shielded_at else date.min


def _refuse(d, viewer: Viewer, reason, action: str, why: str, code: str, field: str = "") -> NoReturn:
    d.audit_refusal(viewer, reason, action, why)
    exc = AccessRefused(code, field) if field else AccessRefused(code)
    exc.audited = True
    raise exc


# -- R-SHIELD-2: request -------------------------------------------------------------------------------
def _named_siblings(d, viewer: Viewer, reason, action: str, child_id: int, named) -> list[int]:
    """The row ids of the siblings ``named`` (directory ids), each one of ``child_id``'s household, before anything
    changes: the child's own LA team only (R-ROLE-3)."""
    if not named:
        return []
    if not isinstance(named, (tuple, list)) or len(named) > MAX_SIBLINGS:
        _refuse(d, viewer, reason, action, "siblings out of bounds", "input.required", "siblings")
    if viewer.role is not Role.LA_MANAGEMENT or viewer.user.la_code != records.la_of(d.store, child_id):
        _refuse(d, viewer, reason, action, "siblings named by someone not the child's LA team",
                "shield.siblings_la_team_only", "siblings")
    household = set(siblings.household(d.store, child_id))
    out = []
    for did in named:
        sid = records.child_id_for(d.store, did)
        if sid is None or sid not in household:
            _refuse(d, viewer, reason, action, "not a sibling of this child", "shield.not_a_sibling", "siblings")
        if sid not in out:
            out.append(sid)
    return out


def _set(d, viewer: Viewer, child_id: int, ground: t.ShieldGround, reason_text: str, **detail) -> bool:
    """Shield one child now and queue it for review (R-SHIELD-2/3). True if it was not shielded before."""
    la = records.la_of(d.store, child_id)
    changed = records.shield(d.store, d.conn, child_id, d._stamp())
    new_row = d.store.shields.queue(child_id, ground.value, viewer.user.username, d._stamp(),
                                    d.clock().toordinal() + FIRST_REVIEW_DAYS)
    d.audit.record(viewer.user.username, "shield_requested", viewer=viewer, reason=reason_text,
                   detail={"directory_id": records.directory_id_of(d.store, child_id), "ground": ground.value,
                           "already_shielded": not changed, **detail}, las=(la,))
    if new_row:
        raise_alert(d, t.AlertKind.SHIELD_REQUESTED, viewer.user.username, la, child_id)
    return changed


def request(d, viewer: Viewer, req: t.ShieldRequest) -> bool:
    """Shield a child the viewer's session found, at once. True if it was not shielded before.

    A request on a record already shielded changes nothing but is audited (and, for a shield set at build
    time, records the ground and the requester, so the review knows them). The child's LA team may name siblings
    to shield in the same step (issue 13 §3.1); the others of the household are held until it decides."""
    state = d.check_request(viewer, req.reason, "shield_request")
    if not isinstance(req.ground, t.ShieldGround):
        _refuse(d, viewer, req.reason, "shield_request", "no ground", "input.required", "ground")
    child_id = records.child_id_for(d.store, req.directory_id)
    if viewer.role is Role.MEDIATING or child_id is None or child_id not in state.granted:
        _refuse(d, viewer, req.reason, "shield_request", "not allowed for this role or record",
                "access.shield_not_allowed")
    also = _named_siblings(d, viewer, req.reason, "shield_request", child_id, req.siblings)
    changed = _set(d, viewer, child_id, req.ground, req.reason.text())
    for sid in also:
        _set(d, viewer, sid, req.ground, req.reason.text(), sibling_of=records.directory_id_of(d.store, child_id))
        state.granted.add(sid)
    return changed


# -- R-SHIELD-3: the review queue and the review ---------------------------------------------------------
def _shape(d, row: QueueRow, today: date) -> t.ShieldDue:
    if row.shield is None:  # set at build time: never reviewed
        due_on = _set_on(row.shielded_at).toordinal() + FIRST_REVIEW_DAYS
        ground, by, at, reviews = BUILD_GROUND.value, "", row.shielded_at, 0
    else:
        due_on = row.shield.review_due
        ground, by, at, reviews = row.shield.ground, row.shield.requested_by, row.shield.requested_at, \
            row.shield.reviews
    name = row.display_name
    requester = "(set when the directory was built)" if not by else f"{name}, {row.organisation}" if name else by
    return t.ShieldDue(ids.fmt(row.directory_id), f"{row.given_names} {row.family_name}", t.ShieldGround(ground),
                       requester, at, date.fromordinal(due_on), reviews == 0, due_on < today.toordinal(),
                       new=reviews == 0 and bool(by), siblings=_household(d, row.child_id, held_by=row.child_id))


def _line(d, child_id: int, today: date) -> t.ShieldDue | None:
    row = d.store.shields.line(child_id)
    return None if row is None else _shape(d, row, today)


def _household(d, child_id: int, held_by: int | None = None) -> tuple[t.Sibling, ...]:
    """The other children of ``child_id``'s household, as its LA team sees them: ``withheld`` when the shield of
    ``held_by`` (or, if None, any shield in the household) holds their shared details."""
    out = []
    for sid in siblings.household(d.store, child_id):
        summary = d.store.records.summary(sid)
        assert summary is not None  # the household is read in the same transaction
        did, given, family, dob, shielded_at = summary
        holders = siblings.held_by(d.store, sid) if shielded_at is None else []
        withheld = held_by in holders if held_by is not None else bool(holders)
        out.append(t.Sibling(ids.fmt(did), f"{given} {family}", date.fromordinal(dob), shielded_at is not None,
                             withheld))
    return tuple(out)


def household(d, viewer: Viewer, req: t.ChildRef) -> tuple[t.Sibling, ...]:
    """The LA team's look at a child's household before it shields the child (issue 13 §3.1): the other children
    sharing its address, so it can shield them in the same step. Own LA, a child this session found; audited."""
    reason = d.la_team_request(viewer, "household", "access.la_team_only")
    state = d._session_of(viewer)
    child_id = records.child_id_for(d.store, req.directory_id)
    if child_id is None or records.la_of(d.store, child_id) != viewer.user.la_code or child_id not in state.granted:
        _refuse(d, viewer, reason, "household", "not a child of this LA found in this session",
                "access.not_from_results")
    out = _household(d, child_id)
    d.audit.record(viewer.user.username, "household_read", viewer=viewer, reason=reason.text(),
                   detail={"directory_id": records.directory_id_of(d.store, child_id),
                           "siblings": [x.directory_id for x in out]}, las=(viewer.user.la_code,))
    return out


def due(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ShieldDue, ...]:
    """The LA team's own LA's shields with their review dates: overdue first, then by due date (the screen
    offers other orders, new shields first by default)."""
    reason = d.la_team_request(viewer, "shield_reviews", "access.la_team_only")
    today = d.clock()
    lines = [_shape(d, row, today) for row in d.store.shields.lines_of(viewer.user.la_code)]
    out = sorted(lines, key=lambda x: (not x.overdue, x.due, x.directory_id))
    d.audit.record(viewer.user.username, "shield_reviews_read", viewer=viewer, reason=reason.text(),
                   detail={"shields": len(out), "overdue": sum(x.overdue for x in out)},
                   las=(viewer.user.la_code,))
    return tuple(out)


def review(d, viewer: Viewer, req: t.ShieldReview) -> t.ShieldDue | None:
    """Keep (next review in 6 months; the new queue line is returned) or lift (the record is whole again
    and searchable by postcode and former names; the requester is told; None is returned)."""
    reason = d.la_team_request(viewer, "shield_review", "access.la_team_only")
    state = d._session_of(viewer)
    if not isinstance(req.outcome, t.ReviewOutcome):
        _refuse(d, viewer, reason, "shield_review", "no outcome", "input.required", "outcome")
    child_id = records.child_id_for(d.store, req.directory_id)
    if child_id is None or records.la_of(d.store, child_id) != viewer.user.la_code \
            or not records.is_shielded(d.store, child_id):
        # one answer for another LA's child, an unknown id and an unshielded record: nothing to probe
        _refuse(d, viewer, reason, "shield_review", "not a shield of this LA", "shield.not_reviewable")
    decisions = _decisions(d, viewer, reason, child_id, req)
    today = d.clock()
    before = _line(d, child_id, today)
    assert before is not None
    la = viewer.user.la_code
    requested_by = d.store.shields.requested_by(child_id)
    if req.outcome is t.ReviewOutcome.KEEP:
        next_due = add_months(today, REVIEW_MONTHS)
        d.store.shields.keep(child_id, before.ground.value, before.requested_at, next_due.toordinal())
    else:
        next_due = None
        records.unshield(d.store, d.conn, child_id)
        d.store.shields.drop(child_id)
        d.store.shields.forget_decisions(child_id)  # it holds no one now
    shielded_now = [sid for sid, shield_too in decisions if shield_too]  # issue 13 §3.1: in the same step
    for sid in shielded_now:
        _shield_at_review(d, viewer, sid, before.ground, next_due)
    for sid in (sid for sid, shield_too in decisions if not shield_too):  # for the household's shields as now set
        for holder in siblings.held_by(d.store, sid):
            siblings.decide_not_needed(d.store, sid, holder, viewer.user.username, d._stamp())
        search_index.reindex_child(d.conn, sid)  # the family's postcode finds it again, unless held otherwise
    state.granted.update(sid for sid, _ in decisions)
    d.store.shields.add_review(child_id, viewer.user.username, d._stamp(), req.outcome.value,
                               next_due.toordinal() if next_due else None)
    d.audit.record(viewer.user.username, "shield_reviewed", viewer=viewer, reason=reason.text(),
                   detail={"directory_id": before.directory_id, "outcome": req.outcome.value,
                           "was_overdue": before.overdue, "first_review": before.first_review,
                           **({"next_due": next_due.isoformat()} if next_due else {}),
                           **({"siblings": [{"directory_id": records.directory_id_of(d.store, sid),
                                             "shield": shield_too} for sid, shield_too in decisions]}
                              if decisions else {})}, las=(la,))
    if next_due is None and requested_by and d.user(requested_by) is not None:
        d.store.notices.add_about_child(requested_by, d._stamp(), t.NoticeKind.SHIELD_LIFTED.value, child_id)
    state.granted.add(child_id)  # the LA team reviewed this child: it may open and act on it now
    return _line(d, child_id, today) if next_due else None


def _decisions(d, viewer: Viewer, reason, child_id: int, req: t.ShieldReview) -> list[tuple[int, bool]]:
    """(sibling row id, shield too) for each decision at review, all checked before anything changes: only with
    KEEP, each about an unshielded sibling of the reviewed child."""
    named = req.siblings
    if not named:
        return []
    if not isinstance(named, (tuple, list)) or len(named) > MAX_SIBLINGS or not all(
            isinstance(x, t.SiblingDecision) and isinstance(x.shield, bool) for x in named):
        _refuse(d, viewer, reason, "shield_review", "sibling decisions out of bounds", "input.required", "siblings")
    if req.outcome is not t.ReviewOutcome.KEEP:
        _refuse(d, viewer, reason, "shield_review", "sibling decisions with a lift", "shield.siblings_need_keep",
                "siblings")
    household = set(siblings.household(d.store, child_id))
    out: dict[int, bool] = {}
    for x in named:
        sid = records.child_id_for(d.store, x.directory_id)
        if sid is None or sid not in household:
            _refuse(d, viewer, reason, "shield_review", "not a sibling of this child", "shield.not_a_sibling",
                    "siblings")
        if records.is_shielded(d.store, sid):
            _refuse(d, viewer, reason, "shield_review", "sibling already shielded", "shield.sibling_shielded",
                    "siblings")
        out[sid] = x.shield
    return list(out.items())


def _shield_at_review(d, viewer: Viewer, child_id: int, ground: t.ShieldGround, next_due: date | None) -> None:
    """A sibling shielded by the LA team at the review of its brother's or sister's shield: decided by the team
    now, so it is kept as reviewed, next due with the reviewed shield."""
    records.shield(d.store, d.conn, child_id, d._stamp())
    due = next_due or add_months(d.clock(), REVIEW_MONTHS)
    d.store.shields.queue_reviewed(child_id, ground.value, viewer.user.username, d._stamp(), due.toordinal())
    d.store.shields.add_review(child_id, viewer.user.username, d._stamp(), t.ReviewOutcome.KEEP.value,
                               due.toordinal())


# -- R-SHIELD-6: override ---------------------------------------------------------------------------------
def override(d, viewer: Viewer, req: t.ShieldOverride) -> RecordView:
    """The shielded record in full for a child-protection user who saw the warning, once (this answer).

    Sensitive involvements stay withheld unless the user recorded them: the override lifts the shield,
    which is about whereabouts, not R-SENS-3. Audited as ``shield_override``; the child's LA team is
    alerted at once."""
    state = d.check_request(viewer, req.reason, "shield_override")
    if viewer.role is not Role.CHILD_PROTECTION:
        _refuse(d, viewer, req.reason, "shield_override", "not a child-protection user",
                "shield.override_not_allowed")
    if req.warning_seen is not True:
        _refuse(d, viewer, req.reason, "shield_override", "warning not seen", "shield.warning_not_seen",
                "warning_seen")
    child_id = records.child_id_for(d.store, req.directory_id)
    if child_id is None or child_id not in state.granted:
        _refuse(d, viewer, req.reason, "shield_override", "not from this session's results",
                "access.not_from_results")
    if not records.is_shielded(d.store, child_id):
        _refuse(d, viewer, req.reason, "shield_override", "not shielded", "shield.not_shielded")
    with d.store.sessions.opening(viewer.user.username):  # counted and added to as one, on every node
        day = d._check_open_budget(viewer, req.reason, child_id)
        view = records.build(d.store, viewer, child_id, override=True)
        d.store.sessions.record_open(viewer.user.username, day, child_id)
    la = records.la_of(d.store, child_id)
    d.audit.record(viewer.user.username, "shield_override", viewer=viewer, reason=req.reason.text(),
                   detail={"directory_id": view.directory_id, "warning_seen": True}, las=(la,))
    raise_alert(d, t.AlertKind.SHIELD_OVERRIDE, viewer.user.username, la, child_id)
    return view
