"""Turning what a user typed into search criteria, with a message per field.

Qt-free so that the rules are tested directly; the search form only shows
the messages next to the field they name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .search import Criteria


@dataclass
class InputProblem(Exception):
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


_DMY = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_AGES = re.compile(r"^([0-9]{1,2})\s*(?:-|to|–)\s*([0-9]{1,2})$")
_AGE = re.compile(r"^[0-9]{1,2}$")
MAX_FIELD_CHARS = 100


def parse_date(text: str, field: str, today: date) -> date | None:
    """dd/mm/yyyy (also with dots, dashes or two-digit years) or yyyy-mm-dd."""
    t = (text or "").strip()
    if not t:
        return None
    if len(t) > 12:
        raise InputProblem(field, "Enter the date as day/month/year, for example 08/06/2015.")
    if m := _ISO.match(t):
        y, mo, d = (int(x) for x in m.groups())
    elif m := _DMY.match(t):
        d, mo, y = (int(x) for x in m.groups())
        if y < 100:  # a child's two-digit year is in this century unless that is in the future
            y += 2000 if 2000 + y <= today.year else 1900
    else:
        raise InputProblem(field, "Enter the date as day/month/year, for example 08/06/2015.")
    try:
        return date(y, mo, d)
    except ValueError:
        raise InputProblem(field, "That date does not exist: check the day and the month.") from None


def parse_ages(text: str) -> tuple[int | None, int | None]:
    t = (text or "").strip()
    if not t:
        return None, None
    if len(t) <= 12:
        if _AGE.match(t):
            return int(t), int(t)
        if m := _AGES.match(t):
            return int(m.group(1)), int(m.group(2))
    raise InputProblem("ages", "Enter an age range like 5-7, or a single age (whole years, 0 to 25).")


def criteria(*, family_name: str = "", given_name: str = "", dob: str = "", dob_to: str = "",
             ages: str = "", postcode: str = "", directory_id: str = "", today: date) -> Criteria:
    for name, value in (("family_name", family_name), ("given_name", given_name), ("postcode", postcode),
                        ("directory_id", directory_id)):
        if len(value) > MAX_FIELD_CHARS:
            raise InputProblem(name, f"That is too long for this field: keep it under {MAX_FIELD_CHARS} characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputProblem(name, "That contains characters that cannot be searched: retype it.") from None
    age_from, age_to = parse_ages(ages)
    return Criteria(
        family_name=family_name.strip(), given_name=given_name.strip(),
        dob=parse_date(dob, "dob", today), dob_to=parse_date(dob_to, "dob_to", today),
        age_from=age_from, age_to=age_to, postcode=postcode.strip(), directory_id=directory_id.strip())
