"""The one home of the 29-February rule: a date some years on, and who has reached an age by a day.

In England a person born on 29 February attains an age on 1 March in a year without one, so an anniversary
of 29 February falls on 1 March there (retention, archive dates, a check's expiry); and the children who have
reached an age by a day are those born on or before the latest date whose anniversary is not after it (the
search's age range, the retention sweep, the generator and the training cast's dates of birth).
"""
from __future__ import annotations

from datetime import date


def anniversary(day: date, years: int) -> date:
    """``day`` moved on by ``years``; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def latest_reaching(today: date, years: int) -> date:
    """The latest date D with ``anniversary(D, years) <= today``: whoever was born on or before it has reached
    ``years`` by ``today`` (on 29 February, 28 February that many years before, since 29 February's is 1 March)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)
