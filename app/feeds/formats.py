"""The feed formats: which fields each kind of feed carries, and how a batch of rows is validated.

One table of columns per kind (``COLUMNS``) is the format: the CSV reader takes exactly these headers, the
FHIR reader maps a Bundle onto the same fields, and both validate through ``validate`` — a pandera schema
built from the table (``pandera.polars``: each rule a vectorised check, ``lazy=True`` so every failure of
every row is collected at once). A row that fails any check is rejected with each reason (field, problem,
what to send); the others go on. A column outside the format is refused for the whole batch: nothing beyond
the record's fields is accepted or stored (R-REC-5).

Why pandera rather than frictionless: the checks run column-wise in polars (a million rows validate in
seconds; frictionless checks cell by cell in Python), and a check is any expression, so cross-field rules
(an involvement ending before it began, a sensitive one without consent: R-SENS-2) sit in the same schema.
"""
from __future__ import annotations

import csv
import enum
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from app.model import SENSITIVE_SERVICES, ConsentBy, Gender, ServiceType, SettingKind

from . import fields as f
from .records import (
    NHS_NUMBER,
    UPN,
    Address,
    Incoming,
    IncomingCarer,
    IncomingDeath,
    IncomingInvolvement,
    IncomingPerson,
    IncomingSetting,
    Rejection,
)


class FeedKind(str, enum.Enum):
    CHILDREN = "children"  # children with their parents and carers (a school census, GP registrations)
    BIRTHS = "births"  # registered births: new children, with their parents
    DEATHS = "deaths"  # registered deaths
    INVOLVEMENTS = "involvements"  # services working with a child (case-management systems, eCAF)
    SETTINGS = "settings"  # educational settings and GP practices


@dataclass(frozen=True)
class Column:
    name: str
    rule: f.Rule
    required: bool = False


@dataclass(frozen=True)
class CrossCheck:
    """A rule over several fields of one row; ``field`` is the one the rejection names."""

    field: str
    problem: str
    expected: str
    ok: Callable[[date], pl.Expr]  # true where the row is right


REF = "record_ref"
CARER_FIELDS = ("given_names", "family_name", "relationship", "phone")
CARER_SLOTS = (1, 2)


def _person(address_required: bool) -> list[Column]:
    return [
        Column(REF, f.REFERENCE, True), Column(NHS_NUMBER, f.NHS), Column(UPN, f.UPN_RULE),
        Column("given_names", f.GIVEN_NAMES, True), Column("family_name", f.PERSON_NAME, True),
        Column("former_family_name", f.PERSON_NAME), Column("date_of_birth", f.DATE_OF_BIRTH, True),
        Column("gender", f.GENDER, True), Column("address_line1", f.ADDRESS_LINE, address_required),
        Column("address_line2", f.ADDRESS_LINE), Column("town", f.ADDRESS_LINE, address_required),
        Column("postcode", f.POSTCODE, address_required), Column("previous_postcode", f.POSTCODE)]


_CARER_RULES = {"given_names": f.GIVEN_NAMES, "family_name": f.PERSON_NAME, "relationship": f.RELATIONSHIP,
                "phone": f.PHONE}
_CARERS = [Column(f"carer{n}_{name}", _CARER_RULES[name]) for n in CARER_SLOTS for name in CARER_FIELDS]

COLUMNS: dict[FeedKind, tuple[Column, ...]] = {
    FeedKind.CHILDREN: (*_person(True), Column("setting_code", f.SETTING_CODE),
                        Column("gp_practice_code", f.SETTING_CODE), *_CARERS),
    FeedKind.BIRTHS: (*_person(True), *_CARERS),
    FeedKind.DEATHS: (*_person(False), Column("date_of_death", f.EVENT_DATE, True)),
    FeedKind.INVOLVEMENTS: (
        *_person(False), Column("service", f.SERVICE, True), Column("organisation", f.ORGANISATION, True),
        Column("practitioner", f.PERSON_NAME, True), Column("role", f.JOB_ROLE, True),
        Column("phone", f.PHONE, True), Column("email", f.EMAIL, True), Column("started", f.EVENT_DATE, True),
        Column("ended", f.EVENT_DATE), Column("lead_professional", f.YES_NO), Column("caf_completed", f.YES_NO),
        Column("consent_by", f.CONSENT_BY), Column("consent_on", f.EVENT_DATE)),
    FeedKind.SETTINGS: (
        Column("setting_code", f.SETTING_CODE, True), Column("kind", f.SETTING_KIND, True),
        Column("name", f.ORGANISATION, True), Column("address_line1", f.ADDRESS_LINE, True),
        Column("address_line2", f.ADDRESS_LINE), Column("town", f.ADDRESS_LINE, True),
        Column("postcode", f.POSTCODE, True), Column("phone", f.PHONE, True)),
}


def _d(name: str) -> pl.Expr:
    return f.as_date(pl.col(name))


def _carer_complete(n: int) -> CrossCheck:
    cols = [f"carer{n}_{x}" for x in CARER_FIELDS]
    named = [pl.col(c) for c in cols[:3]]
    return CrossCheck(cols[0], "carer_incomplete", "a carer's given names, family name and relationship together",
                      lambda today: pl.any_horizontal([c.is_not_null() for c in [*named, pl.col(cols[3])]]).not_()
                      | pl.all_horizontal([c.is_not_null() for c in named]))


_SENSITIVE = sorted(s.value for s in SENSITIVE_SERVICES)

CROSS: dict[FeedKind, tuple[CrossCheck, ...]] = {
    FeedKind.CHILDREN: tuple(_carer_complete(n) for n in CARER_SLOTS),
    FeedKind.BIRTHS: (
        CrossCheck("date_of_birth", "birth_too_old", "a birth registered within a year of the date of birth",
                   lambda today: _d("date_of_birth") >= date(today.year - 1, today.month, 1)),
        *(_carer_complete(n) for n in CARER_SLOTS)),
    FeedKind.DEATHS: (
        CrossCheck("date_of_death", "death_before_birth", "a date of death on or after the date of birth",
                   lambda today: _d("date_of_death") >= _d("date_of_birth")),),
    FeedKind.INVOLVEMENTS: (
        CrossCheck("ended", "ended_before_started", "an end date on or after the start date",
                   lambda today: _d("ended").is_null() | (_d("ended") >= _d("started"))),
        CrossCheck("started", "started_before_birth", "a start date on or after the child's date of birth",
                   lambda today: _d("started") >= _d("date_of_birth")),
        # R-SENS-2: a sensitive involvement only with who consented and when; a feed cannot claim an override.
        CrossCheck("consent_by", "consent_missing",
                   "for a sensitive service, who consented (consent_by) and when (consent_on)",
                   lambda today: ~pl.col("service").is_in(_SENSITIVE)
                   | (pl.col("consent_by").is_not_null() & pl.col("consent_on").is_not_null())),
        CrossCheck("consent_on", "consent_incomplete", "consent_by and consent_on together, or neither",
                   lambda today: pl.col("consent_by").is_null() == pl.col("consent_on").is_null()),
        CrossCheck("lead_professional", "lead_on_ended", "lead_professional only on a current involvement",
                   lambda today: (pl.col("lead_professional") != "Y") | pl.col("ended").is_null())),
    FeedKind.SETTINGS: (),
}


def problems() -> dict[str, str]:
    """Every problem code a rejection can name, with what to send."""
    out = f.problems()
    out.update({c.problem: c.expected for checks in CROSS.values() for c in checks})
    return out


def _schema(kind: FeedKind, today: date) -> pa.DataFrameSchema:
    def column_check(rule: f.Rule) -> pa.Check:
        return pa.Check(lambda data: data.lazyframe.select(
            rule.check(pl.col(data.key), today).fill_null(False) | pl.col(data.key).is_null()), name=rule.problem)

    columns = {c.name: pa.Column(pl.Utf8, column_check(c.rule), nullable=not c.required, required=c.required)
               for c in COLUMNS[kind]}
    # A cross-field check names "<field>:<problem>"; rows lacking a column it reads pass it (nothing to compare).
    checks = [pa.Check(lambda data, c=c: data.lazyframe.select(c.ok(today).fill_null(True)),
                       name=f"{c.field}:{c.problem}") for c in CROSS[kind]]
    return pa.DataFrameSchema(columns, checks=checks, strict=True)


def unknown_columns(kind: FeedKind, header: list[str]) -> list[str]:
    known = {c.name for c in COLUMNS[kind]}
    return [h for h in header if h not in known]


def missing_columns(kind: FeedKind, header: list[str]) -> list[str]:
    return [c.name for c in COLUMNS[kind] if c.required and c.name not in header]


def validate(kind: FeedKind, frame: pl.DataFrame, today: date) -> tuple[pl.DataFrame, list[Rejection]]:
    """(the rows that passed, every rejection) for a frame of text columns, all of them from ``COLUMNS[kind]``.

    Columns the format has but the frame lacks are added empty first, so each check sees every field.
    """
    frame = frame.with_columns(pl.col(pl.Utf8).str.strip_chars().replace("", None))
    missing = [c.name for c in COLUMNS[kind] if c.name not in frame.columns]
    frame = frame.with_columns([pl.lit(None, pl.Utf8).alias(m) for m in missing])
    frame = frame.with_row_index("_row", offset=1)
    expected = problems()
    rejections: list[Rejection] = []
    try:
        _schema(kind, today).validate(frame.drop("_row"), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
        for column, check, index in cases.select("column", "check", "index").iter_rows():
            if check == "not_nullable":
                field, (problem, what) = column, f.MISSING
            elif column is None:
                field, problem = check.split(":", 1)
                what = expected[problem]
            else:
                field, problem, what = column, check, expected[check]
            rejections.append(Rejection(index + 1, field, problem, what))
    if REF in frame.columns:
        dup = frame.filter(pl.col(REF).is_not_null() & ~pl.col(REF).is_first_distinct())
        rejections += [Rejection(row, REF, *f.DUPLICATE_REF) for row in dup["_row"]]
    refs = dict(frame.select("_row", REF).iter_rows()) if REF in frame.columns else {}
    rejections = sorted({Rejection(r.row, r.field, r.problem, r.expected, refs.get(r.row) or "")
                         for r in rejections}, key=lambda r: (r.row, r.field, r.problem))
    bad = sorted({r.row for r in rejections})
    return frame.filter(~pl.col("_row").is_in(bad)), rejections


# -- rows to records ------------------------------------------------------------------------------------
def postcode(value: str | None) -> str:
    """Upper case with one space before the inward code: "ne14st" -> "NE1 4ST"."""
    if not value:
        return ""
    compact = value.upper().replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _person_of(row: dict) -> IncomingPerson:
    address = None
    if row.get("postcode"):
        address = Address(row.get("address_line1") or "", row.get("address_line2") or "", row.get("town") or "",
                          postcode(row["postcode"]))
    ids = []
    if row.get(NHS_NUMBER):
        ids.append((NHS_NUMBER, row[NHS_NUMBER].replace(" ", "")))
    if row.get(UPN):
        ids.append((UPN, row[UPN]))
    carers = tuple(IncomingCarer(row[f"carer{n}_given_names"], row[f"carer{n}_family_name"],
                                 row[f"carer{n}_relationship"], row.get(f"carer{n}_phone") or "")
                   for n in CARER_SLOTS if row.get(f"carer{n}_given_names"))
    dob = _day(row["date_of_birth"])
    assert dob is not None  # a required column: validation rejected a row without one
    return IncomingPerson(
        ref=row[REF], given_names=row["given_names"], family_name=row["family_name"], dob=dob,
        gender=Gender(row["gender"]), address=address,
        former_family_names=(row["former_family_name"],) if row.get("former_family_name") else (),
        previous_postcodes=(postcode(row["previous_postcode"]),) if row.get("previous_postcode") else (),
        identifiers=tuple(ids), setting_code=row.get("setting_code") or "",
        gp_practice_code=row.get("gp_practice_code") or "", carers=carers)


def to_record(kind: FeedKind, row: dict) -> Incoming:
    """One validated row as its typed record."""
    if kind is FeedKind.SETTINGS:
        setting_kind = None if row["kind"] == "gp_practice" else SettingKind(row["kind"])
        return IncomingSetting(row["setting_code"], setting_kind, row["name"],
                               Address(row["address_line1"], row.get("address_line2") or "", row["town"],
                                       postcode(row["postcode"])), row["phone"])
    person = _person_of(row)
    if kind is FeedKind.DEATHS:
        died = _day(row["date_of_death"])
        assert died is not None
        return IncomingDeath(person, died)
    if kind is FeedKind.INVOLVEMENTS:
        started = _day(row["started"])
        assert started is not None
        return IncomingInvolvement(
            person, ServiceType(row["service"]), row["organisation"], row["practitioner"], row["role"],
            row["phone"], row["email"], started, _day(row.get("ended")), row.get("lead_professional") == "Y",
            row.get("caf_completed") == "Y", ConsentBy(row["consent_by"]) if row.get("consent_by") else None,
            _day(row.get("consent_on")))
    return person


def _person_row(p: IncomingPerson) -> dict:
    row: dict[str, str] = {REF: p.ref, "given_names": p.given_names, "family_name": p.family_name,
                           "date_of_birth": p.dob.isoformat(), "gender": p.gender.value}
    row.update(dict(p.identifiers))
    if p.former_family_names:
        row["former_family_name"] = p.former_family_names[0]
    if p.address:
        row.update(address_line1=p.address.line1, address_line2=p.address.line2, town=p.address.town,
                   postcode=p.address.postcode)
    if p.previous_postcodes:
        row["previous_postcode"] = p.previous_postcodes[0]
    if p.setting_code:
        row["setting_code"] = p.setting_code
    if p.gp_practice_code:
        row["gp_practice_code"] = p.gp_practice_code
    for n, carer in zip(CARER_SLOTS, p.carers):
        row.update({f"carer{n}_given_names": carer.given_names, f"carer{n}_family_name": carer.family_name,
                    f"carer{n}_relationship": carer.relationship, f"carer{n}_phone": carer.phone})
    return row


def to_row(record: Incoming) -> dict[str, str]:
    """A record as a row of its kind's CSV (the inverse of ``to_record``; sources' side, samples, tests)."""
    if isinstance(record, IncomingSetting):
        return {"setting_code": record.code, "kind": record.kind.value if record.kind else "gp_practice",
                "name": record.name, "address_line1": record.address.line1, "address_line2": record.address.line2,
                "town": record.address.town, "postcode": record.address.postcode, "phone": record.phone}
    if isinstance(record, IncomingDeath):
        return {**_person_row(record.person), "date_of_death": record.died_on.isoformat()}
    if isinstance(record, IncomingInvolvement):
        row = {**_person_row(record.person), "service": record.service.value, "organisation": record.organisation,
               "practitioner": record.practitioner, "role": record.role, "phone": record.phone,
               "email": record.email, "started": record.started.isoformat(),
               "lead_professional": "Y" if record.lead else "N", "caf_completed": "Y" if record.caf else "N"}
        if record.ended:
            row["ended"] = record.ended.isoformat()
        if record.consent_by and record.consent_on:
            row.update(consent_by=record.consent_by.value, consent_on=record.consent_on.isoformat())
        return row
    return _person_row(record)


def write_csv(kind: FeedKind, records: Iterable[Incoming]) -> bytes:
    """Records as a CSV batch of ``kind``: every column of the format, in its order; what a record holds
    beyond its kind's columns (a school on a death) is left out."""
    out = io.StringIO()
    columns = [c.name for c in COLUMNS[kind]]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = to_row(record)
        writer.writerow({c: row[c] for c in columns if c in row})
    return out.getvalue().encode()
