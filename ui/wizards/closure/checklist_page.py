"""The closure checklist (R-CLOSE-5): the LA's own plan dated from switch-off -- owner, due date, status,
evidence notes (where the evidence is; never case information), who marked it and when; overdue first
and standing out.  The LA edits its own plan here: add, rename, re-date or remove an item.  Choosing a
row shows that row's own status, notes, title, owner and date in the editor (a to-do row proposes
"Done"), never the previous row's."""
from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QSpinBox

from app.closure import words
from app.closure.plan import DONE, NOT_APPLICABLE, OFFSET_RANGE, OWNERS, TODO
from app.closure.words import day

from .common import Page, fill, selected_key, table

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
        self._editing: str | None = None  # the row the editor shows
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for s in (DONE, NOT_APPLICABLE, TODO):
            self.status.addItem(words.status(s), s)
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
            self.owner.addItem(words.owner(o), o)
        self.offset = QSpinBox()
        self.offset.setAccessibleName("Days from switch-off")
        self.offset.setRange(*OFFSET_RANGE)
        self.offset.setSuffix(" days from switch-off")
        self.add = QPushButton("&Add item")
        self.rename = QPushButton("&Rename")
        self.redate = QPushButton("Change &due date")
        self.remove = QPushButton("Remo&ve")
        self.add.clicked.connect(self.add_item)
        self.rename.clicked.connect(lambda: self._edit_plan("rename_item", "renamed", title=self.title_edit.text()))
        self.redate.clicked.connect(lambda: self._edit_plan("set_offset", "given its new due date",
                                                            offset=self.offset.value()))
        self.remove.clicked.connect(lambda: self._edit_plan("remove_item", "removed from the plan"))
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
        ti = QLabel("Tit&le:")
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
        fill(self.table, [[r.title, words.owner(r.owner), day(r.due),
                           ("OVERDUE" if r.overdue else words.status(r.status)), r.notes,
                           f"{r.marked_by} {day(r.marked_at)}" if r.marked_by else ""] for r in rows],
             late=[r.overdue for r in rows], keys=[r.key for r in rows])
        if selected_key(self.table) != self._editing:  # a new row under the cursor: its own values
            self._load(selected_key(self.table))
        overdue = sum(r.overdue for r in rows)
        self.summary.setText(f"{overdue} overdue · {sum(r.status != TODO for r in rows)} of {len(rows)} done or "
                             f"not applicable · switch-off {day(self.ctx.switch_off)}")

    def _selected(self) -> None:
        """The person chose a row: the editor shows its own values, and a message about another row goes."""
        self.say("")
        self._load(selected_key(self.table))

    def _load(self, k: str | None) -> None:
        self._editing = k
        if k is None:
            return
        item, entry = self.ctx.checklist.plan.item(k), self.ctx.checklist.entries[k]
        self.status.setCurrentIndex(self.status.findData(DONE if entry.status == TODO else entry.status))
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
        title, status = self.ctx.checklist.plan.item(k).title, self.status.currentData()
        self.done_or_said(self.ctx.do("mark", item=k, status=status, notes=self.notes.text()),
                          f"“{title}” marked {words.status(status).lower()}.")

    def _edit_plan(self, kind: str, done: str, **args) -> None:
        k = self._key()
        if k is None:
            return
        title = self.ctx.checklist.plan.item(k).title
        self.done_or_said(self.ctx.do(kind, item=k, **args), f"“{title}” {done}.")

    def add_item(self) -> None:
        title = self.title_edit.text()
        key = key_for(title, {i.key for i in self.ctx.checklist.plan.items})
        self.done_or_said(self.ctx.do("add_item", item=key, title=title, owner=self.owner.currentData(),
                                      offset=self.offset.value()), f"“{' '.join(title.split())}” added to the plan.")
