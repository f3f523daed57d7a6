"""The closure plan and its checklist (R-CLOSE-5).

``resources/closure_plan.json`` holds the default plan: seed 000's local
activities (annex A, sections 2 and 3), each with an owner role and a deadline
as days from the switch-off date, so the plan works for a closure in any year;
plus the transport PIN (R-CLOSE-2), the token return deadline (R-CLOSE-4,
seed 000: one week after switch-off), the address tokens are returned to
(seed 000's, another configurable) and the label sheet the labels are printed
on.  An LA edits its own copy of the plan
through ``Checklist`` (add, remove, rename an item, change an offset); every
edit is validated and refused with a coded ``PlanError``.

A ``Checklist`` is that plan dated from one switch-off date, with each item's
status (to do / done / not applicable), short evidence notes (closure
administration, never case information), and who marked it done and when.
It round-trips through JSON so a later session keeps it in the encrypted
closure store.  Qt-free.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from app import resources

PLAN_RESOURCE = "closure_plan.json"

OWNERS = ("la_team", "project_lead", "communications", "it_data", "data_protection",
          "records_manager", "finance")
TODO, DONE, NOT_APPLICABLE = "to_do", "done", "not_applicable"
STATUSES = (TODO, DONE, NOT_APPLICABLE)
MAX_TITLE = 120
MAX_NOTES = 500
MAX_ITEMS = 60
OFFSET_RANGE = (-90, 365)  # days before / after switch-off a local deadline may sit
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PIN = re.compile(r"^[0-9]{4,8}$")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # newline allowed in notes, nothing else


class PlanError(ValueError):
    """A plan or checklist change refused; ``code`` for callers, ``str`` for a person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _title(text: str) -> str:
    t = " ".join(str(text).split())
    if not t:
        raise PlanError("title_empty", "Give the item a title.")
    if len(t) > MAX_TITLE:
        raise PlanError("title_too_long", f"Keep the title to {MAX_TITLE} characters (it has {len(t)}).")
    return t


def _offset(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise PlanError("offset_invalid", "The deadline must be a whole number of days from switch-off.")
    lo, hi = OFFSET_RANGE
    if not lo <= days <= hi:
        raise PlanError("offset_out_of_range",
                        f"A deadline must fall between {-lo} days before and {hi} days after switch-off.")
    return days


def _owner(owner: str) -> str:
    if owner not in OWNERS:
        raise PlanError("owner_unknown", f"Owner must be one of: {', '.join(OWNERS)}.")
    return owner


def notes_text(text: str) -> str:
    """Evidence notes: short closure administration text, bounded and without control characters."""
    t = str(text).strip()
    if len(t) > MAX_NOTES:
        raise PlanError("notes_too_long",
                        f"Keep evidence notes to {MAX_NOTES} characters (these are {len(t)}); "
                        "record where the evidence is, not case information.")
    if _CONTROL.search(t):
        raise PlanError("notes_invalid", "Evidence notes may not contain control characters.")
    return t


@dataclass
class PlanItem:
    key: str
    title: str
    owner: str
    offset_days: int
    seed_date: str | None = None  # the seed's own deadline, if it gives one

    def validated(self) -> PlanItem:
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise PlanError("key_invalid", "An item key is 2-40 lower-case letters, digits or '_'.")
        return PlanItem(self.key, _title(self.title), _owner(self.owner), _offset(self.offset_days),
                        self.seed_date)


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of labels (mm): ``columns`` × ``rows`` labels of ``width`` × ``height``, the first one's top-left
    corner at (``left``, ``top``), the next ones ``pitch_x`` / ``pitch_y`` apart."""
    name: str
    page_width: float
    page_height: float
    width: float
    height: float
    columns: int
    rows: int
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    def __post_init__(self):
        fits = (self.columns >= 1 and self.rows >= 1 and self.width > 0 and self.height > 0
                and self.left >= 0 and self.top >= 0 and self.pitch_x >= self.width and self.pitch_y >= self.height
                and self.left + (self.columns - 1) * self.pitch_x + self.width <= self.page_width + 0.01
                and self.top + (self.rows - 1) * self.pitch_y + self.height <= self.page_height + 0.01)
        if not fits:
            raise PlanError("label_sheet_invalid", "The label sheet's labels do not fit on its page.")

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def position(self, n: int) -> tuple[float, float]:
        """Top-left corner (mm) of label ``n`` on its sheet, row by row."""
        i = n % self.per_sheet
        return self.left + (i % self.columns) * self.pitch_x, self.top + (i // self.columns) * self.pitch_y


@dataclass
class Plan:
    name: str
    transport_pin: str
    return_deadline_days: int
    items: list[PlanItem] = field(default_factory=list)
    return_address: list[str] = field(default_factory=list)  # where the tokens go (seed 000: DfE CSM)
    label_sheet: LabelSheet | None = None

    def __post_init__(self):
        if not isinstance(self.transport_pin, str) or not _PIN.match(self.transport_pin):
            raise PlanError("transport_pin_invalid", "The transport PIN must be 4 to 8 digits.")
        lines = [" ".join(str(x).split()) for x in self.return_address]
        if not 2 <= len(lines) <= 8 or not all(0 < len(x) <= MAX_TITLE for x in lines):
            raise PlanError("return_address_invalid", "The plan's return address needs 2 to 8 lines.")
        self.return_address = lines
        if self.label_sheet is None:
            raise PlanError("label_sheet_invalid", "The plan names no label sheet.")
        self.return_deadline_days = _offset(self.return_deadline_days)
        if len(self.items) > MAX_ITEMS:
            raise PlanError("too_many_items", f"A plan holds at most {MAX_ITEMS} items.")
        self.items = [i.validated() for i in self.items]
        keys = [i.key for i in self.items]
        if len(set(keys)) != len(keys):
            raise PlanError("key_duplicate", "Each plan item needs its own key.")

    def item(self, key: str) -> PlanItem:
        for i in self.items:
            if i.key == key:
                return i
        raise PlanError("item_unknown", f"There is no item '{key}' in this plan.")

    def return_deadline(self, switch_off: date) -> date:
        return switch_off + timedelta(days=self.return_deadline_days)

    def to_dict(self) -> dict:
        return {"name": self.name, "transport_pin": self.transport_pin,
                "return_deadline_days": self.return_deadline_days,
                "items": [asdict(i) for i in self.items], "return_address": self.return_address,
                "label_sheet": asdict(self.label_sheet) if self.label_sheet else None}

    @classmethod
    def from_dict(cls, d: dict) -> Plan:
        """A plan as kept; one kept before plans named their return address and label sheet gets the
        default plan's."""
        shipped = _shipped() if "return_address" not in d or not d.get("label_sheet") else d
        try:
            sheet = LabelSheet(**shipped["label_sheet"])
        except TypeError:
            raise PlanError("label_sheet_invalid", "The plan's label sheet cannot be read.") from None
        return cls(d["name"], d["transport_pin"], d["return_deadline_days"],
                   [PlanItem(**i) for i in d["items"]], list(shipped["return_address"]), sheet)

    @classmethod
    def default(cls) -> Plan:
        return cls.from_dict(_shipped())


def _shipped() -> dict:
    return resources.load_json(PLAN_RESOURCE)


@dataclass
class Entry:
    status: str = TODO
    notes: str = ""
    marked_by: str | None = None
    marked_at: str | None = None  # ISO time


@dataclass(frozen=True)
class Row:
    """One checklist line as shown: the plan item, its due date and progress."""
    key: str
    title: str
    owner: str
    due: date
    status: str
    notes: str
    marked_by: str | None
    marked_at: str | None
    overdue: bool


@dataclass
class Checklist:
    plan: Plan
    switch_off: date
    entries: dict[str, Entry] = field(default_factory=dict)
    audit_export: dict | None = None  # the verified export of the LA's directory audit (R-AUDIT-3), once done

    def __post_init__(self):
        for i in self.plan.items:
            self.entries.setdefault(i.key, Entry())
        for k in list(self.entries):
            if k not in {i.key for i in self.plan.items}:
                del self.entries[k]

    # -- reading ------------------------------------------------------------
    def due(self, key: str) -> date:
        return self.switch_off + timedelta(days=self.plan.item(key).offset_days)

    def rows(self, today: date) -> list[Row]:
        """Every item, overdue ones first (earliest due first), then the rest by due date."""
        out = []
        for i in self.plan.items:
            e, due = self.entries[i.key], self.due(i.key)
            out.append(Row(i.key, i.title, i.owner, due, e.status, e.notes, e.marked_by, e.marked_at,
                           e.status == TODO and due < today))
        return sorted(out, key=lambda r: (not r.overdue, r.due, r.key))

    def overdue(self, today: date) -> list[Row]:
        return [r for r in self.rows(today) if r.overdue]

    # -- progress -----------------------------------------------------------
    def mark(self, key: str, status: str, by: str, at: datetime, notes: str | None = None) -> None:
        self.plan.item(key)
        if status not in STATUSES:
            raise PlanError("status_unknown", f"Status must be one of: {', '.join(STATUSES)}.")
        e = self.entries[key]
        if notes is not None:
            e.notes = notes_text(notes)
        e.status = status
        if status == TODO:
            e.marked_by = e.marked_at = None
        else:
            if not str(by).strip():
                raise PlanError("marked_by_missing", "Say who marked the item.")
            e.marked_by, e.marked_at = str(by).strip(), at.isoformat(timespec="seconds")

    def set_notes(self, key: str, notes: str) -> None:
        self.plan.item(key)
        self.entries[key].notes = notes_text(notes)

    # -- the LA editing its own plan ----------------------------------------
    def add_item(self, key: str, title: str, owner: str, offset_days: int) -> None:
        new = PlanItem(key, title, owner, offset_days).validated()
        if any(i.key == key for i in self.plan.items):
            raise PlanError("key_duplicate", f"The plan already has an item '{key}'.")
        if len(self.plan.items) >= MAX_ITEMS:
            raise PlanError("too_many_items", f"A plan holds at most {MAX_ITEMS} items.")
        self.plan.items.append(new)
        self.entries[key] = Entry()

    def remove_item(self, key: str) -> None:
        self.plan.items.remove(self.plan.item(key))
        del self.entries[key]

    def rename_item(self, key: str, title: str) -> None:
        self.plan.item(key).title = _title(title)

    def set_offset(self, key: str, offset_days: int) -> None:
        self.plan.item(key).offset_days = _offset(offset_days)

    # -- storage ------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"plan": self.plan.to_dict(), "switch_off": self.switch_off.isoformat(),
                           "entries": {k: asdict(e) for k, e in self.entries.items()},
                           "audit_export": self.audit_export}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checklist:
        d = json.loads(text)
        entries = {}
        for k, e in d["entries"].items():
            entry = Entry(**e)
            if entry.status not in STATUSES:
                raise PlanError("status_unknown", f"Item '{k}' has an unknown status.")
            entry.notes = notes_text(entry.notes)
            entries[k] = entry
        return cls(Plan.from_dict(d["plan"]), date.fromisoformat(d["switch_off"]), entries, d.get("audit_export"))
