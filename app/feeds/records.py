"""What a feed brings in, once validated: typed incoming records, and the rows it turned away.

Every field here is one of the record's own fields (R-REC-1..4): names, an address, a date, a code from a
fixed list, a contact detail. There is no field where free text could go (R-REC-5); a format that carried
one would have nowhere to put it, so the parsers reject it instead (``app.feeds.csv_format``,
``app.feeds.fhir_format``).

A person the feed names (a child, a registered birth, a registered death, the child an involvement is
about) is an ``IncomingPerson``: the matcher (``app.feeds.matching``) decides who in the directory it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.model import ConsentBy, Gender, ServiceType, SettingKind

# Trusted identifiers (issue 17 item 3): a national number issued to one child only.
NHS_NUMBER = "nhs_number"
UPN = "upn"


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    town: str
    postcode: str  # normalised: upper case, one space ("NE1 4ST")


@dataclass(frozen=True)
class IncomingCarer:
    """A parent or carer: name and contact details only (R-REC-2)."""

    given_names: str
    family_name: str
    relationship: str  # a code from ``fields.RELATIONSHIPS``
    phone: str = ""


@dataclass(frozen=True)
class IncomingPerson:
    """A child as a source knows them.

    ``ref`` is the source's own reference for the row (its admission number, its patient id), used only to
    answer the source about that row; ``identifiers`` the trusted national numbers it sent, by scheme.
    ``previous_postcodes`` is the address history the source holds (most recent first).
    """

    ref: str
    given_names: str
    family_name: str
    dob: date
    gender: Gender
    address: Address | None = None
    former_family_names: tuple[str, ...] = ()
    previous_postcodes: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value): NHS_NUMBER or UPN
    setting_code: str = ""
    gp_practice_code: str = ""
    carers: tuple[IncomingCarer, ...] = ()

    @property
    def postcode(self) -> str:
        return self.address.postcode if self.address else ""

    def identifier(self, scheme: str) -> str:
        return next((v for s, v in self.identifiers if s == scheme), "")


@dataclass(frozen=True)
class IncomingDeath:
    """A registered death (R-RET-1: it starts the one-year clock, once applied)."""

    person: IncomingPerson
    died_on: date


@dataclass(frozen=True)
class IncomingSetting:
    """An educational setting or GP practice, with its contact details (R-REC-3)."""

    code: str  # the setting's URN, or the practice's ODS code
    kind: SettingKind | None  # None: a GP practice
    name: str
    address: Address
    phone: str


@dataclass(frozen=True)
class IncomingInvolvement:
    """A service working with a child (R-REC-4), as a case-management system or eCAF reports it.

    A sensitive service (R-SENS-1) arrives only with who consented and when (R-SENS-2): a feed can never
    claim the child-protection override a practitioner may use.
    """

    person: IncomingPerson
    service: ServiceType
    organisation: str
    practitioner: str
    role: str
    phone: str
    email: str
    started: date
    ended: date | None = None
    lead: bool = False
    caf: bool = False
    consent_by: ConsentBy | None = None
    consent_on: date | None = None


Incoming = IncomingPerson | IncomingDeath | IncomingSetting | IncomingInvolvement


def person_of(record: Incoming) -> IncomingPerson | None:
    """The person a record is about, for matching (a setting names nobody)."""
    if isinstance(record, IncomingPerson):
        return record
    if isinstance(record, IncomingDeath | IncomingInvolvement):
        return record.person
    return None


@dataclass(frozen=True)
class Rejection:
    """One reason a row (or a FHIR entry) was turned away: which field, what is wrong, what to send.

    ``row`` counts data rows from 1 (a CSV's header is not a row; a Bundle's first entry is 1); ``ref`` is
    the source's own reference when the row had a readable one. ``problem`` is a code from
    ``fields.PROBLEMS``; ``expected`` says what to send instead. Neither ever quotes the directory.
    """

    row: int
    field: str
    problem: str
    expected: str
    ref: str = ""


@dataclass(frozen=True)
class Parsed:
    """A batch after validation: the records that passed, keyed by row, and every rejection."""

    records: tuple[tuple[int, Incoming], ...] = ()
    rejections: tuple[Rejection, ...] = ()
    received: int = 0

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejections})

