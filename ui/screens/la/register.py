"""The register of organisations and roles (issue 14 §2.3, R-REC-5, R-ROLE-3): the requests the LA's users made
with "Other…" to add an organisation or a role title, oldest first, sortable and filterable; approve (listed and
usable from now on) or decline (after a confirmation, like every decision that cannot be undone here). The team
adds an organisation or a role title of its own with "Add…": listed at once."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from ui.refusals import explain

from .common import LaScreen, button, heading, queue_page
from .lists import Column, ItemsList
from .words import when

KINDS = {t.RegisterKind.ORGANISATION: "Organisation", t.RegisterKind.ROLE: "Role"}
COLUMNS = (Column("Asked", lambda e: when(e.requested_at), lambda e: e.requested_at),
           Column("What", lambda e: KINDS.get(e.kind, e.kind.value)),
           Column("Name", lambda e: e.name),
           Column("For the service", lambda e: e.service.label if e.service else "—"),
           Column("Asked by", lambda e: e.requested_by))
ORDERS = {"Oldest first": lambda e: e.requested_at, "Name": lambda e: e.name.lower(),
          "Asked by": lambda e: (e.requested_by, e.requested_at)}


class RegisterRequests(LaScreen):
    title = "Register"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laRegister")
        self.entries: list[t.RegisterEntry] = []
        self.summary = heading("Register requests")
        self.list = ItemsList("registerQueue", "Requests to add to the register", COLUMNS, orders=ORDERS,
                              identity=lambda e: (e.kind, e.entry_id))
        self.table = self.list.view
        self.kind = QComboBox()
        self.kind.setObjectName("registerKindFilter")
        self.kind.setAccessibleName("Show requests for")
        self.kind.addItem("Organisations and roles", None)
        for k, words in KINDS.items():
            self.kind.addItem(f"{words}s", k.value)
        self.kind.currentIndexChanged.connect(lambda _i: self.list.set_test(
            lambda e: self.kind.currentData() is None or e.kind.value == self.kind.currentData()))
        kind_label = QLabel("Sho&w")
        kind_label.setBuddy(self.kind)
        self.list.tools.addWidget(kind_label)
        self.list.tools.addWidget(self.kind)
        self.approve_button = button("A&pprove", "approveRegister", "Add it to the register: usable from now on")
        self.decline_button = button("&Decline…", "declineRegister", "Do not add it; the request leaves the list")
        self.add_button = button("&Add…", "addRegister", "Add an organisation or a role title yourself")
        self.refresh_button = button("&Refresh", "refreshRegister")
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.decline_button.clicked.connect(self.confirm_decline)
        self.add_button.clicked.connect(self.add)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        self.confirm: QMessageBox | None = None
        self.dialog = None
        actions = QHBoxLayout()
        for b in (self.approve_button, self.decline_button, self.add_button, self.refresh_button):
            actions.addWidget(b)
        actions.addStretch(1)
        queue_page(self, self.list, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.REGISTER_QUEUE, t.Nothing(), self.show_queue)

    def show_queue(self, entries) -> None:
        self.entries = list(entries)
        self.list.set_items(self.entries)
        n = len(self.entries)
        self.summary.setText(f"Register requests: {n} waiting" if n else "Register requests: none waiting")
        self.attention.emit(n)
        self._selection()

    def current(self) -> t.RegisterEntry | None:
        return self.list.current()

    def _selection(self) -> None:
        on = self.current() is not None
        self.approve_button.setEnabled(on)
        self.decline_button.setEnabled(on)

    def confirm_decline(self) -> None:
        e = self.current()
        if e is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Decline request",
                          f"Decline adding “{e.name}” ({KINDS[e.kind].lower()}, asked by {e.requested_by})?\n\n"
                          "It is not added to the register, and leaves this list.", QMessageBox.Cancel, self)
        decline = box.addButton("&Decline", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)
        box.setObjectName("confirmDeclineRegister")
        box.finished.connect(lambda _r: self.decide(False, e) if box.clickedButton() is decline else None)
        self.confirm = box
        box.open()

    def decide(self, approve: bool, entry: t.RegisterEntry | None = None) -> None:
        e = entry or self.current()
        if e is None:
            return
        self.approve_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        self.ask(ops.DECIDE_REGISTER, t.RegisterDecision(e.kind, e.entry_id, approve), self._decided,
                 lambda exc: (self.failed(exc), self.refresh()))

    def _decided(self, e: t.RegisterEntry) -> None:
        self.say(f"“{e.name}” is in the register now: anyone can choose it." if e.status == "listed"
                 else f"“{e.name}” was declined: it is not in the register.")
        self.refresh()

    def add(self) -> None:
        from ui.dialogs.la_register import AddToRegisterDialog
        dialog = AddToRegisterDialog(self)
        dialog.submitted.connect(lambda request: self.ask(
            ops.ASK_REGISTER, request, lambda e: (dialog.done_ok(), self.say(
                f"“{e.name}” is in the register now" + (f", for {e.service.label}." if e.service else ".")),
                self.refresh()), lambda exc: dialog.show_error(self._words(exc))))
        self.dialog = dialog
        dialog.open()

    @staticmethod
    def _words(exc: BaseException) -> str:
        return explain(exc)[0]

    def reset(self) -> None:
        super().reset()
        for d in (self.confirm, self.dialog):
            if d is not None:
                d.reject()
        self.confirm = self.dialog = None
        self.entries = []
        self.list.clear()
        self.summary.setText("Register requests")
        self._selection()

