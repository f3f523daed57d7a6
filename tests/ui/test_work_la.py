"""The LA management team's screens (issue 8, R-ROLE-3) on the real engine behind the directory interface
(an EmbeddedDirectory on a copy of the test directory): what practitioners do goes through the interface,
what the LA team does goes through the screens, with keys and clicks."""
from __future__ import annotations

import os
import stat
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget

from app import directory_id as ids
from app.directory import Directory, EmbeddedDirectory
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason, ServiceType, WithheldInvolvement
from app.refusals import Refusal
from app.search import Criteria
from tests.conftest import TODAY, SoftToken, token_sign_in, viewer_for
from ui.bridge import Relay
from ui.dialogs.la_new_user import OneTimePasswordDialog
from ui.screens.base import ScreenContext
from ui.screens.la import SCREENS
from ui.screens.la.words import NOT_PROOF

REASON = Reason(AccessReason.PROVIDING_SERVICE)
WAIT = 15000


class Desk:
    """The engine behind the interface, a practitioner and the LA team signed in, and the LA window's
    screens in tabs (as the role window hosts them)."""

    def __init__(self, qtbot, path, key) -> None:
        self.today = TODAY  # the directory's and the screens' day; a test may move it on
        self.service = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: self.today))
        self.service.opened.result(30)
        self.la = self.engine(lambda d: viewer_for(d, "jo.la"))
        self.alex = self.engine(lambda d: viewer_for(d, "alex.practitioner"))
        self.tabs = QTabWidget()
        qtbot.addWidget(self.tabs)
        self.ctx = ScreenContext(self.service, lambda: self.la, Relay(self.tabs))
        self.ctx.clock = lambda: self.today  # type: ignore[attr-defined]
        self.screens = {}
        for cls in SCREENS:
            screen = cls(self.ctx)
            self.screens[cls.__name__] = screen
            self.tabs.addTab(screen, screen.title)
        self.tabs.resize(1200, 800)
        self.tabs.show()
        self.tabs.activateWindow()  # Alt shortcuts reach the active window
        qtbot.waitUntil(self.tabs.isActiveWindow, timeout=WAIT)

    def engine(self, fn):
        return self.service.run_on_engine(fn).result(30)

    def perform(self, op, viewer, request):
        return self.service.perform(op, viewer, request).result(30)

    def show(self, name: str):
        screen = self.screens[name]
        self.tabs.setCurrentWidget(screen)
        return screen

    def found(self, viewer, did: str) -> None:
        """The practitioner searches for the child first (a practitioner acts only on children they found)."""
        hits = self.service.search(viewer, Criteria(directory_id=did), REASON).result(30).hits
        assert [h.directory_id for h in hits] == [did]

    def child(self, where: str) -> str:
        row = self.engine(lambda d: d.conn.execute(
            f"SELECT c.directory_id FROM children c WHERE c.la_code = 'NBR' AND {where} LIMIT 1").fetchone())
        return ids.fmt(row[0])


@pytest.fixture
def desk(qtbot, directory_copy):
    d = Desk(qtbot, *directory_copy)
    yield d
    d.screens["AuditExport"].reset()  # as sign-out does: its worker thread goes
    d.service.close()


def rows(table) -> list[list[str]]:
    """What a list shows, row by row, in the order shown (sorted and filtered)."""
    m = table.model()
    return [[str(m.data(m.index(r, c)) or "") for c in range(m.columnCount())] for r in range(m.rowCount())]


def count(table) -> int:
    return table.model().rowCount()


def current_row(table) -> int:
    return table.currentIndex().row()


def select(qtbot, table, column: int, value: str) -> int:
    qtbot.waitUntil(lambda: any(r[column] == value for r in rows(table)), timeout=WAIT)
    row = next(i for i, r in enumerate(rows(table)) if r[column] == value)
    table.setFocus()
    table.selectRow(row)
    return row


def test_the_home_view_counts_what_needs_attention_and_opens_each_screen(qtbot, desk):
    """R-SHIELD-3, R-ROLE-3: the home says in words how many reviews are overdue; its button opens the queue."""
    home = desk.show("LaHome")
    qtbot.waitUntil(lambda: all(x.text().split(": ")[1] not in ("…", "checking…") for x in home.lines.values()),
                    timeout=WAIT)  # the first look, when the window opened
    did = desk.child("c.shielded_at IS NULL")
    desk.found(desk.alex, did)
    desk.perform(ops.REQUEST_SHIELD, desk.alex, t.ShieldRequest(did, t.ShieldGround.RISK_OF_ABDUCTION, REASON))
    desk.today = TODAY + timedelta(days=8)  # a first review is due within 7 days: now it is overdue
    queue = desk.engine(lambda d: d.perform(ops.SHIELD_REVIEWS, desk.la, t.Nothing()))
    assert any(x.directory_id == did and x.overdue for x in queue)
    overdue = sum(x.overdue for x in queue)
    qtbot.mouseClick(home.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: f"{overdue} OVERDUE" in home.lines["shields"].text(), timeout=WAIT)
    assert home.lines["shields"].property("flag") == "true"
    qtbot.mouseClick(home.buttons["shields"], Qt.LeftButton)
    assert desk.tabs.currentWidget() is desk.screens["ShieldReviews"]


def test_review_a_shield_a_practitioner_asked_for_keep_then_lift(qtbot, desk):
    """R-SHIELD-2/3: a practitioner shields a record; it is in the LA team's queue as a first review due in
    7 days; kept, its next review is six months on; lifted (after confirming), it leaves the queue and the
    practitioner sees the record in full again."""
    did = desk.child("c.shielded_at IS NULL")
    desk.found(desk.alex, did)
    assert desk.perform(ops.REQUEST_SHIELD, desk.alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    screen = desk.show("ShieldReviews")
    row = select(qtbot, screen.table, 3, did)
    line = rows(screen.table)[row]
    assert line[0] == "NEW · Due in 7 days (first review)" and line[4] == "Domestic abuse" and "Alex Morgan" in line[5]

    qtbot.keyClick(screen, Qt.Key_K, Qt.AltModifier)  # Alt+K: keep
    qtbot.waitUntil(lambda: "kept" in screen.message.text(), timeout=WAIT)
    assert "Next review due 21 May 2027" in screen.message.text()
    qtbot.waitUntil(lambda: any(r[3] == did and r[1] == "21 May 2027" for r in rows(screen.table)), timeout=WAIT)
    assert next(r for r in rows(screen.table) if r[3] == did)[0] == "Due in 181 days"

    select(qtbot, screen.table, 3, did)
    qtbot.mouseClick(screen.lift_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    assert did in screen.confirm.text()
    lift = next(b for b in screen.confirm.buttons() if screen.confirm.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(lift, Qt.LeftButton)
    qtbot.waitUntil(lambda: "lifted" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: all(r[3] != did for r in rows(screen.table)), timeout=WAIT)
    desk.found(desk.alex, did)
    view = desk.service.view_record(desk.alex, did, REASON).result(30)
    assert not view.shielded and view.address is not None


def test_cancelling_the_lift_leaves_the_shield(qtbot, desk):
    screen = desk.show("ShieldReviews")
    qtbot.waitUntil(lambda: count(screen.table) > 0, timeout=WAIT)
    before = rows(screen.table)
    screen.table.selectRow(0)
    qtbot.mouseClick(screen.lift_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    qtbot.keyClick(screen.confirm, Qt.Key_Escape)
    qtbot.wait(300)
    assert "lifted" not in screen.message.text() and rows(screen.table) == before


def request_contact(desk) -> tuple[str, int]:
    """Alex asks the LA team to reach the practitioner of a sensitive involvement withheld from them."""
    did = desk.child("c.shielded_at IS NULL AND EXISTS (SELECT 1 FROM involvements i WHERE i.child_id = c.id "
                     "AND i.service = 'camhs' AND i.recorded_by != 'alex.practitioner' AND i.ended IS NULL)")
    desk.found(desk.alex, did)
    view = desk.service.view_record(desk.alex, did, REASON).result(30)
    withheld = next(i for i in view.involvements if isinstance(i, WithheldInvolvement))
    state = desk.perform(ops.REQUEST_CONTACT, desk.alex,
                         t.ContactRequest(did, withheld.involvement_id, "0191 496 0000", "alex@example.org", REASON))
    assert state.status is t.ContactStatus.WAITING
    return did, withheld.involvement_id


def _the_contact_screen(qtbot, desk, did: str, involvement_id: int):
    screen = desk.show("ContactRequests")
    select(qtbot, screen.table, 2, did)
    assert rows(screen.table)[current_row(screen.table)][3:] == ["Alex Morgan", "Northbridge Family Hub",
                                                                  "0191 496 0000", "alex@example.org"]
    detail = screen.detail.toPlainText()
    inv = desk.engine(lambda d: d.conn.execute(
        "SELECT practitioner, organisation FROM involvements WHERE id = ?", (involvement_id,)).fetchone())
    assert "SENSITIVE SERVICE: Child and adolescent mental health" in detail
    assert inv[0] in detail and inv[1] in detail
    assert "Consent given by" in detail  # issue 14 §1.3
    return screen, detail


def _status(desk, did: str) -> list:
    return [(r.status, r.passed_on_by) for r in desk.perform(ops.MY_CONTACT_REQUESTS, desk.alex, t.Nothing())
            if r.directory_id == did]


def test_pass_on_a_contact_request_in_signpost_after_confirming(qtbot, desk):
    """R-SENS-4: the team sees the requester and, in full and marked sensitive, whom they want to reach with its
    consent; Pass on (Alt+P) confirms first, saying whom it reaches and that they use Signpost (issue 14 §3.4);
    then the practitioner's inbox has it and the requester is told it was passed on in Signpost."""
    did, involvement_id = request_contact(desk)
    screen, detail = _the_contact_screen(qtbot, desk, did, involvement_id)
    assert "They use Signpost" in detail
    qtbot.keyClick(screen, Qt.Key_P, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    d = screen.dialog
    assert not d.how and "They use Signpost" in d.findChild(QLabel, "passOnHowNote").text()
    assert _status(desk, did) == [(t.ContactStatus.WAITING, None)]  # nothing done before the confirmation
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "passed on in Signpost" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: all(r[2] != did for r in rows(screen.table)), timeout=WAIT)
    assert _status(desk, did) == [(t.ContactStatus.PASSED_ON, t.PassedOnBy.SIGNPOST)]
    owner = desk.engine(lambda e: e.conn.execute("SELECT recorded_by FROM involvements WHERE id = ?",
                                                 (involvement_id,)).fetchone()[0])
    told = desk.engine(lambda e: e.conn.execute("SELECT count(*) FROM notices WHERE username = ? AND kind = ?",
                                                (owner, t.NoticeKind.CONTACT_REQUEST.value)).fetchone()[0])
    assert told == 1


def test_when_nobody_can_be_told_in_signpost_the_team_records_how_it_passed_it_on(qtbot, desk):
    """Issue 13 §3.3 / 14 §1.6 (R-SENS-4): the practitioner cannot sign in, so the team is shown their phone and
    e-mail and chooses how it passed the request on (nothing chosen for it); the requester is told exactly how."""
    did, involvement_id = request_contact(desk)
    owner, phone = desk.engine(lambda e: e.conn.execute("SELECT recorded_by, phone FROM involvements WHERE id = ?",
                                                        (involvement_id,)).fetchone())
    desk.engine(lambda e: e.conn.execute("UPDATE users SET enabled = 0 WHERE username = ?", (owner,)))
    screen, detail = _the_contact_screen(qtbot, desk, did, involvement_id)
    assert "Nobody it is for can be told in Signpost" in detail and phone in detail
    qtbot.mouseClick(screen.pass_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    d = screen.dialog
    assert phone in d.findChild(QLabel, "passOnWhom").text()
    assert set(d.how) == {t.PassedOnBy.PHONE, t.PassedOnBy.EMAIL} and not any(c.isChecked() for c in d.how.values())
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "by phone or by e-mail" in d.message.text() and d.isVisible()
    assert _status(desk, did) == [(t.ContactStatus.WAITING, None)]
    d.how[t.PassedOnBy.PHONE].setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "passed on by you, by phone" in screen.message.text(), timeout=WAIT)
    assert _status(desk, did) == [(t.ContactStatus.PASSED_ON, t.PassedOnBy.PHONE)]


def test_decline_confirms_first(qtbot, desk):
    """Issue 14 §3.4: Decline (Alt+D) asks first, with Cancel the default; declined, the requester is told."""
    did, involvement_id = request_contact(desk)
    screen, _ = _the_contact_screen(qtbot, desk, did, involvement_id)
    qtbot.keyClick(screen, Qt.Key_D, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    qtbot.keyClick(screen.confirm, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not screen.confirm.isVisible(), timeout=WAIT)
    assert _status(desk, did) == [(t.ContactStatus.WAITING, None)]
    select(qtbot, screen.table, 2, did)
    qtbot.mouseClick(screen.decline_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    decline = next(b for b in screen.confirm.buttons() if screen.confirm.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(decline, Qt.LeftButton)
    qtbot.waitUntil(lambda: "declined" in screen.message.text(), timeout=WAIT)
    assert _status(desk, did) == [(t.ContactStatus.DECLINED, None)]


def test_usage_report_counts_and_highlights_a_burst(qtbot, desk):
    """R-AUDIT-2: a burst of searches shows in the counts and as a pattern worth a look, flagged in words,
    beside the reminder that a pattern is not proof of misuse."""
    for n in range(12):
        desk.service.search(desk.alex, Criteria(family_name="Smith", dob=date(2015, 1, 1) + timedelta(days=n)),
                            REASON).result(30)
    screen = desk.show("UsageReportScreen")
    qtbot.waitUntil(lambda: screen.user.count() > 1, timeout=WAIT)
    today = date.today()  # the audit is stamped with the wall clock
    screen.start.setDate(today - timedelta(days=1))
    screen.end.setDate(today)
    screen.user.setCurrentIndex(screen.user.findData("alex.practitioner"))
    qtbot.mouseClick(screen.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.report is not None, timeout=WAIT)
    [alex] = rows(screen.rows)
    assert alex[0] == "alex.practitioner" and int(alex[4]) >= 12
    assert "Burst of searches" in alex[8]
    assert screen.rows.model().index(0, 0).data(Qt.FontRole).bold()
    patterns = rows(screen.patterns)
    assert any(p[0] == "alex.practitioner" and p[1].startswith("Burst of searches") for p in patterns)
    assert "WORTH A LOOK" in screen.summary.text()
    assert screen.not_proof.text() == NOT_PROOF and "not proof of misuse" in NOT_PROOF


def test_usage_report_shows_a_username_guessing_run_as_nobodys(qtbot, desk):
    """Issue 13 §1 item 5: sign-ins for usernames nobody holds reach the LA team's report, said in words and
    named as no user's (the usernames typed are not shown)."""
    from ui.screens.la.words import NOBODYS
    for name in ("admin", "root", "guest", "test", "jsmith"):
        with pytest.raises(Refusal):
            desk.engine(lambda d, name=name: d.sign_in(name, "password1", "no-token", d.challenge(), b"x"))
    screen = desk.show("UsageReportScreen")
    qtbot.waitUntil(lambda: screen.user.count() > 1, timeout=WAIT)
    today = date.today()  # the audit is stamped with the wall clock
    screen.start.setDate(today - timedelta(days=1))
    screen.end.setDate(today)
    qtbot.mouseClick(screen.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.report is not None, timeout=WAIT)
    (guessing,) = [p for p in rows(screen.patterns) if p[0] == NOBODYS]
    assert guessing[1].startswith("Sign-ins tried with usernames nobody holds") and guessing[2] == "5"
    assert not any("root" in cell for row in rows(screen.patterns) for cell in row)


def lock_out(desk, username: str) -> None:
    wrong = SoftToken(f"soft-{username}")
    for _ in range(5):
        with pytest.raises(Refusal):
            desk.engine(lambda d: token_sign_in(d, username, wrong, password="not-the-password"))


def test_acknowledge_an_alert(qtbot, desk):
    """A lock-out alerts the LA team; acknowledged, it is no longer NEW and the home count drops."""
    lock_out(desk, "morgan.mediator")
    screen = desk.show("AlertsInbox")
    row = select(qtbot, screen.table, 3, "Morgan Reid")  # issue 14 §3.5: people by name, not username
    assert rows(screen.table)[row][0] == "NEW" and rows(screen.table)[row][2] == "Account locked after failed sign-ins"
    new_before = sum(r[0] == "NEW" for r in rows(screen.table))
    qtbot.keyClick(screen, Qt.Key_A, Qt.AltModifier)
    qtbot.waitUntil(lambda: "Acknowledged" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: sum(r[0] == "NEW" for r in rows(screen.table)) == new_before - 1, timeout=WAIT)
    screen.show_done.setChecked(True)
    assert any(r[3] == "Morgan Reid" and r[0] == "Acknowledged by Jo Patel" for r in rows(screen.table))


def test_users_renew_an_expired_check_and_unlock_a_locked_out_user(qtbot, desk):
    """R-ROLE-4: the training set-up's expired check (dee.expired) and lock-out (chris.locked) are said in the
    table; renewing and unlocking clear them, and the unlocked user can sign in again."""
    screen = desk.show("UsersScreen")
    row = select(qtbot, screen.table, 0, "dee.expired")
    assert rows(screen.table)[row][6] == "EXPIRED 21 Nov 2026"  # a check done three years ago today
    assert "1 with an EXPIRED check" in screen.summary.text() and "1 LOCKED OUT" in screen.summary.text()
    qtbot.keyClick(screen, Qt.Key_N, Qt.AltModifier)  # Alt+N: renew check, dated today
    qtbot.waitUntil(lambda: "Check date renewed for Dee Moss" in screen.message.text(), timeout=WAIT)
    assert "valid until 21 Nov 2029" in screen.message.text()
    qtbot.waitUntil(lambda: next(r for r in rows(screen.table) if r[0] == "dee.expired")[6] == "21 Nov 2029",
                    timeout=WAIT)

    row = select(qtbot, screen.table, 0, "chris.locked")
    assert rows(screen.table)[row][8] == "LOCKED OUT" and screen.unlock_button.isEnabled()
    qtbot.keyClick(screen, Qt.Key_L, Qt.AltModifier)  # Alt+L: unlock
    qtbot.waitUntil(lambda: "Account unlocked for Chris Dunn" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: next(r for r in rows(screen.table) if r[0] == "chris.locked")[8] == "No",
                    timeout=WAIT)
    assert "LOCKED OUT" not in screen.summary.text() and "EXPIRED" not in screen.summary.text()
    for username in ("chris.locked", "dee.expired"):
        assert desk.engine(lambda d, u=username: viewer_for(d, u)).user.username == username


def test_export_and_verify_an_audit_archive(qtbot, desk, tmp_path, monkeypatch):
    """R-AUDIT-2, R-LOCAL-3: the LA team saves its LA's audit to a file only it can read, verified."""
    from PySide6.QtWidgets import QFileDialog

    from app import audit_archive
    target = tmp_path / "exports" / "nbr-audit"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    screen = desk.show("AuditExport")
    today = date.today()
    screen.start.setDate(today - timedelta(days=1))
    screen.end.setDate(today)
    qtbot.mouseClick(screen.choose_button, Qt.LeftButton)
    assert screen.file.text() == str(target) + ".json"
    qtbot.keyClick(screen, Qt.Key_X, Qt.AltModifier)  # Alt+X: export and verify
    qtbot.waitUntil(lambda: screen.result.text().startswith(("VERIFIED", "NOT VERIFIED"))
                    or bool(screen.message.text()), timeout=WAIT)
    assert screen.result.text().startswith("VERIFIED"), screen.result.text() + screen.message.text()
    saved = target.with_suffix(".json")
    assert "readable only by you" in screen.result.text()
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    archive = audit_archive.read(saved)
    trusted = desk.engine(lambda d: d.audit_public_key())
    assert archive.la_code == "NBR" and archive.entries and audit_archive.verify(archive, trusted).ok
    assert f"{len(archive.entries):,} audit entries" in screen.result.text()


def test_a_reset_forgets_everything_and_drops_answers_on_their_way(qtbot, desk):
    """R-LOCAL-2: lock and sign-out reset the screens; an answer arriving after that is not shown."""
    users = desk.show("UsersScreen")
    qtbot.waitUntil(lambda: count(users.table) > 0, timeout=WAIT)
    users.refresh()
    users.reset()  # the refresh's answer is on its way
    qtbot.wait(500)
    assert count(users.table) == 0 and users.summary.text() == "Users"


def test_only_the_la_team_can_export_the_audit(qtbot, desk, tmp_path):
    """R-LOCAL-3: the screen is the LA team's alone, and the directory refuses anyone else who asks."""
    from app.model import Role
    from ui.screens import screens_for
    from ui.screens.la import AuditExport
    assert AuditExport in screens_for(Role.LA_MANAGEMENT)
    ctx = ScreenContext(desk.service, lambda: desk.alex, Relay(desk.tabs))
    screen = AuditExport(ctx)
    qtbot.addWidget(screen)
    screen.file.setText(str(tmp_path / "audit.json"))
    qtbot.mouseClick(screen.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(screen.message.text()), timeout=WAIT)
    assert screen.message.text() == "Only the LA management team can do that."
    assert not (tmp_path / "audit.json").exists()


def test_the_audit_export_says_it_holds_personal_data_is_never_left_in_the_data_folder_and_is_recorded(
        qtbot, desk, tmp_path):
    """R-LOCAL-3 (13 §4.3): the archive is clear JSON with search criteria: the screen says so, refuses
    Signpost's own data folder (destroyed at closure, looked in by nobody), and records each file it wrote so
    closure's last step lists it for the LA to keep or remove."""
    from app.closure import exports
    from app.paths import Paths
    paths = Paths(tmp_path / "data", tmp_path / "config")
    desk.ctx.paths = paths
    screen = desk.show("AuditExport")
    assert "personal data" in " ".join(w.text() for w in screen.findChildren(type(screen.result)))
    inside = paths.data / "exports" / "audit.json"
    screen.file.setText(str(inside))
    qtbot.mouseClick(screen.export_button, Qt.LeftButton)
    assert "outside Signpost's own data folder" in screen.message.text() and not inside.exists()
    outside = tmp_path / "records" / "audit.json"
    screen.file.setText(str(outside))
    qtbot.mouseClick(screen.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.result.text().startswith("VERIFIED") or bool(screen.message.text()), timeout=WAIT)
    assert "holds personal data" in screen.result.text(), screen.message.text()
    assert [(e.path, e.kind) for e in exports.listed(paths)] == [(str(outside.resolve()), "directory_audit")]


# -- la-admin: the archive opens, by keyboard and by mouse (issue 14 §1.1, R-RET-2) ------------------------------
def archived_child(desk) -> str:
    """A Northbridge child recorded (through the interface) as having died long ago: in the archive now."""
    did = desk.child("c.shielded_at IS NULL AND c.archived_on IS NULL")
    desk.found(desk.la, did)
    desk.perform(ops.RECORD_RETENTION_FACT, desk.la, t.RetentionChange(did, t.RetentionFact.DIED, date(2024, 3, 4)))
    return did


def test_an_archived_record_opens_with_a_ground_chosen_by_keyboard(qtbot, desk):
    """R-RET-2: Alt+I for the id, Alt+G and the arrow keys for the ground, Enter opens it (audited)."""
    did = archived_child(desk)
    screen = desk.show("ArchiveAccess")
    qtbot.keyClick(screen, Qt.Key_I, Qt.AltModifier)
    assert screen.archive_id.hasFocus()
    qtbot.keyClicks(screen.archive_id, did)
    qtbot.keyClick(screen, Qt.Key_G, Qt.AltModifier)
    assert screen.ground.hasFocus()
    qtbot.keyClick(screen.ground, Qt.Key_Down)
    qtbot.keyClick(screen.ground, Qt.Key_Down)
    assert screen.ground.currentText() == "Child-death investigation"
    screen.archive_id.setFocus()
    qtbot.keyClick(screen.archive_id, Qt.Key_Return)
    qtbot.waitUntil(lambda: screen.left_live.text().startswith("ARCHIVED RECORD"), timeout=WAIT)
    assert "one year after the child died" in screen.left_live.text() and not screen.message.text()
    qtbot.waitUntil(lambda: did in screen.record.browser.toPlainText(), timeout=WAIT)
    opened = [e for e in desk.service.audit_entries(desk.la).result(30) if e.action == "open_archived"]
    assert opened and opened[-1].detail == {"directory_id": did, "ground": "child_death_investigation"}


def test_an_archived_record_opens_with_a_ground_chosen_by_mouse(qtbot, desk):
    did = archived_child(desk)
    screen = desk.show("ArchiveAccess")
    qtbot.mouseClick(screen.archive_id, Qt.LeftButton)
    qtbot.keyClicks(screen.archive_id, did)
    screen.ground.showPopup()
    view = screen.ground.view()
    qtbot.waitUntil(view.isVisible, timeout=WAIT)
    index = screen.ground.model().index(screen.ground.findText("Serious case review"), 0)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: screen.ground.currentText() == "Serious case review", timeout=WAIT)
    qtbot.mouseClick(screen.open_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.left_live.text().startswith("ARCHIVED RECORD"), timeout=WAIT)
    assert not screen.message.text()


def test_a_retention_fact_is_recorded_from_the_screen(qtbot, desk):
    """R-RET-1: the fact chosen in the list reaches the directory as that fact (it used to be refused)."""
    did = desk.child("c.shielded_at IS NULL AND c.archived_on IS NULL")
    screen = desk.show("ArchiveAccess")
    qtbot.keyClicks(screen.fact_id, did)
    screen.fact.setCurrentIndex(screen.fact.findText("Left England on"))
    qtbot.mouseClick(screen.fact_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.message.text().startswith("Recorded for"), timeout=WAIT)
    left = desk.engine(lambda d: d.conn.execute("SELECT left_england_on FROM children WHERE directory_id = ?",
                                                (ids.parse(did),)).fetchone()[0])
    assert left == TODAY.toordinal()


# -- la-admin: Home's buttons move the tab (issue 14 §1.2) -------------------------------------------------------
def test_home_buttons_move_the_tab_highlight_and_home_can_be_clicked_again(qtbot, desk):
    home = desk.show("LaHome")
    bar = desk.tabs.tabBar()
    for key in ("shields", "contact"):
        qtbot.mouseClick(home.buttons[key], Qt.LeftButton)
        target = desk.screens["ShieldReviews" if key == "shields" else "ContactRequests"]
        assert desk.tabs.currentWidget() is target
        assert bar.currentIndex() == desk.tabs.indexOf(target)  # the highlight moved with it
        qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(desk.tabs.indexOf(home)).center())
        assert desk.tabs.currentWidget() is home and bar.currentIndex() == desk.tabs.indexOf(home)


# -- la-admin: every LA list sorts and filters, and answers at once (issue 14 §3.3) ------------------------------
def test_a_new_shield_is_first_among_the_ones_set_at_build_time_and_the_queue_sorts_and_filters(qtbot, desk):
    """R-SHIELD-3: the training directory's build-time shields are all due the same day; a practitioner's new
    domestic-abuse shield comes first by default (it was row 80), flagged NEW; the queue sorts by a header or a
    named order and filters by ground, by what needs doing and by words typed."""
    did = desk.child("c.shielded_at IS NULL")
    desk.found(desk.alex, did)
    desk.perform(ops.REQUEST_SHIELD, desk.alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    screen = desk.show("ShieldReviews")
    qtbot.waitUntil(lambda: count(screen.table) > 50, timeout=WAIT)
    first = rows(screen.table)[0]
    assert first[3] == did and first[0].startswith("NEW") and screen.table.model().index(0, 0).data(Qt.FontRole).bold()
    assert "1 NEW" in screen.summary.text()
    assert screen.list.current().directory_id == did  # selected, so Alt+K keeps it at once
    qtbot.mouseClick(screen.table.horizontalHeader().viewport(), Qt.LeftButton,
                     pos=QPoint(screen.table.horizontalHeader().sectionViewportPosition(2) + 5, 5))  # by child
    names = [r[2].lower() for r in rows(screen.table)]
    assert names == sorted(names)
    screen.list.sort_by_order("Due date")  # all due the same day: the new one back among them, by id
    shown = screen.list.items()
    assert shown == sorted(shown, key=lambda x: (x.due, x.directory_id)) and shown[0].directory_id != did
    screen.ground.setCurrentIndex(screen.ground.findText("Domestic abuse"))
    assert [r[3] for r in rows(screen.table)] == [did] and "Showing 1 of" in screen.list.shown.text()
    screen.ground.setCurrentIndex(0)
    screen.show_only.setCurrentIndex(screen.show_only.findText("New shields"))
    assert [r[3] for r in rows(screen.table)] == [did]
    screen.show_only.setCurrentIndex(0)
    qtbot.keyClick(screen, Qt.Key_F, Qt.AltModifier)
    assert screen.list.find.hasFocus()
    qtbot.keyClicks(screen.list.find, desk.engine(lambda d: d.conn.execute(
        "SELECT given_names FROM children WHERE directory_id = ?", (ids.parse(did),)).fetchone()[0]).split()[0])
    assert did in [r[3] for r in rows(screen.table)] and count(screen.table) < 10


def test_the_shield_queue_refreshes_in_well_under_a_second_with_a_row_selected(qtbot, desk):
    """Issue 14 §3.3: refilling the queue after an action (a row selected) took seconds for the training
    directory's 93 shields, and minutes for 500; now one model reset, the LA's whole queue under a second."""
    import time
    screen = desk.show("ShieldReviews")
    qtbot.waitUntil(lambda: count(screen.table) > 50, timeout=WAIT)
    lines = desk.engine(lambda d: d.perform(ops.SHIELD_REVIEWS, desk.la, t.Nothing()))
    screen.table.selectRow(3)
    took = []
    for _ in range(3):
        started = time.perf_counter()
        screen.show_queue(lines)
        qtbot.wait(1)  # the repaint included
        took.append(time.perf_counter() - started)
    assert count(screen.table) == len(lines) and min(took) < 1.0, took
    assert screen.list.current() is not None  # the selection stays


def test_users_sort_and_filter_and_disabling_asks_first(qtbot, desk):
    """R-ROLE-4: locked out and expired shown alone on request, and first when asked; Disable confirms like Lift,
    Cancel (the default) changes nothing (issue 14 §3.4)."""
    screen = desk.show("UsersScreen")
    qtbot.waitUntil(lambda: count(screen.table) > 5, timeout=WAIT)
    screen.show_only.setCurrentIndex(screen.show_only.findText("Locked out"))
    assert [r[0] for r in rows(screen.table)] == ["chris.locked"]
    screen.show_only.setCurrentIndex(screen.show_only.findText("Check expired"))
    assert [r[0] for r in rows(screen.table)] == ["dee.expired"]
    screen.show_only.setCurrentIndex(0)
    screen.list.sort_by_order("Needs attention first")
    assert {r[0] for r in rows(screen.table)[:2]} == {"chris.locked", "dee.expired"}
    select(qtbot, screen.table, 0, "alex.practitioner")
    qtbot.keyClick(screen, Qt.Key_D, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    assert "Alex Morgan" in screen.confirm.text() and screen.confirm.defaultButton() is screen.confirm.button(
        QMessageBox.Cancel)
    qtbot.keyClick(screen.confirm, Qt.Key_Return)  # the default: Cancel
    qtbot.wait(300)
    assert desk.engine(lambda d: d.conn.execute("SELECT enabled FROM users WHERE username = 'alex.practitioner'")
                       .fetchone()[0]) == 1
    select(qtbot, screen.table, 0, "alex.practitioner")
    qtbot.mouseClick(screen.enable_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    disable = next(b for b in screen.confirm.buttons() if screen.confirm.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(disable, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Account disabled for Alex Morgan" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: next(r for r in rows(screen.table) if r[0] == "alex.practitioner")[7] == "Disabled",
                    timeout=WAIT)


def test_alerts_and_contact_requests_sort_and_filter(qtbot, desk):
    lock_out(desk, "morgan.mediator")
    did, _ = request_contact(desk)
    alerts = desk.show("AlertsInbox")
    qtbot.waitUntil(lambda: count(alerts.table) >= 1, timeout=WAIT)
    alerts.kind.setCurrentIndex(alerts.kind.findText("Account locked after failed sign-ins"))
    assert {r[3] for r in rows(alerts.table)} == {"Morgan Reid"}
    alerts.kind.setCurrentIndex(0)
    alerts.list.sort_by_order("Who")
    who = [r[3] for r in rows(alerts.table)]
    assert who == sorted(who)
    contact = desk.show("ContactRequests")
    qtbot.waitUntil(lambda: count(contact.table) >= 1, timeout=WAIT)
    qtbot.keyClicks(contact.list.find, "no such words anywhere")
    assert count(contact.table) == 0 and not contact.pass_button.isEnabled()
    contact.list.find.clear()
    assert did in [r[2] for r in rows(contact.table)]


# -- la-admin: a pattern or an alert opens the audit entries behind it, in words (issue 14 §2.6, R-AUDIT-2) ------
def test_a_pattern_opens_its_audit_entries_in_words(qtbot, desk):
    for n in range(12):
        desk.service.search(desk.alex, Criteria(family_name="Smith", dob=date(2015, 1, 1) + timedelta(days=n)),
                            REASON).result(30)
    screen = desk.show("UsageReportScreen")
    qtbot.waitUntil(lambda: screen.user.count() > 1, timeout=WAIT)
    today = date.today()
    screen.start.setDate(today - timedelta(days=1))
    screen.end.setDate(today)
    screen.user.setCurrentIndex(screen.user.findData("alex.practitioner"))
    qtbot.mouseClick(screen.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.report is not None, timeout=WAIT)
    row = select(qtbot, screen.patterns, 1, "Burst of searches: many searches in a few minutes")
    seq = rows(screen.patterns)[row][4]
    qtbot.keyClick(screen.patterns, Qt.Key_Return)  # Enter on the pattern opens it (Alt+I too)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    shown = rows(screen.dialog.list.view)
    assert seq in [r[0] for r in shown] and len(shown) >= 10
    assert all(r[2] == "alex.practitioner" and r[4] == "Searched" for r in shown)
    assert shown[0][6].startswith("for family name Smith, born 01/01/2015")
    assert "not proof of misuse" in screen.dialog.heading.text()
    screen.dialog.reject()
    assert count(screen.dialog.list.view) == 0


def test_an_alert_opens_the_entries_that_led_to_it(qtbot, desk):
    lock_out(desk, "morgan.mediator")
    screen = desk.show("AlertsInbox")
    select(qtbot, screen.table, 3, "Morgan Reid")
    qtbot.keyClick(screen, Qt.Key_I, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    what = [r[4] for r in rows(screen.dialog.list.view)]
    assert what == ["Sign-in refused"] * 4 + ["Account locked after failed sign-ins", "Sign-in refused"]
    assert "why: wrong password" in rows(screen.dialog.list.view)[0][6]


# -- la-admin: the register's requests, decided by the LA team (issue 14 §2.3, R-REC-5) --------------------------
def test_the_la_team_approves_or_declines_what_its_users_asked_to_add(qtbot, desk):
    org = desk.perform(ops.ASK_REGISTER, desk.alex, t.RegisterAsk(t.RegisterKind.ORGANISATION, "Riverside Surgery"))
    role = desk.perform(ops.ASK_REGISTER, desk.alex, t.RegisterAsk(t.RegisterKind.ROLE, "Locum GP", ServiceType.GP))
    home = desk.show("LaHome")
    qtbot.mouseClick(home.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: home.lines["register"].text() == "Register requests: 2 waiting", timeout=WAIT)
    qtbot.mouseClick(home.buttons["register"], Qt.LeftButton)
    screen = desk.screens["RegisterRequests"]
    assert desk.tabs.currentWidget() is screen
    select(qtbot, screen.table, 2, "Riverside Surgery")
    assert rows(screen.table)[current_row(screen.table)][4] == "alex.practitioner"
    qtbot.keyClick(screen, Qt.Key_P, Qt.AltModifier)  # Alt+P: approve
    qtbot.waitUntil(lambda: "“Riverside Surgery” is in the register now" in screen.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: [r[2] for r in rows(screen.table)] == ["Locum GP"], timeout=WAIT)
    select(qtbot, screen.table, 2, "Locum GP")
    qtbot.mouseClick(screen.decline_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    decline = next(b for b in screen.confirm.buttons() if screen.confirm.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(decline, Qt.LeftButton)
    qtbot.waitUntil(lambda: "was declined" in screen.message.text() and count(screen.table) == 0, timeout=WAIT)
    vocabulary = desk.perform(ops.VOCABULARY, desk.alex, t.Nothing())
    assert "Riverside Surgery" in vocabulary.organisations
    assert "Locum GP" not in {r.service: r.titles for r in vocabulary.roles}[ServiceType.GP]
    assert org.status == role.status == "requested"  # both were asked for through the interface


def test_the_la_team_adds_a_role_itself_and_registers_a_colleague_from_the_register(qtbot, desk):
    screen = desk.show("RegisterRequests")
    qtbot.keyClick(screen, Qt.Key_A, Qt.AltModifier)  # Alt+A: add…
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    d = screen.dialog
    d.kind.setCurrentIndex(1)
    qtbot.keyClicks(d.name, "Locum GP")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "Choose the service" in d.message.text()
    d.service.setCurrentIndex(d.service.findData("gp"))
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "“Locum GP” is in the register now, for GP practice." in screen.message.text(),
                    timeout=WAIT)
    users = desk.show("UsersScreen")
    qtbot.waitUntil(lambda: count(users.table) > 0, timeout=WAIT)
    qtbot.mouseClick(users.colleague_button, Qt.LeftButton)  # Register colleague…
    qtbot.waitUntil(lambda: users.dialog is not None and users.dialog.isVisible(), timeout=WAIT)
    c = users.dialog
    qtbot.keyClicks(c.name, "Dr Kofi Mensah")
    qtbot.keyClicks(c.role.lineEdit(), "Worried about mum")
    c.buttons.button(c.buttons.StandardButton.Ok).click()
    assert c.isVisible() and c.problem.text().startswith("Choose your role from the list")
    c.role.setEditText("Locum GP")
    c.organisation.setEditText("Northbridge CAMHS")
    c.buttons.button(c.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "Dr Kofi Mensah (Locum GP, Northbridge CAMHS) registered" in users.message.text(),
                    timeout=WAIT)


# -- la-admin: giving access from the Users screen (issue 14 §2.1, R-ROLE-3, R-ROLE-4) ---------------------------
def test_new_user_shows_the_one_time_password_once_and_offers_their_token(qtbot, desk):
    screen = desk.show("UsersScreen")
    qtbot.waitUntil(lambda: count(screen.table) > 5, timeout=WAIT)
    qtbot.keyClick(screen, Qt.Key_U, Qt.AltModifier)  # Alt+U: new user…
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    d = screen.dialog
    qtbot.waitUntil(lambda: d.organisation.count() > 10, timeout=WAIT)
    qtbot.keyClicks(d.name, "Priya Nair")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert "Choose the role" in d.message.text() and d.role.hasFocus()
    d.role.setCurrentIndex(d.role.findData("practitioner"))
    d.organisation.setEditText("Hub - mum drinks, dad violent")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.message.text().startswith("Choose your organisation from the list")
    d.organisation.setEditText("Northbridge Family Hub")
    qtbot.keyClicks(d.nominated_by, "Ruth Ellis, Head of Early Help")
    d.trained.setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, OneTimePasswordDialog) and screen.dialog.isVisible(),
                    timeout=WAIT)
    shown = screen.dialog
    password = shown.password.text()
    assert len(password) == 19 and shown.password.textInteractionFlags() == Qt.NoTextInteraction
    assert "Created. Priya Nair is priya.nair. Enrol their token" in screen.message.text()
    assert shown.enrol_button.isVisible()
    hashed = desk.engine(lambda e: e.conn.execute("SELECT password_hash, password_change_required FROM users "
                                                  "WHERE username = 'priya.nair'").fetchone())
    assert hashed[0].startswith("$argon2id$") and hashed[1] == 1
    shown.reject()
    assert shown.password.text() == ""  # gone with the dialog
    qtbot.waitUntil(lambda: any(r[0] == "priya.nair" for r in rows(screen.table)), timeout=WAIT)


def test_reset_password_asks_first_and_own_account_actions_are_not_offered(qtbot, desk):
    screen = desk.show("UsersScreen")
    select(qtbot, screen.table, 0, "jo.la")
    for b in (screen.reset_button, screen.check_button, screen.train_button, screen.token_button,
              screen.enable_button):
        assert not b.isEnabled(), b.text()
    select(qtbot, screen.table, 0, "chris.locked")
    qtbot.keyClick(screen, Qt.Key_P, Qt.AltModifier)  # Alt+P: reset password…
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    reset = next(b for b in screen.confirm.buttons() if screen.confirm.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(reset, Qt.LeftButton)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, OneTimePasswordDialog) and screen.dialog.isVisible(),
                    timeout=WAIT)
    assert len(screen.dialog.password.text()) == 19 and "Password reset." in screen.message.text()
    screen.dialog.reject()
    qtbot.waitUntil(lambda: next(r for r in rows(screen.table) if r[0] == "chris.locked")[8] == "No", timeout=WAIT)


def test_keep_a_shield_and_decide_about_the_siblings_it_holds(qtbot, desk):
    """Issue 13 §3.1 (R-SHIELD-1/2/3): a practitioner shields a child with a sister and a brother; the review shows
    them, withheld until decided; keeping the shield opens the decision for each, nothing chosen for the team;
    the sister needs no shield (her record is whole again), the brother is shielded too."""
    from tests.conftest import add_child, add_sibling
    did = desk.engine(lambda d: add_child(d, "Imogen", "Ashworthy", date(2015, 6, 2), postcode="NE3 5PL"))
    sister = desk.engine(lambda d: add_sibling(d, did, "Tamsin", date(2013, 3, 9)))
    brother = desk.engine(lambda d: add_sibling(d, did, "Kit", date(2018, 10, 30)))
    desk.found(desk.alex, did)
    desk.perform(ops.REQUEST_SHIELD, desk.alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    screen = desk.show("ShieldReviews")
    select(qtbot, screen.table, 3, did)
    qtbot.waitUntil(lambda: "Tamsin Ashworthy" in screen.household.text(), timeout=WAIT)
    assert f"Tamsin Ashworthy ({sister}), born 09 Mar 2013: the family's address and carers withheld until you " \
           "decide" in screen.household.text()
    qtbot.keyClick(screen, Qt.Key_K, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=WAIT)
    d = screen.dialog
    assert set(d.choices) == {sister, brother} and {c.currentData() for c in d.choices.values()} == {"later"}
    d.choices[sister].setCurrentIndex(d.choices[sister].findData("not_needed"))
    d.choices[brother].setCurrentIndex(d.choices[brother].findData("shield"))
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "kept" in screen.message.text(), timeout=WAIT)
    assert "Shielded too: Kit Ashworthy." in screen.message.text()
    assert "No shield needed, shown in full again: Tamsin Ashworthy." in screen.message.text()
    for child, restricted in ((sister, False), (brother, True)):
        desk.found(desk.alex, child)
        view = desk.service.view_record(desk.alex, child, REASON).result(30)
        assert view.shield_applied is restricted and (view.address is not None) is not restricted


def test_lifting_says_the_siblings_it_held_are_shown_again(qtbot, desk):
    from tests.conftest import add_child, add_sibling
    did = desk.engine(lambda d: add_child(d, "Imogen", "Ashworthy", date(2015, 6, 2), postcode="NE3 5PL"))
    desk.engine(lambda d: add_sibling(d, did, "Tamsin", date(2013, 3, 9)))
    desk.found(desk.alex, did)
    desk.perform(ops.REQUEST_SHIELD, desk.alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    screen = desk.show("ShieldReviews")
    select(qtbot, screen.table, 3, did)
    qtbot.mouseClick(screen.lift_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.confirm is not None and screen.confirm.isVisible(), timeout=WAIT)
    assert "shown again on the records of Tamsin Ashworthy too" in screen.confirm.text()
    qtbot.keyClick(screen.confirm, Qt.Key_Escape)


def test_alerts_name_the_person_and_the_child_not_usernames(qtbot, desk):
    """Issue 14 §3.5, R-SHIELD-6: an override's alert says who (by name), when, and which child (by name)."""
    sam = desk.engine(lambda d: viewer_for(d, "sam.cp"))
    did = desk.child("c.shielded_at IS NOT NULL")
    desk.found(sam, did)
    desk.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, REASON, True))
    given, family = desk.engine(lambda d: d.conn.execute(
        "SELECT given_names, family_name FROM children WHERE directory_id = ?", (ids.parse(did),)).fetchone())
    screen = desk.show("AlertsInbox")
    row = select(qtbot, screen.table, 5, did)
    assert rows(screen.table)[row][3:5] == ["Sam Okoro", f"{given} {family}"]
    assert not any("sam.cp" in cell for r in rows(screen.table) for cell in r)
