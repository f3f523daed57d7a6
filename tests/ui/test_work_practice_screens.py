"""The role window's practice screens against a stand-in directory: what each role is offered on a record,
the child-protection override that is never cached and goes when the record is left (R-SHIELD-6), a conflict
given as a clear choice, a second lead professional told who holds it, the home view's inbox and its count,
and a mediating user's results and record that cannot be copied (R-ROLE-2, R-LOCAL-3)."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.directory import AccessRefused
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import (
    Address,
    Gender,
    Involvement,
    LaTeamContact,
    Name,
    RecordView,
    Role,
    ServiceType,
    WithheldInvolvement,
)
from app.search import Outcome
from tests.ui.test_main_window import REGISTERED, fill_and_search, hit, window  # noqa: F401 - fixture
from ui.record_view import OVERRIDE_TEXT, SHIELD_TEXT, offers
from ui.screens.practice.words import notice_words

TEAM = LaTeamContact("NBR", "Northbridge LA team", "0191 000 0000", "la.team@example.org")


def mine(version=2, lead=False) -> Involvement:
    return Involvement(41, ServiceType.EARLY_HELP, "Northbridge Family Hub", "Morgan Reid", "Support worker",
                       "0191 555 0100", "m@example.org", date(2026, 1, 5), None, lead, False, version=version,
                       yours=True)


def record(did="123 456 7890", *, shielded=False, applied=False, override=False, involvements=()) -> RecordView:
    full = not applied
    return RecordView(did, Name("Poppy", "Smith"), (), date(2015, 6, 8), Gender.FEMALE, shielded=shielded,
                      shield_applied=applied, address=Address("1 Hidden Row", "", "Gateshead", "NE8 1AA") if full
                      else None, involvements=involvements, la_team=TEAM, override=override)


def opened(qtbot, main):
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.view is not None)


def test_each_role_is_offered_only_what_it_may_do():
    """R-ROLE-1..3, R-SHIELD-6, R-SENS-4: the engine refuses anyway; the screen does not offer it."""
    plain, with_mine = record(), record(involvements=(mine(),))
    hidden, shielded = record(involvements=(WithheldInvolvement(7),)), record(shielded=True, applied=True)
    assert offers(Role.PRACTITIONER, plain) == {"work", "shield"}
    assert offers(Role.PRACTITIONER, with_mine) == {"work", "shield", "update", "end", "indicators"}
    assert offers(Role.PRACTITIONER, hidden) == {"work", "shield", "contact"}
    assert offers(Role.PRACTITIONER, shielded) == {"work", "contact"}
    assert offers(Role.CHILD_PROTECTION, shielded) == {"work", "contact", "override"}
    assert "override" not in offers(Role.CHILD_PROTECTION, record(shielded=True, override=True))
    assert offers(Role.MEDIATING, hidden) == offers(Role.MEDIATING, shielded) == set()
    # an offline copy: only "I am working with this child", kept to send later (issue 15 2.3)
    assert offers(Role.PRACTITIONER, with_mine, offline=True) == {"work"}
    assert offers(Role.LA_MANAGEMENT, with_mine, offline=True) == set()


def test_a_child_protection_override_is_shown_once_never_cached_and_goes_when_the_record_is_left(qtbot, window):
    """R-SHIELD-6: warning first; the full view reaches the screen but not the record cache; leaving for
    the Home screen drops it from the widgets."""
    main, service = window(Role.CHILD_PROTECTION, search=lambda *a: Outcome(hits=(hit(),)),
                           view_record=lambda v, did, r: record(did, shielded=True, applied=True),
                           override_shield=lambda v, req: record(req.directory_id, shielded=True, override=True))
    cached = []
    main.record_opened.connect(cached.append)
    opened(qtbot, main)
    assert main.record.banner.text() == SHIELD_TEXT and len(cached) == 1
    qtbot.mouseClick(main.record.buttons["override"], Qt.LeftButton)
    d = main.record_actions.dialog
    assert "investigated" in d.warning.text()
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "warning" in d.message.text() and not [c for c in service.calls if c[0] == "override_shield"]
    d.understood.setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "1 Hidden Row" in main.record.browser.toPlainText())
    (_, (_, request, _)), = [c for c in service.calls if c[0] == "override_shield"]
    assert request.warning_seen is True
    assert main.record.banner.text() == OVERRIDE_TEXT
    assert len(cached) == 1 and not cached[0].override  # the cache never saw the full view
    main.show_screen(main.screens[0])  # leave the record
    assert main.record.view is None and main.record.browser.toPlainText() == ""
    from tests.ui.test_app_flow import visible_text
    assert "1 Hidden Row" not in visible_text()


def test_an_update_changed_elsewhere_gives_a_clear_choice(qtbot, window):
    """An offline or second-window change: reload to see theirs, or save mine at the version now stored."""
    sent = []

    def update(viewer, req):
        sent.append(req)
        if req.version != 5:
            raise AccessRefused("involvement.conflict", version=5)
        return mine(version=6)
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did, involvements=(mine(),)), update_involvement=update)
    opened(qtbot, main)
    qtbot.mouseClick(main.record.buttons["update"], Qt.LeftButton)
    d = main.record_actions.dialog
    d.phone.setText("0191 555 0111")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.choice is not None and main.record_actions.choice.isVisible())
    box: QMessageBox = main.record_actions.choice
    assert "changed elsewhere" in box.text()
    save = next(b for b in box.buttons() if "Save mine" in b.text())
    qtbot.mouseClick(save, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(sent) == 2)
    assert [r.version for r in sent] == [2, 5] and sent[1].phone == "0191 555 0111"


def test_a_second_lead_professional_is_told_who_holds_it(qtbot, window):
    def refuse(viewer, req):
        raise AccessRefused("involvement.lead_taken", practitioner="Dr Ann Lee", organisation="Northbridge CAMHS")
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did, involvements=(mine(),)), set_indicators=refuse)
    opened(qtbot, main)
    qtbot.mouseClick(main.record.buttons["indicators"], Qt.LeftButton)
    d = main.record_actions.dialog
    d.lead.setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: d.message.isVisible())
    assert "Dr Ann Lee at Northbridge CAMHS" in d.message.text() and d.isVisible() and d.ok.isEnabled()


def test_home_shows_the_inbox_in_words_and_counts_unread_in_its_tab(qtbot, window):
    notices = (t.Notice(3, t.NoticeKind.ALSO_WORKING, "2026-11-20T10:00:00", "Poppy Smith", "123 456 7890",
                        "Dr Ann Lee", "Paediatrician", "Northbridge CAMHS", "0191 000 1111", ""),
               t.Notice(2, t.NoticeKind.SHIELD_LIFTED, "2026-11-19T10:00:00", "Jay Brown", "222 222 2222", read=True))
    read = []
    main, _ = window(inbox=notices, mark_read=lambda v, req: read.append(req.notice_id))
    home = main.screens[0]
    qtbot.waitUntil(lambda: home.inbox.count() == 2)
    assert main.tabs.tabText(main.tabs.indexOf(home)) == "Home (1)"
    assert home.inbox.item(0).text() == ("● Dr Ann Lee, Paediatrician at Northbridge CAMHS, is now also working with "
                                         "Poppy Smith (0191 000 1111)")
    home.inbox.setCurrentRow(0)
    qtbot.mouseClick(home.mark_read_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: read == [3])
    from concurrent.futures import Future

    from app.outbox import NEEDS_YOU, PENDING, OutboxItem
    waiting = [OutboxItem(k * 32, "end_involvement", "", "123 456 7890", "Poppy Smith", state, "", {}, False, 0.0, 1,
                          None) for k, state in (("a", PENDING), ("b", NEEDS_YOU))]

    class Kept:  # the session's outbox, as the window's screens reach it
        def items(self):
            answer: Future = Future()
            answer.set_result(waiting)
            return answer
    main.ctx.outbox = Kept()
    main.outbox_changed(1, 1)
    qtbot.waitUntil(lambda: home.outbox.list.count() == 2)
    assert main.tabs.tabText(main.tabs.indexOf(home)) == "Home (2)"  # one unread, one change that needs you
    assert home.outbox.list.currentRow() == 1 and home.outbox.send_again.isEnabled()
    main.wipe()
    assert home.inbox.count() == 0 and main.tabs.tabText(main.tabs.indexOf(home)) == "Home"


def test_every_notice_kind_has_words():
    for kind in t.NoticeKind:
        words = notice_words(t.Notice(1, kind, "", "Poppy Smith", "1", "Dr Ann Lee"))
        assert "Poppy Smith" in words and not words.startswith("A notice")


def test_a_mediating_user_must_choose_a_registered_colleague(qtbot, window):
    main, service = window(Role.MEDIATING, search=lambda *a: Outcome(hits=(hit(),)))
    qtbot.waitUntil(lambda: main.form.colleague_choice.count() == 3)
    fill_and_search(qtbot, main)
    assert "Choose the colleague" in main.form.message.text()
    assert not [c for c in service.calls if c[0] == "search"]
    assert main.screens[0].list.count() == len(REGISTERED)  # the home view lists them too


@pytest.mark.parametrize("keys", [(Qt.Key_C, Qt.ControlModifier), (Qt.Key_Insert, Qt.ControlModifier)])
def test_nothing_a_mediating_user_finds_can_be_copied(qtbot, window, keys):
    """R-LOCAL-3, R-ROLE-2: no copy shortcut, no context menu, no selection on the results or the record."""
    main, _ = window(Role.MEDIATING, search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did))
    qtbot.waitUntil(lambda: main.form.colleague_choice.count() == 3)
    from app.model import Colleague
    fill_and_search(qtbot, main, Colleague("Dr Ann Lee", "Northbridge CAMHS", "ann.lee"))
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Poppy Smith" in main.record.browser.toPlainText())
    clipboard = QApplication.clipboard()
    clipboard.setText("nothing copied")
    main.table.setFocus()
    main.table.selectRow(0)
    qtbot.keyClick(main.table, *keys)
    browser = main.record.browser
    browser.setFocus()
    qtbot.keyClick(browser, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(browser, *keys)
    qtbot.keyClick(browser.viewport(), *keys)
    assert clipboard.text() == "nothing copied"
    assert not browser.textCursor().hasSelection()
    assert browser.textInteractionFlags() == Qt.NoTextInteraction
    for w in (main.table, main.table.viewport(), browser, browser.viewport()):
        assert w.contextMenuPolicy() == Qt.NoContextMenu


def test_a_practitioners_record_can_still_be_selected(qtbot, window):
    """The rule above is the mediating user's: a practitioner's record keeps its usual text selection."""
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)), view_record=lambda v, did, r: record(did))
    opened(qtbot, main)
    assert main.record.browser.textInteractionFlags() != Qt.NoTextInteraction


def test_a_change_kept_in_the_outbox_says_it_will_be_sent(qtbot, window):
    """R-LOCAL-1: offline, a change goes to the outbox: the dialog closes and the record says so."""
    from app.outbox import Queued

    def offline(viewer, req):
        raise Queued("key-1")
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did, involvements=(mine(),)), end_involvement=offline)
    opened(qtbot, main)
    qtbot.mouseClick(main.record.buttons["end"], Qt.LeftButton)
    d = main.record_actions.dialog
    d.keep[t.KeepContact.FIVE_YEARS].setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is None)
    assert "saved on this workstation" in main.record.note.text()


def _recorded(service: ServiceType, told=(), unnamed=0) -> t.Recorded:
    inv = Involvement(42, service, "Northbridge CAMHS" if service.sensitive else "Northbridge Family Hub",
                      "Morgan Reid", "Worker", "0191 555 0100", "m@example.org", date(2026, 11, 20), None, False,
                      False, yours=True)
    return t.Recorded(inv, told=told, told_unnamed=unnamed)


@pytest.mark.parametrize("answer, says", [
    (_recorded(ServiceType.CAMHS), "Recorded. Nobody else was told: this is a sensitive service"),
    (_recorded(ServiceType.EARLY_HELP), "Recorded. Nobody else was told: no one else"),
    (_recorded(ServiceType.EARLY_HELP, told=(t.OtherPractitioner("Sam Okoro", "Social worker", "Northbridge CSC",
                                                                 "", ""),), unnamed=1),
     "Recorded. Told in Signpost that you are working with this child: Sam Okoro (Social worker, Northbridge CSC); "
     "1 other practitioner whom this record does not show you."),
])
def test_after_recording_the_record_says_exactly_who_was_told(qtbot, window, answer, says):
    """Issue 14 §1.5: the message names whom the directory told, or says nobody was; a sensitive involvement is
    never said to have been announced (R-SENS-3)."""
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)), view_record=lambda v, did, r: record(did),
                     record_involvement=lambda v, req: answer)
    opened(qtbot, main)
    qtbot.mouseClick(main.record.buttons["work"], Qt.LeftButton)
    d = main.record_actions.dialog
    d.service.setCurrentIndex(d.service.findData(answer.involvement.service.value))
    if answer.involvement.service.sensitive:
        d.with_consent.setChecked(True)
        d.consent_by.setCurrentIndex(1)
        d.consent_on.setText("20/11/2026")
    d.role.setCurrentIndex(d.role.findText(ROLE_TITLES[answer.involvement.service][0]))  # R-REC-5: listed titles
    d.phone.setText("0191 555 0100")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record.note.isVisible())
    assert main.record.note.text().startswith(says)
    assert "have been told" not in main.record.note.text()


def test_the_requester_is_told_how_their_request_was_passed_on():
    """Issue 14 §1.6 (R-SENS-4): the status says what actually happened, never just "passed on"."""
    from ui.screens.practice.words import request_row
    base = t.ContactRequestState(1, "123 456 7890", "Poppy Smith", t.ContactStatus.PASSED_ON, "2026-11-20T10:00:00",
                                 "Alex Morgan", "Northbridge Family Hub", "", "")
    from dataclasses import replace
    said = {how: request_row(replace(base, passed_on_by=how))[2] for how in t.PassedOnBy}
    assert said[t.PassedOnBy.SIGNPOST].startswith("Passed on in Signpost")
    assert said[t.PassedOnBy.PHONE].startswith("Passed on by the LA team by phone")
    assert said[t.PassedOnBy.EMAIL].startswith("Passed on by the LA team by e-mail")
    assert request_row(replace(base, status=t.ContactStatus.DECLINED))[2] == "Declined by the LA team"


def test_the_la_team_shielding_a_child_sees_the_siblings_and_none_is_ticked(qtbot, window):
    """Issue 13 §3.1: before the LA team shields a child itself, the dialog lists the brothers and sisters who share
    the family's address or carers; it may tick some to shield in the same step, and none is ticked for it."""
    sent = []
    household = (t.Sibling("222 222 2222", "Tamsin Smith", date(2013, 3, 9), False, False),
                 t.Sibling("333 333 3333", "Kit Smith", date(2018, 10, 30), True, False))
    main, _ = window(Role.LA_MANAGEMENT, search=lambda *a: Outcome(hits=(hit(),)),
                     view_record=lambda v, did, r: record(did), household=lambda v, req: household,
                     request_shield=lambda v, req: sent.append(req) or True)
    opened(qtbot, main)
    qtbot.mouseClick(main.record.buttons["shield"], Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is not None and main.record_actions.dialog.isVisible())
    d = main.record_actions.dialog
    assert list(d.siblings) == ["222 222 2222"] and not d.siblings["222 222 2222"].isChecked()  # Kit is shielded
    d.ground.setCurrentIndex(d.ground.findData(t.ShieldGround.DOMESTIC_ABUSE.value))
    d.siblings["222 222 2222"].setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(sent) == 1)
    assert sent[0].siblings == ("222 222 2222",)


def test_an_unconfirmed_offline_copy_says_why_it_shows_so_little(qtbot):
    """Issue 13 §3.2 (R-SHIELD-2/4): an offline copy whose shield state is unknown since it was made is shown as a
    shielded record would be, and the record says why, in words."""
    from app.copy_check import as_restricted
    from ui.record_view import UNCONFIRMED_TEXT, RecordPane
    pane = RecordPane(Role.PRACTITIONER)
    qtbot.addWidget(pane)
    pane.show()
    pane.show_record(as_restricted(record()), offline_from="21 Nov 2026 09:10", unconfirmed=True)
    assert pane.banner.isVisible() and pane.banner.text() == UNCONFIRMED_TEXT
    assert pane.header.text().startswith("Offline copy from 21 Nov 2026 09:10")
    text = pane.browser.toPlainText()
    assert "Poppy Smith" in text and "1 Hidden Row" not in text and "Gateshead" not in text
    # an offline copy changes nothing in place: only I am working with this child stays, kept in the outbox and
    # sent (and checked by the directory, shield and all) once it answers (issue 15 §2.3, R-LOCAL-1)
    assert [k for k, b in pane.buttons.items() if b.isVisible()] == ["work"]


def test_a_held_siblings_record_says_the_family_address_is_withheld(qtbot):
    """Issue 13 §3.1: a record the household's shield holds says why its address and carers are missing."""
    from dataclasses import replace

    from ui.record_view import HOUSEHOLD_TEXT, RecordPane
    pane = RecordPane(Role.PRACTITIONER)
    qtbot.addWidget(pane)
    pane.show()
    pane.show_record(replace(record(), address=None, household_withheld=True))
    assert pane.banner.isVisible() and pane.banner.text() == HOUSEHOLD_TEXT
    assert "1 Hidden Row" not in pane.browser.toPlainText()
