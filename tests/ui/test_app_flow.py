"""Driving the real window: sign in, search, open a record (pytest-qt)."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.model import WithheldInvolvement
from app.token.provision import training_label
from app.training import TRAINING_PIN
from tests.conftest import PASSWORD
from ui.lock_window import TOKEN_BACK
from ui.record_view import SHIELD_TEXT
from ui.token_memory import TokenMemory


def sign_in(qtbot, app, username="alex.practitioner", password=PASSWORD, pin=TRAINING_PIN):
    """Username (which pre-selects the user's own token in the list), password, PIN, Enter."""
    qtbot.waitUntil(lambda: app.signin.button.isEnabled(), timeout=20000)
    label = training_label(username)
    qtbot.waitUntil(lambda: any(t.label == label for t in app.signin.tokens.tokens()), timeout=5000)
    qtbot.keyClicks(app.signin.username, username)
    assert app.signin.tokens.current().label == label  # never just the newest token
    qtbot.keyClicks(app.signin.password, password)
    qtbot.keyClicks(app.signin.pin, pin)
    qtbot.keyClick(app.signin.pin, Qt.Key_Return)


def search(qtbot, main, **fields):
    main.form.reason.setCurrentIndex(1)
    for name, text in fields.items():
        main.form.inputs[name].clear()
        qtbot.keyClicks(main.form.inputs[name], text)
    qtbot.keyClick(main.form.inputs["family_name"], Qt.Key_Return)  # Enter searches


def child_row(app, where):
    """(directory id as shown, family name, date of birth, address line 1) of one child."""
    from app import directory_id
    row = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT c.directory_id, c.family_name, c.dob, h.line1 FROM children c "
        f"JOIN households h ON h.id = c.household_id WHERE {where} LIMIT 1").fetchone()).result(5)
    return directory_id.fmt(row[0]), row[1], date.fromordinal(row[2]), row[3]


def test_sign_in_search_open_a_shielded_record_shows_the_banner(qtbot, make_app):
    """R-SHIELD-1 end to end: the banner shows and no address reaches the screen."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=15000)
    main = app.main
    assert not app.signin.isVisible()
    did, family, dob, line1 = child_row(app, "c.shielded_at IS NOT NULL")
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=10000)
    row = next(r for r in range(main.results.rowCount()) if main.results.hit(r).directory_id == did)
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
    did, org = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT c.directory_id, i.organisation FROM involvements i JOIN children c ON c.id = i.child_id "
        "WHERE i.service = 'camhs' AND c.shielded_at IS NULL AND i.recorded_by != 'sam.cp' LIMIT 1"
    ).fetchone()).result(5)
    search(qtbot, app.main, directory_id=str(did))
    qtbot.waitUntil(lambda: app.main.results.rowCount() == 1, timeout=10000)
    qtbot.keyClick(app.main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Universal services" in app.main.record.browser.toPlainText(), timeout=10000)
    text = app.main.record.browser.toPlainText()
    assert WithheldInvolvement.TEXT in text and org not in text


def test_wrong_password_says_so_and_keeps_the_password_for_correction(qtbot, make_app):
    """A refused sign-in clears only the PIN: the typed password stays, selected, to correct or retype."""
    app = make_app()
    sign_in(qtbot, app, password="not-it")
    qtbot.waitUntil(lambda: app.signin.status.text() != "" and app.signin.button.isEnabled(), timeout=15000)
    assert app.main is None
    assert app.signin.password.text() == "not-it" and app.signin.pin.text() == ""
    assert app.signin.password.hasFocus() and app.signin.password.selectedText() == "not-it"


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
    # the window's own first requests (Home's inbox) are answered before: busy then can only mean a search
    qtbot.waitUntil(lambda: not app.main.is_busy(), timeout=15000)
    searches = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT count(*) FROM audit WHERE action LIKE 'search%'").fetchone()[0]).result(10)
    qtbot.keyClicks(app.main.form.inputs["family_name"], "Smith")
    qtbot.keyClick(app.main.form.inputs["family_name"], Qt.Key_Return)
    assert "Choose a reason" in app.main.form.message.text()
    assert not app.main.is_busy()
    assert app.service.run_on_engine(lambda d: d.conn.execute(  # nothing reached the directory
        "SELECT count(*) FROM audit WHERE action LIKE 'search%'").fetchone()[0]).result(10) == searches


def test_sign_out_clears_the_screen(qtbot, make_app):
    """R-LOCAL-2: sign-out leaves nothing of a child behind."""
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    main = app.main
    _, family, dob, _ = child_row(app, "c.shielded_at IS NULL")
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


def visible_text() -> str:
    """Every piece of text any widget or item model in the app still holds."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # widgets already deleted are not walked
    gc.collect()  # nor those of windows that are garbage: collected now, not half-way through the walk
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    out = []
    gc.disable()
    try:
        return _walk(QApplication.allWidgets(), out)
    finally:
        gc.enable()


def _walk(widgets, out: list[str]) -> str:
    import shiboken6
    from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QLineEdit, QTextEdit
    for w in widgets:
        if not shiboken6.isValid(w):
            continue
        if isinstance(w, QLineEdit | QLabel):
            out.append(w.text())
        elif isinstance(w, QTextEdit):
            out.append(w.toPlainText() + w.toHtml())
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            try:
                columns = m.columnCount()
            except TypeError:  # a list widget's model: one column, and PySide keeps its columnCount private
                columns = 1
            for r in range(m.rowCount()):
                for c in range(columns):
                    out.append(str(m.data(m.index(r, c))))
        out.append(w.windowTitle())
    return "\n".join(out)


def open_a_record(qtbot, app, where="c.shielded_at IS NULL"):
    main = app.main
    _, family, dob, line1 = child_row(app, where)
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=10000)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Universal services" in main.record.browser.toPlainText(), timeout=10000)
    return family, dob, line1


def test_pulling_the_token_locks_within_two_seconds_and_leaves_no_child_data(qtbot, make_app, desk):
    """R-LOCAL-2: pull the token with a record open; walk every widget and model."""
    import time
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    family, dob, line1 = open_a_record(qtbot, app)
    assert family in visible_text()
    pulled_at = time.monotonic()
    desk.pull_user("alex.practitioner")
    qtbot.waitUntil(lambda: app.lock_window is not None and app.lock_window.isVisible(), timeout=2000)
    assert time.monotonic() - pulled_at < 2.0
    assert "removed" in app.lock_window.reason.text()
    text = visible_text()
    for secret in (family, dob.strftime("%d/%m/%Y"), dob.strftime("%d %B %Y"), line1):
        assert secret not in text
    qtbot.waitUntil(lambda: app.session.cache is None, timeout=5000)  # the cache closes behind the lock


def test_the_same_token_and_pin_unlock_back_to_the_main_window(qtbot, make_app, desk):
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    pulled = desk.pull_user("alex.practitioner")
    qtbot.waitUntil(lambda: app.lock_window is not None and app.lock_window.isVisible(), timeout=3000)
    lock = app.lock_window
    assert "removed" in lock.reason.text()
    desk.insert(pulled)
    own = desk.serials["alex.practitioner"]
    qtbot.waitUntil(lambda: lock.picker.current() is not None and lock.picker.current().serial == own, timeout=5000)
    assert lock.reason.text() == TOKEN_BACK  # "removed" no longer true, so no longer said
    qtbot.keyClicks(lock.pin, TRAINING_PIN)
    qtbot.keyClick(lock.pin, Qt.Key_Return)
    qtbot.waitUntil(lambda: app.main.isVisible() and not lock.isVisible(), timeout=15000)
    assert not app.session.locked and app.session.cache is not None


def test_another_token_at_the_lock_screen_signs_the_session_out(qtbot, make_app, desk):
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    other = desk.pull_user("sam.cp")  # take another user's token out first...
    qtbot.waitUntil(lambda: all(not t.label.startswith("sam.cp") for t in app.signin.tokens.tokens()), timeout=3000)
    desk.pull_user("alex.practitioner")
    qtbot.waitUntil(lambda: app.lock_window is not None and app.lock_window.isVisible(), timeout=3000)
    desk.insert(other)  # ...and put it in at the lock screen
    qtbot.waitUntil(lambda: app.signin.isVisible() and app.session is None, timeout=5000)
    assert "signed out" in app.signin.status.text()


def test_idle_timeout_locks_the_same_way(qtbot, make_app):
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    family, _, _ = open_a_record(qtbot, app)
    app.idle.set_intervals(400, 200)
    app.idle.start()
    qtbot.waitUntil(lambda: app.lock_window.isVisible(), timeout=3000)
    assert family not in visible_text()


def test_wrong_pin_says_so_with_tries_left(qtbot, make_app):
    app = make_app()
    sign_in(qtbot, app, pin="999999")
    qtbot.waitUntil(lambda: "PIN" in app.signin.status.text(), timeout=15000)
    assert app.main is None and app.signin.pin.text() == ""


def test_a_full_disk_during_set_up_says_so(qtbot, make_app, monkeypatch):
    """A full disk while the directory is prepared gets a message a person can act on."""
    import sqlcipher3

    from app import training

    def full(*args, **kwargs):
        raise sqlcipher3.OperationalError("database or disk is full")
    monkeypatch.setattr(training, "open_directory", full)
    app = make_app()
    qtbot.waitUntil(lambda: "disk" in app.signin.status.text(), timeout=15000)
    assert "Free some disk space" in app.signin.status.text() and not app.signin.button.isEnabled()


def test_a_full_disk_during_a_search_says_so(qtbot, make_app):
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    from app import audit

    real = audit.AuditLog.record

    def full(*args, **kwargs):
        import sqlcipher3
        raise sqlcipher3.OperationalError("database or disk is full")
    audit.AuditLog.record = full
    try:
        search(qtbot, app.main, family_name="Smith", dob="01/01/2015")
        qtbot.waitUntil(lambda: "disk is full" in app.main.form.message.text(), timeout=10000)
    finally:
        audit.AuditLog.record = real


def test_the_token_used_is_remembered_for_this_user_privately(qtbot, make_app, desk):
    import os
    import stat
    app = make_app()
    sign_in(qtbot, app, "sam.cp")
    qtbot.waitUntil(lambda: app.main is not None, timeout=15000)
    memory = TokenMemory(app.paths.config)
    assert memory.serial_for("sam.cp") == desk.serials["sam.cp"]
    assert stat.S_IMODE(os.stat(memory.path).st_mode) == 0o600


def test_the_idle_warning_counts_down_and_input_cancels_it(qtbot, make_app):
    """R-LOCAL-2 with warning: the countdown shows in the window; a key press keeps the session."""
    import re
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    main = app.main
    app.idle.set_intervals(4000, 2000)
    app.idle.start()
    qtbot.waitUntil(main.idle_warning.isVisible, timeout=4000)
    assert re.fullmatch(r"Signpost will lock in [12] s\..*", main.idle_warning.text())
    qtbot.keyClick(main.form.inputs["family_name"], Qt.Key_A)
    assert not main.idle_warning.isVisible()
    qtbot.wait(2500)  # past when it would have locked
    assert not app.session.locked and main.isVisible()
    app.idle.set_intervals(600_000)


def test_a_mediating_user_sees_whom_the_record_is_for_and_clear_clears_it_all(qtbot, make_app):
    """R-ROLE-2 end to end, and a Clear that leaves nothing of the last enquiry."""
    app = make_app()
    sign_in(qtbot, app, "morgan.mediator")
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    main, form = app.main, app.main.form
    _, family, dob, _ = child_row(app, "c.shielded_at IS NULL")
    qtbot.waitUntil(lambda: form.colleague_choice.count() > 1, timeout=10000)  # R-ROLE-2: from the register
    form.colleague_choice.setCurrentIndex(1)
    dr = form.colleague()
    search(qtbot, main, family_name=family, dob=dob.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: main.results.rowCount() > 0, timeout=10000)
    assert main.acting_label.text() == f"Acting for {dr.name} ({dr.organisation})"
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Universal services" in main.record.browser.toPlainText(), timeout=10000)
    assert main.record.header.text() == f"Record viewed for {dr.name} ({dr.organisation})"
    qtbot.mouseClick(form.clear_button, Qt.LeftButton)
    assert main.results.rowCount() == 0 and main.record.browser.toPlainText() == ""
    assert form.colleague() is None and form.message.text() == ""
    assert main.acting_label.text() == "" and not main.record.header.isVisible()
    assert family not in visible_text()


def test_help_training_guide_lists_the_sample_children(qtbot, make_app):
    """A trainee finds the documented sample children without database access."""
    training_cast = pytest.importorskip("app.training_cast")
    app = make_app()
    sign_in(qtbot, app)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
    help_menu = next(a.menu() for a in app.main.menuBar().actions() if a.menu().title() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&Training guide").trigger()  # F1 is the screen's help
    qtbot.waitUntil(lambda: app.guide is not None and app.guide.isVisible(), timeout=10000)
    table = app.guide.children
    shown = {table.item(r, 1).text() for r in range(table.rowCount())}
    reference = app.service.run_on_engine(lambda d: d.conn.execute(
        "SELECT value FROM meta WHERE key = 'reference_date'").fetchone()[0]).result(5)
    entries = training_cast.entries(date.fromisoformat(reference))
    assert shown == {e.directory_id for e in entries} and len(entries) >= 7
    users = {app.guide.users.item(r, 0).text() for r in range(app.guide.users.rowCount())}
    assert {"alex.practitioner", "morgan.mediator", "jo.la"} <= users
    assert PASSWORD not in visible_text() and TRAINING_PIN not in visible_text()  # they are in the README
    app.lock("Locked at your request.")
    assert app.guide is None
