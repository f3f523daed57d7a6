"""The sign-in window, lock window and search form for a screen reader and a password manager (issue 18
item 5): the password and PIN fields take a paste (WCAG 3.3.8 Accessible Authentication), status lines carry
no fixed accessible name (Qt would keep announcing that name, not the new text), the token list is named by
its label, and field names hold no mnemonic sign. The same over AT-SPI: tests/a11y."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout

from app.model import Role
from ui.lock_window import LockWindow
from ui.search_form import SearchForm
from ui.signin_window import SignInWindow


@pytest.mark.parametrize("field", ["password", "pin"])
def test_the_password_and_pin_fields_take_a_paste(qtbot, field):
    window = SignInWindow()
    qtbot.addWidget(window)
    QApplication.clipboard().setText("from-a-password-manager")
    edit = getattr(window, field)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
    assert edit.text() == "from-a-password-manager"
    QApplication.clipboard().clear()


def test_status_lines_have_no_fixed_accessible_name(qtbot):
    signin, lock, form = SignInWindow(), LockWindow("Alex Morgan"), SearchForm(Role.PRACTITIONER)
    for w in (signin, lock, form):
        qtbot.addWidget(w)
    for label in (signin.status, lock.status, lock.reason, lock.user, form.message):
        assert label.accessibleName() == "", label.objectName()


def test_the_token_list_is_named_by_its_label(qtbot):
    for window, picker in ((SignInWindow(), "tokens"), (LockWindow(), "picker")):
        qtbot.addWidget(window)
        combo = getattr(window, picker).combo
        form = next(lay for lay in window.findChildren(QFormLayout))
        assert form.labelForField(getattr(window, picker)).buddy() is combo


def test_search_fields_are_named_without_the_mnemonic_sign(qtbot):
    form = SearchForm(Role.PRACTITIONER)
    qtbot.addWidget(form)
    assert [e.accessibleName() for e in form.inputs.values()][:3] == ["Family name", "Given name", "Date of birth"]
    assert not [e.accessibleName() for e in form.inputs.values() if "&" in e.accessibleName()]
