"""Retention (R-RET-1..3): records leave the live directory, wait in the archive, then are destroyed.

- R-RET-1 A record leaves the live directory on its date: the 18th birthday; the 19th or 25th with
  consent (``children.stay_to_age``); one year after death (``died_on``); when the child left England
  more than three years ago (``left_england_on``: the day after the third anniversary).
- R-RET-2 It goes to the archive for six years (``archived_on``, ``archived_why``, ``destroy_on``): out
  of the search index at once, its answers kept for repeated changes deleted (``replays``), refused by
  ``view_record`` ("record.gone"), shown only by ``open_archived`` to the child's own LA team for a serious
  case review or a child-death investigation (audited with the ground). On ``destroy_on`` every row about
  the child is deleted; the audit keeps what it already had (it is append-only and never held more than ids
  and codes).
- R-RET-3 An ended involvement's phone and e-mail are blanked on ``contact_archive_on`` (set when it
  ends: one or five years on, by the engine and the generator alike) and ``contact_archived`` set. One ended
  with no date (a directory made before every ended involvement had one, a data feed) is given the date a year
  after its end by the sweep, and archived if that day has come. No copy is kept: the practitioner's name,
  role and organisation stay on the (live or archived) record, enough to reach them through their
  organisation, and a kept copy would be one more place a contact detail outlives its purpose.

``sweep(d, today)`` does all three in one transaction with one audit entry of counts (never names); the
engine runs it when it opens and on the first request of each new day (``Directory.apply_retention``).
Every query it runs is an index range on a date (the retention store's ``ensure_indexes``), so a day's sweep
on a million children touches only the children leaving, not the million.
"""
from __future__ import annotations

from datetime import date

from ... import directory_id as ids
from ... import records, search_index
from ...dates import anniversary, latest_reaching
from ...model import Viewer
from ...refusals import AccessRefused
from . import checks
from . import types as t

ARCHIVE_YEARS = 6  # R-RET-2
LEAVING_AGE = 18  # R-RET-1
CONSENT_AGES = {t.RetentionFact.CONSENT_TO_19: 19, t.RetentionFact.CONSENT_TO_25: 25}
# R-RET-1 (seed 003 §2.4): a record stays past 18 only "with their informed, explicit consent" -- the young
# person's own (a care leaver or a young person with learning difficulties to 25, one in receipt of Connexions
# services to 19). It is taken to be theirs to give from the 16th birthday, the age from which a young person is
# presumed able to consent for themselves; before it, consent to stay is refused (``retention.consent_too_young``).
CONSENT_FROM_AGE = 16
AFTER_DEATH_YEARS = 1
ABROAD_YEARS = 3
SWEEP_ACTOR = "(retention)"


def _latest_on_or_before(today: date, years: int) -> int:
    """The latest date D (ordinal) with ``anniversary(D, years) <= today`` (app.dates)."""
    return latest_reaching(today, years).toordinal()


# -- the sweep -------------------------------------------------------------------------------------------
def leaving_date(dob: int, stay_to_age: int | None, died_on: int | None, left_on: int | None) -> tuple[date, str]:
    """The day a record leaves the live directory and why (R-RET-1): the earliest that applies."""
    born = date.fromordinal(dob)
    dates = [(anniversary(born, stay_to_age), "consent_age") if stay_to_age
             else (anniversary(born, LEAVING_AGE), "age")]
    if died_on is not None:
        dates.append((anniversary(date.fromordinal(died_on), AFTER_DEATH_YEARS), "died"))
    if left_on is not None:
        dates.append((date.fromordinal(anniversary(date.fromordinal(left_on), ABROAD_YEARS).toordinal() + 1),
                      "left_england"))
    return min(dates)


def _due(d, today: date, only: list[int] | None = None) -> list[tuple[int, str, date, str]]:
    """(child id, la, leaving date, why) of every live record whose date has come."""
    if only is not None:
        rows = d.store.retention.live_children(only)
    else:
        rows = d.store.retention.maybe_leaving(_latest_on_or_before(today, LEAVING_AGE),
                                               _latest_on_or_before(today, AFTER_DEATH_YEARS),
                                               _latest_on_or_before(today, ABROAD_YEARS))
    out = []
    for cid, la, dob, stay, died, left in rows:
        on, why = leaving_date(dob, stay, died, left)
        if on <= today:
            out.append((cid, la, on, why))
    return out


def _archive(d, due: list[tuple[int, str, date, str]]) -> None:
    """R-RET-2: into the archive, out of the search index, its answers kept for repeats gone (work.replays)."""
    d.store.retention.archive([(cid, on.toordinal(), why, anniversary(on, ARCHIVE_YEARS).toordinal())
                               for cid, _, on, why in due])


def _destroy(d, child_ids: list[int]) -> None:
    """R-RET-2: every row about the children; a household and its carers go with the last child in it."""
    for left in d.store.retention.destroy(child_ids):  # a destroyed shield holds its siblings no longer
        search_index.reindex_child(d.conn, left)  # (app.siblings)


def sweep(d, today: date) -> dict:
    """Archive what is due, destroy what has served its six years, archive ended contacts (R-RET-1..3).
    Runs inside the caller's transaction; audits the counts (never a name) and returns them."""
    due = _due(d, today)
    _archive(d, due)
    doomed = d.store.retention.due_for_destruction(today.toordinal())
    _destroy(d, [cid for cid, _ in doomed])
    dated = _date_undated_ends(d)
    contacts = d.store.retention.archive_contacts(today.toordinal())
    why: dict[str, int] = {}
    for *_, w in due:
        why[w] = why.get(w, 0) + 1
    counts = {"on": today.isoformat(), "archived": len(due), "archived_why": why, "destroyed": len(doomed),
              "contacts_archived": contacts, **({"contacts_dated": dated} if dated else {})}
    d.store.retention.mark_swept(today)
    d.audit.record(SWEEP_ACTOR, "retention_sweep", detail=counts,
                   las={la for _, la, *_ in due} | {la for _, la in doomed})
    return counts


def _date_undated_ends(d) -> int:
    """R-RET-3: an ended involvement without an archive date gets the one a year after its end (the partial
    index holds only such rows, so once dated it costs nothing). Returns how many were dated."""
    rows = d.store.retention.undated_ends()
    d.store.retention.date_contact_archive([(anniversary(date.fromordinal(ended), 1).toordinal(), iid)
                                            for iid, ended in rows])
    return len(rows)


# -- the LA team's operations ------------------------------------------------------------------------------
def _own_child(d, viewer: Viewer, reason, action: str, directory_id) -> int:
    """The child's row id if it is a record of the LA team's own LA; the same refusal otherwise, so an
    id from another LA tells nothing."""
    child_id = records.child_id_for(d.store, directory_id) if isinstance(directory_id, str) else None
    if child_id is None or records.la_of(d.store, child_id) != viewer.user.la_code:
        shown = directory_id if isinstance(directory_id, str) and len(directory_id) <= 16 else "(unusable id)"
        d.audit_refusal(viewer, reason, action, "not a record of this LA", directory_id=shown)
        exc = AccessRefused("retention.not_found", "directory_id")
        exc.audited = True
        raise exc
    return child_id


def record_fact(d, viewer: Viewer, request: t.RetentionChange) -> None:
    """The LA team records consent to stay to 19 or 25, a death or leaving England (R-RET-1). A record
    whose date has thereby come leaves the live directory in the same transaction."""
    reason = d.la_team_request(viewer, "record_retention_fact", "access.la_team_only")
    child_id = _own_child(d, viewer, reason, "record_retention_fact", request.directory_id)
    if not isinstance(request.fact, t.RetentionFact):
        raise AccessRefused("input.required", "fact")
    today = d.clock()
    dob, archived = d.store.retention.born_and_archived(child_id)
    on = checks.day(request.on, "on", not_after=today, not_before=date.fromordinal(dob))
    if archived is not None:
        raise AccessRefused("retention.archived")
    if request.fact in CONSENT_AGES:  # rule R-RET-1: the young person's own consent, from their 16th birthday
        able = anniversary(date.fromordinal(dob), CONSENT_FROM_AGE)
        if on < able:
            d.audit_refusal(viewer, reason, "record_retention_fact", "retention.consent_too_young",
                            directory_id=request.directory_id, fact=request.fact.value)
            exc = AccessRefused("retention.consent_too_young", "on", from_day=able.isoformat())
            exc.audited = True
            raise exc
        d.store.retention.record_consent_to_stay(child_id, CONSENT_AGES[request.fact])
    elif request.fact is t.RetentionFact.DIED:
        d.store.retention.record_death(child_id, on.toordinal())
    else:
        d.store.retention.record_left_england(child_id, on.toordinal())
    due = _due(d, today, [child_id])
    _archive(d, due)
    d.audit.record(viewer.user.username, "retention_fact_recorded", viewer=viewer, reason=reason.text(),
                   detail={"directory_id": ids.fmt(d.store.retention.directory_number(child_id)),
                           "fact": request.fact.value, "on": on.isoformat(),
                           **({"archived": due[0][3]} if due else {})},
                   las=(viewer.user.la_code,))


def open_archived(d, viewer: Viewer, request: t.ArchivedRecordRequest) -> t.ArchivedRecord:
    """R-RET-2: the LA team opens one of its own LA's archived records, only for a serious case review or a
    child-death investigation; audited with the ground."""
    reason = d.la_team_request(viewer, "open_archived", "access.la_team_only")
    if not isinstance(request.ground, t.ArchiveGround):
        d.audit_refusal(viewer, reason, "open_archived", "no ground")
        exc = AccessRefused("retention.ground_required", "ground")
        exc.audited = True
        raise exc
    child_id = _own_child(d, viewer, reason, "open_archived", request.directory_id)
    row = d.store.retention.archived(child_id)
    if row[0] is None:
        d.audit_refusal(viewer, reason, "open_archived", "record is live", ground=request.ground.value)
        exc = AccessRefused("retention.not_archived", "directory_id")
        exc.audited = True
        raise exc
    view = records.build(d.store, viewer, child_id, include_archived=True)
    d.audit.record(viewer.user.username, "open_archived", viewer=viewer, reason=reason.text(),
                   detail={"directory_id": ids.fmt(row[3]), "ground": request.ground.value},
                   las=(viewer.user.la_code,))
    return t.ArchivedRecord(view, date.fromordinal(row[0]), row[1], date.fromordinal(row[2]))
