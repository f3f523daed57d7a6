"""Every screen of every role, read as a screen reader reads it (issue 18 item 5; WCAG 2.2 AA 4.1.2 Name, Role,
Value and 4.1.3 Status Messages, through WCAG2ICT).

The real app on the training directory (pytest-qt, offscreen): each role signs in and every tab, the record with
its actions' dialogs, the LA team's dialogs and every page of the closure wizard are walked with
``tests.ui.accessible_tree.problems``: every visible control a keyboard reaches has a name and a role a screen
reader speaks, no name holds a mnemonic's "&", and no label carries a fixed accessible name (status lines are
named by their text). Fast: Qt's own accessibility interfaces, no AT-SPI bus (that is tests/a11y)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog

from tests.ui.accessible_tree import problems
from tests.ui.test_app_flow import child_row, search, sign_in

T = 20000


def signed_in(qtbot, make_app, username: str):
    app = make_app()
    sign_in(qtbot, app, username)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=T)
    return app


def every_tab(qtbot, main) -> list[str]:
    """Each tab shown in turn (its lists filled), and what is wrong with it (each thing once)."""
    found: dict[str, str] = {}
    for i in range(main.tabs.count()):
        main.tabs.setCurrentIndex(i)
        qtbot.waitUntil(lambda: not main.is_busy(), timeout=T)
        for p in problems(main):
            found.setdefault(p, f"{main.tabs.tabText(i)}: {p}")
    return sorted(found.values())


def dialog_problems(qtbot, open_it) -> list[str]:
    """Open a dialog (``open_it``), read it, close it."""
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    open_it()
    qtbot.waitUntil(lambda: any(isinstance(w, QDialog) and w.isVisible() and id(w) not in before
                                for w in QApplication.topLevelWidgets()), timeout=T)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QDialog) and w.isVisible() and id(w) not in before)
    found = [f"{dialog.windowTitle()}: {p}" for p in problems(dialog)]
    if not dialog.windowTitle():
        found.append(f"{type(dialog).__name__}: a dialog with no title (its name on the accessibility tree)")
    dialog.reject()
    return found


def open_record(qtbot, main, app, where: str) -> None:
    did, *_ = child_row(app, where)
    search(qtbot, main, directory_id=did)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1, timeout=T)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.view is not None and not main.is_busy(), timeout=T)


def test_the_practitioners_screens_record_and_dialogs_name_every_control(qtbot, make_app):
    app = signed_in(qtbot, make_app, "alex.practitioner")
    main = app.main
    found = every_tab(qtbot, main)
    main.show_screen(main.search_screen)
    open_record(qtbot, main, app, "c.shielded_at IS NULL")
    found += problems(main)
    for key in ("work", "shield", "contact"):
        button = main.record.buttons[key]
        if button.isVisible():
            found += dialog_problems(qtbot, button.click)
    open_record(qtbot, main, app, "c.shielded_at IS NOT NULL")
    found += problems(main)
    found += dialog_problems(qtbot, main.open_check)
    assert found == []


def test_the_mediating_users_screens_name_every_control(qtbot, make_app):
    app = signed_in(qtbot, make_app, "morgan.mediator")
    qtbot.waitUntil(lambda: len(app.main.form.colleagues) > 0, timeout=T)
    assert every_tab(qtbot, app.main) == []


def test_the_la_teams_tabs_dialogs_and_closure_wizard_name_every_control(qtbot, make_app):
    app = signed_in(qtbot, make_app, "jo.la")
    main = app.main
    found = every_tab(qtbot, main)
    screens = {type(s).__name__: s for s in main.screens}
    users = screens["UsersScreen"]
    main.show_screen(users)
    qtbot.waitUntil(lambda: users.list.view.model().rowCount() > 0, timeout=T)
    for b in (users.new_button, users.colleague_button):
        found += dialog_problems(qtbot, b.click)
    register = screens["RegisterRequests"]
    main.show_screen(register)
    found += dialog_problems(qtbot, register.add_button.click)
    action = main.findChild(QAction, "openClosure")
    action.trigger()
    qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
    wizard = app.closure
    for key in wizard.pages:
        wizard.go(key)
        found += [f"closure {key}: {p}" for p in problems(wizard)]
    assert found == []



def test_the_sign_in_and_lock_windows_name_every_control(qtbot):
    from app.model import Role
    from ui.lock_window import LockWindow
    from ui.search_form import SearchForm
    from ui.signin_window import SignInWindow
    found = []
    for window in (SignInWindow(), LockWindow("Alex Morgan"), SearchForm(Role.MEDIATING)):
        qtbot.addWidget(window)
        window.show()
        found += problems(window)
    assert found == []
