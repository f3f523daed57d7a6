"""The LA team monitors usage (R-ROLE-3, R-AUDIT-2): a usage report per user with patterns worth a look,
the alerts inbox, and the verifiable audit archive for retention (R-AUDIT-3, R-LOCAL-3).

Everything is the team's own LA only: the report covers the LA's own users, the
archive the entries that concern the LA, the inbox the LA's alerts. Each read is
audited; the archive export is the LA team's alone (R-LOCAL-3).

Patterns (``types.Pattern``) prove nothing; they point the team at the first
audit entry worth reading. Days and hours are Europe/London. Runs of sign-ins
for usernames nobody holds belong to no LA, so every LA team's report shows
them (``guessing``).
"""
from __future__ import annotations

import json
from collections import defaultdict, deque
from datetime import date, datetime, timedelta
from typing import NoReturn

from ... import audit_archive
from ... import directory_id as ids
from ...model import Role, Viewer
from ...refusals import AccessRefused
from . import checks, guessing
from . import types as t

MAX_SPAN_DAYS = 366
BURST_SEARCHES = 10  # this many searches ...
BURST_WINDOW_S = 5 * 60  # ... within five minutes
DAY_STARTS, DAY_ENDS = 7, 20  # working hours, local time; weekends are out of hours too
ALERTS_SHOWN = 500

SEARCH = "search"
VIEWS = frozenset({"view_record", "open_archived"})
OVERRIDES = frozenset({"shield_override"})
NOT_CHANGES = frozenset({"sign_in", "sign_out", "lock", "unlock", "search", "view_record", "open_archived",
                         "shield_override", "token_refused", "account_locked_out", "security_alert",
                         "audit_archive_exported", "colleagues_read", "retention_sweep", "request_replayed"})
RATE_WHYS = ("rate limited", "daily budget reached")


def _period(q, action: str, d) -> tuple[date, date]:
    start = checks.day(q.start, "start", not_before=date(2000, 1, 1))
    end = checks.day(q.end, "end", not_before=start)
    if (end - start).days >= MAX_SPAN_DAYS:
        raise AccessRefused("usage.period_too_long", "end", days=MAX_SPAN_DAYS)
    return start, end


def _refuse_not_own(d, viewer: Viewer, reason, action: str, field: str, **detail) -> NoReturn:
    d.audit_refusal(viewer, reason, action, "access.not_your_la", **detail)
    exc = AccessRefused("access.not_your_la", field)
    exc.audited = True
    raise exc


# -- the usage report ------------------------------------------------------------------------------
class _Tally:
    __slots__ = ("sign_ins", "searches", "views", "changes", "refusals", "seen", "evidence")

    def __init__(self, collect: bool = False) -> None:
        self.sign_ins = self.searches = self.views = self.changes = self.refusals = 0
        self.seen: dict[t.Pattern, list] = {}  # pattern -> [count, first_at, first_seq]
        # pattern -> every audit entry that shows it (R-AUDIT-2: what the LA team opens), when asked to collect
        self.evidence: dict[t.Pattern, list[int]] | None = {} if collect else None

    def saw(self, pattern: t.Pattern, at: str, seq: int, count: int = 1, seqs: list[int] | None = None) -> None:
        if self.evidence is not None:
            self.evidence.setdefault(pattern, []).extend(seqs or [seq])
        got = self.seen.get(pattern)
        if got is None:
            self.seen[pattern] = [count, at, seq]
        else:
            got[0] += count
            if seq < got[2]:
                got[1], got[2] = at, seq


def report(d, viewer: Viewer, q: t.UsageQuery) -> t.UsageReport:
    """Per-user counts over a period of at most a year, and patterns worth a look (R-AUDIT-2)."""
    reason = d.la_team_request(viewer, "usage_report", "access.la_team_only")
    start, end = _period(q, "usage_report", d)
    la = viewer.user.la_code
    wanted = checks.text(q.username, 64, "username", required=False).lower()
    people = d.store.usage.users_of(la, Role.COLLEAGUE.value)
    if wanted:
        if wanted not in people:
            _refuse_not_own(d, viewer, reason, "usage_report", "username", user=wanted)
        people = {wanted: people[wanted]}
    tallies = build_tallies(d, people, la, start, end)
    rows = tuple(t.UsageRow(u, name, role, x.sign_ins, x.searches, x.views, x.changes, x.refusals)
                 for u, (name, role) in sorted(people.items(), key=lambda p: (p[1][0].lower(), p[0]))
                 for x in (tallies.get(u) or _Tally(),))
    order = list(t.Pattern)
    patterns = tuple(t.PatternSeen(u, p, c, at, seq) for u in sorted(tallies)
                     for p, (c, at, seq) in sorted(tallies[u].seen.items(), key=lambda kv: order.index(kv[0])))
    if not wanted:  # runs of sign-ins for usernames nobody holds: national, in every LA team's report
        patterns += tuple(guessing.runs(d, start, end))
    d.audit.record(viewer.user.username, "usage_report_read", viewer=viewer, reason=reason.text(),
                   detail={"start": start.isoformat(), "end": end.isoformat(), "user": wanted or None,
                           "patterns": len(patterns)}, las=(la,))
    return t.UsageReport(la, start, end, rows, patterns)


def build_tallies(d, people: dict, la: str, start: date, end: date, collect: bool = False) -> dict[str, _Tally]:
    """One pass over the period's entries by ``people`` (the LA's users): O(entries), with a binary
    search for where the period starts and one look-up of the family names of the records viewed. With
    ``collect``, each tally also keeps every entry behind each pattern (``_Tally.evidence``)."""
    since, until = audit_archive.day_start_utc(start), audit_archive.day_start_utc(end + timedelta(days=1))
    first, last = audit_archive.seq_range(d.conn, since, until)
    london = audit_archive.LONDON
    tallies: dict[str, _Tally] = {}
    family = {u: name.split()[-1].lower() for u, (name, _) in people.items() if name.split()}
    bursts: dict[str, deque] = defaultdict(deque)
    hours: dict[str, tuple] = {}  # "YYYY-MM-DDTHH" (UTC) -> (local day, out of hours, epoch of the hour)
    returned_today: dict[tuple[str, date], set] = defaultdict(set)
    searches: list[tuple[str, date, int, str, list]] = []  # (user, day, seq, at, returned ids)
    viewed: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)  # did -> last view seq that day
    views_of: list[tuple[str, str, int, str]] = []  # (user, did, seq, at): family names looked up at the end
    # the store reads only the few detail fields the patterns need: no whole detail is decoded here
    for seq, at, actor, action, returned, searched, did, why in d.store.usage.activity(
            first, last, since, until, list(people), la):
        x = tallies.get(actor)
        if x is None:
            x = tallies[actor] = _Tally(collect)
        hour = hours.get(at[:13])
        if hour is None:  # the local day, and whether the hour is out of hours, once per hour of entries
            when = datetime.fromisoformat(at).astimezone(london)
            hour = hours[at[:13]] = (when.date(), when.hour < DAY_STARTS or when.hour >= DAY_ENDS
                                     or when.weekday() >= 5, when.timestamp() - when.minute * 60 - when.second
                                     - when.microsecond / 1e6)
        day, late, hour_stamp = hour
        if action.endswith("_refused") or action.endswith("_failed"):  # token_refused too
            x.refusals += 1
            why = why if isinstance(why, str) else ""
            if why in RATE_WHYS or why.startswith("rate."):
                x.saw(t.Pattern.RATE_LIMITED, at, seq)
            else:
                x.saw(t.Pattern.REFUSED, at, seq)
            continue
        if late and action not in ("sign_out", "lock", "unlock"):
            x.saw(t.Pattern.OUT_OF_HOURS, at, seq)
        if action == "sign_in":
            x.sign_ins += 1
        elif action == SEARCH:
            x.searches += 1
            got = [r for r in json.loads(returned) if isinstance(r, str)] if returned and returned != "[]" else []
            if got:
                returned_today[(actor, day)].update(got)
                searches.append((actor, day, seq, at, got))
            if isinstance(searched, str) and family.get(actor) and searched.strip().lower() == family[actor]:
                x.saw(t.Pattern.SHARED_FAMILY_NAME, at, seq)
            window = bursts[actor]
            stamp = hour_stamp + int(at[14:16]) * 60 + float(at[17:26] or 0)
            window.append((stamp, seq, at))
            while window and window[0][0] <= stamp - BURST_WINDOW_S:
                window.popleft()
            if len(window) >= BURST_SEARCHES:
                x.saw(t.Pattern.BURST, window[0][2], window[0][1], seqs=[s for _, s, _ in window])
                window.clear()
        elif action in VIEWS:
            x.views += 1
            if isinstance(did, str):
                viewed[(actor, day)][did] = seq
                views_of.append((actor, did, seq, at))
                if action == "view_record" and did not in returned_today[(actor, day)]:
                    x.saw(t.Pattern.VIEW_WITHOUT_SEARCH, at, seq)
        elif action in OVERRIDES:
            x.views += 1
            x.saw(t.Pattern.SHIELD_OVERRIDE, at, seq)
            if isinstance(did, str):
                viewed[(actor, day)][did] = seq
                views_of.append((actor, did, seq, at))
        elif action not in NOT_CHANGES and not action.endswith("_read"):
            x.changes += 1
    for actor, day, seq, at, got in searches:
        seen = viewed.get((actor, day), {})
        if not any(seen.get(did, 0) > seq for did in got):
            tallies[actor].saw(t.Pattern.SEARCH_WITHOUT_VIEW, at, seq)
    _shared_family_views(d, tallies, family, views_of)
    return tallies


def _shared_family_views(d, tallies, family: dict, views_of: list) -> None:
    """Records viewed that carry the viewer's own family name (current or former)."""
    wanted = {}
    for _, did, _, _ in views_of:
        try:
            number = ids.parse(did)
        except (ValueError, TypeError):
            continue
        if number is not None:
            wanted[did] = number
    names: dict[int, set] = defaultdict(set)
    for number, fam in d.store.usage.family_names(list(set(wanted.values()))):
        names[number].add(fam.lower())
    for actor, did, seq, at in views_of:
        mine = family.get(actor)
        if mine and did in wanted and mine in names.get(wanted[did], ()):
            tallies[actor].saw(t.Pattern.SHARED_FAMILY_NAME, at, seq)


# -- la-admin: the audit entries behind a pattern or an alert (issue 14 §2.6, R-AUDIT-2) ------------------
EVIDENCE_SHOWN = 500  # the first entries sent; ``AuditEvidence.total`` says how many there are
ALERT_CONTEXT_S = 15 * 60  # with an alert's own entry, what its actor did in the quarter of an hour before it,
ALERT_AFTER_S = 60  # and in the minute after (the refusal that followed a lock-out)


def pattern_evidence(d, viewer: Viewer, q: t.PatternEvidenceQuery) -> t.AuditEvidence:
    """R-AUDIT-2: every audit entry behind one pattern of the usage report (one user, one period), for the
    LA team to read in the app; the first ``EVIDENCE_SHOWN``, with how many there are. Audited."""
    reason = d.la_team_request(viewer, "pattern_evidence", "access.la_team_only")
    start, end = _period(q, "pattern_evidence", d)
    if not isinstance(q.pattern, t.Pattern):
        raise AccessRefused("input.required", "pattern")
    la = viewer.user.la_code
    wanted = checks.text(q.username, 64, "username").lower()
    person = d.store.usage.user_of(wanted, la, Role.COLLEAGUE.value)
    if person is None:
        _refuse_not_own(d, viewer, reason, "pattern_evidence", "username", user=wanted)
    tally = build_tallies(d, {wanted: person}, la, start, end, collect=True).get(wanted)
    seqs = sorted(set((tally.evidence or {}).get(q.pattern, []))) if tally else []
    shown = d.store.usage.entries(seqs[:EVIDENCE_SHOWN], la)
    d.audit.record(viewer.user.username, "audit_evidence_read", viewer=viewer, reason=reason.text(),
                   detail={"user": wanted, "pattern": q.pattern.value, "start": start.isoformat(),
                           "end": end.isoformat(), "entries": len(seqs)}, las=(la,))
    return t.AuditEvidence(shown, len(seqs))


def alert_evidence(d, viewer: Viewer, ref: t.AlertRef) -> t.AuditEvidence:
    """R-AUDIT-2: the audit entry an alert points at, with what its actor did in the quarter of an hour before
    and the minute after (the failed sign-ins around a lock-out, the search before an override), as far as
    they concern the LA."""
    reason = d.la_team_request(viewer, "alert_evidence", "access.la_team_only")
    alert_id = checks.number(ref.alert_id, "alert_id", 1)
    la = viewer.user.la_code
    row = d.store.usage.alert_about(alert_id)
    if row is None or row[0] != la:
        _refuse_not_own(d, viewer, reason, "alert_evidence", "alert_id", alert=alert_id)
    _, actor, seq = row
    at = d.store.usage.entry_time(seq)
    seqs = [seq]
    if at is not None:
        moment = datetime.fromisoformat(at)
        since = (moment - timedelta(seconds=ALERT_CONTEXT_S)).isoformat(timespec="seconds")
        until = (moment + timedelta(seconds=ALERT_AFTER_S)).isoformat(timespec="seconds")
        before = d.store.usage.actor_before(seq, actor, since, EVIDENCE_SHOWN // 2)
        after = d.store.usage.actor_after(seq, actor, until)
        seqs = before + [seq] + after
    shown = d.store.usage.entries(seqs, la)
    d.audit.record(viewer.user.username, "audit_evidence_read", viewer=viewer, reason=reason.text(),
                   detail={"alert": alert_id, "entries": len(shown)}, las=(la,))
    return t.AuditEvidence(shown, len(shown))


# -- alerts (R-SHIELD-6, R-SENS-2, R-AUDIT-2, R-ROLE-4) ---------------------------------------------
def alerts(d, viewer: Viewer, _: t.Nothing) -> tuple[t.Alert, ...]:
    """The LA's alerts, newest first (the newest ``ALERTS_SHOWN``)."""
    reason = d.la_team_request(viewer, "alerts", "access.la_team_only")
    la = viewer.user.la_code
    out = []
    for alert_id, kind, at, actor, did, seq, by, actor_name, by_name, given, family in d.store.usage.alerts(
            la, ALERTS_SHOWN):
        try:
            known = t.AlertKind(kind)
        except ValueError:
            continue
        out.append(t.Alert(alert_id, known, at, actor, ids.fmt(did) if did is not None else "", seq or 0, by or "",
                           actor_name or "", by_name or "", f"{given} {family}" if family else ""))
    d.audit.record(viewer.user.username, "alerts_read", viewer=viewer, reason=reason.text(),
                   detail={"alerts": len(out)}, las=(la,))
    return tuple(out)


def acknowledge(d, viewer: Viewer, ref: t.AlertRef) -> None:
    """Mark one of the LA's alerts dealt with; the first acknowledgement stands."""
    reason = d.la_team_request(viewer, "acknowledge_alert", "access.la_team_only")
    alert_id = checks.number(ref.alert_id, "alert_id", 1)
    row = d.store.usage.alert_acknowledged(alert_id)
    if row is None or row[0] != viewer.user.la_code:
        _refuse_not_own(d, viewer, reason, "acknowledge_alert", "alert_id", alert=alert_id)
    if row[1] is None:
        d.store.usage.acknowledge(alert_id, viewer.user.username, d._stamp())
    d.audit.record(viewer.user.username, "alert_acknowledged", viewer=viewer, reason=reason.text(),
                   detail={"alert": alert_id, "already": row[1] is not None}, las=(viewer.user.la_code,))
    return None


# -- the audit archive (R-AUDIT-2, R-AUDIT-3, R-LOCAL-3) --------------------------------------------
def archive(d, viewer: Viewer, q: t.ArchiveQuery) -> t.AuditArchive:
    """The LA's audit entries for the period, each with its inclusion proof against the latest signed
    checkpoint (``app.audit_archive``); the export is audited, after it is built."""
    reason = d.la_team_request(viewer, "audit_archive", "access.la_team_only")
    start, end = _period(q, "audit_archive", d)
    made = audit_archive.build(d.audit, viewer.user.la_code, start, end)
    d.audit.record(viewer.user.username, "audit_archive_exported", viewer=viewer, reason=reason.text(),
                   detail={"start": start.isoformat(), "end": end.isoformat(), "entries": len(made.entries),
                           "checkpoint_size": made.checkpoint.get("size")}, las=(viewer.user.la_code,))
    return made
