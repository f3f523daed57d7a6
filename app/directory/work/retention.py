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
Every query it runs is an index range on a date (``INDEXES``), so a day's sweep on a million children
touches only the children leaving, not the million.
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
LAST_SWEEP_KEY = "retention.last_sweep"
_BATCH = 500

# Partial indexes: each holds only the rows a sweep may still have to look at, keyed on the date it looks up.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS children_live_dob ON children(dob) WHERE archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_died ON children(died_on) "
    "WHERE died_on IS NOT NULL AND archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_left_england ON children(left_england_on) "
    "WHERE left_england_on IS NOT NULL AND archived_on IS NULL",
    "CREATE INDEX IF NOT EXISTS children_destroy ON children(destroy_on) WHERE destroy_on IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS involvements_contact_archive ON involvements(contact_archive_on) "
    "WHERE contact_archived = 0 AND contact_archive_on IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS involvements_ended_undated ON involvements(ended) "
    "WHERE contact_archive_on IS NULL AND ended IS NOT NULL",
    # destruction deletes by child: these small tables must not be scanned once a child
    "CREATE INDEX IF NOT EXISTS notices_child ON notices(child_id)",
    "CREATE INDEX IF NOT EXISTS contact_requests_child ON contact_requests(child_id)",
    "CREATE INDEX IF NOT EXISTS shield_reviews_child ON shield_reviews(child_id)",
    "CREATE INDEX IF NOT EXISTS record_opens_child ON record_opens(child_id)",
    "CREATE INDEX IF NOT EXISTS alerts_child ON alerts(child_id) WHERE child_id IS NOT NULL",
)


def _latest_on_or_before(today: date, years: int) -> int:
    """The latest date D (ordinal) with ``anniversary(D, years) <= today`` (app.dates)."""
    return latest_reaching(today, years).toordinal()


def ensure_indexes(conn) -> None:
    for ddl in INDEXES:
        conn.execute(ddl)


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


def _due(conn, today: date, only: list[int] | None = None) -> list[tuple[int, str, date, str]]:
    """(child id, la, leaving date, why) of every live record whose date has come."""
    cols = "id, la_code, dob, stay_to_age, died_on, left_england_on"
    if only is not None:
        rows = conn.execute(f"SELECT {cols} FROM children WHERE archived_on IS NULL AND id IN "
                            f"({','.join('?' * len(only))})", only).fetchall() if only else []
    else:
        rows = conn.execute(
            f"SELECT {cols} FROM children WHERE archived_on IS NULL AND dob <= ? "
            f"UNION SELECT {cols} FROM children WHERE archived_on IS NULL AND died_on IS NOT NULL AND died_on <= ? "
            f"UNION SELECT {cols} FROM children WHERE archived_on IS NULL AND left_england_on IS NOT NULL "
            f"AND left_england_on < ?",
            (_latest_on_or_before(today, LEAVING_AGE), _latest_on_or_before(today, AFTER_DEATH_YEARS),
             _latest_on_or_before(today, ABROAD_YEARS))).fetchall()
    out = []
    for cid, la, dob, stay, died, left in rows:
        on, why = leaving_date(dob, stay, died, left)
        if on <= today:
            out.append((cid, la, on, why))
    return out


def _archive(conn, due: list[tuple[int, str, date, str]]) -> None:
    """R-RET-2: into the archive, out of the search index."""
    conn.executemany("UPDATE children SET archived_on = ?, archived_why = ?, destroy_on = ? WHERE id = ?",
                     [(on.toordinal(), why, anniversary(on, ARCHIVE_YEARS).toordinal(), cid)
                      for cid, _, on, why in due])
    conn.executemany("DELETE FROM search_names WHERE child_id = ?", [(cid,) for cid, *_ in due])
    conn.executemany("DELETE FROM done_requests WHERE child_id = ?", [(cid,) for cid, *_ in due])  # work.replays


def _destroy(conn, child_ids: list[int]) -> None:
    """R-RET-2: every row about the children; a household and its carers go with the last child in it."""
    for i in range(0, len(child_ids), _BATCH):
        chunk = child_ids[i:i + _BATCH]
        marks = ",".join("?" * len(chunk))
        households = [h for (h,) in conn.execute(
            f"SELECT DISTINCT household_id FROM children WHERE id IN ({marks})", chunk)]
        for table in ("other_names", "involvements", "search_names", "shields", "shield_reviews",
                      "contact_requests", "notices", "record_opens", "done_requests"):
            conn.execute(f"DELETE FROM {table} WHERE child_id IN ({marks})", chunk)
        conn.execute(f"UPDATE alerts SET child_id = NULL WHERE child_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM sibling_decisions WHERE sibling_id IN ({marks}) OR shielded_id IN ({marks})",
                     chunk + chunk)  # shields branch: decisions about a household (app.siblings)
        conn.execute(f"DELETE FROM children WHERE id IN ({marks})", chunk)
        empty = [h for h in households
                 if conn.execute("SELECT 1 FROM children WHERE household_id = ? LIMIT 1", (h,)).fetchone() is None]
        conn.executemany("DELETE FROM carers WHERE household_id = ?", [(h,) for h in empty])
        conn.executemany("DELETE FROM households WHERE id = ?", [(h,) for h in empty])
        for (left,) in conn.execute(  # a destroyed shield holds its siblings no longer (app.siblings)
                f"SELECT id FROM children WHERE household_id IN ({','.join('?' * len(households))}) "
                "AND archived_on IS NULL", households).fetchall() if households else ():
            search_index.reindex_child(conn, left)


def sweep(d, today: date) -> dict:
    """Archive what is due, destroy what has served its six years, archive ended contacts (R-RET-1..3).
    Runs inside the caller's transaction; audits the counts (never a name) and returns them."""
    conn = d.conn
    due = _due(conn, today)
    _archive(conn, due)
    doomed = [(cid, la) for cid, la in conn.execute(
        "SELECT id, la_code FROM children WHERE destroy_on IS NOT NULL AND destroy_on <= ?", (today.toordinal(),))]
    _destroy(conn, [cid for cid, _ in doomed])
    dated = _date_undated_ends(conn)
    contacts = conn.execute(
        "UPDATE involvements SET contact_archived = 1, phone = '', email = '' "
        "WHERE contact_archived = 0 AND contact_archive_on IS NOT NULL AND contact_archive_on <= ?",
        (today.toordinal(),)).rowcount
    why: dict[str, int] = {}
    for *_, w in due:
        why[w] = why.get(w, 0) + 1
    counts = {"on": today.isoformat(), "archived": len(due), "archived_why": why, "destroyed": len(doomed),
              "contacts_archived": contacts, **({"contacts_dated": dated} if dated else {})}
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (LAST_SWEEP_KEY, str(today.toordinal())))
    d.audit.record(SWEEP_ACTOR, "retention_sweep", detail=counts,
                   las={la for _, la, *_ in due} | {la for _, la in doomed})
    return counts


def _date_undated_ends(conn) -> int:
    """R-RET-3: an ended involvement without an archive date gets the one a year after its end (the partial
    index holds only such rows, so once dated it costs nothing). Returns how many were dated."""
    rows = conn.execute("SELECT id, ended FROM involvements WHERE contact_archive_on IS NULL AND ended IS NOT NULL "
                        "AND ended > 0").fetchall()
    conn.executemany("UPDATE involvements SET contact_archive_on = ?, keep_contact_years = 1 WHERE id = ?",
                     [(anniversary(date.fromordinal(ended), 1).toordinal(), iid) for iid, ended in rows])
    return len(rows)


def last_sweep(conn) -> date | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LAST_SWEEP_KEY,)).fetchone()
    return date.fromordinal(int(row[0])) if row else None


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
    dob, archived = d.conn.execute("SELECT dob, archived_on FROM children WHERE id = ?", (child_id,)).fetchone()
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
        d.conn.execute("UPDATE children SET stay_to_age = ? WHERE id = ?", (CONSENT_AGES[request.fact], child_id))
    else:
        column = "died_on" if request.fact is t.RetentionFact.DIED else "left_england_on"
        d.conn.execute(f"UPDATE children SET {column} = ? WHERE id = ?", (on.toordinal(), child_id))
    due = _due(d.conn, today, [child_id])
    _archive(d.conn, due)
    d.audit.record(viewer.user.username, "retention_fact_recorded", viewer=viewer, reason=reason.text(),
                   detail={"directory_id": ids.fmt(d.conn.execute(
                       "SELECT directory_id FROM children WHERE id = ?", (child_id,)).fetchone()[0]),
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
    row = d.conn.execute("SELECT archived_on, archived_why, destroy_on, directory_id FROM children WHERE id = ?",
                         (child_id,)).fetchone()
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
