"""What the matcher may read of the directory: a small read-only interface, and the facts it returns.

``DirectoryFacts.candidates(incoming)`` answers the children an incoming person could be, found by blocking
on the search index's keys; each comes as ``ChildFacts`` — what matching compares and nothing more. The
matcher runs inside the directory (never at a source), so the facts of a shielded child are its real ones
(address, former names): a feed must find a shielded child's duplicate to hold it back (R-SHIELD-1), and
nothing read here is ever answered to a source (``app.feeds.report``).

Implemented over the SQLCipher directory's tables by ``sqlcipher_facts``; the store seam (issue 16) will
implement the same interface over PostgreSQL.

Trusted identifiers (NHS number, UPN) are read through ``IdentifierIndex``: the directory does not yet hold
the identifiers sources send (the write path records them, with their provenance, issue 17 item 5), so
today's directory answers ``NO_IDENTIFIERS``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..records import IncomingPerson


@dataclass(frozen=True)
class ChildFacts:
    """One child as matching sees it. ``child_id`` is the directory's internal row id: it never leaves it."""

    child_id: int
    given_names: str
    family_name: str
    other_names: tuple[tuple[str, str], ...]  # (given names, family name): former and alternative names
    dob: int  # date ordinal
    gender: str
    postcode: str
    line1: str
    household_id: int
    shielded: bool
    identifiers: frozenset[tuple[str, str]] = frozenset()  # (scheme, value)


@dataclass(frozen=True)
class Population:
    """Counts the weights' chance agreement comes from (``model``)."""

    children: int
    postcodes: int
    addresses: int


class IdentifierIndex(Protocol):
    def children_holding(self, scheme: str, value: str) -> list[int]:
        """The internal ids of the children this identifier was recorded for."""

    def held_by(self, child_ids: Iterable[int]) -> Mapping[int, frozenset[tuple[str, str]]]:
        """The identifiers recorded for each of these children (those with none may be left out)."""


class _NoIdentifiers:
    def children_holding(self, scheme: str, value: str) -> list[int]:
        return []

    def held_by(self, child_ids: Iterable[int]) -> Mapping[int, frozenset[tuple[str, str]]]:
        return {}


NO_IDENTIFIERS: IdentifierIndex = _NoIdentifiers()


class DirectoryFacts(Protocol):
    def candidates(self, incoming: IncomingPerson) -> list[ChildFacts]:
        """Every live child the incoming person could be (blocking), each with its full facts."""

    def population(self) -> Population:
        ...

    def name_share(self, kind: str, norm: str) -> float:
        """The share of children with this normalised family (kind "F") or first given (kind "G") name."""
