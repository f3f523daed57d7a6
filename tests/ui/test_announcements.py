"""Every refusal, result count, record opened, lock, saved or queued change and error is announced
(``QAccessibleAnnouncementEvent``: errors assertive, the rest polite), focus moves to the message or to the
field it names (the GOV.UK error pattern on the desktop: the field's description then carries the message),
and no announcement ever speaks a withheld detail (issue 18 item 5; R-SHIELD-1, R-SENS-3).

Fast: the announcements are caught as the app hands them to Qt's accessibility layer (what AT-SPI passes on
as ``object:announcement``; tests/a11y hears them on the real bus)."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

from app.model import AccessReason, Reason, Role
from tests.ui.test_app_flow import child_row, search, sign_in
from tests.ui.test_main_window import window as window  # the fixture
from ui.dialogs.shield_request_dialog import ShieldRequestDialog
from ui.screens.practice.record_actions import QUEUED
from ui.search_form import SearchForm

T = 20000
ASSERTIVE = QAccessible.AnnouncementPoliteness.Assertive
REASON = Reason(AccessReason.PROVIDING_SERVICE)


@pytest.fixture
def heard(monkeypatch) -> list[tuple[str, bool]]:
    """(message, assertive) of every announcement made from now on."""
    said: list[tuple[str, bool]] = []
    real = QAccessible.updateAccessibility

    def catch(event) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            said.append((event.message(), event.politeness() == ASSERTIVE))
        real(event)
    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(catch))
    return said


def spoken(heard) -> str:
    return " | ".join(m for m, _ in heard)


def test_a_dialogs_problem_is_said_at_once_on_the_field_it_names(qtbot, heard):
    dialog = ShieldRequestDialog("123 456 7890", REASON)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key_Space)  # no ground chosen
    assert heard == [("Choose the ground for the shield.", True)]
    assert dialog.focusWidget() is dialog.ground
    assert dialog.ground.accessibleDescription() == "Error: Choose the ground for the shield."
    dialog.ground.setCurrentIndex(1)
    qtbot.keyClick(dialog.ok, Qt.Key_Space)  # sent: the message goes, and the field's description with it
    assert dialog.ground.accessibleDescription() == ""


def test_a_refusal_from_the_directory_in_a_dialog_takes_focus_to_the_message(qtbot, heard):
    dialog = ShieldRequestDialog("123 456 7890", REASON)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ground.setCurrentIndex(1)
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key_Space)  # sent; the directory refuses
    dialog.show_error("You can no longer change this record: it has been archived.")
    assert heard[-1] == ("You can no longer change this record: it has been archived.", True)
    assert dialog.focusWidget() is dialog.message


def test_a_search_fields_problem_moves_focus_there_and_is_read_with_it(qtbot, heard):
    form = SearchForm(Role.PRACTITIONER, clock=lambda: date(2026, 12, 4))
    qtbot.addWidget(form)
    form.show()
    form.reason.setCurrentIndex(1)
    form.inputs["family_name"].setText("Trevaskis")
    form.inputs["dob"].setText("31/02/2014")
    form.submit()
    message, assertive = heard[-1]
    assert assertive and form.focusWidget() is form.inputs["dob"]
    assert form.inputs["dob"].accessibleDescription() == f"Error: {message}"
    form.inputs["dob"].setText("02/09/2014")
    form.submit()
    assert form.inputs["dob"].accessibleDescription() == ""


def test_a_queued_change_and_a_screen_message_are_announced(qtbot, heard):
    from ui.record_view import RecordPane
    from ui.screens.base import Screen
    pane = RecordPane(Role.PRACTITIONER)
    qtbot.addWidget(pane)
    pane.say(QUEUED)
    screen = Screen(ctx=None)  # type: ignore[arg-type]
    qtbot.addWidget(screen)
    screen.say("Shield on Lowenna Pendarves (900 000 0017) kept.")
    screen.failed(ConnectionError("no route"))
    assert heard[0] == (QUEUED, False)
    assert heard[1] == ("Shield on Lowenna Pendarves (900 000 0017) kept.", False)
    assert heard[2][1] and heard[2][0] == screen.message.text()


def test_an_la_lists_filter_says_how_many_it_shows(qtbot, heard):
    from ui.screens.la.lists import Column, ItemsList
    items = ItemsList("things", "Things", [Column("Name", lambda s: s)])
    qtbot.addWidget(items)
    items.show()
    items.set_items(["Penhallow", "Trevaskis", "Pendarves"])
    qtbot.keyClicks(items.find, "Pen")
    qtbot.waitUntil(lambda: "Showing 2 of 3" in spoken(heard), timeout=T)
    assert not any(a for _m, a in heard)  # a count, politely


def test_the_idle_warning_is_said_once_not_each_second(qtbot, heard, window):
    main, _ = window()
    main.show_idle_warning(30)
    main.show_idle_warning(29)
    assert [m for m, _ in heard if "will lock" in m] == ["Signpost will lock in 30 s. Press a key or move the mouse "
                                                        "to stay signed in."]


def test_nothing_withheld_is_ever_spoken_for_a_shielded_child_or_a_sensitive_involvement(qtbot, make_app, heard):
    """R-SHIELD-1: a shielded child's address never; R-SENS-3: a sensitive involvement's service, organisation,
    practitioner and phone never -- through the search count, the record opening and asking the LA team to pass
    on a contact request."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=T)
    main = app.main
    did, family, dob, _line1 = child_row(app, "c.shielded_at IS NOT NULL")
    address = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT h.line1, h.line2, h.town, h.postcode FROM children c JOIN households h ON h.id = c.household_id "
        "WHERE c.shielded_at IS NOT NULL AND c.family_name = ?", (family,)).fetchone()).result(5)
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=T)
    row = next(r for r in range(main.results.rowCount()) if main.results.hit(r).directory_id == did)
    main.table.selectRow(row)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Record opened" in spoken(heard), timeout=T)
    assert "match" in spoken(heard) and "Shielded" in spoken(heard)
    withheld = [part for part in address if part]

    sid, org, who, phone = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT c.directory_id, i.organisation, i.practitioner, i.phone FROM involvements i "
        "JOIN children c ON c.id = i.child_id WHERE i.service = 'camhs' AND c.shielded_at IS NULL "
        "AND i.ended IS NULL AND i.recorded_by != 'alex.practitioner' LIMIT 1").fetchone()).result(5)
    withheld += [org, who, phone, "mental health", "CAMHS"]
    search(qtbot, main, directory_id=str(sid))
    qtbot.waitUntil(lambda: main.results.rowCount() == 1, timeout=T)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.buttons["contact"].isVisible(), timeout=T)
    main.record.buttons["contact"].click()
    qtbot.waitUntil(lambda: main.record_actions.dialog is not None and main.record_actions.dialog.isVisible(),
                    timeout=T)
    dialog = main.record_actions.dialog
    dialog.phone.setText("01632 960 123")
    dialog.email.setText("alex.morgan@northbridge.example")
    dialog.ok.click()
    qtbot.waitUntil(lambda: "sent to the child's LA team" in spoken(heard), timeout=T)
    said = spoken(heard)
    assert [w for w in withheld if w.lower() in said.lower()] == []


def test_the_session_ended_banner_is_said_at_once_and_the_services_limit_once(qtbot, heard):
    """Issue 18 item 5 (WCAG 4.1.3): the directory ending the session is said assertively with the way back
    focused; the service's limit coming near is said politely once, not at each second of its countdown."""
    from ui.session_banners import SESSION_ENDED, SessionBanners
    banners = SessionBanners()
    qtbot.addWidget(banners)
    banners.show()
    assert banners.session_ended()
    assert (SESSION_ENDED, True) in heard
    assert not banners.session_ended() and heard.count((SESSION_ENDED, True)) == 1  # once
    heard.clear()
    for left in (60, 59, 58):
        banners.show_service_warning(f"The service ends this session in {left} seconds.")
    assert heard == [("The service ends this session in 60 seconds.", False)]
