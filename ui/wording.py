"""The words a person reads for the engine's codes: one place for each.

Qt-free, so the tests can check every code has its words.
"""
from __future__ import annotations

from app.model import Colleague, Match

EXACT = "Exact"

MATCH_WORDS: dict[Match, str] = {  # R-SEARCH-4: how each result differs from what was searched
    Match.SOUNDS_LIKE: "Sounds like",
    Match.SPELLING: "Spelling differs",
    Match.FORMER_NAME: "Former name",
    Match.NAME_PART: "Part of the family name",
    Match.ALTERNATIVE_NAME: "Also known as (alternative given name)",
    Match.NICKNAME: "Nickname",
    Match.DOB_SWAPPED: "Day and month swapped",
    Match.DOB_OFF_BY_A_DAY: "Date differs by a day",
    Match.NAMES_SWAPPED: "Given and family names swapped",
}

def match_words(match: tuple[Match, ...], only_loose: bool = False) -> str:
    """"Exact" for no difference, else each difference in words, joined with ", ". When no result of the
    search matched closely (``only_loose``), a loose one says so first: "Loose match: nickname"."""
    if not match:
        return EXACT
    words = ", ".join(MATCH_WORDS[m] for m in match)
    return f"Loose match: {words.lower()}" if only_loose and any(m.loose for m in match) else words


def only_loose(hits) -> bool:
    """Every result was found only through something near what was typed (R-SEARCH-4): it may be another child."""
    return bool(hits) and all(h.loose for h in hits)


def found_words(hits) -> str:
    """The result count line: how many children match, and, when none matches closely, how loosely they do."""
    n = len(hits)
    if only_loose(hits):
        kinds = ", ".join(dict.fromkeys(MATCH_WORDS[m].lower() for h in hits for m in h.match if m.loose))
        return (f"No child matches exactly. {count(n, 'child matches', 'children match')} only loosely ({kinds}), "
                f"so {'it' if n == 1 else 'each'} may be a different child: check the date of birth and the other "
                "details before you rely on it.")
    return f"{count(n, 'child matches', 'children match')}. Open a result to see who is working with them."


def count(n: int, one: str, many: str | None = None) -> str:
    """"1 minute", "10 minutes"; ``many`` for irregular plurals ("1 child", "3 children")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def acting_for(colleague: Colleague | None) -> str:
    """"for Dr Ann Lee (Northbridge CAMHS)", or "" when not acting for anyone (R-ROLE-2)."""
    if colleague is None or not colleague.name:
        return ""
    return f"for {colleague.name} ({colleague.organisation})" if colleague.organisation else f"for {colleague.name}"


def opened_words(view, acting: str = "", offline_from: str = "", unconfirmed: bool = False) -> str:
    """What a screen reader is told when a record opens: what the screen says above it, never a detail the
    directory withheld (R-SHIELD-1: a shielded child's record says only that it is shielded; an offline copy
    not confirmed since it was made, R-SHIELD-2/4, and a brother's or sister's record a shield in the household
    holds, R-SHIELD-1/2, say why they show less)."""
    words = [f"Record opened {acting}".strip() + "."]
    if offline_from:
        words.append(f"Offline copy from {offline_from}: it may be out of date.")
    if getattr(view, "override", False):
        words.append("Shown in full under a child-protection override, until you leave it.")
    elif unconfirmed:
        words.append("Shown as a shielded record would be, until the directory confirms this copy.")
    elif getattr(view, "household_withheld", False):
        words.append("The family's address and the parents' and carers' details are not shown for now.")
    elif getattr(view, "shield_applied", False):
        words.append("Shielded: only the child's name, date of birth, gender and directory id are shown.")
    return " ".join(words)
