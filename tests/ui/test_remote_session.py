"""The real window against the real HTTPS service when the connection or the session goes (issue 15 2.4, 2.5):
one online/offline state for the status bar, the banner and Home, cleared when the service answers again
without the person doing anything; a session the service ended (a restart, its idle limit, warned before)
is taken up again in place with Sign in again, and the change made meanwhile is sent; signing out warns
while a change still waits (R-LOCAL-1, R-LOCAL-2)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.directory import Directory
from app.training import TRAINING_PIN
from tests.conftest import PASSWORD, TODAY
from tests.ui.service import Served, open_live
from tests.ui.test_remote_flow import _home
from tests.ui.test_work_practice import dialog_of, signed_in, type_into

T = 30000


def a_child(service) -> str:
    from app import directory_id
    d = Directory.open(service.path, service.key, clock=lambda: TODAY)
    try:
        (did,) = d.conn.execute("SELECT directory_id FROM children WHERE shielded_at IS NULL AND archived_on IS NULL "
                                "AND la_code = 'NBR' ORDER BY id LIMIT 1 OFFSET 3").fetchone()
    finally:
        d.close()
    return directory_id.fmt(did)


def involvements(service, org: str) -> int:
    service.stop()
    d = Directory.open(service.path, service.key, clock=lambda: TODAY)
    try:
        return d.conn.execute("SELECT count(*) FROM involvements WHERE organisation = ?", (org,)).fetchone()[0]
    finally:
        d.close()


def record(qtbot, main, org: str) -> None:
    d = dialog_of(qtbot, main, "work")
    d.service.setCurrentIndex(d.service.findData("early_help"))
    type_into(qtbot, d.organisation.lineEdit(), org)
    type_into(qtbot, d.role.lineEdit(), "Family support worker")
    type_into(qtbot, d.phone, "0191 555 0100")
    qtbot.mouseClick(d.ok, Qt.LeftButton)


def sign_in_again(qtbot, app, main) -> None:
    qtbot.mouseClick(main.banners.sign_in_again, Qt.LeftButton)
    qtbot.waitUntil(lambda: app.again is not None and app.again.isVisible(), timeout=T)
    dialog = app.again
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.pin, TRAINING_PIN)
    qtbot.mouseClick(dialog.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: app.again is None and main.banners.session.isHidden(), timeout=T)


def test_after_a_service_restart_sign_in_again_in_place_sends_the_change_made_meanwhile(qtbot, make_app, served):
    app = make_app(settings=served.settings())
    main = signed_in(qtbot, app)
    did = a_child(served)
    open_live(qtbot, main, did)
    served.restart()  # every session ends with it; the window does not know yet
    record(qtbot, main, "Restart Family Hub")  # the outbox finds the session ended: kept, and the window told
    qtbot.waitUntil(lambda: "saved on this workstation" in main.record.note.text(), timeout=T)
    qtbot.waitUntil(lambda: main.banners.session.isVisible(), timeout=T)
    assert main.sign_in_again_action.isEnabled() and "Sign in again" in main.banners.session_words.text()
    assert main.where.text().startswith(f"{served.url} · online")  # the service answers: only the session went
    old = app.session.directory_session
    sign_in_again(qtbot, app, main)
    assert app.session.directory_session != old and app.main is main  # in place: the same window
    home = _home(main)
    qtbot.waitUntil(lambda: home.outbox.items == [] and home.outbox.isHidden(), timeout=T)
    assert involvements(served, "Restart Family Hub") == 1  # sent once, after a search by the child's id


def test_one_state_for_the_status_bar_banner_and_home_cleared_when_the_service_answers_again(
        qtbot, make_app, served):
    app = make_app(settings=served.settings())
    main = signed_in(qtbot, app)
    home = _home(main)
    main.show_screen(home)
    served.stop()  # the network goes
    home.refresh()
    qtbot.waitUntil(lambda: "cannot be reached" in home.message.text(), timeout=T)
    qtbot.waitUntil(lambda: main.banners.directory.isVisible(), timeout=T)
    assert main.banners.directory.text().startswith("Since ") and "cannot be reached" in main.banners.directory.text()
    assert " · offline" in main.where.text()
    served.start()  # back: nobody touches anything
    qtbot.waitUntil(lambda: main.banners.directory.isHidden(), timeout=T)
    assert main.where.text().startswith(f"{served.url} · online")
    qtbot.waitUntil(lambda: home.message.isHidden(), timeout=T)


def test_signing_out_warns_while_a_change_still_waits(qtbot, make_app, served):
    app = make_app(settings=served.settings())
    main = signed_in(qtbot, app)
    open_live(qtbot, main, a_child(served))
    served.stop()
    record(qtbot, main, "Waiting Family Hub")
    qtbot.waitUntil(lambda: "saved on this workstation" in main.record.note.text(), timeout=T)
    main.ask_sign_out()
    qtbot.waitUntil(lambda: main.sign_out_question is not None and main.sign_out_question.isVisible(), timeout=T)
    question = main.sign_out_question
    assert question.text().startswith("1 change is still waiting to be sent.")
    assert "sent the next time you sign in here" in question.text()
    [stay] = [b for b in question.buttons() if b.text() == "&Stay signed in"]
    stay.click()
    qtbot.waitUntil(lambda: main.sign_out_question is None)
    assert app.session is not None and main.isVisible()
    main.ask_sign_out()
    qtbot.waitUntil(lambda: main.sign_out_question is not None and main.sign_out_question.isVisible(), timeout=T)
    [leave] = [b for b in main.sign_out_question.buttons() if b.text() == "Sign &out"]
    leave.click()
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)


@pytest.fixture
def quick_idle(training_tokens, tmp_path):
    from app.server import ServiceSettings
    service = Served(training_tokens, tmp_path, ServiceSettings(idle_minutes=6 / 60))  # a session unused 6 s ends
    yield service
    service.close()


def test_the_services_idle_limit_is_warned_before_input_keeps_the_session_and_its_end_offers_sign_in(
        qtbot, make_app, quick_idle):
    """Issue 15 2.5: the client learns the limit at sign-in and counts down before it, as before its own idle
    lock; a key keeps the session (the window asks the directory something); with no input it ends, and the
    window offers Sign in again."""
    app = make_app(settings=quick_idle.settings())
    app.service_clock.warn_idle_s = 4
    main = signed_in(qtbot, app)
    assert app.session.idle_s == 6 and app.session.max_s == 12 * 3600
    qtbot.waitUntil(lambda: main.banners.service_warning.isVisible(), timeout=T)
    assert "ends in" in main.banners.service_warning.text() and "Press a key" in main.banners.service_warning.text()
    qtbot.keyClick(main.form.inputs["family_name"], Qt.Key_A)  # input: the session is kept
    qtbot.waitUntil(lambda: main.banners.service_warning.isHidden(), timeout=T)
    assert main.banners.session.isHidden()  # kept, not ended
    qtbot.waitUntil(lambda: main.banners.session.isVisible(), timeout=T)  # then nothing: it ends
    sign_in_again(qtbot, app, main)
    assert main.banners.service_warning.isHidden()



def test_recently_opened_works_offline_and_an_offline_copy_can_queue_an_involvement(qtbot, make_app, served):
    """Issue 15 2.3: once the results are cleared a recent record is still reached from "Recently opened"; with
    the service gone it opens as the offline copy, says why its other actions are missing, and "I am working
    with this child" is kept and sent, once, when the service answers again (R-LOCAL-1, R-LOCAL-2)."""
    from ui.record_view import OFFLINE_ACTIONS
    app = make_app(settings=served.settings())
    main = signed_in(qtbot, app)
    did = a_child(served)
    open_live(qtbot, main, did)
    qtbot.waitUntil(lambda: main.recent.list.count() == 1, timeout=T)
    assert did in main.recent.list.item(0).text()
    main.clear()  # the enquiry is cleared: results, record and reason
    assert main.results.rowCount() == 0 and main.recent.list.count() == 1
    main.form.reason.setCurrentIndex(1)
    main.recent.list.setCurrentRow(0)
    qtbot.keyClick(main.recent.list, Qt.Key_Return)  # online: found again by its id, then opened
    qtbot.waitUntil(lambda: main.record.view is not None and main.record.view.directory_id == did, timeout=T)
    assert main.record.header.isHidden()

    served.stop()
    main.clear()
    main.form.reason.setCurrentIndex(1)
    main.recent.list.setCurrentRow(0)
    qtbot.keyClick(main.recent.list, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.header.text().startswith("Offline copy from"), timeout=T)
    assert main.record.note.text() == OFFLINE_ACTIONS
    assert [k for k, b in main.record.buttons.items() if not b.isHidden()] == ["work"]
    record(qtbot, main, "Offline Copy Hub")
    qtbot.waitUntil(lambda: "saved on this workstation" in main.record.note.text(), timeout=T)
    home = _home(main)
    qtbot.waitUntil(lambda: len(home.outbox.items) == 1, timeout=T)
    served.start()  # back: the change is sent without anyone asking
    qtbot.waitUntil(lambda: home.outbox.items == [] and home.outbox.isHidden() and main.banners.directory.isHidden(),
                    timeout=T)
    app.sign_out()
    assert main.recent.list.count() == 0  # cleared with everything else
    assert involvements(served, "Offline Copy Hub") == 1
