"""The real window against the directory service over HTTPS (issue 7): sign in with a training token,
search, open; the service stops and a recent record opens as the offline copy (R-LOCAL-2); the service
comes back and the same session carries on."""
from __future__ import annotations

import socket
import threading
import time
from datetime import date

from PySide6.QtCore import Qt

from app.directory import Directory
from app.settings import Settings
from tests.conftest import TODAY, copy_directory
from tests.ui.test_app_flow import search, sign_in


class Listener:
    """uvicorn serving one FastAPI app over TLS on a fixed loopback port; stopping it closes the port but
    keeps the app (its engine and sessions), as a network or listener outage would."""

    def __init__(self, application, port: int, tls) -> None:
        import uvicorn
        config = uvicorn.Config(application, host="127.0.0.1", port=port, ssl_certfile=str(tls.cert),
                                ssl_keyfile=str(tls.key), log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="remote-flow-service")

    def start(self) -> Listener:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the service did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the service did not stop"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
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
        qtbot.wait(300)  # the opened record reaches the encrypted cache on its own thread

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
