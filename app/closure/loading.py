"""Getting closure ready, off the GUI thread (R-CLOSE-1, R-CLOSE-3).

``prepare`` runs on a worker: it opens the encrypted closure store, decides the closure mode (with no
network call), opens the tasks on demand for the LA team before switch-off, and, while the directory
answers, takes the LA's register from it (setting closure up there the first time, with the tokens the
LA's users were issued) and sends it the steps made here that it does not have yet (``app.closure.sync``).
When the directory cannot be reached the store is all there is: the wizard works from it with no network,
and the steps made meanwhile wait for the directory.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.closure.register import Register

log = logging.getLogger(__name__)
DEFAULT_LEAD_DAYS = 28  # with no switch-off known yet: a date to start from, changed on the overview


@dataclass
class Prepared:
    store: Any
    register: Register
    checklist: Any
    mode: Any
    synced: Any = None  # app.closure.sync.Synced, when the directory was asked
    facts: dict | None = None  # what the store keeps from the directory: the LA's contact, its organisations


def facts_of(store) -> dict:
    """What the wizard shows from the directory, as last kept (works with no network)."""
    return {name: store.doc(name) for name in ("la_contact", "organisations", "directory")}


def prepare(paths, keystore, *, actor: str, la_code: str, la_team: bool, on_demand: bool, directory=None,
            viewer=None, now: datetime | None = None, today: date | None = None) -> Prepared:
    from app.closure import mode as closure_mode
    from app.closure import sync
    from app.closure.store import ClosureStore
    from app.directory.interface import DirectoryUnavailable
    from app.refusals import Refusal
    now = now or datetime.now(UTC)
    today = today or now.date()
    store = ClosureStore.open(paths, keystore)
    try:
        mode = closure_mode.closure_mode(now, store=store)
        if on_demand and not mode.tasks_open:
            closure_mode.open_on_demand(store, actor, la_team, now)
            mode = closure_mode.closure_mode(now, store=store)
        when = mode.switch_off.date() if mode.switch_off else today + timedelta(days=DEFAULT_LEAD_DAYS)
        synced = None
        if directory is not None:
            try:
                synced = sync.join(store, directory, viewer, actor, when)
            except (DirectoryUnavailable, Refusal, TimeoutError) as exc:  # said on the overview: this desk's copy
                log.warning("closure register not read from the directory: %s", exc)
                synced = sync.Synced(store.register(), store.checklist(), (), (), False, exc,
                                     len(store.pending()) if store.register() is not None else 0)
        if store.register() is None:  # nothing from the directory and nothing here yet
            store.setup(la_code, [], when, actor)
            store.write(actor, "closure_set_up_here", docs={"la": la_code},
                        detail={"why": "the directory did not answer"})
        return Prepared(store, store.register_set_up(), store.checklist(), mode, synced, facts_of(store))
    except BaseException:
        store.close()
        raise


def store_exists(paths) -> bool:
    from app.closure.store import store_path
    p = store_path(paths)
    return p.exists() and p.stat().st_size > 0
