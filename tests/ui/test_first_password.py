"""A one-time password is replaced at first sign-in, in the real app with real SoftHSM tokens (issue 14 §2.1,
R-ROLE-4): the sign-in window asks for the user's own before Signpost opens; the directory refuses anything else
meanwhile; giving up signs out; the one-time password works only until it is replaced."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.conftest import PASSWORD, viewer_for
from tests.ui.test_app_flow import sign_in, visible_text

NEW = "ochre kettle by the harbour"


def reset_by_the_la_team(app, username: str) -> str:
    la = app.service.run_on_engine(lambda d: viewer_for(d, "jo.la")).result(10)
    return app.service.perform(ops.RESET_PASSWORD, la, t.UserRef(username)).result(10).password


def test_the_first_sign_in_asks_for_the_users_own_password_before_anything_opens(qtbot, make_app):
    app = make_app()
    one_time = reset_by_the_la_team(app, "alex.practitioner")
    sign_in(qtbot, app, "alex.practitioner", password=one_time)
    step = app.signin.step
    qtbot.waitUntil(step.isVisible, timeout=20000)
    assert app.main is None and not app.signin.form_box.isVisible()  # nothing of Signpost opened yet
    assert "one-time password" in step.heading.text() and step.new.hasFocus()
    qtbot.keyClicks(step.new, "too short")
    qtbot.keyClicks(step.again, "too short")
    qtbot.keyClick(step.again, Qt.Key_Return)
    assert "at least 12 characters" in step.message.text() and app.main is None
    qtbot.keyClicks(step.new, NEW)
    qtbot.keyClicks(step.again, NEW + " not the same")
    qtbot.mouseClick(step.change_button, Qt.LeftButton)
    assert "not the same" in step.message.text() and step.again.hasFocus()
    step.again.clear()
    qtbot.keyClicks(step.again, NEW)
    qtbot.keyClick(step.again, Qt.Key_Return)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    assert not step.isVisible() and step.new.text() == "" and step.again.text() == ""
    text = visible_text()
    assert one_time not in text and NEW not in text  # neither password is left in any widget
    changed = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT password_change_required FROM users WHERE username = 'alex.practitioner'").fetchone()[0]).result(5)
    assert changed == 0


def test_giving_up_signs_out_and_the_directory_did_nothing_else_meanwhile(qtbot, make_app):
    app = make_app()
    one_time = reset_by_the_la_team(app, "alex.practitioner")
    sign_in(qtbot, app, "alex.practitioner", password=one_time)
    step = app.signin.step
    qtbot.waitUntil(step.isVisible, timeout=20000)
    last = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT action FROM audit WHERE actor = 'alex.practitioner' ORDER BY seq DESC LIMIT 1").fetchall()).result(5)
    assert last == [("sign_in",)]  # nothing was done for the session but signing in
    qtbot.keyClick(step, Qt.Key_O, Qt.AltModifier)  # Alt+O: sign out
    qtbot.waitUntil(lambda: app.signin.form_box.isVisible() and not step.isVisible(), timeout=10000)
    assert "You need your own password" in app.signin.status.text() and app.main is None
    qtbot.waitUntil(lambda: app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT action FROM audit WHERE actor = 'alex.practitioner' ORDER BY seq DESC LIMIT 1").fetchone()[0]
    ).result(5) == "sign_out", timeout=10000)
    app.signin.username.clear()
    sign_in(qtbot, app, "alex.practitioner", password=PASSWORD)  # the old password no longer works
    qtbot.waitUntil(lambda: "not right" in app.signin.status.text(), timeout=20000)


def test_the_la_team_gives_access_and_the_new_user_signs_in_with_their_own_password(qtbot, make_app, desk):
    """End to end, real tokens: jo.la creates Priya's account, is shown her one-time password once, enrols the
    spare token for her from the same dialog; Priya signs in with it and her token, chooses her own password, and
    Signpost opens for her (R-ROLE-3, R-ROLE-4)."""
    from tests.ui.conftest import SPARE
    from tests.ui.test_work_la import rows, select
    from ui.dialogs.la_enrol_token import EnrolTokenDialog
    from ui.dialogs.la_new_user import OneTimePasswordDialog
    from ui.screens.la.users import UsersScreen
    app = make_app()
    sign_in(qtbot, app, "jo.la")
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    users = next(s for s in app.main.screens if isinstance(s, UsersScreen))
    app.main.show_screen(users)
    qtbot.waitUntil(lambda: users.list.model.rowCount() > 5, timeout=10000)
    qtbot.mouseClick(users.new_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: users.dialog is not None and users.dialog.isVisible(), timeout=10000)
    d = users.dialog
    qtbot.keyClicks(d.name, "Priya Nair")
    d.role.setCurrentIndex(d.role.findData("practitioner"))
    d.organisation.setEditText("Northbridge Family Hub")
    qtbot.keyClicks(d.nominated_by, "Ruth Ellis, Head of Early Help")
    d.trained.setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: isinstance(users.dialog, OneTimePasswordDialog) and users.dialog.isVisible(),
                    timeout=10000)
    one_time = users.dialog.password.text()
    qtbot.mouseClick(users.dialog.enrol_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: isinstance(users.dialog, EnrolTokenDialog) and users.dialog.choice.count() > 0,
                    timeout=10000)
    enrol = users.dialog
    spare = desk.serials[SPARE]
    enrol.choice.setCurrentIndex(enrol.choice.findData(spare))
    assert enrol.choice.findData(desk.serials["jo.la"]) < 0  # the team's own token is never offered
    qtbot.keyClicks(enrol.pin, "246810")
    qtbot.mouseClick(enrol.read_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: f"Token {spare} enrolled for Priya Nair" in users.message.text(), timeout=20000)
    qtbot.waitUntil(lambda: next(r for r in rows(users.table) if r[0] == "priya.nair")[9] == spare, timeout=10000)
    select(qtbot, users.table, 0, "priya.nair")
    assert one_time not in " ".join(" ".join(r) for r in rows(users.table))

    app.sign_out()
    qtbot.waitUntil(lambda: app.signin.isVisible() and app.main is None, timeout=10000)
    qtbot.waitUntil(lambda: app.signin.button.isEnabled(), timeout=10000)
    app.signin.username.clear()
    qtbot.keyClicks(app.signin.username, "priya.nair")
    assert app.signin.tokens.select(spare)
    qtbot.keyClicks(app.signin.password, one_time)
    qtbot.keyClicks(app.signin.pin, "246810")
    qtbot.keyClick(app.signin.pin, Qt.Key_Return)
    step = app.signin.step
    qtbot.waitUntil(step.isVisible, timeout=20000)
    qtbot.keyClicks(step.new, NEW)
    qtbot.keyClicks(step.again, NEW)
    qtbot.keyClick(step.again, Qt.Key_Return)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    assert app.main.user.username == "priya.nair" and app.main.user.display_name == "Priya Nair"
