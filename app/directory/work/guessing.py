"""Sign-in attempts for usernames nobody holds, for every LA team's usage report (issue 13 §1 item 5).

A refused sign-in for an unknown username names no LA (there is no user to belong to), so no LA team's
report, which counts its own users, would ever show a run of them: someone trying username after username.
These runs are national, so every LA team's report shows them (``Pattern.USERNAME_GUESSING``, with no
username): each run is the refused sign-ins for unknown usernames (and sign-ins the service refused before
a username could be read, such as a per-address limit) with less than ``RUN_GAP_S`` between one and the
next, reported when it has at least ``RUN_ATTEMPTS``; a mistyped username or two is not a run. The report
gives the count and the first entry; never the usernames typed (a password typed into the username field
must not travel to 150 LA teams).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ... import audit_archive
from . import types as t

RUN_GAP_S = 10 * 60
RUN_ATTEMPTS = 5


def runs(d, start: date, end: date) -> list[t.PatternSeen]:
    """The runs of refused sign-ins for usernames nobody holds in the period (Europe/London days)."""
    since, until = audit_archive.day_start_utc(start), audit_archive.day_start_utc(end + timedelta(days=1))
    first, last = audit_archive.seq_range(d.conn, since, until)
    out: list[t.PatternSeen] = []
    run: list = []  # [count, first_at, first_seq, last_time]
    for seq, at, count in d.store.usage.unknown_sign_ins(first, last, since, until):
        when = datetime.fromisoformat(at).timestamp()
        if run and when - run[3] >= RUN_GAP_S:
            _close(run, out)
            run = []
        if not run:
            run = [0, at, seq, when]
        run[0] += count if isinstance(count, int) and count > 0 else 1
        run[3] = when
    _close(run, out)
    return out


def _close(run: list, out: list[t.PatternSeen]) -> None:
    if run and run[0] >= RUN_ATTEMPTS:
        out.append(t.PatternSeen("", t.Pattern.USERNAME_GUESSING, run[0], run[1], run[2]))
