"""What a batch's answer says (issue 17 item 6): to its source, and to the LA data team.

``BatchReport`` is the only answer a source ever gets (supply is one way: seed 003, 4.3): how many rows it
received, accepted and rejected, and each rejected row's reasons. It is built from the parse alone
(``records.Parsed``), before and without matching, so it cannot carry anything the directory holds: not
whether a row matched a child, nor which, nor that a shielded child was near (R-SHIELD-1/4/5). The LA team's
own ``la_summary`` counts links, new children and rows waiting for its decision; a row held beside a
shielded child counts as waiting, like any other (the review screen shows more to whoever may see it).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .formats import FeedKind
from .matching.matcher import Decision, Outcome
from .records import Parsed, Rejection


@dataclass(frozen=True)
class BatchReport:
    source: str
    batch_id: str
    kind: FeedKind
    received: int
    accepted: int
    rejected: int
    rejections: tuple[Rejection, ...]

    def as_json(self) -> dict:
        return {"source": self.source, "batch_id": self.batch_id, "kind": self.kind.value, "received": self.received,
                "accepted": self.accepted, "rejected": self.rejected,
                "rejections": [asdict(r) for r in self.rejections]}


def batch_report(source: str, batch_id: str, kind: FeedKind, parsed: Parsed) -> BatchReport:
    return BatchReport(source, batch_id, kind, parsed.received, len(parsed.records), parsed.rejected_rows,
                       parsed.rejections)


def la_summary(decisions: Iterable[Decision]) -> dict[str, int]:
    """Counts for the LA data team's batch list: linked, new, waiting for review (quarantine included)."""
    counts = Counter(d.outcome for d in decisions)
    return {"linked": counts[Outcome.LINK], "new": counts[Outcome.NEW],
            "waiting_for_review": counts[Outcome.REVIEW] + counts[Outcome.QUARANTINE]}
