"""First-run progress as one bar across every phase (Qt-free).

The generator and the token set-up report ``(phase, done, total)`` per phase.
A person sees one bar that only ever moves forward, from the first phase this
run reports to the last, and a line saying what is being done in real units.
Phases a run skips (tokens only, say) are not counted: the bar starts from
the first phase it hears about. Each phase's share of the bar is its expected
time, from the number of children and tokens (measured on 2 cores: about
40 µs a child, and about 0.45 s a SoftHSM token, which dominates at 20,000
children), so the bar moves at a steady pace.
"""
from __future__ import annotations

from .wording import count

SCALE = 1000  # the bar's maximum
PHASES = ("people", "vocabulary", "indexes", "tokens")
_SECONDS_PER_CHILD = 1 / 25_000
_SECONDS_PER_TOKEN = 0.45
_AFTER_PEOPLE = {"vocabulary": 0.2, "indexes": 0.1}  # of the people phase's time
_CHILDREN_EXPECTED = 20_000  # until the people phase says how many
_TOKENS_EXPECTED = 6  # one per training user, until the tokens phase says how many


def describe(phase: str, done: int, total: int) -> str:
    if phase == "people":
        return f"Building the training directory: {done:,} of {count(total, 'child', 'children')}"
    if phase == "vocabulary":
        return f"Building the training directory: name vocabulary, {done:,} of {total:,}"
    if phase == "indexes":
        return f"Building the training directory: search indexes, {done:,} of {total:,}"
    if phase == "tokens":
        return f"Making training security tokens: {done:,} of {total:,}"
    return f"Setting up the training directory: {phase}, {done:,} of {total:,}"


class OverallProgress:
    def __init__(self) -> None:
        self.first: int | None = None  # index of the first phase this run reported
        self.totals: dict[str, int] = {}
        self.value = 0

    def _seconds(self, phase: str) -> float:
        people = self.totals.get("people", _CHILDREN_EXPECTED) * _SECONDS_PER_CHILD
        if phase == "people":
            return people
        if phase == "tokens":
            return self.totals.get("tokens", _TOKENS_EXPECTED) * _SECONDS_PER_TOKEN
        return _AFTER_PEOPLE[phase] * people

    def update(self, phase: str, done: int, total: int) -> tuple[int, str]:
        """(bar value 0..SCALE, text). ``done`` is clamped to ``0..total``; the value never goes back."""
        total = max(int(total), 0)
        done = min(max(int(done), 0), total)
        if phase not in PHASES:
            return self.value, describe(phase, done, total)
        if phase in ("people", "tokens"):
            self.totals[phase] = total
        at = PHASES.index(phase)
        if self.first is None or at < self.first:
            self.first = at
        span = sum(self._seconds(p) for p in PHASES[self.first:])
        before = sum(self._seconds(p) for p in PHASES[self.first:at])
        part = done / total if total else 1.0
        value = round(SCALE * (before + self._seconds(phase) * part) / span) if span else SCALE
        self.value = max(self.value, min(value, SCALE))
        return self.value, describe(phase, done, total)
