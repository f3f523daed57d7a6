"""When the client is in closure (R-CLOSE-1).

The switch-off time comes from, first found wins:

1. ``SIGNPOST_SWITCH_OFF`` (an ISO date-time, e.g. ``2026-08-06T12:00``) -- for
   the embedded training directory and for rehearsals;
2. the directory service's status (``RemoteDirectory.probe()`` -> ``closes_at``), or
   a ``ServiceClosed`` error from any call (the service has switched off);
3. what was remembered in the closure store from an earlier run (1 or 2 above,
   or the date the LA team set up closure with) -- so closure works with no
   network at all.

A switch-off always has a time: one written without a zone is Europe/London
time (the LA's clock), and a date alone means noon there, when the national
service was switched off (seed 000: "at noon on 6 August 2010") -- not the
midnight before.

From the switch-off on, ``closed`` is True: searching and viewing stop for
everyone and only closure tasks are offered (the engine itself refuses
search/view after switch-off; this decides what the client shows).  Before
it, the LA team may open the closure tasks on demand to prepare
(``open_on_demand``); that does not close the directory for anyone.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ENV = "SIGNPOST_SWITCH_OFF"
LOCAL = ZoneInfo("Europe/London")  # the LA's clock: what a switch-off time without a zone means
SWITCH_OFF_TIME = time(12, 0)  # a switch-off date alone: noon (seed 000)
SERVICE_CLOSED, SWITCHED_OFF, ON_DEMAND, OPEN = "service_closed", "switched_off", "on_demand", "open"


class ModeError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ClosureMode:
    closed: bool  # switch-off reached: no search/view, closure tasks only
    why: str  # SERVICE_CLOSED | SWITCHED_OFF | ON_DEMAND | OPEN
    switch_off: datetime | None  # when (UTC), if known
    tasks_open: bool  # closure tasks available: closed, or opened on demand by the LA team


def parse_when(text: str) -> datetime:
    """An ISO date-time (with a zone, or without one: Europe/London) or an ISO date (noon, Europe/London),
    as UTC."""
    t = str(text).strip()
    try:
        if len(t) == 10:
            return datetime.combine(date.fromisoformat(t), SWITCH_OFF_TIME, tzinfo=LOCAL).astimezone(UTC)
        when = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise ModeError("switch_off_invalid", f"'{text}' is not a date and time (write it like 2026-08-06T12:00).") \
            from None
    return (when if when.tzinfo else when.replace(tzinfo=LOCAL)).astimezone(UTC)


def when_words(when: datetime) -> str:
    """A switch-off as the LA reads it: "12:00 on 6 August 2010" (Europe/London)."""
    local = when.astimezone(LOCAL)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def switch_off_time(*, store=None, status: Mapping | None = None,
                    environ: Mapping[str, str] | None = None) -> datetime | None:
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return parse_when(env[ENV])
    if status and status.get("closes_at"):
        return parse_when(status["closes_at"])
    if store is not None:
        remembered = store.doc("switch_off_at") or store.doc("switch_off")
        if remembered:
            return parse_when(remembered)
    return None


def closure_mode(now: datetime, *, store=None, status: Mapping | None = None, service_closed: bool = False,
                 environ: Mapping[str, str] | None = None) -> ClosureMode:
    """Decide the mode with no network call (``status`` is what the probe last said, if anything).
    A switch-off seen from the service or the environment is remembered in ``store``, so a later
    start with no network is in closure too."""
    when = switch_off_time(store=store, status=status, environ=environ)
    if store is not None:
        if when is not None and store.doc("switch_off_at") != when.isoformat():
            store.write("closure", "switch_off_known", docs={"switch_off_at": when.isoformat()},
                        detail={"switch_off_at": when.isoformat()})
        if service_closed and not store.doc("service_closed_seen"):
            store.write("closure", "service_closed_seen", docs={"service_closed_seen": now.isoformat()},
                        detail={"at": now.isoformat()})
        service_closed = service_closed or bool(store.doc("service_closed_seen"))
    if service_closed:
        return ClosureMode(True, SERVICE_CLOSED, when, True)
    if when is not None and now >= when:
        return ClosureMode(True, SWITCHED_OFF, when, True)
    if store is not None and store.doc("opened_on_demand_by"):
        return ClosureMode(False, ON_DEMAND, when, True)
    return ClosureMode(False, OPEN, when, False)


def open_on_demand(store, username: str, la_team: bool, now: datetime) -> None:
    """The LA team opens the closure tasks before switch-off, to prepare (R-CLOSE-1).  Only the LA
    team may; the directory stays open for everyone else."""
    if not la_team:
        raise ModeError("la_team_only", "Only the LA team can open closure before switch-off.")
    store.write(username, "closure_opened_on_demand",
                docs={"opened_on_demand_by": username, "opened_on_demand_at": now.isoformat()},
                detail={"at": now.isoformat()})
