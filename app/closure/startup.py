"""Closure at sign-in, with no Qt (R-CLOSE-1).

After a sign-in, ``switched_off`` decides whether the switch-off has come: then the LA team gets
only the closure tasks and everyone else is told to hand in their token.  After a refused sign-in,
``may_enter_offline`` says whether the refusal is one after which the LA team user who prepared
closure on this workstation still reaches the closure tasks -- the directory refuses every sign-in
(switched off), or cannot be reached at all (the network gone: in 2010 the switch-off was done by
disconnecting it) -- and ``enter_offline`` (on a worker) checks their PIN on their own token and
that the closure store names them.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from app.closure import mode as closure_mode
from app.closure.loading import Prepared, facts_of, store_exists
from app.directory.interface import DirectoryStatus, ServiceClosed, Unreachable
from app.paths import Paths
from app.token.service import TokenService

log = logging.getLogger(__name__)
TOKEN_TIMEOUT_S = 30


def switched_off(status: DirectoryStatus | None, now: datetime,
                 environ: Mapping[str, str] | None = None) -> datetime | None:
    """When the switch-off came, if it has: ``SIGNPOST_SWITCH_OFF`` or the directory's own ``closes_at``,
    whichever is reached first; None before it.  A switch-off setting that is not a time is logged and
    ignored."""
    closes_at = status.closes_at if status is not None else None
    said = {"closes_at": datetime.fromtimestamp(closes_at, UTC).isoformat()} if closes_at else None
    try:
        mode = closure_mode.closure_mode(now, status=said, environ=environ)
    except closure_mode.ModeError as exc:
        log.warning("closure switch-off not understood: %s", exc)
        mode = None
    if mode is not None and mode.closed:
        return mode.switch_off or now
    if closes_at is not None and now.timestamp() >= closes_at:
        return datetime.fromtimestamp(closes_at, UTC)
    return None


def may_enter_offline(exc: BaseException, paths: Paths) -> bool:
    """After this refused sign-in, may the LA team user who prepared closure here still reach it?
    Only when the directory refuses every sign-in because it is switched off, or cannot be reached at
    all (no connection, no route, no answer: not a certificate that fails to verify, nor a service
    answering with an error), and closure was prepared on this workstation."""
    return isinstance(exc, (ServiceClosed, Unreachable)) and store_exists(paths)


def enter_offline(tokens: TokenService, paths: Paths, keystore, username: str, serial: str, pin: str, *,
                  service_closed: bool, now: datetime | None = None) -> Prepared | None:
    """On a worker: the PIN checked on the token itself, then the closure store opened; ``None`` unless
    the store names ``username`` as the LA team user who prepared closure here. ``service_closed``: the
    directory said it is switched off (remembered in the store); otherwise it could not be reached, which
    may pass, so the store keeps only what it knew."""
    from app.closure.store import ClosureStore
    tokens.login(serial, pin).result(TOKEN_TIMEOUT_S)
    tokens.logout(serial).result(TOKEN_TIMEOUT_S)
    store = ClosureStore.open(paths, keystore)
    register = store.register()
    if store.doc("opened_on_demand_by") != username or register is None:
        store.close()
        return None
    mode = closure_mode.closure_mode(now or datetime.now(UTC), store=store, service_closed=service_closed)
    return Prepared(store, register, store.checklist(), mode, None, facts_of(store))
