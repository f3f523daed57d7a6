"""Each incoming person -> an existing child, a new child, the LA's review queue, or quarantine (issue 17 items 3-4).

1. **Trusted identifier first.** A candidate holding the same NHS number or UPN is the child, when the date
   of birth agrees (exactly, swapped or a day out) and no rule sets them apart (the NHS's cross-check:
   number and date of birth); with another date of birth the LA decides.
2. **Then Fellegi-Sunter** (``model``): every candidate from blocking (``facts.DirectoryFacts``) is scored;
   the rules (``rules``) set twins and siblings apart and cap what may only be reviewed. At or above the
   link threshold, with no runner-up close behind, the best is linked; from the review threshold the LA data
   team decides; below it the person is a new child.
3. **Shield-aware.** If any candidate scoring at or above the review threshold is shielded, the row is
   ``QUARANTINE``: the write path holds it back from search and gives it the shield until the LA team
   decides (R-SHIELD-1/2/5), whatever else it matched. A feed never lifts a shield.

A ``Decision`` holds internal ids and scores: it stays inside the directory (the write path, the LA data
team's review screen). What a source is told is ``report.BatchReport``, which holds none of it.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import Incoming, IncomingPerson, person_of
from .facts import ChildFacts, DirectoryFacts
from .model import Level, Model, Prepared, Thresholds, prepare, probability
from .rules import NEAR_DOB, Verdict, pair_rule, twins_apart


class Outcome(str, enum.Enum):
    LINK = "link"
    NEW = "new"
    REVIEW = "review"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class Scored:
    """One candidate's score and why: each comparison's level and weight, and the rule that held, if any."""

    child_id: int
    weight: float
    levels: tuple[Level, ...]
    rule: str | None
    shielded: bool
    identifier: bool = False  # holds the same trusted identifier

    @property
    def probability(self) -> float:
        return probability(self.weight)


@dataclass(frozen=True)
class Decision:
    row: int
    ref: str
    outcome: Outcome
    child_id: int | None  # the child linked (LINK) or held beside (QUARANTINE)
    reason: str
    candidates: tuple[Scored, ...] = ()  # at or above the review threshold, best first


class Matcher:
    def __init__(self, facts: DirectoryFacts, thresholds: Thresholds | None = None) -> None:
        self.facts = facts
        self.model = Model(facts.population(), facts.name_share, thresholds)
        self.thresholds = self.model.thresholds

    def match_all(self, records: Iterable[tuple[int, Incoming]]) -> list[Decision]:
        """A decision for every record about a person (settings name nobody and are left out)."""
        out = []
        for row, record in records:
            person = person_of(record)
            if person is not None:
                out.append(self.match(row, person))
        return out

    def match(self, row: int, person: IncomingPerson) -> Decision:
        prepared = prepare(person)
        scored = self._score(prepared, person, self.facts.candidates(person))
        t = self.thresholds
        worth = sorted((s for s in scored if s.weight >= t.review or s.identifier), key=lambda s: -s.weight)
        if shielded := [s for s in worth if s.shielded]:
            return Decision(row, person.ref, Outcome.QUARANTINE, shielded[0].child_id, "shielded", tuple(worth))
        by_id = [s for s in scored if s.identifier]
        if by_id:
            return self._by_identifier(row, person, by_id, worth)
        if not worth:
            return Decision(row, person.ref, Outcome.NEW, None, "below_review" if scored else "no_candidate")
        best = worth[0]
        if best.weight >= t.link and best.rule is None:
            if len(worth) > 1 and best.weight - worth[1].weight < t.margin:
                return Decision(row, person.ref, Outcome.REVIEW, None, "ambiguous", tuple(worth))
            return Decision(row, person.ref, Outcome.LINK, best.child_id, "score", tuple(worth))
        return Decision(row, person.ref, Outcome.REVIEW, None, best.rule or "score", tuple(worth))

    def _by_identifier(self, row: int, person: IncomingPerson, by_id: list[Scored],
                       worth: list[Scored]) -> Decision:
        shown = tuple(sorted({*by_id, *worth}, key=lambda s: -s.weight))
        if len(by_id) == 1 and by_id[0].rule is None:
            dob = next(level.name for level in by_id[0].levels if level.comparison == "dob")
            if dob in NEAR_DOB:
                return Decision(row, person.ref, Outcome.LINK, by_id[0].child_id, "identifier", shown)
        return Decision(row, person.ref, Outcome.REVIEW, None, by_id[0].rule or "identifier_shared", shown)

    def _score(self, p: Prepared, person: IncomingPerson, candidates: list[ChildFacts]) -> list[Scored]:
        compared = [(c, self.model.compare(p, c)) for c in candidates]
        apart = twins_apart(compared)
        out = []
        for child, levels in compared:
            if child.child_id in apart:
                continue
            rule = pair_rule(levels, person.identifiers, child, self.model.another_name(p.given, child))
            if rule is not None and rule[1] is Verdict.APART:
                continue
            same_id = bool(set(person.identifiers) & child.identifiers)
            out.append(Scored(child.child_id, self.model.weight(levels), levels, rule[0] if rule else None,
                              child.shielded, same_id))
        return out
