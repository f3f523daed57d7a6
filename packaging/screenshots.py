"""Take the README's screenshots from the real app in a real window.

Run under Xvfb with a keyring (``make screenshots``): it signs in to the
training directory, searches, opens a record and a shielded record (the
training guide's sample children when the directory has them), shows the
training guide, and saves what the screen shows into resources/screenshots/.
"""
from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repository's app/ and ui/

from PySide6.QtCore import QTimer  # noqa: E402

from app.paths import Paths  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.token.provision import training_label  # noqa: E402
from app.training import TRAINING_PIN  # noqa: E402
from ui.app import SignpostApp, application  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"
PASSWORD = "training-only-2026"


def main() -> None:
    qt = application(sys.argv)
    paths = Paths.default()
    app = SignpostApp(paths, Settings.load(paths.settings_file))
    app.start()
    OUT.mkdir(parents=True, exist_ok=True)

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
        app.signin.username.setText("alex.practitioner")  # pre-selects the user's own token
        app.signin.password.setText(PASSWORD)
        app.signin.pin.setText(TRAINING_PIN)
        shot(app.signin, "sign-in.png")
        app.signin._submit()
        wait(lambda: app.main is not None, signed_in)

    def pick(where):
        return app.service.run_on_engine(lambda d: d.conn.execute(
            "SELECT c.family_name, c.dob FROM children c JOIN involvements i ON i.child_id = c.id "
            f"WHERE {where} GROUP BY c.id ORDER BY count(*) DESC LIMIT 1").fetchone()).result(10)

    def cast_child(*words):
        """(family name, dob ordinal) of the training guide's sample child whose key names one of
        ``words``, or None when this directory has no documented cast."""
        try:
            from ui import training_guide
            facts = training_guide.facts(app.service.training_facts().result(10))
        except Exception:  # noqa: BLE001 - an older directory: pick children by query instead
            return None
        for entry in facts.entries:
            if any(w in entry.key for w in words):
                return entry.family_name, entry.dob.toordinal()
        return None

    def search(family, dob):
        f = app.main.form
        f.reason.setCurrentIndex(1)
        f.clear()
        f.inputs["family_name"].setText(family)
        f.inputs["dob"].setText(date.fromordinal(dob).strftime("%d/%m/%Y"))
        f.submit()

    def signed_in():
        app.main.resize(1280, 800)
        family, dob = cast_child("sensitive") or pick(
            "c.shielded_at IS NULL AND c.id IN (SELECT child_id FROM involvements "
            "WHERE service IN ('camhs', 'sexual_health', 'substance_misuse'))")
        typo = family[:3] + family[4:] if len(family) > 5 else family  # one letter left out: still found
        search(typo, dob)
        wait(lambda: not app.main.is_busy(),
             lambda: results() if app.main.results.rowCount() else (search(family, dob), wait(
                 lambda: app.main.results.rowCount() > 0, results)))

    def results():
        app.main.table.selectRow(0)
        app.main.open_row(app.main.results.index(0, 0))
        wait(lambda: "Universal services" in app.main.record.browser.toPlainText(), record)

    def record():
        shot(app.main, "search-and-record.png")
        family, dob = cast_child("shield") or app.service.run_on_engine(lambda d: d.conn.execute(
            "SELECT family_name, dob FROM children WHERE shielded_at IS NOT NULL LIMIT 1").fetchone()).result(10)
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
        if importlib.util.find_spec("app.training_cast") is None:  # no documented cast to show
            lock()
            return
        app.open_training_guide()
        wait(lambda: app.guide is not None, guide)

    def guide():
        QTimer.singleShot(300, lambda: (shot(app.guide, "training-guide.png"), lock()))

    def lock():
        app.lock("Your security token was removed.")  # as it reads the moment the token is pulled
        app.lock_window.resize(520, 380)
        QTimer.singleShot(300, locked)

    def locked():
        shot(app.lock_window, "lock-screen.png")
        closure_shots()

    # -- closure (issue 9): the wizard's pages as the LA training user sees them before switch-off.
    # Only pages are shown: no token is reset and nothing is destroyed (opening Closure on demand
    # does set up the closure store in this data folder, as it would for the LA team).
    CLOSURE_PAGES = ("overview", "register", "reset", "batch", "envelopes", "checklist", "outputs", "destroy")

    def closure_shots():
        app.sign_out()
        app.signin.username.setText("jo.la")
        app.signin.password.setText(PASSWORD)
        app.signin.pin.setText(TRAINING_PIN)
        wait(lambda: app.signin.tokens.current() is not None
             and app.signin.tokens.current().label == training_label("jo.la"), lambda: (
                 app.signin._submit(), wait(lambda: app.main is not None, open_closure)))

    def open_closure():
        app.open_closure()
        wait(lambda: app.closure is not None and app.closure.isVisible(), lambda: closure_page(0))

    def closure_page(i):
        if i == len(CLOSURE_PAGES):
            app.shutdown()
            qt.quit()
            return
        app.closure.resize(1180, 720)
        app.closure.go(CLOSURE_PAGES[i])
        QTimer.singleShot(400, lambda: (shot(app.closure, f"closure-{i + 1}-{CLOSURE_PAGES[i]}.png"),
                                        closure_page(i + 1)))

    wait(lambda: app.signin.button.isEnabled() and own_token() is not None, signin_ready)
    qt.exec()


if __name__ == "__main__":
    main()
