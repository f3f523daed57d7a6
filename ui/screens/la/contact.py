"""Contact requests (R-SENS-4, R-ROLE-3): each waiting request with who asks and how to reach them, and the
involvement they cannot see, in full, marked sensitive with its consent; pass on or decline, each confirmed
before it is done. The team decides whether to pass it on; the practitioner decides whether to answer. The queue
sorts (oldest first by default, by child or requester) and filters by words typed (issue 14 §3.3).

Passing on reaches someone (issue 13 §3.3): in Signpost when the practitioner uses it, else by the LA team itself,
by phone or e-mail, which it records (``ui.dialogs.la_pass_on``). The message afterwards says which."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from ui.dialogs.la_pass_on import PassOnDialog, practitioner_line
from ui.refusals import explain

from .common import LaScreen, button, heading, queue_page
from .lists import Column, ItemsList
from .words import involvement_lines, passed_on_words, when

COLUMNS = (Column("Asked", lambda r: when(r.requested_at), lambda r: r.requested_at),
           Column("Child", lambda r: r.child_name), Column("Directory id", lambda r: r.directory_id),
           Column("Requester", lambda r: r.requester), Column("Organisation", lambda r: r.requester_organisation),
           Column("Phone", lambda r: r.requester_phone), Column("E-mail", lambda r: r.requester_email))
ORDERS = {"Oldest first": lambda r: r.request_id,  # requests are numbered as they come
          "Newest first": lambda r: -r.request_id,
          "Child": lambda r: (r.child_name.lower(), r.requested_at),
          "Requester": lambda r: (r.requester.lower(), r.requested_at)}


class ContactRequests(LaScreen):
    title = "Contact requests"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laContactRequests")
        self.requests: list[t.ContactRequestState] = []
        self.summary = heading("Contact requests")
        self.list = ItemsList("contactQueue", "Contact requests waiting", COLUMNS, orders=ORDERS,
                              identity=lambda r: r.request_id)
        self.table = self.list.view
        self.detail_title = QLabel("Who they are asking to reach")
        self.detail = QTextBrowser()
        self.detail.setObjectName("contactDetail")
        self.detail.setAccessibleName("The involvement the requester cannot see")
        self.detail.setOpenLinks(False)
        self.pass_button = button("&Pass on…", "passOnContact",
                                  "Send the requester's details to the practitioner, who decides whether to answer")
        self.decline_button = button("&Decline…", "declineContact", "Tell the requester it was not passed on")
        self.refresh_button = button("&Refresh", "refreshContact")
        self.pass_button.clicked.connect(self.pass_on)
        self.decline_button.clicked.connect(self.confirm_decline)
        self.dialog: PassOnDialog | None = None
        self.confirm: QMessageBox | None = None
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        below = QWidget()
        col = QVBoxLayout(below)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.detail_title)
        col.addWidget(self.detail, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.list)
        split.addWidget(below)
        actions = QHBoxLayout()
        for b in (self.pass_button, self.decline_button, self.refresh_button):
            actions.addWidget(b)
        actions.addStretch(1)
        queue_page(self, split, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.CONTACT_QUEUE, t.Nothing(), self.show_queue)

    def show_queue(self, requests) -> None:
        self.requests = [r for r in requests if r.status is t.ContactStatus.WAITING]
        self.list.set_items(self.requests)
        n = len(self.requests)
        self.summary.setText(f"Contact requests: {n} waiting" if n else "Contact requests: none waiting")
        self.attention.emit(n)
        self._selection()

    def current(self) -> t.ContactRequestState | None:
        return self.list.current()

    def _selection(self) -> None:
        r = self.current()
        self.pass_button.setEnabled(r is not None)
        self.decline_button.setEnabled(r is not None)
        self.detail.clear()
        if r is None:
            return
        lines = involvement_lines(r.la_detail) if r.la_detail is not None or not r.la_others else \
            ["Whoever works with this child now (the record is shielded, so the requester was shown no one):"] + \
            [practitioner_line(i) for i in r.la_others]
        html = [f"<p><b>{escape(r.requester)}</b> ({escape(r.requester_organisation)}) asked on "
                f"{escape(when(r.requested_at))} to reach whoever is named below about "
                f"<b>{escape(r.child_name)}</b> ({escape(r.directory_id)}).<br>Reach the requester on "
                f"{escape(r.requester_phone or '—')} or {escape(r.requester_email or '—')}.</p>"]
        for i, line in enumerate(lines):
            html.append(f"<p><b>{escape(line)}</b></p>" if i == 0 and "SENSITIVE" in line else f"<p>{escape(line)}</p>")
        html.append("<p>They use Signpost: passing it on puts the requester's details in their inbox.</p>"
                    if r.la_can_tell else "<p><b>Nobody it is for can be told in Signpost</b>: to pass it on, phone "
                    "or e-mail them yourself, then record how you did.</p>")
        self.detail.setHtml("".join(html))

    def pass_on(self) -> None:
        """Confirm first, saying whom it reaches and how (a dialog: issue 14 §3.4)."""
        r = self.current()
        if r is None:
            return
        dialog = PassOnDialog(r, self)
        dialog.submitted.connect(lambda request: self.ask(
            ops.DECIDE_CONTACT, request, lambda state: (dialog.done_ok(), self._decided(state)),
            lambda exc: dialog.show_error(explain(exc)[0])))
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def confirm_decline(self) -> None:
        r = self.current()
        if r is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Decline contact request",
                          f"Decline {r.requester}'s request about {r.child_name} ({r.directory_id})?\n\nNothing is "
                          "passed on, and they are told it was declined.", QMessageBox.Cancel, self)
        decline = box.addButton("&Decline request", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)  # Enter does not decline by accident
        box.setObjectName("confirmDecline")
        box.finished.connect(lambda _r: self.decide(t.ContactStatus.DECLINED, r) if box.clickedButton() is decline
                             else None)
        self.confirm = box
        box.open()

    def _forget(self, dialog: PassOnDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def decide(self, outcome: t.ContactStatus, r: t.ContactRequestState | None = None) -> None:
        r = r or self.current()
        if r is None:
            return
        self.pass_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        self.ask(ops.DECIDE_CONTACT, t.ContactDecision(r.request_id, outcome), self._decided, self._decide_failed)

    def _decided(self, state: t.ContactRequestState) -> None:
        self.say(f"{state.requester}'s request about {state.child_name}: {passed_on_words(state)}. "
                 f"{state.requester} has been told.")
        self.refresh()

    def _decide_failed(self, exc: BaseException) -> None:
        self.failed(exc)
        self.refresh()

    def reset(self) -> None:
        super().reset()
        for window in (self.dialog, self.confirm):
            if window is not None:
                window.reject()
        self.dialog = self.confirm = None
        self.requests = []
        self.list.clear()
        self.detail.clear()
        self.detail.document().clear()
        self.summary.setText("Contact requests")
        self._selection()
