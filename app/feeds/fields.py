"""What each field of a feed may hold: one rule per kind of value, as a vectorised check.

A rule is a ``polars`` expression over one text column (a value is checked only when there is one; whether
it must be there is the column's business, ``app.feeds.formats``), with the problem code a rejection names
and what to send instead. ``docs/feeds.md`` lists the same rules for the people who write the feeds.

Names, roles and organisations accept letters, spaces and the punctuation names use, within a length, so a
sentence (a concern, a note) has nowhere to go (R-REC-5).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.model import ConsentBy, Gender, ServiceType, SettingKind

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE's check-letter alphabet (no I, O, S)
# Carers' relationships to the child (R-REC-2), as codes, with the words the directory records.
RELATIONSHIPS = {"mother": "Mother", "father": "Father", "step_parent": "Step-parent",
                 "grandparent": "Grandparent", "foster_carer": "Foster carer", "guardian": "Guardian"}
MAX_AGE_YEARS = 26  # a record can stay to 25 (R-RET-1)


@dataclass(frozen=True)
class Rule:
    problem: str
    expected: str
    check: Callable[[pl.Expr, date], pl.Expr]  # (a non-null text column, the batch's date) -> is it right


def _pattern(regex: str, max_chars: int) -> Callable[[pl.Expr, date], pl.Expr]:
    return lambda col, today: col.str.contains(regex) & (col.str.len_chars() <= max_chars)


def _one_of(values) -> Callable[[pl.Expr, date], pl.Expr]:
    allowed = sorted(values)
    return lambda col, today: col.is_in(allowed)


def as_date(col: pl.Expr) -> pl.Expr:
    return col.str.to_date("%Y-%m-%d", strict=False)


def _date(years_back: int) -> Callable[[pl.Expr, date], pl.Expr]:
    def check(col: pl.Expr, today: date) -> pl.Expr:
        earliest = date(today.year - years_back, today.month, 1)
        parsed = as_date(col)
        return col.str.contains(r"^\d{4}-\d{2}-\d{2}$") & parsed.is_between(earliest, today)
    return check


def _digit(col: pl.Expr, i: int) -> pl.Expr:
    return col.str.slice(i, 1).cast(pl.Int32, strict=False)


def _nhs_number(col: pl.Expr, today: date) -> pl.Expr:
    """Ten digits whose last is the modulus 11 check of the first nine (spaces allowed as 3-3-4)."""
    digits = col.str.replace_all(" ", "", literal=True)
    total = pl.sum_horizontal([_digit(digits, i) * (10 - i) for i in range(9)])
    check = (11 - total % 11) % 11
    return col.str.contains(r"^\d{3} ?\d{3} ?\d{4}$") & (check != 10) & (check == _digit(digits, 9))


def _upn(col: pl.Expr, today: date) -> pl.Expr:
    """The DfE's Unique Pupil Number: a check letter, eleven digits and a digit or letter (temporary UPN)."""
    last = col.str.slice(12, 1).replace_strict(
        [*map(str, range(10)), *UPN_LETTERS], [*range(10), *range(len(UPN_LETTERS))], default=None,
        return_dtype=pl.Int32)
    total = pl.sum_horizontal([_digit(col, i) * (i + 1) for i in range(1, 12)]) + last * 13
    expected_letter = pl.lit(UPN_LETTERS).str.slice(total % 23, 1)
    return col.str.contains(f"^[{UPN_LETTERS}]\\d{{11}}[0-9{UPN_LETTERS}]$") & (col.str.slice(0, 1) == expected_letter)


# Letters of any alphabet, spaces, hyphens, apostrophes, full stops: what a name is written with.
_NAME = r"^\p{L}[\p{L} '\-.]*$"
_ORG = r"^[\p{L}\d][\p{L}\d '&(),.\-/]*$"

PERSON_NAME = Rule("invalid_name", "a name of up to 60 letters (spaces, hyphens, apostrophes allowed)",
                   _pattern(_NAME, 60))
GIVEN_NAMES = Rule("invalid_given_names", "given names of up to 100 letters (spaces, hyphens, apostrophes allowed)",
                   _pattern(_NAME, 100))
ORGANISATION = Rule("invalid_organisation", "an organisation's name of up to 100 letters, digits and & ( ) , . - /",
                    _pattern(_ORG, 100))
JOB_ROLE = Rule("invalid_role", "a job title of up to 60 letters", _pattern(_NAME, 60))
DATE_OF_BIRTH = Rule("invalid_date_of_birth", f"a date YYYY-MM-DD, not in the future, within {MAX_AGE_YEARS} years",
                     _date(MAX_AGE_YEARS))
EVENT_DATE = Rule("invalid_date", f"a date YYYY-MM-DD, not in the future, within {MAX_AGE_YEARS} years",
                  _date(MAX_AGE_YEARS))
GENDER = Rule("invalid_gender", "one of F, M, X (other), U (not known)", _one_of(g.value for g in Gender))
POSTCODE = Rule("invalid_postcode", "a UK postcode such as NE1 4ST",
                _pattern(r"(?i)^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", 8))
NHS = Rule("invalid_nhs_number", "a ten-digit NHS number with a valid check digit", _nhs_number)
UPN_RULE = Rule("invalid_upn", "a 13-character Unique Pupil Number with a valid check letter", _upn)
REFERENCE = Rule("invalid_reference", "your own reference for the row: up to 40 letters, digits, / - .",
                 _pattern(r"^[A-Za-z0-9][A-Za-z0-9/\-.]*$", 40))
SETTING_CODE = Rule("invalid_setting_code", "a setting's URN (6 digits) or a GP practice's ODS code (A12345)",
                    _pattern(r"^(\d{6}|[A-Z]\d{5})$", 6))
ADDRESS_LINE = Rule("invalid_address", "an address line of up to 60 letters, digits and , . - / '",
                    _pattern(r"^[\p{L}\d][\p{L}\d ,.'\-/]*$", 60))
PHONE = Rule("invalid_phone", "a UK phone number of 10 or 11 digits, such as 0191 498 0000",
             lambda col, today: col.str.contains(r"^0[\d ]+$")
             & col.str.replace_all(" ", "", literal=True).str.len_chars().is_between(10, 11))
EMAIL = Rule("invalid_email", "an e-mail address such as name@service.example",
             _pattern(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$", 120))
RELATIONSHIP = Rule("invalid_relationship", f"one of {', '.join(RELATIONSHIPS)}", _one_of(RELATIONSHIPS))
SERVICE = Rule("invalid_service", "a service code from the directory's list (see docs/feeds.md)",
               _one_of(s.value for s in ServiceType))
SETTING_KIND = Rule("invalid_setting_kind", f"one of {', '.join(k.value for k in SettingKind)}, gp_practice",
                    _one_of([*(k.value for k in SettingKind), "gp_practice"]))
YES_NO = Rule("invalid_yes_no", "Y or N", _one_of(("Y", "N")))
CONSENT_BY = Rule("invalid_consent_by", f"one of {', '.join(c.value for c in ConsentBy)}",
                  _one_of(c.value for c in ConsentBy))

# Problems that are not about one value's form.
MISSING = ("missing", "a value: this field is required")
DUPLICATE_REF = ("duplicate_reference", "each row's reference once in a batch")
NOT_SUPPLIED_BY_SOURCE = ("not_allowed_for_source", "only what your source is registered to supply")
# A FHIR entry's own problems (``app.feeds.fhir_format``).
FHIR = {
    "fhir_invalid": "a resource valid against FHIR R4",
    "fhir_resource_not_accepted": "Patient, RelatedPerson or Organization resources only",
    "fhir_element_not_accepted": "only the elements listed in docs/feeds.md: no extensions, narrative or notes",
    "fhir_unknown_patient": "a RelatedPerson whose patient is a Patient in the same Bundle",
    "too_many_carers": "at most two RelatedPersons for one Patient",
}


def problems() -> dict[str, str]:
    """Every problem code a rejection can name, with what to send (docs/feeds.md is checked against it)."""
    rules = [v for v in globals().values() if isinstance(v, Rule)]
    out = {r.problem: r.expected for r in rules}
    out.update(dict((MISSING, DUPLICATE_REF, NOT_SUPPLIED_BY_SOURCE)))
    out.update(FHIR)
    return out
