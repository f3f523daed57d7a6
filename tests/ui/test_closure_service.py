"""Closure against the real switched-off directory service (issue 14 §1 item 7, R-CLOSE-1): uvicorn over TLS
on 127.0.0.1 serving a copy of the training directory, switched off in the directory itself as
``signpost switch-off`` does, not a fake. A practitioner at work when it switches off is told and signed out
and cannot sign in again; the LA team user who prepared closure on this workstation reaches the wizard,
offline."""
from __future__ import annotations

import time

from app.directory import Directory
from app.server import create_app
from app.server import tls as service_tls
from app.settings import Settings
from tests.conftest import TODAY, copy_directory
from tests.server.conftest import running_https
from tests.ui.test_app_flow import search, sign_in
from tests.ui.test_closure_wizard import T, open_closure


def test_the_switched_off_service_signs_a_practitioner_out_and_leaves_the_la_team_closure(
        qtbot, make_app, training_tokens, tmp_path):
    db, key, _, _ = training_tokens
    served = tmp_path / "service" / "directory.db"
    served.parent.mkdir()
    copy_directory(db, served)  # with the audit checkpoint beside it (R-AUDIT-2)
    material = service_tls.ensure(tmp_path / "tls")
    service = create_app(lambda: Directory.open(served, key, clock=lambda: TODAY))
    url, stop = running_https(service, material)
    try:
        app = make_app(settings=Settings(directory_url=url, ca_bundle=str(material.ca)))
        wizard = open_closure(qtbot, app)  # jo.la prepares closure on demand, with the register from the service
        assert wizard.ctx.register.tokens and not wizard.ctx.closed
        wizard.close()
        app.sign_out()

        app.signin.username.clear()
        sign_in(qtbot, app, "alex.practitioner")
        qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=T)
        service.state.directory.run_on_engine(lambda d: d.set_switch_off(time.time() - 1, by="admin")).result(10)
        search(qtbot, app.main, family_name="Smith", dob="01/01/2015")
        qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)
        told = app.signin.status.text()
        assert "switched off" in told and "hand the token to your LA team" in told and "transport PIN 1234" in told

        app.signin.username.clear()
        sign_in(qtbot, app, "alex.practitioner")  # the service answers 503 service.closed to every request
        qtbot.waitUntil(lambda: "closed" in app.signin.status.text() and app.signin.status.text() != told,
                        timeout=T)
        assert app.session is None and app.closure is None

        app.signin.username.clear()
        sign_in(qtbot, app, "jo.la")
        qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
        assert app.closure.ctx.closed and app.session is None and not app.signin.isVisible()
        assert app.closure.ctx.register.tokens  # the register kept in the closure store
        app.closure.close()
        qtbot.waitUntil(lambda: app.signin.isVisible(), timeout=T)
    finally:
        stop()
        service.state.shutdown()
