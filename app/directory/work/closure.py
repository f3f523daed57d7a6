"""The LA's closure register and checklist, kept by the directory (R-CLOSE-1..5, R-AUDIT-1, R-AUDIT-3).

While the directory answers, the register is the directory's: several LA officers at several workstations
work on one, over days. Each change is one step (``app.closure.steps``), applied here by the same code the
workstation applies it with, and audited with who did it (from the session, never the step) and where
(the workstation the step names). Each workstation keeps the directory's answer as its own encrypted copy
for when the directory cannot be reached (``app.closure.store``). The LA team alone, for its own LA; these
closure tasks stay open to the LA team after the switch-off (R-CLOSE-1), as does the export of the LA's
whole audit for retention (R-AUDIT-3).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ... import audit_archive
from ...model import Viewer
from ...refusals import AccessRefused
from . import checks, tokens
from . import types as t

ACTION = "closure_step"
LONDON = ZoneInfo("Europe/London")
CLOCK_SKEW = timedelta(minutes=10)  # a step's own time may run this far ahead of the directory's


def _london_day(at: str) -> date:
    return datetime.fromisoformat(at).astimezone(LONDON).date()


def _la(d, la: str) -> tuple[str, str, str]:
    return d.store.retention.la_contact(la) or (la, "", "")


def _row(d, la: str):
    return d.store.retention.closure_record(la)


def record(d, viewer: Viewer, _: t.Nothing) -> t.ClosureRecord:
    """The LA's closure record as the directory holds it, with the LA's name and contact and its users'
    organisations (from which the LA team chooses its national partners, R-CLOSE-3)."""
    d.la_team_request(viewer, "closure_record", "access.la_team_only", closure=True)
    la = viewer.user.la_code
    name, phone, email = _la(d, la)
    row = _row(d, la) or ("", "", 0, "", "", "")
    orgs = d.store.retention.organisations(la)
    switch_off = datetime.fromtimestamp(d.closes_at, UTC).isoformat(timespec="seconds") if d.closes_at else ""
    return t.ClosureRecord(la, name, phone, email, row[2], row[0], row[1], row[3], row[4], row[5], orgs, switch_off)


def step(d, viewer: Viewer, req: t.ClosureStep) -> t.ClosureStepDone:
    """Apply one step to the LA's register (the first one sets it up, or takes the workstation's own);
    refused whole, with the closure core's code, when the register says no."""
    from app.closure import steps
    from app.closure.plan import Checklist, Plan, PlanError
    from app.closure.register import Register, RegisterError
    from app.closure.sources import merge_issued
    reason = d.la_team_request(viewer, ACTION, "access.la_team_only", closure=True)
    la, by = viewer.user.la_code, viewer.user.username
    try:
        steps.check(req.step)
    except steps.StepError as exc:
        raise AccessRefused("closure.step_invalid", "step", refused=exc.code) from None
    where = checks.text(req.step["where"], steps.MAX_WHERE, "where")
    at = datetime.fromisoformat(req.step["at"])
    if (at if at.tzinfo else at.replace(tzinfo=UTC)) > datetime.fromtimestamp(d.now(), UTC) + CLOCK_SKEW:
        raise AccessRefused("closure.step_in_future", "step")
    kind = req.step["kind"]
    row = _row(d, la)
    try:
        if row is None:
            if kind == "setup":
                day = date.fromisoformat(req.step["day"])
                register = Register(_la(d, la)[0], Plan.default().return_deadline(day), la_code=la)
                checklist = Checklist(Plan.default(), day)
            elif kind == "adopt":
                register, checklist = steps.apply(Register("", date.min), Checklist(Plan.default(), date.min),
                                                  req.step, by)
                register.la, register.la_code = _la(d, la)[0], la  # the LA is the directory's, whatever was kept
            else:
                raise AccessRefused("closure.not_set_up", "step")
            version = 0
        else:
            if kind in ("setup", "adopt"):
                raise AccessRefused("closure.already_set_up", "step")
            register, checklist = steps.apply(Register.from_json(row[0]), Checklist.from_json(row[1]), req.step, by)
            version = row[2]
        if kind in ("setup", "adopt", "fill_from_directory"):
            merge_issued(register, tokens.issued(d, la))
    except (RegisterError, PlanError, steps.StepError, ValueError, KeyError, TypeError) as exc:
        # the register says no (a coded error), or a register given whole (adopt) does not read as one
        raise AccessRefused("closure.step_refused", "step", refused=getattr(exc, "code", "invalid")) from None
    stamp = d._stamp()
    d.store.retention.keep_closure_record(la, register.to_json(), checklist.to_json(), version + 1, by, where, stamp)
    d.audit.record(by, ACTION, viewer=viewer, reason=reason.text(), las=(la,),
                   detail={**steps.summary(req.step), "version": version + 1})
    return t.ClosureStepDone(version + 1)


def whole_audit(d, viewer: Viewer, _: t.Nothing) -> t.AuditArchive:
    """Every audit entry about the LA, from the log's first day to its last, proven against the signed
    checkpoint (``app.audit_archive``): exported and verified before a workstation's directory goes
    (R-AUDIT-3, R-CLOSE-6). Audited after it is built."""
    reason = d.la_team_request(viewer, "closure_audit_archive", "access.la_team_only", closure=True)
    la = viewer.user.la_code
    first, last = d.store.retention.audit_span()
    start = _london_day(first) if first else d.clock()
    end = max(_london_day(last) if last else d.clock(), d.clock())
    made = audit_archive.build(d.audit, la, start, end)
    d.audit.record(viewer.user.username, "closure_audit_archive_exported", viewer=viewer, reason=reason.text(),
                   detail={"start": start.isoformat(), "end": end.isoformat(), "entries": len(made.entries),
                           "checkpoint_size": made.checkpoint.get("size")}, las=(la,))
    return made
