"""The keyboard-first search form.

Enter in any field searches; Tab moves down the form in reading order; every
field has an accessible name and a label with an Alt shortcut. The reasons
offered are those the user's role may give (R-SEARCH-1). The form only
parses what was typed: the directory decides whether a search is specific
enough (R-SEARCH-2) and says so in its own words, which the form shows.

A mediating user chooses the colleague they search for from the LA's register
(``set_colleagues``, from the directory's ``colleagues`` operation), never
types one (R-ROLE-2); their Clear is "New caller": nothing of the last
enquiry stays.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import form_input
from app.directory.work.types import RegisteredColleague
from app.model import AccessReason, Colleague, Reason, Role
from app.search import Criteria

from .announce import announce, point_to, unpoint

_FIELDS = (  # attribute, label (with its Alt shortcut), placeholder
    ("family_name", "&Family name", "e.g. Smith"),
    ("given_name", "&Given name", "e.g. Poppy"),
    ("dob", "Date of bir&th", "dd/mm/yyyy"),
    ("dob_to", "… or born &up to", "dd/mm/yyyy (for a range)"),
    ("ages", "&Age range", "e.g. 5-7 (with a given name)"),
    ("postcode", "&Postcode", "e.g. NE1 4XY or NE1"),
    ("directory_id", "Directory &id", "10 digits, enough on its own"),
)


class SearchForm(QWidget):
    submitted = Signal(object, object, object)  # Criteria, Reason, Colleague | None
    cleared = Signal()  # the user pressed Clear: everything about the last enquiry goes
    colleague_edited = Signal()  # a mediating user changed whom they act for

    def __init__(self, role: Role, clock: Callable[[], date] = date.today, parent=None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.mediating = role.acts_for_colleague
        mediating = self.mediating
        outer = QVBoxLayout(self)

        why = QGroupBox("Why are you searching?")
        why_form = QFormLayout(why)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason for access")
        self.reason.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # the list shows them whole
        self.reason.setMinimumContentsLength(20)
        self.reason.addItem("Choose a reason…", None)
        for r in AccessReason.for_role(role):
            self.reason.addItem(r.label, r.value)
        self.reason_detail = QLineEdit()
        self.reason_detail.setAccessibleName("Reason detail")
        self.reason_detail.setPlaceholderText("Needed for 'Other'")
        self.reason_detail.setMaxLength(200)
        why_form.addRow("&Reason", self.reason)
        why_form.addRow("&Detail", self.reason_detail)
        self.colleague_choice = QComboBox()
        self.colleague_choice.setObjectName("colleagueChoice")
        self.colleagues: list[RegisteredColleague] = []
        if mediating:  # R-ROLE-2: a registered colleague, chosen from the list
            self.colleague_choice.setAccessibleName("Colleague you are searching for")
            self.colleague_choice.setMinimumContentsLength(24)
            self.colleague_choice.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            self.set_colleagues(())
            why_form.addRow("On &behalf of", self.colleague_choice)
            self.colleague_choice.activated.connect(lambda _i: self.colleague_edited.emit())
        outer.addWidget(why)

        who = QGroupBox("Which child?")
        form = QFormLayout(who)
        self.inputs: dict[str, QLineEdit] = {}
        for attr, label, hint in _FIELDS:
            edit = QLineEdit()
            edit.setObjectName(attr)
            edit.setAccessibleName(label.replace("&", ""))  # a name a screen reader reads: no mnemonic sign
            edit.setPlaceholderText(hint)
            edit.setClearButtonEnabled(True)
            for clear in edit.findChildren(QToolButton):  # the clear button a screen reader's review mode reaches
                clear.setAccessibleName(f"Clear {label.replace('&', '').lower()}")
            edit.returnPressed.connect(self.submit)
            form.addRow(label, edit)
            self.inputs[attr] = edit
        outer.addWidget(who)

        self.message = QLabel()
        self.message.setObjectName("searchMessage")
        self.message.setWordWrap(True)  # no fixed accessible name: its text is read, and announced (ui/announce.py)
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        self.search_button = QPushButton("&Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.submit)
        self.clear_button = QPushButton("&New caller" if mediating else "C&lear")
        self.clear_button.setObjectName("newCallerButton" if mediating else "clearButton")
        self.clear_button.clicked.connect(self._clear_clicked)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.clear_button)
        outer.addLayout(buttons)
        outer.addStretch(1)
        self.reason_detail.returnPressed.connect(self.submit)

    def set_colleagues(self, colleagues) -> None:
        """The registered colleagues a mediating user may act for (R-ROLE-2); the choice starts empty."""
        self.colleagues = list(colleagues)
        self.colleague_choice.clear()
        self.colleague_choice.addItem("Choose the colleague…" if self.colleagues else "No colleagues registered",
                                      None)
        for c in self.colleagues:
            words = f"{c.name}, {c.role} — {c.organisation}" if c.role else f"{c.name} — {c.organisation}"
            self.colleague_choice.addItem(words, c.username)
    def reason_value(self) -> Reason | None:
        code = self.reason.currentData()
        return Reason(code, self.reason_detail.text()) if code else None

    def colleague(self) -> Colleague | None:
        if not self.mediating:
            return None
        i = self.colleague_choice.currentIndex() - 1
        if i < 0 or i >= len(self.colleagues):
            return None
        c = self.colleagues[i]
        return Colleague(c.name, c.organisation, c.username)

    def submit(self) -> None:
        reason = self.reason_value()
        if reason is None:
            self.show_message("Choose a reason for this search.", field=self.reason)
            return
        if self.mediating and self.colleague() is None:  # R-ROLE-2
            self.show_message("Choose the colleague you are searching for from the list.", field=self.colleague_choice)
            return
        try:
            c: Criteria = form_input.criteria(today=self.clock(), **{k: e.text() for k, e in self.inputs.items()})
        except form_input.InputProblem as problem:
            self.show_message(problem.message, field=self.inputs[problem.field])
            return
        self.show_message("")
        self.submitted.emit(c, reason, self.colleague())

    def show_message(self, text: str, error: bool = True, field: QWidget | None = None) -> None:
        """Said at once (an error) or politely (a count); a message about a ``field`` moves focus there and is
        read with it (``ui.announce.point_to``)."""
        unpoint(self)
        self.message.setProperty("kind", "error" if error else "info")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        announce(self.message, text, assertive=error)  # a refusal at once; a result count politely
        if field is not None and text:
            point_to(field, text)

    def set_busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)
        self.search_button.setText("Searching…" if busy else "&Search")

    def clear(self) -> None:
        """The child's details and the message; the reason and colleague stay."""
        for e in self.inputs.values():
            e.clear()
        self.message.clear()
        self.inputs["family_name"].setFocus()

    def _clear_clicked(self) -> None:
        self.wipe()
        self.cleared.emit()
        self.reason.setFocus()  # a new enquiry starts with why
        announce(self.message, "Cleared: nothing of the last caller is left." if self.mediating else "Cleared.")

    def wipe(self) -> None:
        """Everything typed about a child goes (lock and sign-out, R-LOCAL-2)."""
        self.clear()
        self.colleague_choice.setCurrentIndex(0)
        self.reason_detail.clear()
        self.reason.setCurrentIndex(0)
