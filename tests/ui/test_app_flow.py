"""Driving the real window: sign in, search, open a record (pytest-qt)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.model import WithheldInvolvement
from tests.conftest import PASSWORD
from ui.record_view import SHIELD_TEXT


def sign_in(qtbot, app, username="alex.practitioner", password=PASSWORD):
    qtbot.waitUntil(lambda: app.signin.button.isEnabled(), timeout=15000)
    qtbot.keyClicks(app.signin.username, username)
    qtbot.keyClicks(app.signin.password, password)
    qtbot.keyClick(app.signin.password, Qt.Key_Return)


def search(qtbot, main, **fields):
    main.form.reason.setCurrentIndex(1)
    for name, text in fields.items():
        main.form.inputs[name].clear()
        qtbot.keyClicks(main.form.inputs[name], text)
    qtbot.keyClick(main.form.inputs["family_name"], Qt.Key_Return)  # Enter searches


def child_row(app, where):
    conn = app.service.run(lambda d: d.conn.execute(
        "SELECT c.id, c.family_name, c.dob, h.line1 FROM children c JOIN households h ON h.id = c.household_id "
        f"WHERE {where} LIMIT 1").fetchone()).result(5)
    return conn[0], conn[1], date.fromordinal(conn[2]), conn[3]


def test_sign_in_search_open_a_shielded_record_shows_the_banner(qtbot, make_app):
    """R-SHIELD-1 end to end: the banner shows and no address reaches the screen."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=15000)
    main = app.main
    assert not app.signin.isVisible()
    cid, family, dob, line1 = child_row(app, "c.shielded_at IS NOT NULL")
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=10000)
    row = next(r for r in range(main.results.rowCount()) if main.results.hit(r).child_id == cid)
    main.table.selectRow(row)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.banner.isVisible(), timeout=10000)
    assert main.record.banner.text() == SHIELD_TEXT
    shown = main.record.browser.toPlainText()
    assert family in shown and line1 not in shown
    assert main.results.data(main.results.index(row, 3)) == "Restricted"


def test_sensitive_involvement_shows_as_an_unspecified_service(qtbot, make_app):
    """R-SENS-3 on screen."""
    app = make_app()
    sign_in(qtbot, app, "sam.cp")
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    cid, org = app.service.run(lambda d: d.conn.execute(
        "SELECT i.child_id, i.organisation FROM involvements i JOIN children c ON c.id = i.child_id "
        "WHERE i.service = 'camhs' AND c.shielded_at IS NULL AND i.recorded_by != 'sam.cp' LIMIT 1"
    ).fetchone()).result(5)
    did = app.service.run(lambda d: d.conn.execute("SELECT directory_id FROM children WHERE id = ?",
                                                   (cid,)).fetchone()[0]).result(5)
    search(qtbot, app.main, directory_id=str(did))
    qtbot.waitUntil(lambda: app.main.results.rowCount() == 1, timeout=10000)
    qtbot.keyClick(app.main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Universal services" in app.main.record.browser.toPlainText(), timeout=10000)
    text = app.main.record.browser.toPlainText()
    assert WithheldInvolvement.TEXT in text and org not in text


def test_wrong_password_says_so_and_stays_on_sign_in(qtbot, make_app):
    app = make_app()
    sign_in(qtbot, app, password="not-it")
    qtbot.waitUntil(lambda: "not right" in app.signin.status.text(), timeout=15000)
    assert app.main is None and app.signin.password.text() == ""


def test_broad_search_shows_the_directorys_message(qtbot, make_app):
    """R-SEARCH-2: the engine's refusal reaches the user in its own words."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    search(qtbot, app.main, family_name="Smith")
    qtbot.waitUntil(lambda: "Add a date of birth" in app.main.form.message.text(), timeout=10000)
    assert app.main.results.rowCount() == 0


def test_search_without_a_reason_is_not_sent(qtbot, make_app):
    """R-SEARCH-1."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    qtbot.keyClicks(app.main.form.inputs["family_name"], "Smith")
    qtbot.keyClick(app.main.form.inputs["family_name"], Qt.Key_Return)
    assert "Choose a reason" in app.main.form.message.text()
    assert not app.main.is_busy()


def test_sign_out_clears_the_screen(qtbot, make_app):
    """R-LOCAL-2: sign-out leaves nothing of a child behind."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    main = app.main
    cid, family, dob, _ = child_row(app, "c.shielded_at IS NULL")
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=10000)
    app.sign_out()
    assert main.results.rowCount() == 0 and main.record.browser.toPlainText() == ""
    assert all(e.text() == "" for e in main.form.inputs.values())
    assert app.signin.isVisible()


def test_insecure_keyring_is_refused_with_a_message(qtbot, make_app):
    """Secrets never fall back to an insecure store."""
    import keyring.backends.fail
    from app.keystore import SecureKeyStore
    store = SecureKeyStore(backend=keyring.backends.fail.Keyring())
    app = make_app(store=store)
    qtbot.waitUntil(lambda: "keyring" in app.signin.status.text().lower(), timeout=15000)
    assert not app.signin.button.isEnabled()
    store.close()
