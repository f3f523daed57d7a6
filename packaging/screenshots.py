"""Take the README's screenshots from the real app in a real window.

Run under Xvfb with a keyring (``make screenshots``): it signs in to the
training directory, searches, opens a record and a shielded record, and
saves what the screen shows into resources/screenshots/.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.directory import Directory
from app.token.provision import training_label
from app.training import TRAINING_PIN
from app.paths import Paths
from app.settings import Settings
from ui.app import STYLE, SignpostApp

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"
PASSWORD = "training-only-2026"


def main() -> None:
    qt = QApplication(sys.argv)
    qt.setStyleSheet(STYLE.read_text())
    paths = Paths.default()
    app = SignpostApp(paths, Settings.load(paths.settings_file))
    app.start()
    OUT.mkdir(parents=True, exist_ok=True)
    steps = []

    def shot(widget, name):
        widget.raise_()
        qt.processEvents()
        widget.grab().save(str(OUT / name))
        print("saved", name, flush=True)

    def wait(cond, then):
        def poll():
            if cond():
                then()
            else:
                QTimer.singleShot(100, poll)
        poll()

    def own_token():
        return next((t for t in app.signin.tokens.tokens() if t.label == training_label("alex.practitioner")), None)

    def signin_ready():
        app.signin.tokens.select(own_token().serial)
        app.signin.username.setText("alex.practitioner")
        app.signin.password.setText(PASSWORD)
        app.signin.pin.setText(TRAINING_PIN)
        shot(app.signin, "sign-in.png")
        app.signin._submit()
        wait(lambda: app.main is not None, signed_in)

    def pick(where):
        return app.service.run(lambda d: d.conn.execute(
            "SELECT c.family_name, c.dob, c.given_names FROM children c JOIN involvements i ON i.child_id = c.id "
            f"WHERE {where} GROUP BY c.id ORDER BY count(*) DESC LIMIT 1").fetchone()).result(10)

    def search(family, dob):
        f = app.main.form
        f.reason.setCurrentIndex(1)
        f.clear()
        f.inputs["family_name"].setText(family)
        f.inputs["dob"].setText(date.fromordinal(dob).strftime("%d/%m/%Y"))
        f.submit()

    def signed_in():
        app.main.resize(1280, 800)
        family, dob, _ = pick("c.shielded_at IS NULL AND c.id IN (SELECT child_id FROM involvements "
                              "WHERE service IN ('camhs', 'sexual_health', 'substance_misuse'))")
        steps.append((family, dob))
        search(family, dob)
        wait(lambda: app.main.results.rowCount() > 0, results)

    def results():
        app.main.table.selectRow(0)
        app.main.open_row(app.main.results.index(0, 0))
        wait(lambda: "Universal services" in app.main.record.browser.toPlainText(), record)

    def record():
        shot(app.main, "search-and-record.png")
        family, dob, _ = app.service.run(lambda d: d.conn.execute(
            "SELECT family_name, dob, given_names FROM children WHERE shielded_at IS NOT NULL LIMIT 1"
        ).fetchone()).result(10)
        search(family, dob)
        wait(lambda: app.main.results.rowCount() > 0, shielded_results)

    def shielded_results():
        for r in range(app.main.results.rowCount()):
            if app.main.results.hit(r).locality == "":
                app.main.table.selectRow(r)
                app.main.open_row(app.main.results.index(r, 0))
                break
        wait(lambda: app.main.record.banner.isVisible(), shielded)

    def shielded():
        shot(app.main, "shielded-record.png")
        app.lock("Your security token was removed.")
        app.lock_window.resize(520, 380)
        QTimer.singleShot(300, locked)

    def locked():
        shot(app.lock_window, "lock-screen.png")
        app.shutdown()
        qt.quit()

    wait(lambda: app.signin.button.isEnabled() and own_token() is not None, signin_ready)
    qt.exec()


if __name__ == "__main__":
    assert Directory  # the engine must import in this environment
    main()
