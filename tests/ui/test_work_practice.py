"""Practitioners' and mediating users' work in the real app (issue 8, pytest-qt on the training-style
directory): record then end an involvement, request a shield, broker a contact request and see its status
change after the LA team decides, and a mediated search for a registered colleague cleared by New caller."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.ui.test_app_flow import search, sign_in, visible_text
from ui.dialogs.contact_request_dialog import ContactRequestDialog
from ui.record_view import SHIELD_TEXT
from ui.screens.practice.record_actions import CONTACT_SENT, SHIELDED_NOW

LIVE_NBR = "c.shielded_at IS NULL AND c.archived_on IS NULL AND c.la_code = 'NBR'"


def a_child(app, where: str) -> str:
    from app import directory_id
    row = app.service.run_on_engine(lambda d: d.conn.execute(
        f"SELECT c.directory_id FROM children c WHERE {where} ORDER BY c.id LIMIT 1").fetchone()).result(5)
    assert row, where
    return directory_id.fmt(row[0])


def signed_in(qtbot, app, username="alex.practitioner"):
    sign_in(qtbot, app, username)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    return app.main


def open_by_id(qtbot, main, did: str) -> None:
    search(qtbot, main, directory_id=did)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1, timeout=10000)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.view is not None and main.record.view.directory_id == did, timeout=10000)


def dialog_of(qtbot, main, action: str):
    qtbot.mouseClick(main.record.buttons[action], Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is not None and main.record_actions.dialog.isVisible())
    qtbot.waitUntil(main.record_actions.dialog.isActiveWindow)  # as a person sees it: its keys go to it
    return main.record_actions.dialog


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_record_then_end_an_involvement(qtbot, make_app):
    """R-ROLE-1, R-REC-4, R-RET-3: "I am working with this child", told whom to contact, then ended."""
    app = make_app()
    main = signed_in(qtbot, app)
    did = a_child(app, LIVE_NBR + " AND EXISTS (SELECT 1 FROM involvements i WHERE i.child_id = c.id AND "
                  "i.ended IS NULL AND i.service IN ('education', 'gp', 'health_visitor', 'school_nurse', "
                  "'early_help', 'social_care'))")
    open_by_id(qtbot, main, did)
    assert main.record.buttons["work"].isVisible() and not main.record.buttons["end"].isVisible()
    assert main.record.la_team.isVisible() and "LA team" in main.record.la_team.text()  # R-SENS-4
    d = dialog_of(qtbot, main, "work")
    d.service.setCurrentIndex(d.service.findData("early_help"))
    assert not d.consent.isVisible()  # not a sensitive service
    type_into(qtbot, d.organisation.lineEdit(), "Northbridge Family Hub")  # R-REC-5: one of the register's
    type_into(qtbot, d.role.lineEdit(), "Family support worker")
    type_into(qtbot, d.phone, "0191 555 0100")
    type_into(qtbot, d.email, "alex.family@example.org")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is None and main.record.buttons["end"].isVisible(),
                    timeout=10000)
    text = main.record.browser.toPlainText()
    now = text.split("Working with this child now")[1].split("Worked with the child before")[0]
    assert "Northbridge Family Hub" in now and "Yours" in now
    assert main.record.others.isVisible() and main.record.others.text().startswith("You may want to contact:")

    d = dialog_of(qtbot, main, "end")
    d.keep[t.KeepContact.ONE_YEAR].setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is None and "ended" in main.record.note.text(),
                    timeout=10000)
    before = main.record.browser.toPlainText().split("Worked with the child before")[1]
    assert "Northbridge Family Hub" in before
    assert not main.record.buttons["end"].isVisible()  # nothing current of mine left to end


def test_a_sensitive_service_without_consent_or_ground_is_not_sent(qtbot, make_app):
    """R-SENS-2: the dialog asks who consented; without consent a ground is needed, after the warning."""
    app = make_app()
    main = signed_in(qtbot, app)
    open_by_id(qtbot, main, a_child(app, LIVE_NBR))
    d = dialog_of(qtbot, main, "work")
    d.service.setCurrentIndex(d.service.findData("camhs"))
    assert d.consent.isVisible()
    d.without_consent.setChecked(True)
    assert d.warning.isVisible() and "audited" in d.warning.text()
    for edit, text in ((d.role.lineEdit(), "Mental health practitioner"), (d.phone, "0191 555 0101")):
        type_into(qtbot, edit, text)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "ground" in d.message.text() and d.isVisible()  # nothing sent
    d.reject()


def test_request_a_shield_with_its_ground(qtbot, make_app):
    """R-SHIELD-2: in force at once -- the requester's own view is restricted straight away."""
    app = make_app()
    main = signed_in(qtbot, app)
    did = a_child(app, LIVE_NBR)
    open_by_id(qtbot, main, did)
    d = dialog_of(qtbot, main, "shield")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "ground" in d.message.text()  # a ground from the list is required
    d.ground.setCurrentIndex(d.ground.findData(t.ShieldGround.DOMESTIC_ABUSE.value))
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record.note.text() == SHIELDED_NOW, timeout=10000)
    assert main.record.banner.text() == SHIELD_TEXT and not main.record.buttons["shield"].isVisible()
    ground = app.service.run_on_engine(lambda e: e.conn.execute(
        "SELECT s.ground FROM shields s JOIN children c ON c.id = s.child_id WHERE c.directory_id = ?",
        (int(did.replace(" ", "")),)).fetchone()).result(5)
    assert ground == ("domestic_abuse",)


def test_a_brokered_contact_request_shows_its_status_after_the_la_decides(qtbot, make_app):
    """R-SENS-4: ask the LA team about a withheld involvement; Home shows it waiting, then passed on."""
    from tests.conftest import viewer_for
    app = make_app()
    main = signed_in(qtbot, app)
    did = a_child(app, LIVE_NBR + " AND EXISTS (SELECT 1 FROM involvements i WHERE i.child_id = c.id AND "
                  "i.ended IS NULL AND i.service IN ('camhs', 'sexual_health', 'substance_misuse') "
                  "AND i.recorded_by != 'alex.practitioner')")
    open_by_id(qtbot, main, did)
    d = dialog_of(qtbot, main, "contact")
    assert isinstance(d, ContactRequestDialog) and d.phone.text() == d.email.text() == ""  # typed, not pre-filled
    type_into(qtbot, d.phone, "0191 555 0199")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: d.message.text() != "", timeout=10000)  # the directory's refusal, in the dialog
    assert d.message.text() == "Fill in the e-mail address." and d.phone.text() == "0191 555 0199"
    type_into(qtbot, d.email, "alex@example.org")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record.note.text() == CONTACT_SENT, timeout=10000)

    home = main.screens[0]
    main.show_screen(home)
    qtbot.waitUntil(lambda: home.request_table.rowCount() == 1, timeout=10000)
    assert home.request_table.item(0, 2).text() == "Waiting for the LA team"
    assert main.record.view is not None  # an ordinary record stays open while Home is looked at

    la = app.service.run_on_engine(lambda e: viewer_for(e, "jo.la")).result(10)
    (waiting,) = app.service.perform(ops.CONTACT_QUEUE, la, t.Nothing()).result(10)
    app.service.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(waiting.request_id, t.ContactStatus.PASSED_ON),
                        "decide-1").result(10)
    qtbot.mouseClick(home.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: home.request_table.item(0, 2).text().startswith("Passed on"), timeout=10000)
    qtbot.waitUntil(lambda: main.tabs.tabText(main.tabs.indexOf(home)) == "Home (1)", timeout=10000)
    assert "answered" in home.inbox.item(0).text()
    home.inbox.setCurrentRow(0)
    qtbot.mouseClick(home.mark_read_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.tabs.tabText(main.tabs.indexOf(home)) == "Home", timeout=10000)


def test_a_mediated_search_for_a_registered_colleague_and_new_caller_clears_it_all(qtbot, make_app):
    """R-ROLE-2: the colleague is chosen from the register; New caller leaves nothing of the call."""
    app = make_app()
    main = signed_in(qtbot, app, "morgan.mediator")
    form = main.form
    qtbot.waitUntil(lambda: form.colleague_choice.count() > 1, timeout=10000)
    assert form.clear_button.text() == "&New caller"
    did = a_child(app, LIVE_NBR)
    search(qtbot, main, directory_id=did)
    assert "Choose the colleague" in form.message.text() and main.results.rowCount() == 0  # not sent
    form.colleague_choice.setCurrentIndex(1)
    chosen = form.colleagues[0]
    search(qtbot, main, directory_id=did)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1, timeout=10000)
    assert main.acting_label.text() == f"Acting for {chosen.name} ({chosen.organisation})"
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Universal services" in main.record.browser.toPlainText(), timeout=10000)
    assert chosen.name in main.record.header.text()
    assert not any(b.isVisible() for b in main.record.buttons.values())  # a mediating user changes nothing
    name = main.record.view.name.family_name
    qtbot.mouseClick(form.clear_button, Qt.LeftButton)
    assert main.results.rowCount() == 0 and main.record.view is None and form.colleague() is None
    assert form.colleague_choice.count() > 1  # the register stays to choose the next caller's colleague
    assert name not in visible_text()
