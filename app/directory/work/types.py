"""What the directory's work operations take and give (issue 8 and the closure register).

Plain frozen dataclasses that cross the directory interface and the wire
(``app.wire``). Every text field is a name, a contact detail, an organisation
or a role title; everything else is a date, a number or a code from a fixed
list. There is no field where case information could be written (R-REC-5).
The engine bounds every field itself (``app.directory.work.checks``): a
request object is what a client *asks*, never something already trusted.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from ...audit import Entry
from ...model import ConsentBy, ConsentOverride, Involvement, Reason, RecordView, Role, ServiceType


@dataclass(frozen=True)
class Nothing:
    """The request of an operation that needs nothing but who asks."""


# -- own involvements (R-REC-4, R-ROLE-1, R-SENS-2, R-RET-3) --------------------------------------
@dataclass(frozen=True)
class Consent:
    """Who consented to a sensitive involvement being recorded, and when (R-SENS-2)."""

    by: ConsentBy
    on: date


@dataclass(frozen=True)
class NewInvolvement:
    """"I am working with this child". The practitioner's own name is taken from the signed-in user."""

    directory_id: str
    service: ServiceType
    organisation: str
    role: str
    phone: str
    email: str
    start: date
    reason: Reason
    consent: Consent | None = None  # required for a sensitive service ...
    override: ConsentOverride | None = None  # ... unless recorded without consent on child-protection grounds


@dataclass(frozen=True)
class InvolvementChange:
    """New contact details for one's own current involvement. ``version`` is the one the client last saw:
    a change made elsewhere since then is a conflict (``involvement.conflict``), never overwritten."""

    directory_id: str
    involvement_id: int
    version: int
    organisation: str
    role: str
    phone: str
    email: str
    reason: Reason


class KeepContact(str, enum.Enum):
    """R-RET-3: an ended involvement's contact details are archived after one year, or kept up to five."""

    ONE_YEAR = "one_year"
    FIVE_YEARS = "five_years"


@dataclass(frozen=True)
class InvolvementEnd:
    directory_id: str
    involvement_id: int
    version: int
    end: date
    keep_contact: KeepContact
    reason: Reason


@dataclass(frozen=True)
class Indicators:
    """Set or clear lead professional and CAF completed on one's own current involvement."""

    directory_id: str
    involvement_id: int
    version: int
    lead_professional: bool
    caf_completed: bool
    reason: Reason


@dataclass(frozen=True)
class OtherPractitioner:
    """Someone else currently working with the child, whom the new practitioner is pointed to."""

    practitioner: str
    role: str
    organisation: str
    phone: str
    email: str


@dataclass(frozen=True)
class Recorded:
    """The involvement as stored, and what the directory did about the others working with the child.

    ``told``: the practitioners the directory notified (issue 14 §1.5), named as the record shows them to the
    newcomer; ``told_unnamed``: how many more it notified whom the record does not show them (a sensitive
    service, R-SENS-3, or a shielded child, R-SHIELD-1). Nobody told is ``()`` and 0: a sensitive involvement
    tells no one. ``others``: everyone currently working with the child from another organisation whom the
    newcomer may see, directory users or not, to contact themselves."""

    involvement: Involvement
    others: tuple[OtherPractitioner, ...] = ()
    told: tuple[OtherPractitioner, ...] = ()
    told_unnamed: int = 0


# -- inbox ("who else is working with this child", told) --------------------------------------------
class NoticeKind(str, enum.Enum):
    ALSO_WORKING = "also_working"  # another practitioner is now also working with a child you work with
    CONTACT_REQUEST = "contact_request"  # the LA team passes on a request to contact you (R-SENS-4)
    CONTACT_ANSWERED = "contact_answered"  # your request was passed on or declined
    SHIELD_LIFTED = "shield_lifted"  # a shield you requested was lifted at review


@dataclass(frozen=True)
class Notice:
    notice_id: int
    kind: NoticeKind
    at: str  # ISO time
    child_name: str
    directory_id: str
    practitioner: str = ""  # who: the other practitioner or the requester
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    read: bool = False
    answer: ContactStatus | None = None  # CONTACT_ANSWERED: passed on or declined


@dataclass(frozen=True)
class NoticeRef:
    notice_id: int


# -- shields (R-SHIELD-2/3/6) ---------------------------------------------------------------------
class ShieldGround(str, enum.Enum):
    """Why a record is shielded: a fixed list, no free text."""

    DOMESTIC_ABUSE = "domestic_abuse"
    RISK_OF_ABDUCTION = "risk_of_abduction"
    ADOPTION_PLACEMENT = "adoption_placement"
    WITNESS_PROTECTION = "witness_protection"
    OTHER_RISK_OF_HARM = "other_risk_of_harm"


@dataclass(frozen=True)
class ShieldRequest:
    directory_id: str
    ground: ShieldGround
    reason: Reason
    # the child's LA team only (R-SHIELD-1/2, issue 13 §3.1): siblings in the same household to shield in the
    # same step, by directory id
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChildRef:
    """One child, by the directory id the viewer's session found."""

    directory_id: str


@dataclass(frozen=True)
class Sibling:
    """Another child of a shielded (or about to be shielded) child's household, for its LA team (R-SHIELD-1/2):
    ``withheld`` when its shared address and carers are withheld until the team decides about it."""

    directory_id: str
    name: str
    dob: date
    shielded: bool
    withheld: bool


class ReviewOutcome(str, enum.Enum):
    KEEP = "keep"
    LIFT = "lift"


@dataclass(frozen=True)
class ShieldDue:
    """One line of the LA team's review queue (R-SHIELD-3)."""

    directory_id: str
    child_name: str
    ground: ShieldGround
    requested_by: str  # display name and organisation
    requested_at: str
    due: date
    first_review: bool  # a new shield (due within 7 days) rather than a six-monthly one
    overdue: bool
    new: bool = False  # someone asked for it and it has not had its first review (not one set at build time)
    siblings: tuple[Sibling, ...] = ()  # the household's other children (issue 13 §3.1)


@dataclass(frozen=True)
class SiblingDecision:
    """At review, what the LA team decided about one sibling the shield holds: shield them too, or not needed."""

    directory_id: str
    shield: bool


@dataclass(frozen=True)
class ShieldReview:
    directory_id: str
    outcome: ReviewOutcome
    siblings: tuple[SiblingDecision, ...] = ()  # with KEEP only: decisions about the household's other children


@dataclass(frozen=True)
class ShieldOverride:
    """R-SHIELD-6: a child-protection user saw the warning that the override is investigated."""

    directory_id: str
    reason: Reason
    warning_seen: bool


# -- offline copies (R-SHIELD-2/4, R-LOCAL-2, issue 13 §3.2) --------------------------------------------
@dataclass(frozen=True)
class HeldCopies:
    """The directory ids of the records a client keeps in its encrypted cache as offline copies."""

    directory_ids: tuple[str, ...]


@dataclass(frozen=True)
class CopiesChecked:
    """Of the copies a client said it holds, those it must drop now: the view would be restricted today (a shield
    set since, or one in the household), or the child left the live directory."""

    drop: tuple[str, ...] = ()


# -- brokered contact (R-SENS-4) --------------------------------------------------------------------
class ContactStatus(str, enum.Enum):
    WAITING = "waiting"
    PASSED_ON = "passed_on"
    DECLINED = "declined"


class PassedOnBy(str, enum.Enum):
    """How a contact request was passed on (R-SENS-4): a fixed choice, never free text."""

    SIGNPOST = "signpost"  # to the practitioner's Signpost inbox, by the directory itself
    PHONE = "phone"  # nobody could be told in Signpost: the LA team phoned the practitioner
    EMAIL = "email"  # ... or e-mailed them


@dataclass(frozen=True)
class ContactRequest:
    """Ask the LA team to pass on a request to contact whoever holds a withheld involvement."""

    directory_id: str
    involvement_id: int
    phone: str
    email: str
    reason: Reason


@dataclass(frozen=True)
class ContactRequestState:
    """What the requester sees of their request, including how it was passed on (``passed_on_by``: what actually
    happened, never "passed on" when nobody was reached). The child's LA team sees the ``la_`` fields too: the
    involvement (``la_detail``), or on a shielded record whoever works with the child now (``la_others``), and
    whether any of them can be told in Signpost (``la_can_tell``); if not, the team passes the request on by phone
    or e-mail and records which."""

    request_id: int
    directory_id: str
    child_name: str
    status: ContactStatus
    requested_at: str
    requester: str  # display name
    requester_organisation: str
    requester_phone: str
    requester_email: str
    decided_at: str = ""
    la_detail: Involvement | None = None  # only for the child's LA team
    passed_on_by: PassedOnBy | None = None
    la_can_tell: bool = False
    la_others: tuple[Involvement, ...] = ()


@dataclass(frozen=True)
class ContactDecision:
    request_id: int
    outcome: ContactStatus  # PASSED_ON or DECLINED
    how: PassedOnBy | None = None  # PHONE or EMAIL when nobody can be told in Signpost (then required)


# -- la-admin: the register of organisations and the vocabulary of roles (issue 14 §2.3, R-REC-5) -----------------
class RegisterKind(str, enum.Enum):
    ORGANISATION = "organisation"
    ROLE = "role"


@dataclass(frozen=True)
class RoleTitles:
    service: ServiceType
    titles: tuple[str, ...]


@dataclass(frozen=True)
class RegisterEntry:
    """A request to add an organisation or a role title (``service`` for a role), and where it stands."""

    entry_id: int
    kind: RegisterKind
    name: str
    service: ServiceType | None
    requested_by: str
    requested_at: str
    status: str  # listed, requested (waiting for the LA team) or declined


@dataclass(frozen=True)
class Vocabulary:
    """What the organisation and role pickers offer: the LA's listed organisations, the role titles per service
    type, and the asker's own requests still waiting."""

    organisations: tuple[str, ...]
    roles: tuple[RoleTitles, ...]
    waiting: tuple[RegisterEntry, ...] = ()


@dataclass(frozen=True)
class RegisterAsk:
    kind: RegisterKind
    name: str
    service: ServiceType | None = None  # the service type a role title is for


@dataclass(frozen=True)
class RegisterDecision:
    kind: RegisterKind
    entry_id: int
    approve: bool


# -- mediated access (R-ROLE-2) --------------------------------------------------------------------
@dataclass(frozen=True)
class RegisteredColleague:
    """A colleague without access of their own, registered by the LA team, for whom a mediating user
    searches. Chosen from a list; never typed in."""

    username: str
    name: str
    role: str
    organisation: str


@dataclass(frozen=True)
class NewColleague:
    name: str
    role: str
    organisation: str


# -- LA management (R-ROLE-3, R-AUDIT-2) ------------------------------------------------------------
@dataclass(frozen=True)
class UsageQuery:
    start: date
    end: date  # inclusive
    username: str = ""  # "" for every user of the LA


class Pattern(str, enum.Enum):
    """Patterns worth a look in a usage report: none of them proves misuse."""

    BURST = "burst"  # many searches in a few minutes
    SEARCH_WITHOUT_VIEW = "search_without_view"
    VIEW_WITHOUT_SEARCH = "view_without_search"
    OUT_OF_HOURS = "out_of_hours"
    SHARED_FAMILY_NAME = "shared_family_name"  # a record with the user's own family name
    SHIELD_OVERRIDE = "shield_override"
    RATE_LIMITED = "rate_limited"
    REFUSED = "refused"
    USERNAME_GUESSING = "username_guessing"  # sign-ins for usernames nobody holds: every LA team sees it (no user)


@dataclass(frozen=True)
class PatternSeen:
    username: str  # "" for a pattern that is nobody's (``USERNAME_GUESSING``)
    pattern: Pattern
    count: int
    first_at: str  # ISO time of the first occurrence in the period
    audit_seq: int  # the first audit entry that shows it


@dataclass(frozen=True)
class UsageRow:
    username: str
    display_name: str
    role: str
    sign_ins: int
    searches: int
    views: int
    changes: int
    refusals: int


@dataclass(frozen=True)
class UsageReport:
    la_code: str
    start: date
    end: date
    rows: tuple[UsageRow, ...]
    patterns: tuple[PatternSeen, ...]


@dataclass(frozen=True)
class PatternEvidenceQuery:
    """The audit entries behind one pattern of a usage report: whose, which, over the report's period."""

    start: date
    end: date
    username: str
    pattern: Pattern


@dataclass(frozen=True)
class AuditEvidence:
    """Audit entries the LA team opens from a pattern or an alert (R-AUDIT-2): the first ones, in order, and how
    many there are in all."""

    entries: tuple[Entry, ...]
    total: int


class AlertKind(str, enum.Enum):
    SHIELD_OVERRIDE = "shield_override"
    CONSENT_OVERRIDE = "consent_override"  # a sensitive involvement recorded without consent
    SECURITY_ALERT = "security_alert"  # the audit log did not match a client's checkpoint
    ACCOUNT_LOCKED = "account_locked"
    SHIELD_REQUESTED = "shield_requested"
    REPLAY_REFUSED = "replay_refused"  # a request sent again from a stopped user's old session (issue 13 §2)


@dataclass(frozen=True)
class Alert:
    alert_id: int
    kind: AlertKind
    at: str
    actor: str
    directory_id: str = ""
    audit_seq: int = 0
    acknowledged_by: str = ""
    # Issue 14 §3.5: people by their names and the child by theirs ("" when the directory has none to give)
    actor_name: str = ""
    acknowledged_by_name: str = ""
    child_name: str = ""


@dataclass(frozen=True)
class AlertRef:
    alert_id: int


@dataclass(frozen=True)
class ArchiveQuery:
    start: date
    end: date


@dataclass(frozen=True)
class AuditArchive:
    """A verifiable audit archive for retention (R-AUDIT-2, R-AUDIT-3): the LA's entries, each with its
    inclusion proof against the signed checkpoint, and the key that signed it."""

    la_code: str
    entries: tuple[Entry, ...]
    proofs: tuple[tuple[str, ...], ...]  # per entry: its RFC 6962 audit path, hex
    checkpoint: dict  # Checkpoint.to_json()
    public_key: str  # hex
    leaves: tuple[str, ...] = ()  # per entry: the leaf hash the directory recorded, hex (names an altered entry)
    start: date | None = None  # the period asked for (Europe/London days, inclusive)
    end: date | None = None


class UserAction(str, enum.Enum):
    RECORD_TRAINING = "record_training"
    RENEW_CHECK = "renew_check"
    DISABLE = "disable"
    ENABLE = "enable"
    UNLOCK = "unlock"


@dataclass(frozen=True)
class UserChange:
    username: str
    action: UserAction
    on: date | None = None  # the training or check date, where the action needs one


@dataclass(frozen=True)
class ManagedUser:
    username: str
    display_name: str
    role: str
    organisation: str
    trained_on: date | None
    check_date: date | None
    check_expires: date | None
    enabled: bool
    locked_out: bool
    token_serial: str
    must_change_password: bool = False  # a one-time password not yet replaced by the user's own


# -- la-admin: giving access (issue 14 §2.1, R-ROLE-3, R-ROLE-4) -----------------------------------------------
@dataclass(frozen=True)
class NewUser:
    """A user the LA team gives access: nominated (by whom, when), a role and an organisation from the register,
    trained (or not yet) and checked. The username is made from the name; the password is a one-time one."""

    display_name: str
    role: Role
    organisation: str
    nominated_by: str
    nominated_on: date
    check_date: date
    trained_on: date | None = None


@dataclass(frozen=True)
class UserRef:
    username: str


@dataclass(frozen=True)
class OneTimePassword:
    """A user's one-time password, for the LA team to pass on in person: shown once, stored only as its hash and
    never in the directory's record of answers (``without_secret``), replaced by the user at their first sign-in."""

    user: ManagedUser
    password: str

    def without_secret(self) -> OneTimePassword:
        """What a repeated request (the same idempotency key) answers: the account, never the password again."""
        return OneTimePassword(self.user, "")


@dataclass(frozen=True)
class PasswordChange:
    """The signed-in user replaces their password (a one-time one at first sign-in): the current one, the new."""

    current: str
    new: str


@dataclass(frozen=True)
class TokenEnrolment:
    username: str
    serial: str
    sign_public_der: bytes
    wrap_public_der: bytes


# -- retention (R-RET-1..3) ---------------------------------------------------------------------------
class RetentionFact(str, enum.Enum):
    CONSENT_TO_19 = "consent_to_19"
    CONSENT_TO_25 = "consent_to_25"  # care leavers and young people with learning difficulties
    DIED = "died"
    LEFT_ENGLAND = "left_england"


@dataclass(frozen=True)
class RetentionChange:
    directory_id: str
    fact: RetentionFact
    on: date


class ArchiveGround(str, enum.Enum):
    SERIOUS_CASE_REVIEW = "serious_case_review"
    CHILD_DEATH_INVESTIGATION = "child_death_investigation"


@dataclass(frozen=True)
class ArchivedRecordRequest:
    directory_id: str
    ground: ArchiveGround


@dataclass(frozen=True)
class ArchivedRecord:
    record: RecordView
    left_live_on: date
    why: str  # a code: age, consent_age, died, left_england
    destroy_on: date


# -- closure register (R-CLOSE-3) ---------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    serial: str
    username: str
    holder: str
    organisation: str  # the holder's own organisation
    la_code: str
    used: bool | None  # signed in with at least once; None where the directory cannot tell
    last_sign_in: str = ""
    phone: str = ""  # the holder's work phone and e-mail, to chase a token not returned
    email: str = ""


# -- closure: the LA's register and checklist, kept by the directory (R-CLOSE-1..5) ------------------
@dataclass(frozen=True)
class ClosureRecord:
    """The LA's closure register and checklist as the directory holds them (``version`` 0 and empty texts:
    none yet), who changed them last and where, and what the LA team needs to set closure up."""

    la_code: str
    la_name: str
    la_phone: str
    la_email: str
    version: int
    register: str  # app.closure.register.Register as JSON ("" when none yet)
    checklist: str  # app.closure.plan.Checklist as JSON
    changed_by: str = ""
    changed_where: str = ""  # the workstation the last step was done at
    changed_at: str = ""
    organisations: tuple[str, ...] = ()  # the LA's users' organisations: its national partners are chosen from them
    switch_off: str = ""  # the directory's own switch-off time (ISO), if set


@dataclass(frozen=True)
class ClosureStep:
    """One change to the LA's closure register or checklist: ``app.closure.steps`` (kind, its arguments, when
    and where it was done); the directory checks it whole and takes who did it from the session."""

    step: dict


@dataclass(frozen=True)
class ClosureStepDone:
    version: int  # the register's version after the step: one more than the client knew, unless others changed it
