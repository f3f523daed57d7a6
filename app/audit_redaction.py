"""Audit entries cut to what the reading LA team may see (R-SENS-3, R-ROLE-3; issue 13 §1.6). No Qt here.

An LA team reads the entries that concern its LA: its own users' and its own records'. One of its own
practitioners recording a sensitive service (sexual health, CAMHS, substance misuse) for another LA's child
must not tell the team that child has that service, who provides it, or who consented: only the child's own
LA team sees it in full. So an entry naming a sensitive service for a child that is not the reader's LA's
(or whose LA can no longer be told) keeps its place, actor, time and the rest of its detail, but not those
fields; ``WITHHELD`` lists which were cut.

A cut entry's leaf hash can no longer be recomputed from what is shown, so an archive carries the leaf the
directory recorded for it: its inclusion proof still holds, and the verifier counts it as redacted
(``app.audit_archive.verify``).
"""
from __future__ import annotations

import dataclasses

from . import directory_id as ids
from .audit import Entry
from .model import ServiceType

WITHHELD = "_withheld"
# what an entry may say about a sensitive service, and is cut from another LA's team
SENSITIVE_DETAIL = ("service", "consent", "organisation", "practitioner", "role", "phone", "email")


def _sensitive(service) -> bool:
    try:
        return ServiceType(service).sensitive
    except ValueError:
        return False


class ForTeam:
    """Cuts entries for one LA team's reading, looking each child's LA up once."""

    def __init__(self, conn, la_code: str) -> None:
        self.conn = conn
        self.la_code = la_code
        self._las: dict[str, str | None] = {}

    def child_la(self, shown) -> str | None:
        if not isinstance(shown, str):
            return None
        if shown not in self._las:
            try:
                number = ids.parse(shown)
            except (ValueError, TypeError):
                number = None
            row = None if number is None else self.conn.execute(
                "SELECT la_code FROM children WHERE directory_id = ?", (number,)).fetchone()
            self._las[shown] = row[0] if row else None
        return self._las[shown]

    def __call__(self, entry: Entry) -> Entry:
        detail = entry.detail
        if not isinstance(detail, dict) or not _sensitive(detail.get("service")):
            return entry
        if self.child_la(detail.get("directory_id")) == self.la_code:  # the child's own LA team: in full
            return entry
        cut = sorted(k for k in detail if k in SENSITIVE_DETAIL)
        kept = {k: v for k, v in detail.items() if k not in SENSITIVE_DETAIL}
        return dataclasses.replace(entry, detail={**kept, WITHHELD: cut})


def redacted(entry: Entry) -> bool:
    return isinstance(entry.detail, dict) and WITHHELD in entry.detail
