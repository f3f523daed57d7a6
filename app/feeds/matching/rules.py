"""Rules that keep two children apart whatever their score (issue 17 item 3: precision before recall).

A false link merges two children's records, so these hold before any threshold. Each rule is a name (the
LA's review screen says which one held) and a verdict: ``APART`` (this candidate is another child: never
linked, never offered for review) or ``REVIEW`` (at most the LA data team's decision, never a link).

Pair rules (one candidate):
- ``twin``: the same date of birth (or a day out, or swapped) at the same address with given names that do
  not agree (not the same, a nickname, one letter out or another of the child's given names): twins.
- ``twin_named_alike``: the same, with given names one letter or a sound apart where the incoming one is
  itself a name many children have, not far rarer than the child's (Ava and Eva; not Olivr for Oliver):
  twins named alike, or a misspelling: the LA decides.
- ``sibling``: the same family name at the same address (or the previous one) and a date of birth that
  differs beyond a swap or a day: a brother or sister.
- ``same_name_at_address``: the same names at the same address with another date of birth: two children
  named alike in one home, or a wrong date: the LA decides.
- ``date_of_birth_differs`` / ``gender_differs``: never linked on a date of birth that differs beyond a swap
  or a day, nor across a known gender.
- ``identifier_differs``: the child holds another number of the same trusted scheme (NHS number, UPN).

Group rule (all candidates): ``twin_named``: among candidates born the same day in one household (twins, or
more), only those whose given name agrees best with the incoming one stay; the others are ``APART``.
"""
from __future__ import annotations

import enum

from .facts import ChildFacts
from .model import Level

AGREEING_GIVEN = ("exact", "nickname", "close", "other_given")
GIVEN_RANK = {"exact": 0, "nickname": 1, "other_given": 2, "close": 3, "fuzzy": 4, "different": 5}
NEAR_DOB = ("exact", "off_by_one", "swapped")
SAME_ADDRESS = ("same_address", "same_postcode")
HOME = ("same_address", "same_postcode", "previous_postcode")
SAME_FAMILY = ("exact", "name_part")


class Verdict(str, enum.Enum):
    APART = "apart"
    REVIEW = "review"


def pair_rule(levels: tuple[Level, ...], incoming_ids: tuple[tuple[str, str], ...], child: ChildFacts,
              another_name: bool) -> tuple[str, Verdict] | None:
    """The first rule that holds for this pair, if any. ``another_name``: the incoming first given name, if
    near the child's, is more likely another name than a misspelling (``Model.another_name``)."""
    lv = {level.comparison: level.name for level in levels}
    if lv["dob"] in NEAR_DOB and lv["address"] in SAME_ADDRESS:
        if lv["given"] not in AGREEING_GIVEN:
            return "twin", Verdict.APART
        if lv["given"] == "close" and another_name:
            return "twin_named_alike", Verdict.REVIEW
    if lv["family"] in SAME_FAMILY and lv["address"] in HOME and lv["dob"] == "different":
        if lv["given"] in ("exact", "nickname"):
            return "same_name_at_address", Verdict.REVIEW
        return "sibling", Verdict.APART
    held = dict(child.identifiers)
    if any(scheme in held and held[scheme] != value for scheme, value in incoming_ids):
        return "identifier_differs", Verdict.APART
    if lv["dob"] == "different":
        return "date_of_birth_differs", Verdict.REVIEW
    if lv["gender"] == "different":
        return "gender_differs", Verdict.REVIEW
    return None


def twins_apart(scored: list[tuple[ChildFacts, tuple[Level, ...]]]) -> set[int]:
    """Candidates set apart because a twin (same household, same date of birth) agrees better on the given name."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for child, levels in scored:
        given = next(level.name for level in levels if level.comparison == "given")
        groups.setdefault((child.household_id, child.dob), []).append((child.child_id, GIVEN_RANK[given]))
    apart = set()
    for members in groups.values():
        if len(members) > 1:
            best = min(rank for _, rank in members)
            apart |= {cid for cid, rank in members if rank > best}
    return apart
