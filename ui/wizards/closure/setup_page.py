"""Who closure is for, and the two addresses on every label (R-CLOSE-3, R-CLOSE-4).

The LA (its name from the directory), the national partners whose users' tokens the LA collects and
returns (chosen from the directory's organisations, or typed by hand): a holder of a partner
organisation returns the token with that partner, so its envelopes, inner slips and labels are the
partner's. The sender address (the LA's own, printed on every outer label) and the address the tokens go
back to (from the closure plan: seed 000's, unless the plan names another)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton

from .common import Page

SENDER_LINES = ("Team or office", "Building and street", "Town", "Postcode")


class SetupPage(Page):
    key = "setup"
    title = "LA, partners and addresses"
    intro = ("The national partners whose users' tokens your LA collects go back marked with the partner's "
             "name. Choose them from the directory's organisations or type one. Give your LA's postal address: "
             "it is the sender on every label.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.la = QLabel()
        self.la.setObjectName("setupLa")
        self.partners = QListWidget()
        self.partners.setObjectName("partners")
        self.partners.setAccessibleName("National partners")
        self.partners.setMaximumHeight(140)
        self.candidate = QComboBox()
        self.candidate.setObjectName("partnerCandidate")
        self.candidate.setEditable(True)
        self.candidate.setAccessibleName("National partner to add")
        self.add = QPushButton("&Add partner")
        self.add.clicked.connect(self.add_partner)
        self.remove = QPushButton("&Remove partner")
        self.remove.clicked.connect(self.remove_partner)
        self.sender = [QLineEdit() for _ in SENDER_LINES]
        for line, name in zip(self.sender, SENDER_LINES, strict=True):
            line.setAccessibleName(f"Sender address: {name.lower()}")
            line.setPlaceholderText(name)
            line.setMaxLength(100)
        self.sender[-1].returnPressed.connect(self.save_sender)
        self.save = QPushButton("Sa&ve the sender address")
        self.save.setObjectName("saveSender")
        self.save.clicked.connect(self.save_sender)
        self.returns_to = QLabel()
        self.returns_to.setObjectName("returnAddress")
        self.returns_to.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Local authority:", self.la)
        form.addRow("National partners:", self.partners)
        pick = QHBoxLayout()
        pick.addWidget(self.candidate, 1)
        pick.addWidget(self.add)
        pick.addWidget(self.remove)
        choose = QLabel("&Partner:")
        choose.setBuddy(self.candidate)
        form.addRow(choose, pick)
        first = QLabel("Sender a&ddress:")
        first.setBuddy(self.sender[0])
        form.addRow(first, self.sender[0])
        for line in self.sender[1:]:
            form.addRow("", line)
        form.addRow("", self.save)
        form.addRow("Tokens go back to:", self.returns_to)
        self.column.addLayout(form)
        self.column.addStretch(1)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        reg = self.ctx.register
        self.la.setText(reg.la)
        self.partners.clear()
        self.partners.addItems(reg.partners)
        typed = self.candidate.currentText()
        self.candidate.clear()
        self.candidate.addItems([o for o in self.ctx.facts.get("organisations") or () if o not in reg.partners])
        self.candidate.setCurrentText(typed if typed not in reg.partners else "")
        lines = list(reg.sender) + [""] * len(SENDER_LINES)
        for line, text in zip(self.sender, lines, strict=False):
            if not line.hasFocus():
                line.setText(text)
        self.returns_to.setText(", ".join(self.ctx.checklist.plan.return_address)
                                + " (from the closure plan), by Royal Mail recorded delivery.")

    def add_partner(self) -> None:
        name = " ".join(self.candidate.currentText().split())
        if not name:
            self.say("Choose or type the partner's name first.")
            return
        self.done_or_said(self.ctx.do("set_partners", partners=[*self.ctx.register.partners, name]),
                          f"{name} added: its holders' tokens go back marked with its name.")

    def remove_partner(self) -> None:
        item = self.partners.currentItem()
        if item is None:
            self.say("Choose a partner in the list first.")
            return
        name = item.text()
        self.done_or_said(self.ctx.do("set_partners", partners=[p for p in self.ctx.register.partners if p != name]),
                          f"{name} removed: its holders' tokens go back with {self.ctx.register.la}.")

    def save_sender(self) -> None:
        lines = [line.text() for line in self.sender]
        self.done_or_said(self.ctx.do("set_sender", lines=lines), "Sender address saved: it is on every label.")
