"""First-run progress as one bar across every phase (Qt-free).

The generator and the token set-up report ``(phase, done, total)`` per phase.
A person sees one bar that only ever moves forward, from the first phase this
run reports to the last, and a line saying what is being done in real units.
Phases a run skips (tokens only, say) are not counted: the bar starts from
the first phase it hears about.
"""
from __future__ import annotations

from .wording import count

SCALE = 1000  # the bar's maximum
PHASES = ("people", "vocabulary", "indexes", "tokens")
_WEIGHT = {"people": 70, "vocabulary": 8, "indexes": 17, "tokens": 5}  # about where the time goes


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
        self.value = 0

    def update(self, phase: str, done: int, total: int) -> tuple[int, str]:
        """(bar value 0..SCALE, text). ``done`` is clamped to ``0..total``; the value never goes back."""
        total = max(int(total), 0)
        done = min(max(int(done), 0), total)
        if phase not in _WEIGHT:
            return self.value, describe(phase, done, total)
        at = PHASES.index(phase)
        if self.first is None or at < self.first:
            self.first = at
        counted = PHASES[self.first:]
        span = sum(_WEIGHT[p] for p in counted)
        before = sum(_WEIGHT[p] for p in PHASES[self.first:at])
        part = done / total if total else 1.0
        value = round(SCALE * (before + _WEIGHT[phase] * part) / span)
        self.value = max(self.value, min(value, SCALE))
        return self.value, describe(phase, done, total)
