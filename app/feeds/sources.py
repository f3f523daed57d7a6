"""Registered sources and what each may supply (issue 17 item 1), as data.

The LA team registers each source (a school, a GP practice, the registration service for births and deaths,
a case-management system, eCAF) with what it may supply, within what its kind of source can ever supply
(``CEILING``): a school cannot be registered to send registered deaths, nor the registration service
involvements. A batch of a kind its source may not send is refused whole (``feed.kind_not_allowed``); a row
carrying something its source may not supply (an involvement of a service type it is not registered for,
parents and carers from a source registered without them, an eCAF row that is not about a completed CAF)
is rejected on its own (``permitted``). Each source has its own signing keys (``envelope``).
"""
from __future__ import annotations

import base64
import enum
import json
from dataclasses import dataclass, field

from app.model import ServiceType

from . import fields
from .formats import FeedKind
from .records import Incoming, IncomingInvolvement, IncomingPerson, Rejection
from .refusals import FeedRefused


class SourceKind(str, enum.Enum):
    SCHOOL = "school"
    GP_PRACTICE = "gp_practice"
    REGISTRATION_SERVICE = "registration_service"  # births and deaths
    CASE_MANAGEMENT = "case_management"  # e.g. children's social care (ICS), youth justice
    ECAF = "ecaf"  # tells the directory a CAF exists and who holds it (seed 003, 7.1)


ALL_SERVICES = frozenset(ServiceType)


@dataclass(frozen=True)
class Supply:
    """What a source may send: kinds of feed, whether parents and carers, the involvements' service types."""

    kinds: frozenset[FeedKind]
    carers: bool = False
    services: frozenset[ServiceType] = frozenset()
    caf_only: bool = False  # every involvement row must say a CAF was completed (eCAF)

    def within(self, ceiling: Supply) -> bool:
        return (self.kinds <= ceiling.kinds and (ceiling.carers or not self.carers)
                and self.services <= ceiling.services and (self.caf_only or not ceiling.caf_only))

    def as_json(self) -> dict:
        return {"kinds": sorted(k.value for k in self.kinds), "carers": self.carers,
                "services": sorted(s.value for s in self.services), "caf_only": self.caf_only}

    @classmethod
    def from_json(cls, data: dict) -> Supply:
        return cls(frozenset(FeedKind(k) for k in data["kinds"]), bool(data.get("carers", False)),
                   frozenset(ServiceType(s) for s in data.get("services", ())), bool(data.get("caf_only", False)))


S = ServiceType
CEILING: dict[SourceKind, Supply] = {
    # Seed 003 2.2: the child, parents' and carers' contact details, the school; services logged in school.
    SourceKind.SCHOOL: Supply(frozenset({FeedKind.CHILDREN, FeedKind.SETTINGS, FeedKind.INVOLVEMENTS}), True,
                              frozenset({S.EDUCATION, S.SCHOOL_NURSE, S.EDUCATION_WELFARE, S.SPEECH_LANGUAGE,
                                         S.SEXUAL_HEALTH})),
    SourceKind.GP_PRACTICE: Supply(frozenset({FeedKind.CHILDREN, FeedKind.SETTINGS, FeedKind.INVOLVEMENTS}), True,
                                   frozenset({S.GP, S.MIDWIFE, S.HEALTH_VISITOR, S.PAEDIATRICS, S.SEXUAL_HEALTH})),
    SourceKind.REGISTRATION_SERVICE: Supply(frozenset({FeedKind.BIRTHS, FeedKind.DEATHS}), True),
    SourceKind.CASE_MANAGEMENT: Supply(frozenset({FeedKind.INVOLVEMENTS}), False, ALL_SERVICES),
    SourceKind.ECAF: Supply(frozenset({FeedKind.INVOLVEMENTS}), False,
                            frozenset(s for s in ServiceType if not s.sensitive), caf_only=True),
}


@dataclass(frozen=True)
class RegisteredSource:
    """One source as the LA team registered it; ``public_keys`` are its Ed25519 keys (32 bytes each)."""

    source_id: str
    kind: SourceKind
    name: str
    la_code: str
    supply: Supply
    public_keys: tuple[bytes, ...] = field(default=())
    suspended: bool = False

    def __post_init__(self) -> None:
        if not self.supply.within(CEILING[self.kind]):
            raise ValueError(f"a {self.kind.value} cannot be registered to supply {self.supply.as_json()}")
        if any(len(k) != 32 for k in self.public_keys):
            raise ValueError("an Ed25519 public key is 32 bytes")

    def as_json(self) -> dict:
        return {"source_id": self.source_id, "kind": self.kind.value, "name": self.name, "la_code": self.la_code,
                "supply": self.supply.as_json(), "suspended": self.suspended,
                "public_keys": [base64.b64encode(k).decode() for k in self.public_keys]}

    @classmethod
    def from_json(cls, data: dict) -> RegisteredSource:
        return cls(data["source_id"], SourceKind(data["kind"]), data["name"], data["la_code"],
                   Supply.from_json(data["supply"]), tuple(base64.b64decode(k) for k in data.get("public_keys", ())),
                   bool(data.get("suspended", False)))


class SourceRegistry:
    """The registered sources by id (the LA teams' registrations; the write path will keep them)."""

    def __init__(self, sources: list[RegisteredSource] | tuple[RegisteredSource, ...] = ()) -> None:
        self._by_id = {s.source_id: s for s in sources}

    def get(self, source_id: str) -> RegisteredSource | None:
        return self._by_id.get(source_id)

    def __iter__(self):
        return iter(self._by_id.values())

    def dumps(self) -> str:
        return json.dumps([s.as_json() for s in self], indent=1, sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> SourceRegistry:
        return cls([RegisteredSource.from_json(d) for d in json.loads(text)])


def check_kind(source: RegisteredSource, kind: FeedKind) -> None:
    """Refuse a batch of a kind the source is not registered to send (audited by the route)."""
    if kind not in source.supply.kinds:
        raise FeedRefused("feed.kind_not_allowed", kind=kind.value, source=source.source_id)


def permitted(source: RegisteredSource, row: int, record: Incoming) -> list[Rejection]:
    """Why this one row carries what its source may not supply (empty: it may)."""
    problem, expected = fields.NOT_SUPPLIED_BY_SOURCE
    out = []
    person = record.person if isinstance(record, IncomingInvolvement) else record
    if isinstance(person, IncomingPerson) and person.carers and not source.supply.carers:
        out.append(Rejection(row, "carer1_given_names", problem, expected, person.ref))
    if isinstance(record, IncomingInvolvement):
        if record.service not in source.supply.services:
            out.append(Rejection(row, "service", problem, expected, record.person.ref))
        if source.supply.caf_only and not record.caf:
            out.append(Rejection(row, "caf_completed", problem, expected, record.person.ref))
    return out
