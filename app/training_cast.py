"""The documented sample children of the training directory.

``resources/training_cast.json`` describes a few children at fixed directory
ids that every training directory holds, whatever its size and seed: a
shielded child, a sensitive service, twins, a former name, a hyphenated name,
a child about to turn 18 and a family across two LAs. The generator puts them
in; the README and the Help -> Training guide window list them with what each
shows a trainee and what to type to find it (``entries``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from . import directory_id, resources
from .dates import latest_reaching
from .generator_pools import load_recipe

RESOURCE = "training_cast.json"


@dataclass(frozen=True)
class CastEntry:
    key: str
    directory_id: str  # "900 000 0017"
    given_names: str
    family_name: str
    dob: date
    la_name: str
    what: str  # what the child shows a trainee, one line
    try_search: str  # what to type to find the child, one line
    # What the generator needs as well:
    gender: str = "F"
    la_code: str = ""
    household: str = ""
    shielded: bool = False
    other_names: tuple[tuple[str, str], ...] = ()
    services: tuple[str, ...] = ()
    consent_by: str = "parent_carer"
    id_value: int = field(default=0, repr=False)


@lru_cache(maxsize=1)
def _raw() -> dict:
    return resources.load_json(RESOURCE)


def households() -> dict[str, dict]:
    """Household key -> {"la": code, "carers": [{given, family, relationship, lives_at?}]}."""
    return _raw()["households"]


def turning_18_dob(reference: date, days: int) -> date:
    """The date of birth of a child who turns 18 ``days`` after ``reference``."""
    return latest_reaching(reference, 18) + timedelta(days=days)


def entries(reference_date: date) -> list[CastEntry]:
    """Every sample child, as of ``reference_date`` (the directory's reference date)."""
    la_names = {la["code"]: la["name"] for la in load_recipe()["local_authorities"]}
    homes = households()
    out = []
    for c in _raw()["children"]:
        value = directory_id.parse(c["directory_id"])
        if value is None:
            raise ValueError(f"training cast {c['key']}: {c['directory_id']} is not a valid directory id")
        dob = date.fromisoformat(c["dob"]) if "dob" in c else turning_18_dob(reference_date, c["turns_18_in_days"])
        la = homes[c["household"]]["la"]
        out.append(CastEntry(
            key=c["key"], directory_id=directory_id.fmt(value), given_names=c["given_names"],
            family_name=c["family_name"], dob=dob, la_name=la_names[la], what=c["what"],
            try_search=c["try_search"].format(dob=dob.strftime("%d/%m/%Y")),
            gender=c["gender"], la_code=la, household=c["household"], shielded=bool(c.get("shielded")),
            other_names=tuple(tuple(o) for o in c.get("other_names", ())), services=tuple(c.get("services", ())),
            consent_by=c.get("consent_by", "parent_carer"), id_value=value))
    return out


def reserved_ids() -> set[int]:
    """The cast's directory ids, which the random allocator never hands out."""
    return {_id(c["directory_id"]) for c in _raw()["children"]}


def _id(text: str) -> int:
    value = directory_id.parse(text)
    if value is None:
        raise ValueError(f"the training cast holds an invalid directory id: {text!r}")
    return value
