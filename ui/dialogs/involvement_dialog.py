""""I am working with this child" (R-REC-4, R-ROLE-1, R-SENS-2), and changing one's own contact details.

A new involvement takes the service from the fixed list, the organisation, role, phone, e-mail and start
date. For a sensitive service (R-SENS-1) it asks whether consent was given, who consented (the child, or a
parent or carer) and when; or, without consent, a child-protection ground from the fixed list, after a warning
that recording without consent is audited and reported to the LA team. Nothing about consent is chosen until
the person chooses it (R-SENS-2: explicit consent is a choice nobody made for them). Changing details takes
only the contact fields, at the version of the involvement last seen (a change made elsewhere since is a
conflict, never overwritten).

The organisation comes from the directory's register and the role from the service's titles (R-REC-5): pickers,
whose "Other…" asks the LA team to add one (``register_pickers``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import ConsentBy, ConsentOverride, Involvement, Reason, ServiceType

from .base import Problem, WorkDialog
from .register_pickers import RegisterPickers

CONSENT_BY = {ConsentBy.CHILD: "The child", ConsentBy.PARENT_CARER: "A parent or carer"}
OVERRIDE_WORDS = {ConsentOverride.CHILD_PROTECTION: "Child protection",
                  ConsentOverride.RISK_OF_SIGNIFICANT_HARM: "Risk of significant harm"}
NO_CONSENT_WARNING = ("Recording a sensitive service without consent is audited, and your LA management team is "
                      "alerted and reports on it. Use it only on child-protection grounds.")
LIMIT = 200
DATE_HINT = "dd/mm/yyyy"


def date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMaximumDate(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(name)
    return edit


def day_of(edit: QDateEdit) -> date:
    q = edit.date()
    return date(q.year(), q.month(), q.day())


def line(name: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    edit.setMaxLength(LIMIT)
    return edit


class InvolvementDialog(WorkDialog):
    """New (``existing`` None) or changed contact details of one's own involvement."""

    def __init__(self, directory_id: str, reason: Reason, today: date, existing: Involvement | None = None,
                 organisation: str = "", parent: QWidget | None = None,
                 vocabulary: t.Vocabulary | None = None) -> None:
        new = existing is None
        super().__init__("I am working with this child" if new else "Update my details",
                         "&Record" if new else "&Save", parent)
        self.setObjectName("involvementDialog")
        self.directory_id, self.reason, self.existing = directory_id, reason, existing
        self.service = QComboBox()
        self.service.setAccessibleName("Service")
        self.service.addItem("Choose the service…", None)
        for s in ServiceType:
            self.service.addItem(s.label + (" (sensitive)" if s.sensitive else ""), s.value)
        was = existing or None
        # R-REC-5: the organisation and role from the register, never free text
        self.pickers = RegisterPickers(vocabulary or offline_vocabulary(organisation),
                                       was.organisation if was else organisation, was.role if was else "",
                                       was.service if was else None, keep=was is not None, say=self.show_error,
                                       parent=self)
        self.organisation, self.role, self.asked = self.pickers.organisation, self.pickers.role, self.pickers.asked
        self.phone = line("Phone", was.phone if was else "")
        self.email = line("E-mail", was.email if was else "")
        self.start = date_edit(today, "Start date")
        for edit in (self.phone, self.email):  # the values you gave shown in full (issue 14 §3.4)
            edit.ensurePolished()  # the style sheet's font, not the default one
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(edit.text()) + 24)
        if new:
            self.form.addRow("Ser&vice", self.service)
        self.form.addRow("&Organisation", self.organisation)
        self.form.addRow("Your ro&le", self.role)  # Alt+R is Record
        self.form.addRow(self.pickers.other)
        self.form.addRow("&Phone", self.phone)
        self.form.addRow("&E-mail", self.email)
        if new:
            self.form.addRow("&Start date", self.start)
        self.consent = self._consent_box()
        self.consent.setVisible(False)
        if new:
            self.column.insertWidget(1, self.consent)
            self.service.currentIndexChanged.connect(self._service_changed)
        else:
            self.service.hide()
            self.start.hide()

    def _consent_box(self) -> QGroupBox:
        """R-SENS-2: explicit consent is a choice nobody made for the person: nothing here is chosen until they
        choose it (with or without consent, who, when), and ``build`` refuses until they have."""
        box = QGroupBox("A sensitive service: consent")
        box.setObjectName("consentBox")
        form = QFormLayout(box)
        self.with_consent = QRadioButton("Recorded with &consent")
        self.without_consent = QRadioButton("&Without consent, on child-protection grounds")
        group = QButtonGroup(box)
        group.addButton(self.with_consent)
        group.addButton(self.without_consent)
        self.consent_by = QComboBox()
        self.consent_by.setAccessibleName("Who consented")
        self.consent_by.addItem("Choose who consented…", None)
        for by, words in CONSENT_BY.items():
            self.consent_by.addItem(words, by.value)
        self.consent_on = line("Date of consent")
        self.consent_on.setObjectName("consentOn")
        self.consent_on.setPlaceholderText(DATE_HINT)
        self.consent_on.setMaxLength(10)
        self.override = QComboBox()
        self.override.setAccessibleName("Ground for recording without consent")
        self.override.addItem("Choose the ground…", None)
        for o, words in OVERRIDE_WORDS.items():
            self.override.addItem(words, o.value)
        self.warning = QLabel(NO_CONSENT_WARNING)
        self.warning.setObjectName("noConsentWarning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("kind", "error")
        form.addRow(self.with_consent)
        form.addRow("Who consen&ted", self.consent_by)
        form.addRow("W&hen (dd/mm/yyyy)", self.consent_on)
        form.addRow(self.without_consent)
        form.addRow(self.warning)
        form.addRow("&Ground", self.override)
        self.with_consent.toggled.connect(self._consent_changed)
        self.without_consent.toggled.connect(self._consent_changed)
        self._consent_changed()
        return box

    def _consent_changed(self) -> None:
        on, off = self.with_consent.isChecked(), self.without_consent.isChecked()
        self.consent_by.setEnabled(on)
        self.consent_on.setEnabled(on)
        self.override.setEnabled(off)

    def _service_changed(self) -> None:
        code = self.service.currentData()
        self.pickers.set_service(ServiceType(code) if code else None)
        self.consent.setVisible(bool(code) and ServiceType(code).sensitive)
        self.adjustSize()

    def build(self):
        code = self.service.currentData()
        if self.existing is None and not code:  # the first field first: the role list is the service's
            raise Problem("Choose the service you provide.", self.service)
        fields = (self.pickers.organisation_value(), self.pickers.role_value(), self.phone.text().strip(),
                  self.email.text().strip())
        if self.existing is not None:
            return t.InvolvementChange(self.directory_id, self.existing.involvement_id, self.existing.version,
                                       *fields, self.reason)
        service = ServiceType(code)
        consent = override = None
        if service.sensitive:
            consent, override = self._consent()
        return t.NewInvolvement(self.directory_id, service, *fields, day_of(self.start), self.reason,
                                consent=consent, override=override)

    def _consent(self) -> tuple[t.Consent | None, ConsentOverride | None]:
        """What the person chose about consent (R-SENS-2); a ``Problem`` naming the first thing not chosen."""
        if not (self.with_consent.isChecked() or self.without_consent.isChecked()):
            self.with_consent.setFocus()
            raise Problem("Say whether the child or a parent or carer consented: choose “Recorded with consent” or "
                          "“Without consent”.")
        if self.without_consent.isChecked():
            if not self.override.currentData():
                self.override.setFocus()
                raise Problem("Choose the child-protection ground for recording without consent.")
            return None, ConsentOverride(self.override.currentData())
        if not self.consent_by.currentData():
            self.consent_by.setFocus()
            raise Problem("Choose who consented: the child, or a parent or carer.")
        on = consent_day(self.consent_on.text())
        if on is None:
            self.consent_on.setFocus()
            raise Problem("Give the date of consent as dd/mm/yyyy, for example 21/11/2026.")
        return t.Consent(ConsentBy(self.consent_by.currentData()), on), None


def consent_day(text: str) -> date | None:
    """A typed date of consent ("21/11/2026", "1/2/2026", "21.11.2026"), or None if it is not one."""
    parts = text.strip().replace(".", "/").replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def offline_vocabulary(organisation: str) -> t.Vocabulary:
    """What the pickers offer when the directory's lists could not be read (offline): one's own organisation and
    every service's national titles; the directory still checks what is sent."""
    return t.Vocabulary((organisation,) if organisation else (), tuple(t.RoleTitles(s, x)
                                                                       for s, x in ROLE_TITLES.items()))


def others_words(others: tuple[t.OtherPractitioner, ...]) -> str:
    """"You may want to contact:" and who else works with the child, one a line."""
    if not others:
        return ""
    lines = [f"{o.practitioner}, {o.role} at {o.organisation}" + "".join(f" · {x}" for x in (o.phone, o.email) if x)
             for o in others]
    return "You may want to contact:\n" + "\n".join(lines)


Factory = Callable[..., InvolvementDialog]
