"""Offline copies a client holds, checked against shields set since (R-SHIELD-2/4, R-LOCAL-2, issue 13 §3.2).

A client keeps the records its user opened in its encrypted cache, to show when the directory cannot be reached.
A shield set after a copy was made takes effect at once for everyone (R-SHIELD-2), so the client must hear of it:
``check`` answers, for the directory ids a client says it holds, which copies it must drop now, because the view
its user would get today is restricted (a shield, or a shield in the household holding the child, ``app.siblings``)
or the child is no longer in the live directory. The client calls it at sign-in, at unlock, when the directory
answers again after an outage and every few minutes while it does (``app.copy_check``), and drops those copies.

It never tells more than the client already had: it answers only about ids sent, and only "drop it" or nothing;
an id this user did not open recently (in the last two days, which covers a cache's life) is answered "drop" as
well, so a client cannot learn from it which children are shielded. Each check is audited with what was asked
and what was answered (R-AUDIT-1).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ... import records
from ...model import Viewer
from ...refusals import AccessRefused, NoSuchRecord
from . import types as t

MAX_COPIES = 500  # a cache holds a day or two of opened records: the daily budget is far below this
OPENED_WITHIN_DAYS = 2


def _drop(d, viewer: Viewer, child_id: int | None, today: date) -> bool:
    if child_id is None or not d.store.sessions.opened_since(viewer.user.username, child_id,
                                                             today - timedelta(days=OPENED_WITHIN_DAYS - 1)):
        return True
    try:
        view = records.build(d.store, viewer, child_id)
    except NoSuchRecord:  # R-RET-2: left the live directory
        return True
    return view.shield_applied or view.household_withheld


def check(d, viewer: Viewer, req: t.HeldCopies) -> t.CopiesChecked:
    """Which of the copies ``viewer``'s client holds it must drop now (see the module docstring)."""
    d._session_of(viewer)
    problem = d.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])
    held = req.directory_ids
    if not isinstance(held, (tuple, list)) or len(held) > MAX_COPIES or not all(
            isinstance(x, str) and 0 < len(x) <= 16 for x in held):
        raise AccessRefused("input.required", "directory_ids")
    today = datetime.fromtimestamp(d.now(), UTC).date()  # as record_opens counts days
    drop = tuple(dict.fromkeys(x for x in held if _drop(d, viewer, records.child_id_for(d.store, x), today)))
    d.audit.record(viewer.user.username, "copies_checked", viewer=viewer,
                   detail={"held": len(held), "drop": list(drop)}, las=(viewer.user.la_code,))
    return t.CopiesChecked(drop)
