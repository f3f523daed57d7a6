"""Take the README's screenshots from the real app in a real window.

Run under Xvfb with a keyring (``make screenshots``). It signs in to the training directory as each
training user in turn (signing out between them, as a person would) and saves what the screen shows
into resources/screenshots/:

- alex.practitioner: sign-in, a search and a record with a sensitive service, a shielded record, the
  training guide, a record's actions, the involvement dialog for a sensitive service (not recorded),
  the lock screen; then records an ordinary involvement with a sample child;
- sam.cp records one with the same child, so alex's Home shows an inbox notice ("is now also working");
- morgan.mediator: a search for a chosen colleague;
- jo.la: the LA team's Home, Shield reviews, Usage report and Users, and the closure wizard's pages as
  the LA team sees them before switch-off (nothing reset or destroyed; opening Closure on demand does set
  up the closure store in this data folder, as it would for the LA team).

Each scene is a small function that calls ``next_scene()`` when done. A scene whose wait times out is
skipped with a printed note and the others still run.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repository's app/ and ui/

from PySide6.QtCore import QTimer

from app.paths import Paths
from app.settings import Settings
from app.token.provision import training_label
from app.training import TRAINING_PIN
from ui.app import SignpostApp, application

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"
PASSWORD = "training-only-2026"
TEGAN = ("Penhallow", date(2012, 2, 17), "900 000 0092")  # training cast: unshielded, in two LAs' families
WAIT_S = 60  # a scene waiting longer than this is skipped
CLOSURE_PAGES = ("overview", "setup", "register", "reset", "batch", "envelopes", "checklist", "outputs", "destroy")


def main() -> None:
    qt = application(sys.argv)
    paths = Paths.default()
    app = SignpostApp(paths, Settings.load(paths.settings_file))
    app.start()
    OUT.mkdir(parents=True, exist_ok=True)
    scenes: list = []
    at = {"scene": -1, "epoch": 0}  # which scene runs; the epoch drops the waits of a skipped scene

    # -- plumbing ---------------------------------------------------------------------------------
    def next_scene() -> None:
        at["scene"] += 1
        at["epoch"] += 1
        if at["scene"] >= len(scenes):
            app.shutdown()
            qt.quit()
            return
        scene = scenes[at["scene"]]
        print("scene", scene.__name__, flush=True)
        try:
            scene()
        except Exception as exc:
            skip(f"{type(exc).__name__}: {exc}")

    def skip(why: str) -> None:
        print(f"SKIPPED {scenes[at['scene']].__name__}: {why}", flush=True)
        QTimer.singleShot(0, next_scene)

    def wait(cond, then, what: str = "", timeout: float = WAIT_S) -> None:
        """Call ``then`` once ``cond()`` holds; skip the scene when it does not within ``timeout`` s."""
        epoch, tries = at["epoch"], [int(timeout * 10)]

        def poll():
            if epoch != at["epoch"]:
                return
            try:
                ok = cond()
            except Exception:
                ok = False
            if ok:
                try:
                    then()
                except Exception as exc:
                    skip(f"{type(exc).__name__}: {exc}")
            elif tries[0] <= 0:
                skip(f"timed out waiting for {what or 'the screen'}")
            else:
                tries[0] -= 1
                QTimer.singleShot(100, poll)
        poll()

    def later(ms: int, then) -> None:
        epoch = at["epoch"]

        def fire():
            if epoch != at["epoch"]:
                return
            try:
                then()
            except Exception as exc:
                skip(f"{type(exc).__name__}: {exc}")
        QTimer.singleShot(ms, fire)

    def shot(widget, name: str) -> None:
        widget.raise_()
        qt.processEvents()
        widget.grab().save(str(OUT / name))
        print("saved", name, flush=True)

    def settled(then, ms: int = 400) -> None:
        """Once the window has no request on its way, and a moment to paint."""
        wait(lambda: not app.main.is_busy(), lambda: later(ms, then), "the directory's answers")

    # -- signing in, searching, opening ------------------------------------------------------------
    def sign_in_as(username: str, then, shot_name: str = "") -> None:
        if app.main is not None or app.session is not None:
            app.sign_out()
        app.signin.username.setText(username)  # pre-selects the user's own token
        app.signin.password.setText(PASSWORD)
        app.signin.pin.setText(TRAINING_PIN)

        def ready():
            if shot_name:
                shot(app.signin, shot_name)
            app.signin._submit()
            wait(lambda: app.main is not None, signed_in, f"{username}'s window")

        def signed_in():
            app.main.resize(1024, 768)  # the smallest screen it must fit (issue 14 §3.2)
            then()
        wait(lambda: app.signin.button.isEnabled() and app.signin.tokens.current() is not None
             and app.signin.tokens.current().label == training_label(username), ready, f"{username}'s token")

    def search(family: str, dob: date) -> None:
        f = app.main.form
        app.main.show_screen(app.main.search_screen)
        f.reason.setCurrentIndex(1)
        f.clear()
        f.inputs["family_name"].setText(family)
        f.inputs["dob"].setText(dob.strftime("%d/%m/%Y"))
        f.submit()

    def open_child(family: str, dob: date, directory_id: str | None, then) -> None:
        """Search, open the result with ``directory_id`` (or the first), then ``then`` once it shows."""
        def found():
            rows = range(app.main.results.rowCount())
            row = next((r for r in rows if directory_id in (None, app.main.results.hit(r).directory_id)), 0)
            app.main.table.selectRow(row)
            app.main.open_row(app.main.results.index(row, 0))
            wait(lambda: app.main.record.view is not None and not app.main.is_busy(), lambda: later(300, then),
                 f"the record of {family}")
        search(family, dob)
        wait(lambda: app.main.results.rowCount() > 0, found, f"results for {family}")

    def screen(name: str):
        return next(s for s in app.main.screens if s.objectName() == name)

    def show_tab(name: str, then) -> None:
        app.main.show_screen(screen(name))  # refreshes it
        settled(then)

    def involvement(service: str, then, *, role: str = "Family support worker",
                    email: str = "alex.morgan@northbridgefamilyhub.example", submit: bool = False) -> None:
        """Open "I am working with this child…" on the record shown and fill it in for ``service``."""
        app.main.record.buttons["work"].click()
        actions = app.main.record_actions

        def opened():
            d = actions.dialog
            d.service.setCurrentIndex(d.service.findData(service))
            d.role.setEditText(role)  # a role of the service's, from the list (R-REC-5)
            d.phone.setText("01632 960123")  # a drama number (Ofcom)
            d.email.setText(email)
            if not submit:
                later(300, lambda: then(d))
                return
            d._submit()  # recording twice is refused in the dialog: the next run of this script
            wait(lambda: actions.dialog is None or d.message.isVisible(),
                 lambda: (d.reject() if actions.dialog is d else None, then(d)), "the involvement to be recorded")
        wait(lambda: actions.dialog is not None and actions.dialog.isVisible(), opened, "the involvement dialog")

    def cast_child(*words):
        """(family name, dob) of the training guide's sample child whose key names one of ``words``, or
        None when this directory has no documented cast."""
        try:
            from ui import training_guide
            facts = training_guide.facts(app.service.training_facts().result(10))
        except Exception:
            return None
        for entry in facts.entries:
            if any(w in entry.key for w in words):
                return entry.family_name, entry.dob
        return None

    def pick(where):
        family, dob = app.service.run_on_engine(lambda d: d.conn.execute(
            "SELECT c.family_name, c.dob FROM children c JOIN involvements i ON i.child_id = c.id "
            f"WHERE {where} GROUP BY c.id ORDER BY count(*) DESC LIMIT 1").fetchone()).result(10)
        return family, date.fromordinal(dob)

    # -- alex.practitioner ----------------------------------------------------------------------------
    def alex_signs_in():
        sign_in_as("alex.practitioner", next_scene, "sign-in.png")

    def sensitive_record():
        family, dob = cast_child("sensitive") or pick(
            "c.shielded_at IS NULL AND c.id IN (SELECT child_id FROM involvements "
            "WHERE service IN ('camhs', 'sexual_health', 'substance_misuse'))")
        typo = family[:3] + family[4:] if len(family) > 5 else family  # one letter left out: still found
        search(typo, dob)

        def searched():
            if app.main.results.rowCount():
                return opened()
            search(family, dob)
            wait(lambda: app.main.results.rowCount() > 0, opened, "results")

        def opened():
            app.main.table.selectRow(0)
            app.main.open_row(app.main.results.index(0, 0))
            wait(lambda: "Universal services" in app.main.record.browser.toPlainText(),
                 lambda: (shot(app.main, "search-and-record.png"), next_scene()), "the record")
        wait(lambda: not app.main.is_busy(), searched, "the search")

    def shielded_record():
        family, dob = cast_child("shield") or (lambda f, d: (f, date.fromordinal(d)))(
            *app.service.run_on_engine(lambda d: d.conn.execute(
                "SELECT family_name, dob FROM children WHERE shielded_at IS NOT NULL LIMIT 1").fetchone()).result(10))
        search(family, dob)

        def found():
            for r in range(app.main.results.rowCount()):
                if app.main.results.hit(r).locality == "":
                    app.main.table.selectRow(r)
                    app.main.open_row(app.main.results.index(r, 0))
                    break
            wait(lambda: app.main.record.banner.isVisible(),
                 lambda: (shot(app.main, "shielded-record.png"), next_scene()), "the shield banner")
        wait(lambda: app.main.results.rowCount() > 0, found, "results")

    def training_guide():
        app.open_training_guide()
        wait(lambda: app.guide is not None,
             lambda: later(300, lambda: (shot(app.guide, "training-guide.png"), app._close_guide(), next_scene())),
             "the training guide")

    def record_actions():
        open_child(*TEGAN, lambda: wait(lambda: app.main.record.buttons["work"].isVisible(),
                                        lambda: (shot(app.main, "practitioner-record-actions.png"), next_scene()),
                                        "the record's actions"))

    def involvement_dialog():
        """CAMHS is sensitive: the dialog asks about consent (R-SENS-2). Shown, then cancelled."""
        def filled(d):
            d.with_consent.setChecked(True)
            d.consent_by.setCurrentIndex(d.consent_by.findData("parent_carer"))
            d.consent_on.setText(f"{date.today():%d/%m/%Y}")
            d.adjustSize()
            later(300, lambda: (shot(d, "involvement-dialog.png"), d.reject(), next_scene()))
        involvement("camhs", filled, role="Mental health practitioner")

    def alex_records_involvement():
        """An ordinary (not sensitive) involvement: the next recorder from elsewhere tells alex."""
        involvement("early_help", lambda _d: next_scene(), submit=True)

    def lock_screen():
        app.lock("Your security token was removed.")  # as it reads the moment the token is pulled
        app.lock_window.resize(520, 380)
        later(300, lambda: (shot(app.lock_window, "lock-screen.png"), next_scene()) if app.lock_window is not None
              else skip("the lock window closed before it was shown (signed out?)"))

    # -- sam.cp, then alex's Home --------------------------------------------------------------------
    def sam_records_involvement():
        sign_in_as("sam.cp", lambda: open_child(*TEGAN, lambda: involvement(
            "social_care", lambda _d: next_scene(), role="Social worker",
            email="sam.okoro@northbridgecsc.example", submit=True)))

    def practitioner_home():
        def home():
            show_tab("homeScreen", lambda: wait(lambda: screen("homeScreen").inbox.count() > 0,
                                                lambda: (shot(app.main, "practitioner-home.png"), next_scene()),
                                                "a notice in the inbox", timeout=10))
        sign_in_as("alex.practitioner", home)

    # -- morgan.mediator -------------------------------------------------------------------------------
    def mediating_search():
        def chosen():
            app.main.form.colleague_choice.setCurrentIndex(1)
            open_child(*TEGAN, lambda: (shot(app.main, "mediating-search.png"), next_scene()))
        sign_in_as("morgan.mediator", lambda: wait(lambda: app.main.form.colleagues, chosen,
                                                   "the registered colleagues"))

    # -- jo.la -------------------------------------------------------------------------------------------
    def la_home():
        sign_in_as("jo.la", lambda: show_tab("laHome", lambda: (shot(app.main, "la-home.png"), next_scene())))

    def la_shield_reviews():
        show_tab("laShieldReviews", lambda: (shot(app.main, "la-shield-reviews.png"), next_scene()))

    def la_usage_report():
        def run():
            usage = screen("laUsage")
            usage.run_button.click()
            wait(lambda: usage.report is not None, lambda: settled(
                lambda: (shot(app.main, "la-usage-report.png"), next_scene())), "the usage report")
        show_tab("laUsage", run)

    def la_users():
        show_tab("laUsers", lambda: (shot(app.main, "la-users.png"), next_scene()))

    def closure_wizard():
        app.closure_launcher.open()
        wait(lambda: app.closure is not None and app.closure.isVisible(), lambda: closure_page(0), "the closure wizard")

    def closure_page(i: int) -> None:
        if i == len(CLOSURE_PAGES):
            return next_scene()
        app.closure.resize(1024, 720)
        app.closure.go(CLOSURE_PAGES[i])
        later(400, lambda: (shot(app.closure, f"closure-{CLOSURE_PAGES[i]}.png"), closure_page(i + 1)))

    scenes[:] = [alex_signs_in, sensitive_record, shielded_record, training_guide, record_actions,
                 involvement_dialog, alex_records_involvement, lock_screen, sam_records_involvement,
                 practitioner_home, mediating_search, la_home, la_shield_reviews, la_usage_report, la_users,
                 closure_wizard]
    next_scene()
    qt.exec()


if __name__ == "__main__":
    main()
