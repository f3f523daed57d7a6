"""Directory ids (R-REC-1): ten digits, the last a modulus-11 check digit.

The id never changes and is never reused; it is shown as ``123 456 7890``.
The check digit catches a mistyped digit or two swapped digits before a
search is even made.
"""
from __future__ import annotations

import re

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(nine: int) -> int | None:
    """The check digit for a nine-digit stem, or None if the stem can't have one."""
    digits = f"{nine:09d}"
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def from_stem(nine: int) -> int | None:
    c = check_digit(nine)
    return None if c is None else nine * 10 + c


def parse(text: str) -> int | None:
    """A valid id from what a user typed (spaces and dashes allowed), else None."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{10}", digits):
        return None
    value = int(digits)
    return value if from_stem(value // 10) == value else None


def fmt(value: int) -> str:
    s = f"{value:010d}"
    return f"{s[:3]} {s[3:6]} {s[6:]}"


def shown(text: str) -> str:
    """An id already found in the directory, as it is shown (``123 456 7890``); ValueError if it is not an id."""
    value = parse(text)
    if value is None:
        raise ValueError("not a directory id")
    return fmt(value)
