"""This workstation's closure store and the directory's register, kept in step (R-CLOSE-1, R-CLOSE-3).

While the directory answers, the LA's register and checklist are the directory's: several LA officers at
several workstations work on one (``app.directory.work.closure``).  ``sync`` sends the steps made here that
the directory does not have yet (the store's ``pending`` journal, in order, each with its own idempotency
key, so a step re-sent after a lost answer is done once), then, when somebody else changed the register
meanwhile, reads the directory's and keeps it as this workstation's encrypted copy.  A step the directory
refuses (another desk got there first) is dropped and reported; when the directory cannot be reached the
steps wait, and the wizard works on the copy (R-CLOSE-1: closure works with no network).

``join`` is the first contact when the wizard opens: it sets closure up in the directory, or gives it the
register this workstation kept before the directory held one, adds the tokens the directory's users were
issued since, and keeps the directory's answer.  Qt-free; called on a worker thread (it waits on futures).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from app.closure import steps as closure_steps
from app.closure.plan import Checklist
from app.closure.register import Register
from app.directory.interface import DirectoryUnavailable
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.refusals import AccessRefused

log = logging.getLogger(__name__)
TIMEOUT_S = 30
DROPPED = ("closure.step_refused", "closure.step_invalid", "closure.step_in_future", "closure.not_set_up",
           "closure.already_set_up")  # the directory will never take these steps: dropped, not retried


@dataclass(frozen=True)
class Synced:
    register: Register | None  # None: not set up here yet and the directory not reached
    checklist: Checklist | None
    confirmed: tuple[str, ...]  # ids of the steps the directory has now
    refused: tuple[tuple[dict, AccessRefused], ...]  # steps it will never take, and why
    reached: bool  # False: the directory could not be reached; the steps left wait in the store
    problem: BaseException | None = None  # why it was not reached (or a refusal of the session itself)
    waiting: int = 0  # steps still to send
    directory: dict | None = None  # the directory's version, who changed it last and where, as last known


def _ask(directory, op, viewer, request, key: str | None = None):
    return directory.perform(op, viewer, request, key).result(TIMEOUT_S)


def mirror(store, actor: str, rec: t.ClosureRecord) -> None:
    """Keep the directory's register and checklist as this workstation's copy, with the steps still waiting
    to be sent made on it again (so the person never sees a change of theirs go and come back)."""
    with store.atomic():
        _mirror(store, actor, rec)


def _mirror(store, actor: str, rec: t.ClosureRecord) -> None:
    reg, cl = Register.from_json(rec.register), Checklist.from_json(rec.checklist)
    for step in store.pending():
        if not closure_steps.KINDS[step["kind"]].directory_only:
            try:
                reg, cl = closure_steps.apply(reg, cl, step)
            except (ValueError, KeyError) as exc:  # the directory will refuse it too; sync reports it then
                log.info("a waiting closure step no longer applies: %s", exc)
    store.write(actor, "closure_copy_from_directory", register=reg, checklist=cl,
                docs={"directory": {"version": rec.version, "by": rec.changed_by, "where": rec.changed_where,
                                    "at": rec.changed_at},
                      "la_contact": {"name": rec.la_name, "phone": rec.la_phone, "email": rec.la_email},
                      "organisations": list(rec.organisations), "la": rec.la_code},
                detail={"version": rec.version, "by": rec.changed_by, "where": rec.changed_where})


def sync(store, directory, viewer, actor: str, refresh: bool = False) -> Synced:
    """Send the waiting steps; read the directory's register back when others changed it too (``refresh``:
    look whether they did even when nothing was waiting here)."""
    version = (store.doc("directory") or {}).get("version", 0)
    confirmed: list[str] = []
    refused: list[tuple[dict, AccessRefused]] = []
    stale, problem = False, None
    try:
        for step in store.pending():
            try:
                done = _ask(directory, ops.CLOSURE_STEP, viewer, t.ClosureStep(step), step["id"])
            except AccessRefused as exc:
                if exc.code not in DROPPED:
                    raise  # the session, not the step: keep it for later
                refused.append((step, exc))
                store.write(actor, "closure_step_refused_by_directory", confirmed=(step["id"],),
                            detail={**closure_steps.summary(step), "refused": exc.params.get("refused", exc.code)})
                stale = True
                continue
            stale = stale or done.version != version + 1 or closure_steps.KINDS[step["kind"]].directory_only
            version = done.version
            store.write(actor, "closure_step_in_directory", confirmed=(step["id"],),
                        docs={"directory": {**(store.doc("directory") or {}), "version": version}},
                        detail={"kind": step["kind"], "version": version})
            confirmed.append(step["id"])
        if stale:
            mirror(store, actor, _ask(directory, ops.CLOSURE_RECORD, viewer, t.Nothing()))
        elif refresh:
            rec = _ask(directory, ops.CLOSURE_RECORD, viewer, t.Nothing())
            if rec.version != version:
                mirror(store, actor, rec)
    except (DirectoryUnavailable, AccessRefused, TimeoutError) as exc:
        problem = exc
    return Synced(store.register(), store.checklist(), tuple(confirmed), tuple(refused), problem is None, problem,
                  len(store.pending()), store.doc("directory"))


def join(store, directory, viewer, actor: str, switch_off: date) -> Synced:
    """First contact: the directory's register becomes this workstation's, set up there (from
    ``switch_off``) or taken from this workstation the first time, with the newly issued tokens added."""
    rec = _ask(directory, ops.CLOSURE_RECORD, viewer, t.Nothing())
    local = store.register()
    if rec.version == 0 and local is not None and local.tokens:
        # the register kept here, with every step made on it, becomes the directory's: those steps are in it
        adopt = closure_steps.make("adopt", actor, register=local.to_json(), checklist=store.checklist().to_json())
        store.write(actor, "closure_given_to_directory", steps=[adopt], detail={"tokens": len(local.tokens)},
                    confirmed=tuple(s["id"] for s in store.pending()))
    elif rec.version == 0:
        store.write(actor, "closure_set_up_in_directory", detail={"switch_off": switch_off.isoformat()},
                    steps=[closure_steps.make("setup", actor, day=switch_off.isoformat())])
    elif store.doc("directory") is None and local is not None and local.tokens:
        # kept here before this workstation knew the directory's: nothing lost, the directory's is used
        store.write(actor, "closure_copy_superseded", docs={"superseded_register": local.to_json()},
                    detail={"tokens": len(local.tokens)})
    store.write(actor, "closure_fill_asked", steps=[closure_steps.make("fill_from_directory", actor)])
    return sync(store, directory, viewer, actor)
