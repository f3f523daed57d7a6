"""The words closure prints and shows for its codes, and its times (R-CLOSE-3..5), Qt-free.

One home for them: the documents (``app.closure.outputs``) print these words and the wizard's pages
show the same ones, so a manifest never says ``la_team`` where the screen says "by the LA team".
Times are shown in Europe/London with the zone (``BST``/``GMT``), whatever the workstation's own zone.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

STATE = {"collected": "Collected", "missing": "Missing", "lost": "Lost", "destroyed": "Destroyed",
         "returned_blocked": "To return as blocked", "returned": "Returned"}
HOW = {"holder": "by the holder", "la_team": "by the LA team"}
OWNER = {"la_team": "LA team", "project_lead": "Project lead", "communications": "Communications",
         "it_data": "IT and data", "data_protection": "Data protection", "records_manager": "Records manager",
         "finance": "Finance"}
STATUS = {"to_do": "To do", "done": "Done", "not_applicable": "Not applicable"}


def used(value: bool | None) -> str:
    return "Used" if value else "Unused" if value is False else "Not known"


def state(code: str) -> str:
    return STATE.get(code, code)


def how(code: str | None) -> str:
    return HOW.get(code or "", "")


def owner(code: str) -> str:
    return OWNER.get(code, code)


def status(code: str) -> str:
    return STATUS.get(code, code)


def day(d: date | str | None) -> str:
    """``7 Aug 2026`` (a date, or the date part of an ISO date or time)."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        try:
            return day(date.fromisoformat(d[:10]))
        except ValueError:
            return d
    return f"{d.day} {d:%b %Y}"


def when(moment: datetime | str | None) -> str:
    """``7 Aug 2026 11:00 BST``: an ISO time (naive means UTC, as the store writes them) in Europe/London."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            return when(datetime.fromisoformat(moment.replace("Z", "+00:00")))
        except ValueError:
            return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"
