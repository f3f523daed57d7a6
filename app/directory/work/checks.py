"""Bounds on what a client sends, applied by the engine before anything is stored (policy at the source).

Each refusal names the field, so the screen can point at it. Text is a name,
a role title, an organisation, a phone number or an e-mail address: one line,
no control characters, within its limit (R-REC-5: nothing here can carry
notes).
"""
from __future__ import annotations

import re
from datetime import date

from ...refusals import AccessRefused

NAME_CHARS = 100
ROLE_CHARS = 60
ORGANISATION_CHARS = 100
PHONE_CHARS = 20
EMAIL_CHARS = 120
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def text(value, limit: int, field: str, required: bool = True) -> str:
    """``value`` stripped, if it is one line of storable text within ``limit``; else a refusal naming ``field``."""
    if not isinstance(value, str):
        raise AccessRefused("input.required", field)
    if len(value) > limit:
        raise AccessRefused("input.too_long", field, limit=limit)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise AccessRefused("input.unusable", field) from None
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise AccessRefused("input.one_line", field)
    value = " ".join(value.split())
    if required and not value:
        raise AccessRefused("input.required", field)
    return value


def phone(value, field: str = "phone", required: bool = True) -> str:
    value = text(value, PHONE_CHARS, field, required)
    if value and not _PHONE.match(value):
        raise AccessRefused("input.phone", field)
    return value


def email(value, field: str = "email", required: bool = True) -> str:
    value = text(value, EMAIL_CHARS, field, required)
    if value and not _EMAIL.match(value):
        raise AccessRefused("input.email", field)
    return value


def day(value, field: str, not_after: date | None = None, not_before: date | None = None) -> date:
    if not isinstance(value, date):
        raise AccessRefused("input.required", field)
    if not_after is not None and value > not_after:
        raise AccessRefused("input.date_in_future", field)
    if not_before is not None and value < not_before:
        raise AccessRefused("input.date_too_early", field, earliest=not_before.isoformat())
    return value


def number(value, field: str, lo: int = 0, hi: int = 2**62) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value < hi:
        raise AccessRefused("input.required", field)
    return value
