"""Getting closure ready, off the GUI thread (R-CLOSE-1, R-CLOSE-3).

``prepare`` runs on a worker: it opens the encrypted closure store, decides the closure mode (with no
network call), opens the tasks on demand for the LA team before switch-off, sets closure up the first
time (the LA, the switch-off date, the default plan), and adds the tokens the directory says the LA
issued that the register does not hold yet.  After switch-off the store is all there is: the wizard
works from it with no network.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.closure.register import Register

DEFAULT_LEAD_DAYS = 28  # with no switch-off known yet: a date to start from, changed on the overview


@dataclass
class Prepared:
    store: Any
    register: Register
    checklist: Any
    mode: Any
    added: int


def prepare(paths, keystore, *, actor: str, la: str, la_team: bool, issued: Iterable[Any] | None,
            on_demand: bool, now: datetime | None = None, today: date | None = None) -> Prepared:
    from app.closure import mode as closure_mode
    from app.closure.store import ClosureStore
    now = now or datetime.now(UTC)
    today = today or now.date()
    store = ClosureStore.open(paths, keystore)
    try:
        mode = closure_mode.closure_mode(now, store=store)
        if on_demand and not mode.tasks_open:
            closure_mode.open_on_demand(store, actor, la_team, now)
            mode = closure_mode.closure_mode(now, store=store)
        if store.register() is None:
            when = mode.switch_off.date() if mode.switch_off else today + timedelta(days=DEFAULT_LEAD_DAYS)
            store.setup(la, [], when, actor)
        added = 0
        if issued:
            from app.closure.sources import fill_from_directory
            added = len(fill_from_directory(store, issued, actor).added)
        return Prepared(store, store.register(), store.checklist(), mode, added)
    except BaseException:
        store.close()
        raise


def store_exists(paths) -> bool:
    from app.closure.store import store_path
    p = store_path(paths)
    return p.exists() and p.stat().st_size > 0
