"""Every work operation of the directory, as data: one table, three users of it.

An ``Operation[Req, Ans]`` names what a client asks (``request``, a frozen
dataclass from ``types``), what it gets back (``answer``), whether it changes
the directory (``writes``) and the engine function that does it
(``"module.function"`` in this package, called as ``fn(directory, viewer,
request)``). From this table alone:

- the engine's ``Directory.perform`` runs it (policy, audit, and for a write
  an idempotency key so a retried or re-sent change is done exactly once: ``replays``);
- ``EmbeddedDirectory.perform`` and ``RemoteDirectory.perform`` expose it
  through the directory interface, typed by the operation's parameters;
- the HTTPS service routes ``POST /v1/work/<name>`` to it, with the request
  and answer schemas in the OpenAPI document.

Screens call ``directory.perform(ops.RECORD_INVOLVEMENT, viewer, request)``.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ...model import Involvement, RecordView
from . import types as t

Req = TypeVar("Req")
Ans = TypeVar("Ans")


@dataclass(frozen=True)
class Operation(Generic[Req, Ans]):
    name: str
    request: type
    answer: Any
    writes: bool
    does: str  # "module.function" in app.directory.work
    summary: str
    audit_action: str = ""  # the action audited when the service refuses it before the engine
    rerun_on_replay: bool = False  # a read of a record: a repeat runs again through policy, never from the store

    @property
    def path(self) -> str:
        return f"/work/{self.name.replace('_', '-')}"

    def function(self) -> Callable:
        module, fn = self.does.split(".")
        return getattr(importlib.import_module(f"{__package__}.{module}"), fn)


def _op(name: str, request: type, answer: Any, writes: bool, does: str, summary: str,
        rerun_on_replay: bool = False) -> Operation:
    op: Operation = Operation(name, request, answer, writes, does, summary, name, rerun_on_replay)
    OPERATIONS[name] = op
    return op


OPERATIONS: dict[str, Operation] = {}

# -- own involvements (R-REC-4, R-ROLE-1, R-SENS-2, R-RET-3) --------------------------------------
RECORD_INVOLVEMENT: Operation[t.NewInvolvement, t.Recorded] = _op(
    "record_involvement", t.NewInvolvement, t.Recorded, True, "involvements.record",
    "Record that the signed-in practitioner is working with a child; others working with the child are told.")
UPDATE_INVOLVEMENT: Operation[t.InvolvementChange, Involvement] = _op(
    "update_involvement", t.InvolvementChange, Involvement, True, "involvements.update",
    "Change the contact details of one's own current involvement.")
END_INVOLVEMENT: Operation[t.InvolvementEnd, Involvement] = _op(
    "end_involvement", t.InvolvementEnd, Involvement, True, "involvements.end",
    "End one's own involvement, choosing how long its contact details are kept (R-RET-3).")
SET_INDICATORS: Operation[t.Indicators, Involvement] = _op(
    "set_indicators", t.Indicators, Involvement, True, "involvements.set_indicators",
    "Set or clear lead professional and CAF completed on one's own involvement.")
INBOX: Operation[t.Nothing, tuple[t.Notice, ...]] = _op(
    "inbox", t.Nothing, tuple[t.Notice, ...], False, "notices.inbox",
    "The signed-in user's notices, newest first.")
MARK_READ: Operation[t.NoticeRef, None] = _op(
    "mark_read", t.NoticeRef, type(None), True, "notices.mark_read", "Mark one notice read.")

# -- shields (R-SHIELD-2/3/6) ---------------------------------------------------------------------
REQUEST_SHIELD: Operation[t.ShieldRequest, bool] = _op(
    "request_shield", t.ShieldRequest, bool, True, "shields.request",
    "Shield a record at once (R-SHIELD-2); true if it was not shielded before.")
SHIELD_REVIEWS: Operation[t.Nothing, tuple[t.ShieldDue, ...]] = _op(
    "shield_reviews", t.Nothing, tuple[t.ShieldDue, ...], False, "shields.due",
    "The LA team's shield review queue, overdue first (R-SHIELD-3).")
REVIEW_SHIELD: Operation[t.ShieldReview, t.ShieldDue | None] = _op(
    "review_shield", t.ShieldReview, t.ShieldDue | None, True, "shields.review",
    "Keep or lift a shield at review; a kept shield's next review is returned.")
HOUSEHOLD: Operation[t.ChildRef, tuple[t.Sibling, ...]] = _op(
    "household", t.ChildRef, tuple[t.Sibling, ...], False, "shields.household",
    "The LA team sees a child's household (the other children sharing its address) before shielding it.")
OVERRIDE_SHIELD: Operation[t.ShieldOverride, RecordView] = _op(
    "override_shield", t.ShieldOverride, RecordView, True, "shields.override",
    "A child-protection user sees a shielded record in full once; the LA team is alerted (R-SHIELD-6).",
    rerun_on_replay=True)

# -- offline copies (R-SHIELD-2/4, R-LOCAL-2) ------------------------------------------------------------
CHECK_COPIES: Operation[t.HeldCopies, t.CopiesChecked] = _op(
    "check_copies", t.HeldCopies, t.CopiesChecked, False, "copies.check",
    "Which of the offline copies a client holds it must drop: shielded since, or gone (issue 13 §3.2).")

# -- brokered contact (R-SENS-4) --------------------------------------------------------------------
REQUEST_CONTACT: Operation[t.ContactRequest, t.ContactRequestState] = _op(
    "request_contact", t.ContactRequest, t.ContactRequestState, True, "contact.request",
    "Ask the LA team to pass on a contact request to a withheld involvement's practitioner.")
MY_CONTACT_REQUESTS: Operation[t.Nothing, tuple[t.ContactRequestState, ...]] = _op(
    "my_contact_requests", t.Nothing, tuple[t.ContactRequestState, ...], False, "contact.mine",
    "The signed-in user's contact requests and their status.")
CONTACT_QUEUE: Operation[t.Nothing, tuple[t.ContactRequestState, ...]] = _op(
    "contact_queue", t.Nothing, tuple[t.ContactRequestState, ...], False, "contact.queue",
    "The LA team's contact requests waiting to be passed on or declined.")
DECIDE_CONTACT: Operation[t.ContactDecision, t.ContactRequestState] = _op(
    "decide_contact", t.ContactDecision, t.ContactRequestState, True, "contact.decide",
    "The LA team passes a contact request on, or declines it.")

# -- mediated access (R-ROLE-2) --------------------------------------------------------------------
COLLEAGUES: Operation[t.Nothing, tuple[t.RegisteredColleague, ...]] = _op(
    "colleagues", t.Nothing, tuple[t.RegisteredColleague, ...], False, "la_users.colleagues",
    "The registered colleagues a mediating user may act for (own LA).")
REGISTER_COLLEAGUE: Operation[t.NewColleague, t.RegisteredColleague] = _op(
    "register_colleague", t.NewColleague, t.RegisteredColleague, True, "la_users.register_colleague",
    "The LA team registers a colleague without access of their own.")

# -- LA management (R-ROLE-3, R-AUDIT-2, R-LOCAL-3) ---------------------------------------------------
USAGE_REPORT: Operation[t.UsageQuery, t.UsageReport] = _op(
    "usage_report", t.UsageQuery, t.UsageReport, False, "usage.report",
    "Usage per user and period, with patterns worth a look (own LA).")
ALERTS: Operation[t.Nothing, tuple[t.Alert, ...]] = _op(
    "alerts", t.Nothing, tuple[t.Alert, ...], False, "usage.alerts", "The LA team's alerts, newest first.")
ACKNOWLEDGE_ALERT: Operation[t.AlertRef, None] = _op(
    "acknowledge_alert", t.AlertRef, type(None), True, "usage.acknowledge", "Mark an alert dealt with.")
AUDIT_ARCHIVE: Operation[t.ArchiveQuery, t.AuditArchive] = _op(
    "audit_archive", t.ArchiveQuery, t.AuditArchive, False, "usage.archive",
    "A verifiable audit archive of the LA's entries for retention (R-AUDIT-2/3).")
LA_USERS: Operation[t.Nothing, tuple[t.ManagedUser, ...]] = _op(
    "la_users", t.Nothing, tuple[t.ManagedUser, ...], False, "la_users.users", "The LA's users.")
CHANGE_USER: Operation[t.UserChange, t.ManagedUser] = _op(
    "change_user", t.UserChange, t.ManagedUser, True, "la_users.change",
    "Record training, renew the check, disable, enable or unlock one of the LA's users.")
ENROL_TOKEN: Operation[t.TokenEnrolment, t.ManagedUser] = _op(
    "enrol_token", t.TokenEnrolment, t.ManagedUser, True, "la_users.enrol_token",
    "Enrol or replace one of the LA's users' tokens.")

# -- la-admin: the audit entries behind the usage report and the alerts (issue 14 §2.6, R-AUDIT-2) -------------
PATTERN_EVIDENCE: Operation[t.PatternEvidenceQuery, t.AuditEvidence] = _op(
    "pattern_evidence", t.PatternEvidenceQuery, t.AuditEvidence, False, "usage.pattern_evidence",
    "The audit entries behind one pattern of the usage report (own LA's user and entries).")
ALERT_EVIDENCE: Operation[t.AlertRef, t.AuditEvidence] = _op(
    "alert_evidence", t.AlertRef, t.AuditEvidence, False, "usage.alert_evidence",
    "The audit entry an alert points at, and what its actor did in the quarter of an hour before (own LA).")

# -- la-admin: the register of organisations and the vocabulary of roles (issue 14 §2.3, R-REC-5) ------------
VOCABULARY: Operation[t.Nothing, t.Vocabulary] = _op(
    "vocabulary", t.Nothing, t.Vocabulary, False, "register.vocabulary",
    "The organisations and role titles the pickers offer, and one's own requests to add one.")
ASK_REGISTER: Operation[t.RegisterAsk, t.RegisterEntry] = _op(
    "ask_register", t.RegisterAsk, t.RegisterEntry, True, "register.ask",
    "Ask the LA team to add an organisation or a role title (listed at once when the LA team adds it).")
REGISTER_QUEUE: Operation[t.Nothing, tuple[t.RegisterEntry, ...]] = _op(
    "register_queue", t.Nothing, tuple[t.RegisterEntry, ...], False, "register.queue",
    "The LA team's requests to add an organisation or a role title, waiting for its decision.")
DECIDE_REGISTER: Operation[t.RegisterDecision, t.RegisterEntry] = _op(
    "decide_register", t.RegisterDecision, t.RegisterEntry, True, "register.decide",
    "The LA team approves or declines a request to add an organisation or a role title.")

# -- la-admin: giving access (issue 14 §2.1, R-ROLE-3, R-ROLE-4) ----------------------------------------------
CREATE_USER: Operation[t.NewUser, t.OneTimePassword] = _op(
    "create_user", t.NewUser, t.OneTimePassword, True, "la_users.create",
    "The LA team gives a nominated, checked person access: an account in its LA with a one-time password.")
RESET_PASSWORD: Operation[t.UserRef, t.OneTimePassword] = _op(
    "reset_password", t.UserRef, t.OneTimePassword, True, "la_users.reset_password",
    "The LA team gives one of its users a new one-time password (their sessions end, a lock-out is lifted).")
CHANGE_PASSWORD: Operation[t.PasswordChange, None] = _op(
    "change_password", t.PasswordChange, type(None), True, "accounts.change_password",
    "The signed-in user replaces their password; a one-time one must be replaced before any other work.")

# -- retention (R-RET-1..3) ---------------------------------------------------------------------------
RECORD_RETENTION_FACT: Operation[t.RetentionChange, None] = _op(
    "record_retention_fact", t.RetentionChange, type(None), True, "retention.record_fact",
    "The LA team records consent to stay to 19 or 25, a death, or leaving England.")
OPEN_ARCHIVED: Operation[t.ArchivedRecordRequest, t.ArchivedRecord] = _op(
    "open_archived", t.ArchivedRecordRequest, t.ArchivedRecord, False, "retention.open_archived",
    "The LA team opens an archived record for a serious case review or child-death investigation.")

# -- closure (R-CLOSE-3) -----------------------------------------------------------------------------
TOKEN_REGISTER: Operation[t.Nothing, tuple[t.IssuedToken, ...]] = _op(
    "token_register", t.Nothing, tuple[t.IssuedToken, ...], False, "tokens.register",
    "Every token issued to the LA's users, with whether it was ever used (closure register).")

# -- closure: the LA's register and checklist across desks and days (R-CLOSE-1..5, R-AUDIT-3) ----------
CLOSURE_RECORD: Operation[t.Nothing, t.ClosureRecord] = _op(
    "closure_record", t.Nothing, t.ClosureRecord, False, "closure.record",
    "The LA's closure register and checklist as the directory holds them, with who changed them last and where.")
CLOSURE_STEP: Operation[t.ClosureStep, t.ClosureStepDone] = _op(
    "closure_step", t.ClosureStep, t.ClosureStepDone, True, "closure.step",
    "One change to the LA's closure register or checklist, audited with who and where; the new version.")
CLOSURE_AUDIT_ARCHIVE: Operation[t.Nothing, t.AuditArchive] = _op(
    "closure_audit_archive", t.Nothing, t.AuditArchive, False, "closure.whole_audit",
    "Every audit entry about the LA, for retention after closure (R-AUDIT-3).")
