"""The token register and the chase list (R-CLOSE-3): every token, partners' included, its holder and the
holder's own organisation, whom it goes back with, used or unused, verified reset, envelope and state; the
missing ones to chase, with the holder's phone and e-mail from the directory."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.closure import words
from app.closure.register import DESTROYED, LOST, MISSING, Register, RegisterError

from .common import Page, fill, selected_key, table

COLUMNS = ["Serial", "Holder", "Organisation", "Returned with", "Used", "Reset verified", "Envelope", "State"]
MARKABLE = (MISSING, LOST, DESTROYED)  # what a person may record by hand; the rest come from resets/sending


def reset_words(t) -> str:
    return f"{words.when(t.reset_at)} {words.how(t.reset_how)} ({t.reset_by})" if t.reset_verified else "No"


class RegisterPage(Page):
    key = "register"
    title = "Token register"
    intro = ("Every token the LA issued, national partners' included, with each holder's own organisation. "
             "Resets and envelopes fill in the rest. Import tokens issued outside Signpost from a CSV file "
             "(serial, holder, organisation, used, holder_organisation, phone, email).")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.table = table("tokenRegister", COLUMNS)
        self.table.itemSelectionChanged.connect(lambda: self.say(""))  # a message is about the token it names
        self.chase = table("chaseList", ["Holder", "Organisation", "Phone", "E-mail", "Serial"])
        self.used = QPushButton("Mark &used")
        self.unused = QPushButton("Mark unuse&d")
        self.state = QComboBox()
        self.state.setAccessibleName("Record the token as")
        for s in MARKABLE:
            self.state.addItem(words.state(s), s)
        state_label = QLabel("Record &as:")
        state_label.setBuddy(self.state)
        self.record_state = QPushButton("&Record")
        self.import_button = QPushButton("&Import CSV…")
        self.used.clicked.connect(lambda: self._edit("set_used", "marked used", used=True))
        self.unused.clicked.connect(lambda: self._edit("set_used", "marked unused", used=False))
        self.record_state.clicked.connect(lambda: self._edit(
            "set_state", f"recorded as {words.state(self.state.currentData()).lower()}",
            state=self.state.currentData()))
        self.import_button.clicked.connect(self.choose_csv)
        self.so_pins = QPushButton("Import &SO PINs…")
        self.so_pins.setToolTip("The security officer PINs for the batch (CSV: serial,so_pin); kept encrypted, "
                                "never shown")
        self.so_pins.clicked.connect(self.choose_so_pins)
        buttons = QHBoxLayout()
        for w in (self.used, self.unused, state_label, self.state, self.record_state):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.so_pins)
        chase_box = QWidget()
        chase_column = QVBoxLayout(chase_box)
        chase_column.setContentsMargins(0, 0, 0, 0)
        self.chase_title = QLabel()
        self.chase_title.setWordWrap(True)
        chase_column.addWidget(self.chase_title)
        chase_column.addWidget(self.chase)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(chase_box)
        split.setSizes([420, 180])
        self.column.addWidget(split, 1)
        self.column.addLayout(buttons)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        self.so_pins.setVisible(self.ctx.store is not None)
        reg = self.ctx.register
        tokens = sorted(reg.tokens.values(), key=lambda t: (t.organisation != reg.la, t.organisation, t.holder))
        fill(self.table, [[t.serial, t.holder, t.holder_organisation or t.organisation, t.organisation,
                           words.used(t.used), reset_words(t), t.envelope or "", words.state(t.state)]
                          for t in tokens], keys=[t.serial for t in tokens])
        rows = reg.chase_list()
        fill(self.chase, [[r.holder, r.holder_organisation, r.phone or "none recorded", r.email or "none recorded",
                           r.serial] for r in rows], keys=[r.serial for r in rows])
        self.chase_title.setText(f"Chase list: {len(rows)} token{'s' if len(rows) != 1 else ''} still with their "
                                 "holders. Save a chase letter for each on the documents page." if rows
                                 else "Chase list: nobody to chase.")

    def _edit(self, kind: str, done: str, **args) -> None:
        serial = selected_key(self.table)
        if serial is None:
            self.say("Choose a token in the register first.")
            return
        self.done_or_said(self.ctx.do(kind, serial=serial, **args), f"Token {serial}: {done}.")

    def choose_csv(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import tokens", str(Path.home()), "CSV files (*.csv)")
        if name:
            self.import_csv(Path(name))

    def import_csv(self, path: Path) -> None:
        self.ctx.submit(path.read_text, "utf-8", on_done=self._imported_text, on_error=self.failed)

    def _imported_text(self, text: str) -> None:
        try:  # what it would add, said before the step is made
            result = Register.from_json(self.ctx.register.to_json()).import_csv(text)
        except RegisterError as exc:
            self.failed(exc)
            return
        self.done_or_said(self.ctx.do("import_tokens", csv=text),
                          f"{len(result.added)} tokens added; {len(result.already_present)} were already in the "
                          "register.")

    def choose_so_pins(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import security officer PINs", str(Path.home()),
                                              "CSV files (*.csv)")
        if name:
            self.import_so_pins(Path(name))

    def import_so_pins(self, path: Path) -> None:
        """Into the encrypted closure store only; the file itself is the LA's to destroy."""
        self.ctx.submit(self.ctx.store.import_so_pins, path, self.ctx.actor,
                        on_done=lambda r: self.say(f"Security officer PINs kept for {r.added + r.replaced} "
                                                   "tokens. Destroy the file you imported them from.", error=False),
                        on_error=self.failed)
