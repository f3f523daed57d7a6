"""The directory's record types (R-REC) and the fixed vocabularies around them.

There is deliberately no field anywhere here where case information could be
written (rule R-REC-5): no notes, concerns, flags, assessments or outcomes.
Every text field is a name, an address, a contact detail or a code from a
fixed list. ``tests/test_model.py`` keeps it that way.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Gender(str, enum.Enum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"
    NOT_KNOWN = "U"

    @property
    def label(self) -> str:
        return {"F": "Female", "M": "Male", "X": "Other", "U": "Not known"}[self.value]


class Role(str, enum.Enum):
    """Who may do what (R-ROLE-1..3)."""

    PRACTITIONER = "practitioner"
    CHILD_PROTECTION = "child_protection"  # a practitioner who may override a shield (R-SHIELD-6)
    MEDIATING = "mediating"
    LA_MANAGEMENT = "la_management"
    # R-ROLE-2 (issue 8, LA management): a colleague registered by the LA team, for whom a mediating user
    # acts; no token, no password, never signs in.
    COLLEAGUE = "colleague"

    @property
    def label(self) -> str:
        return {
            "practitioner": "Practitioner",
            "child_protection": "Practitioner (child protection)",
            "mediating": "Mediating user",
            "la_management": "LA management team",
            "colleague": "Registered colleague (no access of their own)",
        }[self.value]

    @property
    def sees_protected_detail(self) -> bool:
        """Sees shielded and sensitive detail for its own LA's records (R-ROLE-3)."""
        return self is Role.LA_MANAGEMENT

    @property
    def acts_for_colleague(self) -> bool:
        return self is Role.MEDIATING


class AccessReason(str, enum.Enum):
    """The fixed list of reasons for access (R-SEARCH-1)."""

    PROVIDING_SERVICE = "providing_service"
    CONTACTING_PRACTITIONERS = "contacting_practitioners"
    COORDINATING_SUPPORT = "coordinating_support"
    SAFEGUARDING_ENQUIRY = "safeguarding_enquiry"
    MISSING_EDUCATION = "missing_education"
    NEW_REFERRAL = "new_referral"
    LA_MONITORING = "la_monitoring"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]

    @property
    def needs_detail(self) -> bool:
        return self is AccessReason.OTHER

    def fits(self, role: Role) -> bool:
        """Monitoring is the LA management team's reason alone (R-SEARCH-1, R-ROLE-3)."""
        return self is not AccessReason.LA_MONITORING or role is Role.LA_MANAGEMENT

    @classmethod
    def for_role(cls, role: Role) -> list[AccessReason]:
        """The reasons offered to, and accepted from, a user in ``role``."""
        return [r for r in cls if r.fits(role)]


_REASON_LABELS = {
    AccessReason.PROVIDING_SERVICE: "I am providing a service to this child",
    AccessReason.CONTACTING_PRACTITIONERS: "I need to contact others working with this child",
    AccessReason.COORDINATING_SUPPORT: "Co-ordinating support (CAF / team around the child)",
    AccessReason.SAFEGUARDING_ENQUIRY: "Safeguarding / child protection enquiry",
    AccessReason.MISSING_EDUCATION: "Child missing education",
    AccessReason.NEW_REFERRAL: "Responding to a new referral",
    AccessReason.LA_MONITORING: "LA data quality or monitoring",
    AccessReason.OTHER: "Other (give detail)",
}


@dataclass(frozen=True)
class Reason:
    """A stated reason: a code from the fixed list, plus detail where "other"."""

    code: AccessReason
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", AccessReason(self.code))  # only codes from the fixed list

    def problem(self) -> str | None:
        """A refusal code when the reason is incomplete (R-SEARCH-1), else None."""
        if self.code.needs_detail and len(self.detail.strip()) < 5:
            return "access.reason_detail_missing"
        if len(self.detail) > 200:
            return "access.reason_detail_too_long"
        return None

    def text(self) -> str:
        return f"{self.code.label}: {self.detail.strip()}" if self.code.needs_detail else self.code.label


class ServiceType(str, enum.Enum):
    """Kinds of involvement. ``sensitive`` marks R-SENS-1 services."""

    EDUCATION = "education"
    GP = "gp"
    MIDWIFE = "midwife"
    HEALTH_VISITOR = "health_visitor"
    SCHOOL_NURSE = "school_nurse"
    SOCIAL_CARE = "social_care"
    EARLY_HELP = "early_help"
    YOUTH_JUSTICE = "youth_justice"
    EDUCATION_WELFARE = "education_welfare"
    SPEECH_LANGUAGE = "speech_language"
    PAEDIATRICS = "paediatrics"
    YOUTH_SERVICE = "youth_service"
    CONNEXIONS = "connexions"
    # R-SENS-1: sexual health, mental health, substance misuse.
    SEXUAL_HEALTH = "sexual_health"
    CAMHS = "camhs"
    SUBSTANCE_MISUSE = "substance_misuse"

    @property
    def sensitive(self) -> bool:
        return self in SENSITIVE_SERVICES

    @property
    def label(self) -> str:
        return _SERVICE_LABELS[self]


SENSITIVE_SERVICES = frozenset({ServiceType.SEXUAL_HEALTH, ServiceType.CAMHS, ServiceType.SUBSTANCE_MISUSE})

_SERVICE_LABELS = {
    ServiceType.EDUCATION: "Education",
    ServiceType.GP: "GP practice",
    ServiceType.MIDWIFE: "Midwifery",
    ServiceType.HEALTH_VISITOR: "Health visiting",
    ServiceType.SCHOOL_NURSE: "School nursing",
    ServiceType.SOCIAL_CARE: "Children's social care",
    ServiceType.EARLY_HELP: "Early help / family support",
    ServiceType.YOUTH_JUSTICE: "Youth justice",
    ServiceType.EDUCATION_WELFARE: "Education welfare",
    ServiceType.SPEECH_LANGUAGE: "Speech and language therapy",
    ServiceType.PAEDIATRICS: "Community paediatrics",
    ServiceType.YOUTH_SERVICE: "Youth service",
    ServiceType.CONNEXIONS: "Careers and personal advice",
    ServiceType.SEXUAL_HEALTH: "Sexual health",
    ServiceType.CAMHS: "Child and adolescent mental health",
    ServiceType.SUBSTANCE_MISUSE: "Substance misuse",
}


class ConsentBy(str, enum.Enum):
    """Who consented to a sensitive involvement being recorded (R-SENS-2)."""

    CHILD = "child"
    PARENT_CARER = "parent_carer"


class ConsentOverride(str, enum.Enum):
    """The only grounds for recording a sensitive involvement without consent (R-SENS-2)."""

    CHILD_PROTECTION = "child_protection"
    RISK_OF_SIGNIFICANT_HARM = "risk_of_significant_harm"


class SettingKind(str, enum.Enum):
    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    COLLEGE = "college"


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    town: str
    postcode: str

    def one_line(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)


@dataclass(frozen=True)
class Name:
    given_names: str
    family_name: str

    def full(self) -> str:
        return f"{self.given_names} {self.family_name}"


@dataclass(frozen=True)
class ParentCarer:
    """R-REC-2: name and contact details only."""

    name: Name
    relationship: str  # from a fixed list: mother, father, carer, guardian...
    phone: str
    address: Address | None  # None: lives at the child's address


@dataclass(frozen=True)
class Setting:
    """An educational setting (R-REC-3)."""

    kind: SettingKind
    name: str
    address: Address
    phone: str


@dataclass(frozen=True)
class GpPractice:
    name: str
    address: Address
    phone: str


@dataclass(frozen=True)
class Involvement:
    """A service or practitioner working with the child (R-REC-4)."""

    involvement_id: int
    service: ServiceType
    organisation: str
    practitioner: str
    role: str
    phone: str
    email: str
    start: date
    end: date | None
    lead_professional: bool
    caf_completed: bool
    # Below: what the work operations need (issue 8); defaults keep older callers whole.
    version: int = 0  # bumped on every change: an update names the version it saw (offline conflicts)
    yours: bool = False  # recorded by the viewer: they may update or end it (R-ROLE-1)
    consent_by: ConsentBy | None = None  # R-SENS-2, shown to the recorder and the LA team only
    consent_on: date | None = None
    consent_override: ConsentOverride | None = None
    contact_archived: bool = False  # R-RET-3: phone and e-mail archived after the retention date

    @property
    def current(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class LaTeamContact:
    """How to reach a child's LA management team (R-SENS-4: shown on every record)."""

    la_code: str
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class WithheldInvolvement:
    """What most users see of a sensitive involvement (R-SENS-3).

    Only an opaque reference (for a brokered-contact request, R-SENS-4);
    no organisation, practitioner, type, dates or contact.
    """

    involvement_id: int
    current: bool = True

    TEXT = "An unspecified service is involved"


class Match(str, enum.Enum):
    """How a result differs from what was searched (R-SEARCH-4).

    ``weight`` orders them: a result with fewer differences always ranks
    above one with more, and at equal count the lighter differences first.
    A result with no difference at all is an exact match.
    """

    NAME_PART = "name_part"  # one part of a hyphenated family name
    FORMER_NAME = "former_name"
    ALTERNATIVE_NAME = "alternative_name"  # another given name the child is known by
    DOB_SWAPPED = "dob_swapped"
    NICKNAME = "nickname"
    SOUNDS_LIKE = "sounds_like"
    SPELLING = "spelling"
    DOB_OFF_BY_A_DAY = "dob_off_by_a_day"
    NAMES_SWAPPED = "names_swapped"

    @property
    def weight(self) -> int:
        return _MATCH_WEIGHTS[self]

    @property
    def loose(self) -> bool:
        """The record holds something near what was typed, not it (a nickname, a sound-alike, another spelling,
        a date a day out): it may be another child (R-SEARCH-4)."""
        return self in _LOOSE


_MATCH_WEIGHTS = {
    Match.NAME_PART: 1, Match.FORMER_NAME: 1, Match.ALTERNATIVE_NAME: 1, Match.DOB_SWAPPED: 2,
    Match.NICKNAME: 2, Match.SOUNDS_LIKE: 3, Match.SPELLING: 4, Match.DOB_OFF_BY_A_DAY: 4,
    Match.NAMES_SWAPPED: 5,
}
_LOOSE = frozenset({Match.NICKNAME, Match.SOUNDS_LIKE, Match.SPELLING, Match.DOB_OFF_BY_A_DAY})


@dataclass(frozen=True)
class SearchHit:
    """What a result row may show before a record is opened (R-SEARCH-5).

    Only the directory id identifies the child: internal row ids never leave
    the engine.
    """

    directory_id: str
    name: Name
    dob: date
    gender: Gender
    locality: str  # town; empty for a shielded record
    match: tuple[Match, ...] = ()  # empty: every detail given matches exactly

    @property
    def exact(self) -> bool:
        return not self.match

    @property
    def loose(self) -> bool:
        """Found only through something near what was typed (``Match.loose``)."""
        return any(m.loose for m in self.match)


@dataclass(frozen=True)
class RecordView:
    """One viewer's view of a child record.

    The directory builds this for a given viewer and role; fields the viewer
    may not see are absent (None or empty), never filled and hidden later
    (R-SHIELD-4).
    """

    directory_id: str
    name: Name
    other_names: tuple[Name, ...]
    dob: date
    gender: Gender
    shielded: bool
    shield_applied: bool  # True when this viewer sees the restricted view
    address: Address | None = None
    carers: tuple[ParentCarer, ...] = ()
    setting: Setting | None = None
    gp: GpPractice | None = None
    involvements: tuple[Involvement | WithheldInvolvement, ...] = field(default=())
    la_team: LaTeamContact | None = None  # how to reach the child's LA team (R-SENS-4)
    override: bool = False  # R-SHIELD-6: shown in full once, under a child-protection override
    # R-SHIELD-1/2 (issue 13 §3.1): a sibling of a shielded child, its household's shared address, carers and
    # shared setting or GP withheld until the LA team decides whether it needs a shield of its own
    household_withheld: bool = False
    leaves_on: date | None = None  # R-RET-1: when the record leaves the live directory (full view only)

    @property
    def current_involvements(self) -> tuple[Involvement | WithheldInvolvement, ...]:
        return tuple(i for i in self.involvements if i.current)

    @property
    def ended_involvements(self) -> tuple[Involvement | WithheldInvolvement, ...]:
        return tuple(i for i in self.involvements if not i.current)


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    la_code: str
    organisation: str
    nominated: bool
    trained: bool
    check_date: date | None  # enhanced criminal-records check (R-ROLE-4)


@dataclass(frozen=True)
class Colleague:
    """The person a mediating user acts for (R-ROLE-2): a registered colleague, chosen from the LA's
    list by ``username``; the engine takes their name and organisation from its own register."""

    name: str
    organisation: str
    username: str = ""


@dataclass(frozen=True)
class Viewer:
    """Who is asking, for whom, and in which signed-in session.

    ``session`` is the id the directory issued at sign-in: a record opens only
    from a result this session was given (R-SEARCH-3, anti-trawling).
    """

    user: User
    on_behalf_of: Colleague | None = None
    session: str = ""

    @property
    def role(self) -> Role:
        return self.user.role
