"""Dialogs that know their context (issue 14 §3.4): they name the child (and the involvement they change),
prefill the phone and e-mail you already gave, open with the focus on their first field, show a problem in
the error style with the focus on the field it names, never squash the warning above them, and "Update my
details" shows its values in full."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.model import Role, WithheldInvolvement
from app.search import Outcome
from tests.ui.test_main_window import hit, window  # noqa: F401 - the fixture
from tests.ui.test_work_practice_screens import mine, opened, record
from ui.app import configure

LONG_EMAIL = "morgan.reid-hallworth@northbridge-family-hub-and-early-help.example"


def dialog_for(qtbot, main, key):
    qtbot.mouseClick(main.record.buttons[key], Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is not None and main.record_actions.dialog.isVisible())
    return main.record_actions.dialog


def test_the_dialogs_name_the_child_and_the_involvement_and_prefill_what_you_gave(qtbot, window):  # noqa: F811
    own = mine()
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did, involvements=(own, WithheldInvolvement(7))))
    opened(qtbot, main)
    d = dialog_for(qtbot, main, "update")
    assert d.context.isVisible()
    assert d.context.text() == ("For Poppy Smith, born 8 June 2015 · directory id 123 456 7890 · your involvement: "
                                "Early help / family support, Northbridge Family Hub")
    assert d.focusWidget() is d.first_field()
    d.reject()
    work = dialog_for(qtbot, main, "work")
    assert work.context.text().startswith("For Poppy Smith, born 8 June 2015")
    assert (work.phone.text(), work.email.text()) == (own.phone, own.email)  # what you gave on this record
    assert work.focusWidget() is work.service  # the first field
    work.service.setCurrentIndex(work.service.findData("camhs"))
    qtbot.waitUntil(lambda: work.consent.isVisible())
    assert work.consent.geometry().top() > work.service.geometry().bottom()  # the context moves nothing about
    work.reject()
    contact = dialog_for(qtbot, main, "contact")
    assert contact.context.text().endswith("· an unspecified service")
    assert (contact.phone.text(), contact.email.text()) == (own.phone, own.email)


def test_a_problem_is_shown_in_the_error_style_with_the_focus_on_its_field(qtbot, window):  # noqa: F811
    qt = QApplication.instance()
    before = qt.styleSheet()
    configure(qt)
    try:
        main, _ = window(search=lambda *a: Outcome(hits=(hit(),)), view_record=lambda v, did, r: record(did))
        opened(qtbot, main)
        d = dialog_for(qtbot, main, "work")
        d.phone.setFocus()
        qtbot.mouseClick(d.ok, Qt.LeftButton)  # no service chosen
        assert d.message.isVisible() and d.message.text() == "Choose the service you provide."
        assert d.message.palette().color(QPalette.WindowText).name() == "#8a2a0a"
        assert d.focusWidget() is d.service
    finally:
        qt.setStyleSheet(before)


def test_the_override_warning_is_never_squashed_and_update_shows_its_values_in_full(qtbot, window):  # noqa: F811
    qt = QApplication.instance()
    before = qt.styleSheet()
    configure(qt)
    try:
        own = mine()
        own = type(own)(**{**own.__dict__, "email": LONG_EMAIL})
        main, _ = window(Role.CHILD_PROTECTION, search=lambda *a: Outcome(hits=(hit(),)),
                         view_record=lambda v, did, r: record(did, shielded=True, applied=True))
        opened(qtbot, main)
        d = dialog_for(qtbot, main, "override")
        d.resize(200, 100)  # as small as a person could drag it
        qtbot.wait(10)
        assert d.warning.height() >= d.warning.heightForWidth(d.warning.width())
        d.reject()
        main2, _ = window(search=lambda *a: Outcome(hits=(hit(),)),
                          view_record=lambda v, did, r: record(did, involvements=(own,)))
        opened(qtbot, main2)
        u = dialog_for(qtbot, main2, "update")
        assert u.email.width() >= u.email.fontMetrics().horizontalAdvance(LONG_EMAIL)
    finally:
        qt.setStyleSheet(before)
