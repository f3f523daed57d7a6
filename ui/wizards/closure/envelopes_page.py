"""Return envelopes (R-CLOSE-4): each marked with one organisation and used or unused, its serials and
count, sent by recorded delivery (reference and date) by the return deadline; late ones stand out."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit, QPushButton

from app.closure.register import IN_HAND, RegisterError

from .common import Page, day, fill, selected_key, table

COLUMNS = ["Envelope", "Organisation", "Tokens", "Count", "Serials", "Recorded delivery", "Sent", "Status"]


class EnvelopesPage(Page):
    key = "envelopes"
    title = "Return envelopes"
    intro = ("One envelope per organisation, never mixing used with unused tokens. Print its label on the "
             "outputs page, send it by recorded delivery and type the reference from the receipt here.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.deadline = QLabel()
        self.deadline.setObjectName("returnDeadline")
        self.table = table("envelopes", COLUMNS)
        self.new_id = QLineEdit()
        self.new_id.setAccessibleName("New envelope id")
        self.new_id.setPlaceholderText("e.g. NBR-USED-2")
        self.new_org = QComboBox()
        self.new_org.setAccessibleName("Organisation")
        self.new_used = QComboBox()
        self.new_used.setAccessibleName("Used or unused tokens")
        self.new_used.addItem("Used tokens", True)
        self.new_used.addItem("Unused tokens", False)
        self.create = QPushButton("&New envelope")
        self.token = QComboBox()
        self.token.setObjectName("envelopeToken")
        self.token.setAccessibleName("Token to put in the envelope")
        self.put = QPushButton("&Put in envelope")
        self.take = QPushButton("&Take out")
        self.ref = QLineEdit()
        self.ref.setObjectName("deliveryRef")
        self.ref.setAccessibleName("Recorded-delivery reference")
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
        self.send.clicked.connect(self.record_sent)
        self.ref.returnPressed.connect(self.record_sent)
        grid = QGridLayout()
        labels = [("Envelope &id:", self.new_id), ("&Organisation:", self.new_org), ("", self.new_used),
                  ("", self.create)]
        for c, (text, w) in enumerate(labels):
            if text:
                lab = QLabel(text)
                lab.setBuddy(w)
                grid.addWidget(lab, 0, 2 * c)
            grid.addWidget(w, 0, 2 * c + 1)
        tok = QLabel("To&ken:")
        tok.setBuddy(self.token)
        grid.addWidget(tok, 1, 0)
        grid.addWidget(self.token, 1, 1, 1, 3)
        grid.addWidget(self.put, 1, 5)
        grid.addWidget(self.take, 1, 7)
        ref = QLabel("Delivery &reference:")
        ref.setBuddy(self.ref)
        grid.addWidget(ref, 2, 0)
        grid.addWidget(self.ref, 2, 1)
        when = QLabel("Sent &on:")
        when.setBuddy(self.sent_on)
        grid.addWidget(when, 2, 2)
        grid.addWidget(self.sent_on, 2, 3)
        grid.addWidget(self.send, 2, 5)
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
            unsent_late = e.id in late.envelopes_unsent
            sent_late = e.id in late.envelopes_sent_late
            status = ("SENT LATE" if sent_late else "Sent" if e.sent_on else
                      "LATE: not sent by the deadline" if unsent_late else "Open")
            rows.append([e.id, e.organisation, "Used" if e.used else "Unused", str(e.count),
                         ", ".join(e.serials), e.delivery_ref or "", day(e.sent_on), status])
            is_late.append(unsent_late or sent_late)
        fill(self.table, rows, late=is_late, keys=[e.id for e in envs])
        keep = self.new_org.currentText()
        self.new_org.clear()
        self.new_org.addItems([reg.la, *reg.partners])
        if keep:
            self.new_org.setCurrentText(keep)
        self.token.clear()
        for t in sorted(reg.tokens.values(), key=lambda t: t.serial):
            if t.envelope is None and t.state in IN_HAND:
                use = "used" if t.used else "unused" if t.used is False else "use not known"
                self.token.addItem(f"{t.serial} — {t.holder} ({t.organisation}, {use})", t.serial)
        if self.sent_on.date() == QDate(2000, 1, 1):
            t = today
            self.sent_on.setDate(QDate(t.year, t.month, t.day))

    def _envelope(self) -> str | None:
        eid = selected_key(self.table)
        if eid is None:
            self.say("Choose an envelope in the list first.")
        return eid

    def _do(self, change, action: str, detail: dict) -> bool:
        try:
            change()
        except RegisterError as exc:
            self.failed(exc)
            return False
        self.say("")
        self.ctx.save(action, detail)
        return True

    def new_envelope(self) -> None:
        eid = self.new_id.text()
        if self._do(lambda: self.ctx.register.new_envelope(eid, self.new_org.currentText(),
                                                           self.new_used.currentData()),
                    "envelope_new", {"envelope": eid.strip()}):
            self.new_id.clear()

    def put_token(self) -> None:
        eid, serial = self._envelope(), self.token.currentData()
        if eid and serial:
            self._do(lambda: self.ctx.register.put_in_envelope(serial, eid), "envelope_put",
                     {"envelope": eid, "serial": serial})

    def take_token(self) -> None:
        eid = self._envelope()
        if not eid:
            return
        env = self.ctx.register.envelopes[eid]
        if env.serials:
            serial = env.serials[-1]
            self._do(lambda: self.ctx.register.take_out(serial), "envelope_take_out",
                     {"envelope": eid, "serial": serial})

    def record_sent(self) -> None:
        eid = self._envelope()
        if not eid:
            return
        q = self.sent_on.date()
        when = date(q.year(), q.month(), q.day())
        if self._do(lambda: self.ctx.register.send(eid, self.ref.text(), when), "envelope_sent",
                    {"envelope": eid, "sent_on": when.isoformat()}):
            self.ref.clear()
            self.say(f"Envelope {eid} recorded as sent on {day(when)}.", error=False)
