"""The real window against the directory service over HTTPS (issue 7): sign in with a training token,
search, open; the service stops and a recent record opens as the offline copy (R-LOCAL-2); the service
comes back and the same session carries on. Changes kept while it was down are sent after it restarted,
or wait on Home, named, with Send again and Discard (R-LOCAL-1)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.directory import Directory
from app.directory.work import types as t
from app.settings import Settings
from tests.conftest import TODAY, copy_directory
from tests.ui.service import Listener, free_port, open_live
from tests.ui.test_app_flow import search, sign_in


def test_remote_service_then_offline_copy_then_carry_on(qtbot, make_app, training_tokens, tmp_path):
    from app import directory_id
    from app.server import create_app
    from app.server import tls as service_tls
    db, key, _, _ = training_tokens
    served = tmp_path / "service" / "directory.db"
    served.parent.mkdir()
    copy_directory(db, served)
    probe = Directory.open(served, key, clock=lambda: TODAY)
    did, family, dob = probe.conn.execute(
        "SELECT directory_id, family_name, dob FROM children WHERE shielded_at IS NULL AND la_code = 'NBR' "
        "ORDER BY id LIMIT 1").fetchone()
    probe.close()
    did, dob = directory_id.fmt(did), date.fromordinal(dob)
    material = service_tls.ensure(tmp_path / "tls")
    application = create_app(lambda: Directory.open(served, key, clock=lambda: TODAY))
    port = free_port()
    listener = Listener(application, port, material).start()
    try:
        url = f"https://127.0.0.1:{port}"
        app = make_app(settings=Settings(directory_url=url, ca_bundle=str(material.ca)))
        sign_in(qtbot, app)
        qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
        main = app.main
        search(qtbot, main, family_name=family, dob=f"{dob:%d/%m/%Y}")
        qtbot.waitUntil(lambda: main.results.rowCount() >= 1, timeout=10000)
        assert main.where.text().startswith(f"{url} · online")
        row = next(r for r in range(main.results.rowCount()) if main.results.hit(r).directory_id == did)
        main.table.selectRow(row)
        qtbot.keyClick(main.table, Qt.Key_Return)
        qtbot.waitUntil(lambda: family in main.record.browser.toPlainText(), timeout=10000)
        assert not main.record.header.isVisible()  # live, not a copy
        # the opened record reaches the encrypted cache on its own thread: Recently opened reads it from there
        qtbot.waitUntil(lambda: main.recent.list.count() == 1, timeout=10000)

        listener.stop()  # the service is gone
        qtbot.keyClick(main.table, Qt.Key_Return)
        qtbot.waitUntil(lambda: main.record.header.text().startswith("Offline copy from"), timeout=20000)
        assert family in main.record.browser.toPlainText()
        assert " · offline" in main.where.text()
        search(qtbot, main, family_name=family, dob=f"{dob:%d/%m/%Y}")
        qtbot.waitUntil(lambda: "cannot be reached" in main.form.message.text(), timeout=20000)

        listener = Listener(application, port, material).start()  # back again
        search(qtbot, main, family_name=family, dob=f"{dob:%d/%m/%Y}")
        qtbot.waitUntil(lambda: main.results.rowCount() >= 1, timeout=10000)
        main.table.selectRow(next(r for r in range(main.results.rowCount())
                                  if main.results.hit(r).directory_id == did))
        qtbot.keyClick(main.table, Qt.Key_Return)
        qtbot.waitUntil(lambda: family in main.record.browser.toPlainText() and not main.record.header.isVisible(),
                        timeout=10000)
        assert main.where.text().startswith(f"{url} · online")
    finally:
        listener.stop() if listener.thread.is_alive() else None
        application.state.shutdown()


def _home(main):
    return next(s for s in main.screens if s.objectName() == "homeScreen")


def test_changes_kept_while_the_service_was_down_wait_on_home_after_it_restarts(qtbot, make_app, served):
    """R-LOCAL-1: two changes to the practitioner's own involvement are kept while the service is down; it
    restarts (every session gone) after the involvement was changed elsewhere; at the next sign-in both are
    refused as conflicts; at the sign-in after that nothing is sent and no count changes, and Home still
    lists both, naming the child and the change;
    Discard (confirmed) drops one, Send again saves the other over the change made elsewhere."""
    from tests.ui.test_work_practice import dialog_of, signed_in, type_into
    app = make_app(settings=served.settings())
    main = signed_in(qtbot, app)
    d0 = Directory.open(served.path, served.key, clock=lambda: TODAY)
    try:
        from app import directory_id
        did_raw, given, family = d0.conn.execute(
            "SELECT directory_id, given_names, family_name FROM children WHERE shielded_at IS NULL "
            "AND archived_on IS NULL AND la_code = 'NBR' ORDER BY id LIMIT 1").fetchone()
    finally:
        d0.close()
    did = directory_id.fmt(did_raw)
    open_live(qtbot, main, did)
    d = dialog_of(qtbot, main, "work")
    d.service.setCurrentIndex(d.service.findData("early_help"))
    type_into(qtbot, d.organisation.lineEdit(), "Outbox Family Hub")
    type_into(qtbot, d.role.lineEdit(), "Family support worker")
    type_into(qtbot, d.phone, "0191 555 0100")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is None and main.record.buttons["update"].isVisible(),
                    timeout=10000)

    served.stop()  # the network goes: both changes are kept on this workstation
    d = dialog_of(qtbot, main, "update")
    type_into(qtbot, d.phone, "0191 555 0199")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: "saved on this workstation" in main.record.note.text(), timeout=20000)
    d = dialog_of(qtbot, main, "end")
    d.keep[t.KeepContact.ONE_YEAR].setChecked(True)
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: main.record_actions.dialog is None, timeout=20000)
    home = _home(main)
    qtbot.waitUntil(lambda: len(home.outbox.items) == 2, timeout=10000)
    assert all(i.startswith("Waiting to be sent:") for i in (home.outbox.list.item(r).text() for r in range(2)))
    app.sign_out()

    def changed_elsewhere(directory):  # the same practitioner, from another workstation
        directory.conn.execute("UPDATE involvements SET version = version + 1, phone = '0191 555 0123' "
                               "WHERE organisation = 'Outbox Family Hub'")
    served.restart(changed_elsewhere)
    app.signin.username.clear()  # the sign-in window keeps the last username
    main = signed_in(qtbot, app)
    home = _home(main)
    qtbot.waitUntil(lambda: len(home.outbox.items) == 2 and all(i.state == "needs_you" for i in home.outbox.items),
                    timeout=30000)
    app.sign_out()  # the next sign-in sends nothing and changes no count: Home still lists them
    app.signin.username.clear()
    main = signed_in(qtbot, app)
    home = _home(main)
    qtbot.waitUntil(lambda: len(home.outbox.items) == 2, timeout=10000)
    texts = [home.outbox.list.item(r).text() for r in range(2)]
    name = f"{given} {family}"
    assert texts[0].startswith(f"Needs you: New contact details for your involvement with {name} ({did}).")
    assert texts[1].startswith(f"Needs you: Ending your involvement with {name} ({did}).")
    assert all("changed elsewhere" in t and "Send again" in t for t in texts)
    assert main.tabs.tabText(main.tabs.indexOf(home)) == "Home (2)" and not home.outbox.isHidden()

    home.outbox.list.setCurrentRow(1)
    qtbot.mouseClick(home.outbox.discard_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: home.outbox.confirm is not None and home.outbox.confirm.isVisible())
    assert name in home.outbox.confirm.text()
    home.outbox.confirm.button(QMessageBox.Discard).click()
    qtbot.waitUntil(lambda: len(home.outbox.items) == 1, timeout=10000)
    home.outbox.list.setCurrentRow(0)
    qtbot.mouseClick(home.outbox.send_again, Qt.LeftButton)
    qtbot.waitUntil(lambda: home.outbox.items == [] and home.outbox.isHidden(), timeout=20000)
    assert main.tabs.tabText(main.tabs.indexOf(home)).startswith("Home")
    served.stop()
    d1 = Directory.open(served.path, served.key, clock=lambda: TODAY)
    try:
        rows = d1.conn.execute("SELECT phone, ended FROM involvements WHERE organisation = 'Outbox Family Hub'"
                               ).fetchall()
    finally:
        d1.close()
    assert rows == [("0191 555 0199", None)]  # mine, over the change made elsewhere; the end discarded


def test_a_plain_http_directory_address_stops_the_app_with_what_to_write(qtbot, tmp_path, key_store):
    """Issue 15 2.1: never a silent fall-back to the embedded training directory: nothing opens, and the
    sign-in window names the setting, where it is written and what to write there."""
    import json

    from app.paths import Paths
    from ui.app import SignpostApp
    paths = Paths(tmp_path / "data", tmp_path / "config")
    paths.config.mkdir(parents=True)
    paths.settings_file.write_text(json.dumps({"directory_url": "http://directory.example.org:8443"}))
    app = SignpostApp(paths, Settings.load(paths.settings_file, environ={}), key_store, clock=lambda: TODAY)
    qtbot.addWidget(app.signin)
    try:
        app.start()
        qtbot.waitUntil(lambda: "did not start" in app.signin.status.text(), timeout=10000)
        text = app.signin.status.text()
        assert f"directory_url in {paths.settings_file}" in text and "'http://directory.example.org:8443'" in text
        assert "not encrypted" in text and "https://" in text and '"" for the training directory' in text
        assert not app.signin.button.isEnabled()
        assert app.service is None and app.tokens is None and not paths.training_directory.exists()
    finally:
        app.shutdown()
def test_an_offline_copy_follows_a_shield_another_user_sets_meanwhile(qtbot, make_app, training_tokens, tmp_path):
    """Issue 13 §3.2 (R-SHIELD-2/4, R-LOCAL-2), the offline path in the real window, its real cache file and the
    service over HTTPS: a copy not confirmed since it was made opens offline only as a shielded record would,
    saying why; once the directory has answered a check it opens in full; a shield another user sets meanwhile
    drops it, so offline there is no copy to open at all."""
    from app import directory_id
    from app.directory.remote import RemoteDirectory
    from app.directory.work import operations as ops
    from app.directory.work import types as t
    from app.model import AccessReason, Reason
    from app.search import Criteria
    from app.server import create_app
    from app.server import tls as service_tls
    from tests.contract.conftest import token_for
    from tests.contract.test_directory_contract import viewer
    from ui.record_view import UNCONFIRMED_TEXT
    db, key, _, _ = training_tokens
    served = tmp_path / "service" / "directory.db"
    served.parent.mkdir()
    copy_directory(db, served)
    probe = Directory.open(served, key, clock=lambda: TODAY)
    did, family, dob, postcode = probe.conn.execute(
        "SELECT c.directory_id, c.family_name, c.dob, h.postcode FROM children c JOIN households h "
        "ON h.id = c.household_id WHERE c.shielded_at IS NULL AND c.la_code = 'NBR' ORDER BY c.id LIMIT 1").fetchone()
    token_for("sam.cp").enrol(probe, "sam.cp")  # another user, at another workstation
    probe.close()
    did, dob = directory_id.fmt(did), date.fromordinal(dob)
    material = service_tls.ensure(tmp_path / "tls")
    application = create_app(lambda: Directory.open(served, key, clock=lambda: TODAY))
    port = free_port()
    listener = Listener(application, port, material).start()
    url = f"https://127.0.0.1:{port}"
    elsewhere = RemoteDirectory(url, str(material.ca))
    try:
        app = make_app(settings=Settings(directory_url=url, ca_bundle=str(material.ca)))
        qtbot.waitUntil(lambda: app.sessions is not None, timeout=20000)
        app.sessions.outbox_retry_s = 0.3  # an outage's end is noticed within 0.3 s
        app.sessions.copy_check_s = 3600.0  # checks only at sign-in and when the directory answers again
        sign_in(qtbot, app)
        qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=20000)
        main, session = app.main, app.session
        qtbot.waitUntil(lambda: session.copies is not None and session.copies.checks >= 1, timeout=20000)

        def open_record(live: bool = True) -> None:
            if live:
                search(qtbot, main, family_name=family, dob=f"{dob:%d/%m/%Y}")
                qtbot.waitUntil(lambda: main.results.rowCount() >= 1, timeout=10000)
                main.table.selectRow(next(r for r in range(main.results.rowCount())
                                          if main.results.hit(r).directory_id == did))
            main.record.clear()
            qtbot.keyClick(main.table, Qt.Key_Return)

        open_record()
        qtbot.waitUntil(lambda: postcode in main.record.browser.toPlainText(), timeout=10000)
        kept = lambda: app.sessions._cache_thread.submit(session.cache.get_record, did).result(10)  # noqa: E731
        qtbot.waitUntil(lambda: kept() is not None, timeout=10000)  # the copy is in the cache file (its thread)

        listener.stop()  # nothing has confirmed the copy since it was made
        open_record(live=False)
        qtbot.waitUntil(lambda: main.record.header.text().startswith("Offline copy from"), timeout=20000)
        assert main.record.banner.text() == UNCONFIRMED_TEXT and main.record.banner.isVisible()
        text = main.record.browser.toPlainText()
        assert family in text and postcode not in text

        checks = session.copies.checks
        listener = Listener(application, port, material).start()  # back: the copies are checked at once
        qtbot.waitUntil(lambda: session.copies.checks > checks, timeout=20000)
        listener.stop()
        open_record(live=False)
        qtbot.waitUntil(lambda: main.record.header.text().startswith("Offline copy from")
                        and postcode in main.record.browser.toPlainText(), timeout=20000)
        assert not main.record.banner.isVisible()  # confirmed since it was made: in full

        session.copies.every_s = 0.3  # from now on, checked every 0.3 s while the directory answers
        listener = Listener(application, port, material).start()
        sam = viewer(elsewhere, "sam.cp")
        reason = Reason(AccessReason.PROVIDING_SERVICE)
        assert [h.directory_id for h in elsewhere.search(sam, Criteria(directory_id=did), reason).result(30).hits]
        assert elsewhere.perform(ops.REQUEST_SHIELD, sam, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE,
                                                                          reason)).result(30)
        checks = session.copies.checks
        qtbot.waitUntil(lambda: session.copies.checks >= checks + 2, timeout=20000)  # one sent after the shield
        listener.stop()
        open_record(live=False)
        qtbot.waitUntil(lambda: "has no offline copy on this workstation" in main.form.message.text(), timeout=20000)
        assert postcode not in main.record.browser.toPlainText()
    finally:
        elsewhere.close()
        listener.stop() if listener.thread.is_alive() else None
        application.state.shutdown()
