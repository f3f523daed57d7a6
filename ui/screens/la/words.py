"""The words the LA management team's screens use for the directory's codes (Qt-free, tested directly).

Every highlighted thing (overdue, expired, locked out, a pattern) is said in words as well as shown in
colour, so it reads the same to someone who cannot tell the colours apart or uses a screen reader.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.audit import Entry
from app.directory.work import types as t
from app.model import ConsentBy, ConsentOverride, Involvement, Role

GROUNDS = {
    t.ShieldGround.DOMESTIC_ABUSE: "Domestic abuse",
    t.ShieldGround.RISK_OF_ABDUCTION: "Risk of abduction",
    t.ShieldGround.ADOPTION_PLACEMENT: "Adoption placement",
    t.ShieldGround.WITNESS_PROTECTION: "Witness protection",
    t.ShieldGround.OTHER_RISK_OF_HARM: "Other risk of harm",
}

ALERT_KINDS = {
    t.AlertKind.SHIELD_OVERRIDE: "Shield overridden (child protection)",
    t.AlertKind.CONSENT_OVERRIDE: "Sensitive involvement recorded without consent",
    t.AlertKind.SECURITY_ALERT: "Security alert: the audit log did not match a workstation's copy",
    t.AlertKind.ACCOUNT_LOCKED: "Account locked after failed sign-ins",
    t.AlertKind.SHIELD_REQUESTED: "New shield",
    t.AlertKind.REPLAY_REFUSED: "Refused: a request sent again after the user's session was ended "
                                "(disabled, locked out or given a new token)",
}

PATTERNS = {
    t.Pattern.BURST: "Burst of searches: many searches in a few minutes",
    t.Pattern.SEARCH_WITHOUT_VIEW: "Searches with no record opened",
    t.Pattern.VIEW_WITHOUT_SEARCH: "Records opened with no search of their own",
    t.Pattern.OUT_OF_HOURS: "Use out of working hours",
    t.Pattern.SHARED_FAMILY_NAME: "Records with the user's own family name",
    t.Pattern.SHIELD_OVERRIDE: "Shield overrides",
    t.Pattern.RATE_LIMITED: "Stopped by a rate limit",
    t.Pattern.REFUSED: "Requests refused",
    t.Pattern.USERNAME_GUESSING: "Sign-ins tried with usernames nobody holds: someone may be guessing usernames",
}
NOBODYS = "No user (any LA)"  # whose a pattern is when it is nobody's: sign-ins for unknown usernames

NOT_PROOF = ("A pattern is not proof of misuse. Each one is a reason to look at the audit entries it points to "
             "and, if still unsure, to ask the user or their manager.")

CONTACT_STATUS = {
    t.ContactStatus.WAITING: "Waiting",
    t.ContactStatus.PASSED_ON: "Passed on",
    t.ContactStatus.DECLINED: "Declined",
}

CONSENT_BY = {ConsentBy.CHILD: "the child", ConsentBy.PARENT_CARER: "a parent or carer"}
CONSENT_OVERRIDE = {
    ConsentOverride.CHILD_PROTECTION: "child-protection grounds",
    ConsentOverride.RISK_OF_SIGNIFICANT_HARM: "risk of significant harm",
}

USER_ACTIONS = {
    t.UserAction.RECORD_TRAINING: "Training recorded",
    t.UserAction.RENEW_CHECK: "Check date renewed",
    t.UserAction.DISABLE: "Account disabled",
    t.UserAction.ENABLE: "Account enabled",
    t.UserAction.UNLOCK: "Account unlocked",
}

RETENTION_FACTS = {
    t.RetentionFact.CONSENT_TO_19: "Consent to stay in the directory until 19",
    t.RetentionFact.CONSENT_TO_25: "Consent to stay until 25 (care leaver, or learning difficulties)",
    t.RetentionFact.DIED: "Died on",
    t.RetentionFact.LEFT_ENGLAND: "Left England on",
}

ARCHIVE_GROUNDS = {
    t.ArchiveGround.SERIOUS_CASE_REVIEW: "Serious case review",
    t.ArchiveGround.CHILD_DEATH_INVESTIGATION: "Child-death investigation",
}

LEFT_LIVE_WHY = {
    "age": "reached 18",
    "consent_age": "reached the age consented to (19 or 25)",
    "died": "one year after the child died",
    "left_england": "more than three years after leaving England",
}

OVERDUE = "OVERDUE"
EXPIRED = "EXPIRED"
LOCKED = "LOCKED OUT"
DISABLED = "Disabled"


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def when(iso: str) -> str:
    """An ISO time or date as a person reads it ("21 Nov 2026 14:03")."""
    if not iso:
        return "—"
    try:
        stamp = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return stamp.strftime("%d %b %Y") if len(iso) <= 10 else stamp.strftime("%d %b %Y %H:%M")


def review_status(line: t.ShieldDue, today: date) -> str:
    """"OVERDUE by 3 days", "Due today", "Due in 5 days", with "first review" for a new shield."""
    days = (line.due - today).days
    if line.overdue:
        text = f"{OVERDUE} by {days_words(-days)}"
    elif days == 0:
        text = "Due today"
    else:
        text = f"Due in {days_words(days)}"
    return text + (" (first review)" if line.first_review else "")


def days_words(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def consent_words(inv: Involvement) -> str:
    if inv.consent_override is not None:
        return f"Recorded WITHOUT consent, on {CONSENT_OVERRIDE.get(inv.consent_override, 'stated')} grounds"
    if inv.consent_by is not None:
        on = f" on {day(inv.consent_on)}" if inv.consent_on else ""
        return f"Consent given by {CONSENT_BY.get(inv.consent_by, 'the child')}{on}"
    return "No consent recorded"


def passed_on_words(state: t.ContactRequestState) -> str:
    """What was done with a decided request, as it happened (R-SENS-4): never "passed on" when nobody was."""
    if state.status is t.ContactStatus.DECLINED:
        return "declined"
    if state.status is not t.ContactStatus.PASSED_ON:
        return CONTACT_STATUS.get(state.status, state.status.value).lower()
    return {t.PassedOnBy.SIGNPOST: "passed on in Signpost: the practitioner decides whether to answer",
            t.PassedOnBy.PHONE: "recorded as passed on by you, by phone",
            t.PassedOnBy.EMAIL: "recorded as passed on by you, by e-mail"}.get(
        state.passed_on_by, "passed on")  # type: ignore[arg-type]


def involvement_lines(inv: Involvement | None) -> list[str]:
    """The involvement behind a contact request, in full, for the child's LA team (R-ROLE-3, R-SENS-4)."""
    if inv is None:
        return ["Whoever works with this child: the record is shielded, so the requester was shown no "
                "involvements. Passing the request on reaches every practitioner currently working with the "
                "child who is a Signpost user."]
    lines = []
    if inv.service.sensitive:
        lines.append(f"SENSITIVE SERVICE: {inv.service.label} (withheld from the requester)")
    else:
        lines.append(f"Service: {inv.service.label}")
    lines += [f"Practitioner: {inv.practitioner}, {inv.role}", f"Organisation: {inv.organisation}",
              f"Phone: {inv.phone or '—'}", f"E-mail: {inv.email or '—'}",
              f"Since: {day(inv.start)}" + (f", ended {day(inv.end)}" if inv.end else "")]
    if inv.service.sensitive:
        lines.append(consent_words(inv))
    return lines


def check_expired(user: t.ManagedUser, today: date) -> bool:
    """R-ROLE-4, as the directory decides it: a check is no longer valid on its expiry day; a registered
    colleague has no access, so no check to expire."""
    return user.role != Role.COLLEAGUE.value and user.check_expires is not None and user.check_expires <= today


def check_words(user: t.ManagedUser, today: date) -> str:
    if user.check_expires is None:
        return "No check recorded"
    if check_expired(user, today):
        return f"{EXPIRED} {day(user.check_expires)}"
    return day(user.check_expires)


# -- la-admin: audit entries in words, for the entries behind a pattern or an alert (issue 14 §2.6) --------------
ACTIONS = {
    "sign_in": "Signed in", "sign_in_failed": "Sign-in refused", "sign_out": "Signed out", "lock": "Locked",
    "unlock": "Unlocked", "unlock_failed": "Unlock refused", "token_refused": "The token refused",
    "account_locked_out": "Account locked after failed sign-ins", "account_unlocked": "Account unlocked",
    "search": "Searched", "search_refused": "Search refused", "view_record": "Opened a record",
    "view_record_refused": "Opening a record refused", "open_archived": "Opened an archived record",
    "shield_requested": "Asked for a shield", "shield_reviewed": "Reviewed a shield",
    "shield_override": "Overrode a shield (child protection)", "involvement_recorded": "Recorded an involvement",
    "involvement_updated": "Changed an involvement's details", "involvement_ended": "Ended an involvement",
    "involvement_indicators_set": "Set lead professional / CAF", "contact_requested": "Asked for brokered contact",
    "contact_decided": "Passed on or declined a contact request", "security_alert": "Security alert",
    "user_changed": "Changed a user's account", "token_enrolled": "Enrolled a token",
    "retention_fact_recorded": "Recorded a retention fact", "audit_archive_exported": "Exported the audit",
    "usage_report_read": "Read the usage report", "audit_evidence_read": "Read audit entries",
}
LONDON = ZoneInfo("Europe/London")


def local_time(iso: str) -> str:
    """An audit time (UTC) as the LA team reads it, in Europe/London ("16 Nov 2026 10:00:20")."""
    try:
        stamp = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return iso
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(LONDON).strftime("%d %b %Y %H:%M:%S")


def action_words(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    if action.endswith("_refused"):
        return f"Refused: {action.removesuffix('_refused').replace('_', ' ')}"
    return action.replace("_", " ").capitalize()


def entry_details(entry: Entry) -> str:
    """What an entry says, in words: what was searched and found, which record, why it was refused."""
    from ui.refusals import describe
    d = entry.detail if isinstance(entry.detail, dict) else {}
    parts = []
    if entry.action == "search" and isinstance(d.get("criteria"), dict):
        found = d.get("returned") or []
        parts.append(f"for {describe(d['criteria']) or 'the details given'}: "
                     + (f"{len(found)} found" if found else "nothing found"))
    if d.get("directory_id"):
        parts.append(f"record {d['directory_id']}" + (" (restricted view)" if d.get("restricted") else ""))
    if d.get("user"):
        parts.append(f"user {d['user']}" + (f": {d['action'].replace('_', ' ')}" if d.get("action") else ""))
    if d.get("why"):
        parts.append(f"why: {str(d['why']).replace('_', ' ')}")
    if d.get("ground"):
        parts.append(f"ground: {str(d['ground']).replace('_', ' ')}")
    if d.get("token"):
        parts.append(f"token {d['token']}")
    return "; ".join(parts) or "—"
