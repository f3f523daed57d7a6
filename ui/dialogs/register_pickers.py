"""Organisation and role pickers (issue 14 §2.3, R-REC-5): no free text where case notes could go.

The organisation comes from the directory's register, the role from the chosen service type's titles (or every
service type's, for a registered colleague), offered as lists one can type into to narrow them down. What is
typed must be one of them, said in the error style with focus on the field (the directory refuses anything else
too). The last item of each, "Other…", opens a line to ask the LA team to add one: sent as a request
(``asked``), usable once the team approves it (listed at once when the LA team itself asks). An involvement
recorded before the register keeps its organisation and role when only its contact details change.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import ServiceType

from .base import Problem

OTHER_ORGANISATION = "Other: ask your LA team to add an organisation…"
OTHER_ROLE = "Other: ask your LA team to add a role…"
LIMIT = 100


def _picker(name: str, accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.NoInsert)  # typing narrows the list; it never adds to it
    combo.lineEdit().setMaxLength(LIMIT)
    combo.setMinimumContentsLength(28)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    completer = combo.completer()  # the editable combo's own: it matches anywhere in an item, in a list
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    completer.setFilterMode(Qt.MatchContains)
    completer.setCompletionMode(QCompleter.PopupCompletion)
    return combo


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class RegisterPickers(QObject):
    """The organisation and role lists of a dialog, and its "ask your LA team" line."""

    asked = Signal(object)  # t.RegisterAsk, for the dialog's owner to send

    def __init__(self, vocabulary: t.Vocabulary, organisation: str = "", role: str = "",
                 service: ServiceType | None = None, keep: bool = False, any_service: bool = False,
                 say: Callable[[str], None] = lambda _text: None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.say = say  # the dialog's message line
        self.vocabulary = vocabulary
        self.any_service = any_service
        self.service = service
        self.kept = (organisation, role) if keep else ("", "")  # recorded before the register: may stay
        self.organisation = _picker("organisationPicker", "Organisation")
        self.role = _picker("rolePicker", "Role")
        self.other = QWidget()
        self.other.setObjectName("askRegister")
        row = QHBoxLayout(self.other)
        row.setContentsMargins(0, 0, 0, 0)
        self.other_label = QLabel("Name to &add")  # Alt+N is the Name of a new user or colleague
        self.other_name = QLineEdit()
        self.other_name.setObjectName("askRegisterName")
        self.other_name.setMaxLength(LIMIT)
        self.other_label.setBuddy(self.other_name)
        self.ask_button = QPushButton("As&k my LA team")
        self.ask_button.setObjectName("askRegisterButton")
        self.ask_button.clicked.connect(self._ask)
        self.other_name.returnPressed.connect(self._ask)
        for w in (self.other_label, self.other_name, self.ask_button):
            row.addWidget(w)
        self.other.hide()
        self.asking: t.RegisterKind | None = None
        self._fill(self.organisation, list(vocabulary.organisations) + ([organisation] if keep else []),
                   OTHER_ORGANISATION, organisation)
        self._fill_roles(role)
        self.organisation.activated.connect(lambda _i: self._chosen(self.organisation, t.RegisterKind.ORGANISATION))
        self.role.activated.connect(lambda _i: self._chosen(self.role, t.RegisterKind.ROLE))

    # -- the lists ---------------------------------------------------------------------------------------
    def _titles(self) -> list[str]:
        by_service = {r.service: r.titles for r in self.vocabulary.roles} or dict(ROLE_TITLES)
        if self.any_service:
            return sorted({x for titles in by_service.values() for x in titles}, key=str.casefold)
        return list(by_service.get(self.service, ())) if self.service is not None else []

    @staticmethod
    def _fill(combo: QComboBox, items: list[str], other: str, current: str) -> None:
        seen: list[str] = []
        for item in items:
            if item and _fold(item) not in {_fold(x) for x in seen}:
                seen.append(item)
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(seen)
        combo.addItem(other)
        match = next((i for i, x in enumerate(seen) if _fold(x) == _fold(current)), -1) if current else -1
        combo.setCurrentIndex(match)
        if match < 0:
            combo.setEditText("")
        combo.blockSignals(False)

    def _fill_roles(self, current: str) -> None:
        kept = [self.kept[1]] if self.kept[1] else []
        self._fill(self.role, self._titles() + kept, OTHER_ROLE, current)
        self.role.setEnabled(self.any_service or self.service is not None)
        self.role.lineEdit().setPlaceholderText("" if self.role.isEnabled() else "Choose the service first")

    def set_service(self, service: ServiceType | None) -> None:
        """The service chosen: the role list becomes its titles (what was typed stays if it is one of them)."""
        self.service = service
        self._fill_roles(self.role.currentText())

    def set_vocabulary(self, vocabulary: t.Vocabulary) -> None:
        """A fuller list arrived (the directory answered): offered from now on, what was chosen kept."""
        self.vocabulary = vocabulary
        org, role = self.organisation.currentText(), self.role.currentText()
        self._fill(self.organisation, list(vocabulary.organisations) + [self.kept[0]], OTHER_ORGANISATION, org)
        self._fill_roles(role)

    # -- "Other…": ask the LA team ---------------------------------------------------------------------------
    def _chosen(self, combo: QComboBox, kind: t.RegisterKind) -> None:
        other = combo.currentText() in (OTHER_ORGANISATION, OTHER_ROLE)
        if not other and self.asking is not kind:
            return
        self.asking = kind if other else None
        self.other.setVisible(other)
        if other:
            combo.setEditText("")
            what = "organisation" if kind is t.RegisterKind.ORGANISATION else "role"
            self.other_name.setAccessibleName(f"The {what} to ask your LA team to add")
            self.other_name.setPlaceholderText(f"The {what}'s name, as it is known")
            self.other_name.setFocus()

    def _ask(self) -> None:
        name = " ".join(self.other_name.text().split())
        if self.asking is None or not name:
            self.other_name.setFocus()
            return
        if self.asking is t.RegisterKind.ROLE and self.service is None:
            self.say("Choose the service first: a role is added for a service." if not self.any_service else
                     "Add a role on the Register screen, where you choose the service it is for.")
            return
        self.ask_button.setEnabled(False)
        self.asked.emit(t.RegisterAsk(self.asking, name, self.service if self.asking is t.RegisterKind.ROLE
                                      else None))

    def asked_done(self, entry: t.RegisterEntry) -> str:
        """The request went: what to tell the person. One the LA team asked for is listed and chosen at once."""
        self.ask_button.setEnabled(True)
        self.other_name.clear()
        self.other.hide()
        self.asking = None
        combo = self.organisation if entry.kind is t.RegisterKind.ORGANISATION else self.role
        if entry.status == "listed":
            combo.insertItem(max(0, combo.count() - 1), entry.name)
            combo.setCurrentIndex(combo.findText(entry.name))
            return f"“{entry.name}” is in the list now, and chosen."
        combo.setEditText("")
        return (f"Your LA team has been asked to add “{entry.name}”. Once they have, it is in this list; until then, "
                "choose one that is listed, or come back to this later.")

    def asked_failed(self) -> None:
        self.ask_button.setEnabled(True)

    # -- what was chosen -------------------------------------------------------------------------------------
    def organisation_value(self) -> str:
        return self._value(self.organisation, list(self.vocabulary.organisations), self.kept[0], OTHER_ORGANISATION,
                           "Choose your organisation from the list. If it is not there, choose “Other…” to ask "
                           "your LA team to add it.")

    def role_value(self) -> str:
        if not self.role.isEnabled():
            self.role.setFocus()
            raise Problem("Choose the service you provide first, then your role.")
        return self._value(self.role, self._titles(), self.kept[1], OTHER_ROLE,
                           "Choose your role from the list. If it is not there, choose “Other…” to ask your LA "
                           "team to add it.")

    @staticmethod
    def _value(combo: QComboBox, listed: list[str], kept: str, other: str, problem: str) -> str:
        typed = _fold(combo.currentText())
        for item in listed + ([kept] if kept else []):
            if _fold(item) == typed and item != other:
                return item
        combo.setFocus()
        combo.lineEdit().selectAll()
        raise Problem(problem)
