"""Every change to the closure register and checklist, as a step (R-CLOSE-3..5, R-AUDIT-1).

A step is plain data: ``{"id", "kind", "by", "at", "where", ...its arguments}``.  ``KINDS`` names each
kind's arguments and their types, and ``apply`` makes the change through ``Register`` and ``Checklist``,
which refuse anything wrong with a coded error.  The same step is applied twice, by the same code: on the
workstation at once (the person sees the change, or why not) and by the directory, which holds the LA's
register when it answers (``app.directory.work.closure``), so that several LA officers on several
workstations work on one register over days.  The directory applies the step to its own copy and
records it with who and where in its audit; each workstation keeps the directory's answer as its
encrypted offline copy, and the steps it made offline until the directory has them.

A step's ``id`` is its idempotency key: sent twice, it is done once.  ``by`` is taken from the signed-in
user by the directory (never from the step); ``at`` is when it was done at the workstation (a reset
verified offline keeps its own time); ``where`` names the workstation.  Qt-free.
"""
from __future__ import annotations

import platform
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.closure.plan import DONE, Checklist, PlanError
from app.closure.register import RETURNED_BLOCKED, Register, RegisterError

ENVELOPE_SIZE = 50  # tokens per envelope when the wizard fills them (R-CLOSE-4)
MAX_WHERE = 60
MAX_CSV = 1_000_000
AUDIT_ITEM = "export_directory_audit"  # the checklist item a verified directory audit export ticks (R-AUDIT-3)


class StepError(ValueError):
    """A step that does not have the shape its kind needs; ``code`` for callers."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Kind:
    args: tuple[tuple[str, type], ...]
    change: Callable[[Register, Checklist, dict, str, datetime], Any]
    directory_only: bool = False  # made by the directory from its own data (the workstation waits for it)


def _at(step: dict) -> datetime:
    try:
        moment = datetime.fromisoformat(str(step["at"]))
    except (KeyError, ValueError):
        raise StepError("step_invalid", "The step has no usable time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StepError("step_invalid", f"'{text}' is not a date.") from None


def _switch_off(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    day = _day(a["day"])
    c.switch_off = day
    r.return_deadline = c.plan.return_deadline(day)


def _reset(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    r.record_reset(a["serial"], a["how"], by, at)


def _blocked(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    r.token(a["serial"])
    r.set_state(a["serial"], RETURNED_BLOCKED)


def _new_envelope(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    r.new_envelope(a["envelope"], a["organisation"], a["used"])


def _put(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    """Into the envelope named (made first, for its organisation and use, if it does not exist yet)."""
    t = r.token(a["serial"])
    if a["envelope"] not in r.envelopes:
        if t.used is None:
            raise RegisterError("used_unknown", f"Say whether token {t.serial} was used before it goes in an envelope.")
        r.new_envelope(a["envelope"], t.organisation, t.used)
    r.put_in_envelope(t.serial, a["envelope"])


def _mark(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    if a["item"] == AUDIT_ITEM and a["status"] == DONE:
        raise PlanError("audit_export_needed", "This item is done by exporting the LA's directory audit archive and "
                                               "verifying it (Save the closure documents), not by hand.")
    c.mark(a["item"], a["status"], by, at, a["notes"])


def _audit_exported(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> None:
    """A verified export of the LA's directory audit archive (R-AUDIT-3): ticks its checklist item."""
    if not a["verified"]:
        raise PlanError("audit_export_unverified", "The exported audit archive did not verify: export it again.")
    note = (f"Exported and verified: {a['entries']:,} entries, checkpoint of {a['checkpoint']:,}, "
            f"key {a['key'][:16]}")
    if any(i.key == AUDIT_ITEM for i in c.plan.items):
        c.mark(AUDIT_ITEM, DONE, by, at, note)
    c.audit_export = {"at": at.isoformat(timespec="seconds"), "by": by, "entries": a["entries"],
                      "checkpoint": a["checkpoint"], "key": a["key"]}


def _adopt(r: Register, c: Checklist, a: dict, by: str, at: datetime) -> tuple[Register, Checklist]:
    """The register this workstation kept before the directory held one: the directory takes it as is."""
    return Register.from_json(a["register"]), Checklist.from_json(a["checklist"])


KINDS: dict[str, Kind] = {
    "set_switch_off": Kind((("day", str),), _switch_off),
    "set_partners": Kind((("partners", list),), lambda r, c, a, by, at: r.set_partners(a["partners"])),
    "set_sender": Kind((("lines", list),), lambda r, c, a, by, at: r.set_sender(a["lines"])),
    "import_tokens": Kind((("csv", str),), lambda r, c, a, by, at: r.import_csv(a["csv"])),
    "set_used": Kind((("serial", str), ("used", bool)), lambda r, c, a, by, at: r.set_used(a["serial"], a["used"])),
    "set_state": Kind((("serial", str), ("state", str)),
                      lambda r, c, a, by, at: r.set_state(a["serial"], a["state"])),
    "record_reset": Kind((("serial", str), ("how", str)), _reset),
    "returned_blocked": Kind((("serial", str),), _blocked),
    "new_envelope": Kind((("envelope", str), ("organisation", str), ("used", bool)), _new_envelope),
    "put_in_envelope": Kind((("serial", str), ("envelope", str)), _put),
    "take_out": Kind((("serial", str),), lambda r, c, a, by, at: r.take_out(a["serial"])),
    "seal": Kind((("envelope", str), ("counted", int), ("scanned", list)),
                 lambda r, c, a, by, at: r.seal(a["envelope"], a["counted"], a["scanned"], by, at)),
    "unseal": Kind((("envelope", str),), lambda r, c, a, by, at: r.unseal(a["envelope"])),
    "labels_made": Kind((("envelopes", list),), lambda r, c, a, by, at: r.labels_made(a["envelopes"], at)),
    "send": Kind((("envelope", str), ("reference", str), ("sent_on", str)),
                 lambda r, c, a, by, at: r.send(a["envelope"], a["reference"], _day(a["sent_on"]))),
    "mark": Kind((("item", str), ("status", str), ("notes", str)), _mark),
    "add_item": Kind((("item", str), ("title", str), ("owner", str), ("offset", int)),
                     lambda r, c, a, by, at: c.add_item(a["item"], a["title"], a["owner"], a["offset"])),
    "remove_item": Kind((("item", str),), lambda r, c, a, by, at: c.remove_item(a["item"])),
    "rename_item": Kind((("item", str), ("title", str)), lambda r, c, a, by, at: c.rename_item(a["item"], a["title"])),
    "set_offset": Kind((("item", str), ("offset", int)),
                       lambda r, c, a, by, at: c.set_offset(a["item"], a["offset"])),
    "audit_exported": Kind((("entries", int), ("checkpoint", int), ("key", str), ("verified", bool)),
                           _audit_exported),
    # made by the directory alone: setting closure up there, giving it this workstation's register, and
    # adding the tokens its users were issued since (the workstation reads the directory's answer back)
    "setup": Kind((("day", str),), lambda r, c, a, by, at: _day(a["day"]), directory_only=True),
    "adopt": Kind((("register", str), ("checklist", str)), _adopt, directory_only=True),
    "fill_from_directory": Kind((), lambda r, c, a, by, at: None, directory_only=True),
}
_FRAME = ("id", "kind", "by", "at", "where")


def workstation() -> str:
    """This workstation's name, as each step records where it was done."""
    return (platform.node() or "this workstation")[:MAX_WHERE]


def make(kind: str, by: str, *, at: datetime | None = None, where: str | None = None, **args: Any) -> dict:
    """A new step (checked: ``StepError`` if its arguments do not fit its kind)."""
    step = {"id": uuid.uuid4().hex, "kind": kind, "by": by,
            "at": (at or datetime.now(UTC)).isoformat(timespec="seconds"), "where": where or workstation(), **args}
    check(step)
    return step


def check(step: Any) -> dict:
    """The step's arguments, if it has exactly the fields its kind needs with the right types."""
    if not isinstance(step, dict) or not isinstance(step.get("kind"), str) or step["kind"] not in KINDS:
        raise StepError("step_unknown", "That is not a closure step this version of Signpost knows.")
    kind = KINDS[step["kind"]]
    if not all(isinstance(k, str) for k in step) or set(step) != set(_FRAME) | {name for name, _ in kind.args}:
        raise StepError("step_invalid", f"A {step['kind']} step needs exactly: {', '.join(n for n, _ in kind.args)}.")
    for name in _FRAME:
        if not isinstance(step[name], str) or not step[name] or len(step[name]) > 64 + MAX_WHERE:
            raise StepError("step_invalid", f"The step's {name} is missing or too long.")
    args = {}
    for name, tp in kind.args:
        value = step[name]
        if tp is int and (isinstance(value, bool) or not isinstance(value, int)) or not isinstance(value, tp):
            raise StepError("step_invalid", f"The step's {name} is not a {tp.__name__}.")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value) or \
                isinstance(value, str) and len(value) > MAX_CSV:
            raise StepError("step_invalid", f"The step's {name} is not usable.")
        args[name] = value
    _at(step)
    return args


def apply(register: Register, checklist: Checklist, step: dict, by: str | None = None) -> tuple[Register, Checklist]:
    """Make the step's change (``by``: who, where the directory knows better than the step); the register
    and checklist after it.  A refused step changes nothing: the change is made on copies first."""
    args = check(step)
    kind = KINDS[step["kind"]]
    r, c = Register.from_json(register.to_json()), Checklist.from_json(checklist.to_json())
    out = kind.change(r, c, args, by or step["by"], _at(step))
    if isinstance(out, tuple):
        r, c = out
    return r, c


def apply_in_place(register: Register, checklist: Checklist, step: dict) -> None:
    """``apply`` on the workstation's own objects, which the wizard's pages hold (refused: unchanged)."""
    r, c = apply(register, checklist, step)
    register.__dict__.update(r.__dict__)
    checklist.__dict__.update(c.__dict__)


def summary(step: dict) -> dict:
    """What an audit entry says about a step: its kind and the names of what it touched, never a CSV's rows."""
    kept = {k: v for k, v in step.items() if k not in ("id", "by", "at", "csv", "register", "checklist", "scanned")}
    if "scanned" in step:
        kept["scanned"] = len(step["scanned"])
    if "csv" in step:
        kept["csv_lines"] = step["csv"].count("\n")
    return kept
