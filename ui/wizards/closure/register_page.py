"""The token register and the chase list (R-CLOSE-3): every token, partners' included, its holder,
organisation, used or unused, verified reset, envelope and state; the missing ones to chase."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.closure.register import DESTROYED, LOST, MISSING, RegisterError

from .common import Page, day, fill, selected_key, table

COLUMNS = ["Serial", "Holder", "Organisation", "Used", "Reset verified", "Envelope", "State"]
STATE_WORDS = {"collected": "Collected", "missing": "Missing", "lost": "Lost", "destroyed": "Destroyed",
               "returned_blocked": "To return as blocked", "returned": "Returned"}
HOW_WORDS = {"holder": "by the holder", "la_team": "by the LA team"}
MARKABLE = (MISSING, LOST, DESTROYED)  # what a person may record by hand; the rest come from resets/sending


def used_words(used: bool | None) -> str:
    return "Used" if used else "Unused" if used is False else "Not known"


def reset_words(t) -> str:
    return f"{day(t.reset_at)} {HOW_WORDS.get(t.reset_how, '')} ({t.reset_by})" if t.reset_verified else "No"


class RegisterPage(Page):
    key = "register"
    title = "Token register"
    intro = ("Every token the LA issued, national partners' included. Resets and envelopes fill in the rest. "
             "Import partners' tokens from a CSV file (serial, holder, organisation, used, contact).")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.table = table("tokenRegister", COLUMNS)
        self.chase = table("chaseList", ["Holder", "Contact", "Organisation", "Serial"])
        self.used = QPushButton("Mark &used")
        self.unused = QPushButton("Mark u&nused")
        self.state = QComboBox()
        self.state.setAccessibleName("Record the token as")
        for s in MARKABLE:
            self.state.addItem(STATE_WORDS[s], s)
        state_label = QLabel("Record &as:")
        state_label.setBuddy(self.state)
        self.record_state = QPushButton("&Record")
        self.import_button = QPushButton("&Import CSV…")
        self.used.clicked.connect(lambda: self._edit(lambda s: self.ctx.register.set_used(s, True), "token_used"))
        self.unused.clicked.connect(lambda: self._edit(lambda s: self.ctx.register.set_used(s, False), "token_unused"))
        self.record_state.clicked.connect(lambda: self._edit(
            lambda s: self.ctx.register.set_state(s, self.state.currentData()), "token_state"))
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
        fill(self.table, [[t.serial, t.holder, t.organisation, used_words(t.used), reset_words(t),
                           t.envelope or "", STATE_WORDS.get(t.state, t.state)] for t in tokens],
             keys=[t.serial for t in tokens])
        rows = reg.chase_list()
        fill(self.chase, [[r.holder, r.contact, r.organisation, r.serial] for r in rows],
             keys=[r.serial for r in rows])
        self.chase_title.setText(f"Chase list: {len(rows)} token{'s' if len(rows) != 1 else ''} still with "
                                 "their holders" if rows else "Chase list: nobody to chase.")

    def _edit(self, change, action: str) -> None:
        serial = selected_key(self.table)
        if serial is None:
            self.say("Choose a token in the register first.")
            return
        try:
            change(serial)
        except RegisterError as exc:
            self.failed(exc)
            return
        self.say("")
        self.ctx.save(action, {"serial": serial})

    def choose_csv(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import tokens", str(Path.home()), "CSV files (*.csv)")
        if name:
            self.import_csv(Path(name))

    def import_csv(self, path: Path) -> None:
        self.ctx.submit(path.read_text, "utf-8", on_done=self._imported_text, on_error=self.failed)

    def _imported_text(self, text: str) -> None:
        try:
            result = self.ctx.register.import_csv(text)
        except RegisterError as exc:
            self.failed(exc)
            return
        self.ctx.save("tokens_imported", {"added": len(result.added)})
        self.say(f"{len(result.added)} tokens added; {len(result.already_present)} were already in the register.",
                 error=False)

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
