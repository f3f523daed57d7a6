"""Return envelopes (R-CLOSE-3, R-CLOSE-4): each marked with one organisation and used or unused, its serials
and count. Before it goes the LA officer counts its tokens and scans or types each serial (a barcode reader
types like a keyboard, ending with Enter): a count or a serial that does not match the register is refused
and nothing is sealed. Its labels and its own manifest are then printed (the documents page), it is posted,
and the recorded-delivery reference from the counter's receipt is typed here; late ones stand out. The
buttons stay where they are when a message appears, and a message goes when another envelope is chosen."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
)

from app.closure import words
from app.closure.register import IN_HAND, RegisterError, serial_of
from app.closure.words import day

from .common import Page, fill, selected_key, table

COLUMNS = ["Envelope", "Organisation", "Tokens", "Count", "Serials", "Status", "Recorded delivery", "Sent"]


def status(e, late) -> str:
    if e.id in late.envelopes_sent_late:
        return "SENT LATE"
    if e.sent_on:
        return "Sent"
    if e.id in late.envelopes_unsent:
        return "LATE: not sent by the deadline"
    if e.labels_at:
        return "Sealed, labels printed: post it"
    if e.sealed_at:
        return "Sealed: print its labels"
    return "Open: count and seal it when full"


class EnvelopesPage(Page):
    key = "envelopes"
    title = "Return envelopes"
    intro = ("One envelope per organisation, never mixing used with unused tokens. When it is full, count its "
             "tokens and scan or type each serial, then seal it. Print its labels and manifest on the documents "
             "page, post it by recorded delivery, and type the reference from the receipt here.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.deadline = QLabel()
        self.deadline.setObjectName("returnDeadline")
        self.deadline.setWordWrap(True)
        self.table = table("envelopes", COLUMNS)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.new_id = QLineEdit()
        self.new_id.setAccessibleName("New envelope id")
        self.new_id.setPlaceholderText("e.g. NBR-USED-2")
        self.new_org = QComboBox()
        self.new_org.setAccessibleName("Organisation")
        self.new_used = QComboBox()
        self.new_used.setAccessibleName("Used or unused tokens")
        self.new_used.addItem("Used tokens", True)
        self.new_used.addItem("Unused tokens", False)
        self.create = QPushButton("Ne&w envelope")
        self.token = QComboBox()
        self.token.setObjectName("envelopeToken")
        self.token.setAccessibleName("Token to put in the envelope")
        self.token.activated.connect(lambda _i: self.say(""))
        self.put = QPushButton("&Put in envelope")
        self.take = QPushButton("&Take out the last one")
        self.counted = QSpinBox()
        self.counted.setObjectName("countedTokens")
        self.counted.setAccessibleName("Tokens counted in the envelope")
        self.counted.setRange(0, 999)
        self.scan = QLineEdit()
        self.scan.setObjectName("scanSerial")
        self.scan.setAccessibleName("Scan or type each serial, then Enter")
        self.scan.setPlaceholderText("scan or type a serial, then Enter")
        self.scanned_label = QLabel()
        self.scanned_label.setObjectName("scannedSerials")
        self.scanned_label.setWordWrap(True)
        self.seal = QPushButton("S&eal envelope")
        self.seal.setObjectName("sealEnvelope")
        self.clear_scans = QPushButton("Clear sc&ans")
        self.unseal = QPushButton("Open a&gain")
        self.ref = QLineEdit()
        self.ref.setObjectName("deliveryRef")
        self.ref.setAccessibleName("Recorded-delivery reference")
        self.ref.setPlaceholderText("from the counter's receipt, after posting")
        self.sent_on = QDateEdit()
        self.sent_on.setObjectName("sentOn")
        self.sent_on.setAccessibleName("Date sent")
        self.sent_on.setCalendarPopup(True)
        self.sent_on.setDisplayFormat("dd/MM/yyyy")
        self.send = QPushButton("Record as &sent")
        self.send.setObjectName("sendEnvelope")
        self.create.clicked.connect(self.new_envelope)
        self.put.clicked.connect(self.put_token)
        self.take.clicked.connect(self.take_token)
        self.scan.returnPressed.connect(self.scanned_one)
        self.seal.clicked.connect(self.seal_envelope)
        self.clear_scans.clicked.connect(lambda: self._reset_scans())
        self.unseal.clicked.connect(self.open_again)
        self.send.clicked.connect(self.record_sent)
        self.ref.returnPressed.connect(self.record_sent)
        self.scans: list[str] = []
        grid = QGridLayout()

        def labelled(text: str, widget, row: int, col: int) -> None:
            lab = QLabel(text)
            lab.setBuddy(widget)
            grid.addWidget(lab, row, col)
            grid.addWidget(widget, row, col + 1)
        labelled("Envelope &id:", self.new_id, 0, 0)
        labelled("&Organisation:", self.new_org, 0, 2)
        grid.addWidget(self.new_used, 0, 4)
        grid.addWidget(self.create, 0, 5)
        labelled("To&ken:", self.token, 1, 0)
        grid.addWidget(self.put, 1, 4)
        grid.addWidget(self.take, 1, 5)
        labelled("Co&unted:", self.counted, 2, 0)
        labelled("Scan:", self.scan, 2, 2)
        grid.addWidget(self.seal, 2, 4)
        seal_more = QHBoxLayout()
        seal_more.addWidget(self.clear_scans)
        seal_more.addWidget(self.unseal)
        grid.addLayout(seal_more, 2, 5)
        grid.addWidget(self.scanned_label, 3, 1, 1, 5)
        labelled("Delivery &reference:", self.ref, 4, 0)
        labelled("Sent on:", self.sent_on, 4, 2)
        grid.addWidget(self.send, 4, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.column.addWidget(self.deadline)
        self.column.addWidget(self.table, 1)
        self.column.addLayout(grid)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        reg, today = self.ctx.register, self.ctx.clock()
        late = reg.late(today)
        self.deadline.setText(f"Return deadline: {day(reg.return_deadline)}"
                              + (f" — passed; {len(late.tokens_not_returned)} tokens not yet sent"
                                 if today > reg.return_deadline else ""))
        envs = sorted(reg.envelopes.values(), key=lambda e: e.id)
        rows, is_late = [], []
        for e in envs:
            rows.append([e.id, e.organisation, "Used" if e.used else "Unused", str(e.count), ", ".join(e.serials),
                         status(e, late), e.delivery_ref or "", day(e.sent_on)])
            is_late.append(e.id in late.envelopes_unsent or e.id in late.envelopes_sent_late)
        fill(self.table, rows, late=is_late, keys=[e.id for e in envs])
        keep_org = self.new_org.currentText()
        self.new_org.clear()
        self.new_org.addItems([reg.la, *reg.partners])
        if keep_org:
            self.new_org.setCurrentText(keep_org)
        self.token.clear()
        for t in sorted(reg.tokens.values(), key=lambda t: t.serial):
            if t.envelope is None and t.state in IN_HAND:
                self.token.addItem(f"{t.serial} — {t.holder} ({t.organisation}, {words.used(t.used).lower()})",
                                   t.serial)
        if self.sent_on.date() == QDate(2000, 1, 1):
            t = today
            self.sent_on.setDate(QDate(t.year, t.month, t.day))
        self._show_scans()

    # -- choosing -----------------------------------------------------------------
    def _chosen(self) -> None:
        """Another envelope: its message and its scans start afresh."""
        self.say("")
        self._reset_scans()

    def _reset_scans(self) -> None:
        self.scans = []
        self.counted.setValue(0)
        self._show_scans()

    def _show_scans(self) -> None:
        eid = selected_key(self.table)
        self.scanned_label.setText(f"Scanned for {eid}: {len(self.scans)}" + (f" ({', '.join(self.scans)})"
                                                                              if self.scans else "")
                                   if eid else "Choose an envelope in the list.")

    def _envelope(self) -> str | None:
        eid = selected_key(self.table)
        if eid is None:
            self.say("Choose an envelope in the list first.")
        return eid

    # -- changes ------------------------------------------------------------------
    def new_envelope(self) -> None:
        eid = self.new_id.text().strip()
        if self.done_or_said(self.ctx.do("new_envelope", envelope=eid, organisation=self.new_org.currentText(),
                                         used=self.new_used.currentData()), f"Envelope {eid} started."):
            self.new_id.clear()

    def put_token(self) -> None:
        eid, serial = self._envelope(), self.token.currentData()
        if eid and serial:
            self.done_or_said(self.ctx.do("put_in_envelope", serial=serial, envelope=eid),
                              f"Token {serial} is in envelope {eid}.")

    def take_token(self) -> None:
        eid = self._envelope()
        if not eid:
            return
        env = self.ctx.register.envelopes[eid]
        if env.serials:
            serial = env.serials[-1]
            self.done_or_said(self.ctx.do("take_out", serial=serial), f"Token {serial} taken out of envelope {eid}.")

    def scanned_one(self) -> None:
        """One serial from the barcode reader (or typed): kept for the check at sealing."""
        text = self.scan.text()
        self.scan.clear()
        if self._envelope() is None or not text.strip():
            return
        try:
            serial = serial_of(text)
        except RegisterError as exc:
            self.failed(exc)
            return
        if serial in self.scans:
            self.say(f"Token {serial} was scanned already for {selected_key(self.table)}.")
            return
        self.scans.append(serial)
        self.say("")
        self._show_scans()

    def seal_envelope(self) -> None:
        eid = self._envelope()
        if eid is None:
            return
        if self.done_or_said(self.ctx.do("seal", envelope=eid, counted=self.counted.value(), scanned=list(self.scans)),
                             f"Envelope {eid} sealed: {self.counted.value()} tokens counted and each serial checked. "
                             "Print its labels and its manifest on the documents page."):
            self.scans = []
            self._show_scans()

    def open_again(self) -> None:
        eid = self._envelope()
        if eid is not None:
            self.done_or_said(self.ctx.do("unseal", envelope=eid),
                              f"Envelope {eid} is open again: count and seal it again before it goes.")

    def record_sent(self) -> None:
        eid = self._envelope()
        if not eid:
            return
        q = self.sent_on.date()
        when = date(q.year(), q.month(), q.day())
        if self.done_or_said(self.ctx.do("send", envelope=eid, reference=self.ref.text(), sent_on=when.isoformat()),
                             f"Envelope {eid} recorded as sent on {day(when)}."):
            self.ref.clear()
