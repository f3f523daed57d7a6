"""The closure checklist (R-CLOSE-5): the LA's own plan dated from switch-off -- owner, due date, status,
evidence notes (where the evidence is; never case information), who marked it and when; overdue first
and standing out.  The LA edits its own plan here: add, rename, re-date or remove an item."""
from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QSpinBox

from app.closure.plan import DONE, NOT_APPLICABLE, OFFSET_RANGE, OWNERS, TODO, PlanError

from .common import Page, day, fill, selected_key, table

STATUS_WORDS = {TODO: "To do", DONE: "Done", NOT_APPLICABLE: "Not applicable"}
OWNER_WORDS = {"la_team": "LA team", "project_lead": "Project lead", "communications": "Communications",
               "it_data": "IT and data", "data_protection": "Data protection", "records_manager": "Records manager",
               "finance": "Finance"}
COLUMNS = ["Item", "Owner", "Due", "Status", "Evidence notes", "Marked by"]


def key_for(title: str, taken) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:30] or "item"
    stem = stem if stem[0].isalpha() else f"item_{stem}"
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}_{n}", n + 1
    return key


class ChecklistPage(Page):
    key = "checklist"
    title = "Closure checklist"
    intro = ("The local actions and deadlines of the closure plan, dated from the switch-off date. Overdue "
             "items come first, in red. Notes say where the evidence is kept — no case information.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.summary = QLabel()
        self.summary.setObjectName("checklistSummary")
        self.table = table("checklist", COLUMNS)
        self.table.itemSelectionChanged.connect(self._selected)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for s in (DONE, NOT_APPLICABLE, TODO):
            self.status.addItem(STATUS_WORDS[s], s)
        self.notes = QLineEdit()
        self.notes.setObjectName("evidenceNotes")
        self.notes.setAccessibleName("Evidence notes")
        self.notes.setMaxLength(500)
        self.notes.returnPressed.connect(self.mark)
        self.mark_button = QPushButton("&Mark")
        self.mark_button.setObjectName("markItem")
        self.mark_button.clicked.connect(self.mark)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Item title")
        self.owner = QComboBox()
        self.owner.setAccessibleName("Owner")
        for o in OWNERS:
            self.owner.addItem(OWNER_WORDS.get(o, o), o)
        self.offset = QSpinBox()
        self.offset.setAccessibleName("Days from switch-off")
        self.offset.setRange(*OFFSET_RANGE)
        self.offset.setSuffix(" days from switch-off")
        self.add = QPushButton("&Add item")
        self.rename = QPushButton("Re&name")
        self.redate = QPushButton("Change &due date")
        self.remove = QPushButton("Re&move")
        self.add.clicked.connect(self.add_item)
        self.rename.clicked.connect(lambda: self._edit_plan(
            lambda k: self.ctx.checklist.rename_item(k, self.title_edit.text()), "plan_item_renamed"))
        self.redate.clicked.connect(lambda: self._edit_plan(
            lambda k: self.ctx.checklist.set_offset(k, self.offset.value()), "plan_item_redated"))
        self.remove.clicked.connect(lambda: self._edit_plan(self.ctx.checklist.remove_item, "plan_item_removed"))
        grid = QGridLayout()
        st = QLabel("S&tatus:")
        st.setBuddy(self.status)
        ev = QLabel("&Evidence notes:")
        ev.setBuddy(self.notes)
        grid.addWidget(st, 0, 0)
        grid.addWidget(self.status, 0, 1)
        grid.addWidget(ev, 0, 2)
        grid.addWidget(self.notes, 0, 3, 1, 3)
        grid.addWidget(self.mark_button, 0, 6)
        ti = QLabel("Ti&tle:")
        ti.setBuddy(self.title_edit)
        ow = QLabel("O&wner:")
        ow.setBuddy(self.owner)
        grid.addWidget(ti, 1, 0)
        grid.addWidget(self.title_edit, 1, 1, 1, 2)
        grid.addWidget(ow, 1, 3)
        grid.addWidget(self.owner, 1, 4)
        grid.addWidget(self.offset, 1, 5)
        grid.addWidget(self.add, 1, 6)
        grid.addWidget(self.rename, 2, 4)
        grid.addWidget(self.redate, 2, 5)
        grid.addWidget(self.remove, 2, 6)
        self.column.addWidget(self.summary)
        self.column.addWidget(self.table, 1)
        self.column.addLayout(grid)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        rows = self.ctx.checklist.rows(self.ctx.clock())
        fill(self.table, [[r.title, OWNER_WORDS.get(r.owner, r.owner), day(r.due),
                           ("OVERDUE" if r.overdue else STATUS_WORDS.get(r.status, r.status)), r.notes,
                           f"{r.marked_by} {day(r.marked_at)}" if r.marked_by else ""] for r in rows],
             late=[r.overdue for r in rows], keys=[r.key for r in rows])
        overdue = sum(r.overdue for r in rows)
        self.summary.setText(f"{overdue} overdue · {sum(r.status != TODO for r in rows)} of {len(rows)} done or "
                             f"not applicable · switch-off {day(self.ctx.switch_off)}")

    def _selected(self) -> None:
        k = selected_key(self.table)
        if k is None:
            return
        item, entry = self.ctx.checklist.plan.item(k), self.ctx.checklist.entries[k]
        self.notes.setText(entry.notes)
        self.title_edit.setText(item.title)
        self.owner.setCurrentIndex(max(self.owner.findData(item.owner), 0))
        self.offset.setValue(item.offset_days)

    def _key(self) -> str | None:
        k = selected_key(self.table)
        if k is None:
            self.say("Choose an item in the checklist first.")
        return k

    def mark(self) -> None:
        k = self._key()
        if k is None:
            return
        try:
            self.ctx.checklist.mark(k, self.status.currentData(), self.ctx.actor, self.ctx.now(), self.notes.text())
        except PlanError as exc:
            self.failed(exc)
            return
        self.say("")
        self.ctx.save("checklist_marked", {"item": k, "status": self.status.currentData()})

    def _edit_plan(self, change, action: str) -> None:
        k = self._key()
        if k is None:
            return
        try:
            change(k)
        except PlanError as exc:
            self.failed(exc)
            return
        self.say("")
        self.ctx.save(action, {"item": k})

    def add_item(self) -> None:
        title = self.title_edit.text()
        key = key_for(title, {i.key for i in self.ctx.checklist.plan.items})
        try:
            self.ctx.checklist.add_item(key, title, self.owner.currentData(), self.offset.value())
        except PlanError as exc:
            self.failed(exc)
            return
        self.say("")
        self.ctx.save("plan_item_added", {"item": key})
