"""The sensitive-involvement dialog asks for consent and chooses nothing for the person (issue 14 §1.4, R-SENS-2):
explicit consent is a choice nobody made for you. pytest-qt, on the real dialog."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.directory.work import types as t
from app.model import AccessReason, ConsentBy, ConsentOverride, Reason, ServiceType
from ui.dialogs.involvement_dialog import InvolvementDialog

TODAY = date(2026, 11, 21)
REASON = Reason(AccessReason.PROVIDING_SERVICE)


@pytest.fixture
def dialog(qtbot):
    d = InvolvementDialog("900 000 0025", REASON, TODAY, organisation="Northbridge CAMHS")
    qtbot.addWidget(d)
    sent: list = []
    d.submitted.connect(sent.append)
    d.sent = sent
    d.show()
    qtbot.waitExposed(d)
    d.service.setCurrentIndex(d.service.findData(ServiceType.CAMHS.value))
    d.role.setCurrentIndex(d.role.findText("Mental health practitioner"))  # from the service's titles (R-REC-5)
    qtbot.keyClicks(d.phone, "0191 555 0101")
    return d


def test_nothing_about_consent_is_chosen_until_the_person_chooses(qtbot, dialog):
    """R-SENS-2: the dialog opens with neither "with" nor "without" consent chosen, nobody named as consenting
    and no date; Record refuses, saying what to choose, and sends nothing."""
    d = dialog
    assert d.consent.isVisible()
    assert not d.with_consent.isChecked() and not d.without_consent.isChecked()
    assert d.consent_by.currentData() is None and d.consent_on.text() == ""
    assert d.override.currentData() is None
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.sent == [] and d.isVisible() and "consented" in d.message.text()
    assert d.with_consent.hasFocus()

    d.with_consent.setChecked(True)  # with consent, but not yet who or when
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.sent == [] and "who consented" in d.message.text().lower() and d.consent_by.hasFocus()
    d.consent_by.setCurrentIndex(d.consent_by.findData(ConsentBy.CHILD.value))
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.sent == [] and "date of consent" in d.message.text() and d.consent_on.hasFocus()
    qtbot.keyClicks(d.consent_on, "31/02/2026")  # not a date
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.sent == [] and "dd/mm/yyyy" in d.message.text()
    d.consent_on.clear()
    qtbot.keyClicks(d.consent_on, "14/11/2026")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    (request,) = d.sent
    assert isinstance(request, t.NewInvolvement) and request.override is None
    assert request.consent == t.Consent(ConsentBy.CHILD, date(2026, 11, 14))


def test_without_consent_needs_its_ground_and_sends_no_consent(qtbot, dialog):
    d = dialog
    d.without_consent.setChecked(True)
    assert not d.consent_by.isEnabled() and not d.consent_on.isEnabled() and d.override.isEnabled()
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.sent == [] and "ground" in d.message.text()
    d.override.setCurrentIndex(d.override.findData(ConsentOverride.CHILD_PROTECTION.value))
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    (request,) = d.sent
    assert request.consent is None and request.override is ConsentOverride.CHILD_PROTECTION


def test_the_consent_box_names_no_rule(dialog):
    """What a person reads carries no rule ids (issue 14 §3.5)."""
    assert "R-" not in dialog.consent.title()
