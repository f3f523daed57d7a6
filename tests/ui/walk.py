"""Every role's window and dialogs, on the real engine, for the tests that walk what a person sees (issue 14
§3.2 fit, §3.5 words, §3.6 shortcuts, §3.7 help).

``Walk`` opens the role window of each training user over an ``EmbeddedDirectory`` on a copy of the test
directory, with a change waiting in its outbox and its last record under "Recently opened", visits every screen
(tab), opens a record with the user's own involvement and one withheld, and
opens every dialog the record offers, and the LA team's own dialogs. ``places()`` yields (where, top-level
widget) pairs, each shown as the person would see it, one at a time.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import Future

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTabBar,
    QTextEdit,
    QWidget,
)

from app import directory_id as ids
from app.directory import Directory, EmbeddedDirectory
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import AccessReason, Colleague, Reason, Role, ServiceType
from app.outbox import NEEDS_YOU, OutboxItem
from app.search import Criteria
from app.session import OfflineCopy, OutboxAccess
from tests.conftest import TODAY, viewer_for
from ui.app import configure
from ui.closure_launch import CLOSURE_MENU
from ui.main_window import MainWindow

USERS = {Role.PRACTITIONER: "alex.practitioner", Role.CHILD_PROTECTION: "sam.cp",
         Role.MEDIATING: "morgan.mediator", Role.LA_MANAGEMENT: "jo.la"}
LA_DIALOGS = {"UsersScreen": ("create", "register"), "RegisterRequests": ("add",)}  # screen: its dialog openers
REASON = Reason(AccessReason.PROVIDING_SERVICE)
WAIT = 20000


def shown(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.window().isVisible()


def visible_widgets(top: QWidget) -> Iterator[QWidget]:
    for w in top.findChildren(QWidget):
        if w.window() is top and shown(w):
            yield w


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text).replace("&nbsp;", " ") if "<" in text else text


def model_text(model: QAbstractItemModel) -> Iterator[tuple[str, str]]:
    """(column header, text) of every header and cell, tooltips included."""
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
    headers = [str(model.headerData(c, Qt.Horizontal) or "") for c in range(columns)]
    for header in headers:
        yield "", header
    for r in range(model.rowCount()):
        for c in range(columns):
            for role in (Qt.DisplayRole, Qt.ToolTipRole):
                value = model.data(model.index(r, c), role)
                if value:
                    yield headers[c], str(value)


def texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(label, text) of every piece of text a person can read in ``top`` as it is now, the window title and
    menus included; ``label`` is the column header of a list's cell, or a picker's accessible name."""
    yield "", top.windowTitle()
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            yield "", action.text()
            for sub in action.menu().actions() if action.menu() else ():
                yield "", sub.text()
    for w in visible_widgets(top):
        if isinstance(w, QLabel):
            yield "", plain(w.text())
        elif isinstance(w, QAbstractButton):
            yield "", w.text()
        elif isinstance(w, QGroupBox):
            yield "", w.title()
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                yield "", w.tabText(i)
        elif isinstance(w, QTextEdit):
            yield "", w.toPlainText() or w.placeholderText()
        elif isinstance(w, QLineEdit):
            yield "", w.placeholderText()
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield w.accessibleName(), w.itemText(i)
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            yield from model_text(w.model())
        if w.toolTip():
            yield "", plain(w.toolTip())


def done(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def one_change_waiting() -> OutboxAccess:
    """An outbox with one change that needs the person, so each Home shows its list and its buttons."""
    item = OutboxItem("walk-waiting", ops.RECORD_INVOLVEMENT.name, "I am working with this child", "", "",
                      NEEDS_YOU, "involvement.conflict", {}, True, time.time(), 1, None)
    return OutboxAccess(lambda: done([item]), lambda _key: done(""), lambda _key: done(False), lambda: None)


def other_chosen(dialog: QWidget) -> bool:
    """"Other…" chosen in a dialog's organisation list, so its line to ask the LA team shows (R-REC-5)."""
    pickers = getattr(dialog, "pickers", None)
    if pickers is None:
        return False
    last = pickers.organisation.count() - 1
    pickers.organisation.setCurrentIndex(last)
    pickers.organisation.activated.emit(last)
    return pickers.other.isVisibleTo(dialog)


class Walk:
    def __init__(self, qtbot, path, key) -> None:
        self.qtbot = qtbot
        self.service = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
        self.service.opened.result(30)
        self.windows: list[MainWindow] = []
        qt = QApplication.instance()
        self.style_before = qt.styleSheet()
        configure(qt)  # the app's own style sheet: its fonts and padding are what must fit

    def engine(self, fn):
        return self.service.run_on_engine(fn).result(30)

    def close(self) -> None:
        for w in self.windows:
            w.close()
        self.service.close()
        QApplication.instance().setStyleSheet(self.style_before)

    def window(self, role: Role) -> MainWindow:
        viewer = self.engine(lambda d: viewer_for(d, USERS[role]))
        if role is Role.LA_MANAGEMENT:  # a disabled user, so the Users screen offers Enable too
            self.service.perform(ops.CHANGE_USER, viewer, t.UserChange("dee.expired", t.UserAction.DISABLE),
                                 "walk-disable").result(30)
        opened: list = []  # "Recently opened" lists the records this window opened, as the cache would
        main = MainWindow(self.service, viewer.user, clock=lambda: TODAY, session=viewer.session,
                          outbox=one_change_waiting(),
                          recent=lambda: done([OfflineCopy(v, time.time()) for v in opened[-1:]]))
        main.record_opened.connect(opened.append)
        if role is Role.LA_MANAGEMENT:  # as ui/closure_launch.py gives the LA team after its sign-in
            main.menuBar().addMenu(CLOSURE_MENU).addAction("Open &closure tasks…")
        self.qtbot.addWidget(main)
        self.windows.append(main)
        main.resize(1024, 768)
        main.show()
        self.qtbot.waitUntil(lambda: not main.is_busy(), timeout=WAIT)
        return main

    def child_with_own_and_withheld(self, username: str) -> str:
        """A child with ``username``'s own current involvement and a sensitive one they did not record."""
        row = self.engine(lambda d: d.conn.execute(
            "SELECT c.directory_id FROM children c JOIN involvements i ON i.child_id = c.id AND i.ended IS NULL "
            "AND i.recorded_by = ? WHERE c.shielded_at IS NULL AND EXISTS (SELECT 1 FROM involvements s WHERE "
            "s.child_id = c.id AND s.ended IS NULL AND s.recorded_by != ? AND s.service IN ('camhs', "
            "'sexual_health', 'substance_misuse')) LIMIT 1", (username, username)).fetchone()
            or d.conn.execute("SELECT directory_id FROM children WHERE shielded_at IS NULL LIMIT 1").fetchone())
        return ids.fmt(row[0])

    def open_record(self, main: MainWindow, did: str, colleague: Colleague | None = None) -> None:
        form = main.form
        form.reason.setCurrentIndex(1)
        main.search(Criteria(directory_id=did), form.reason_value() or REASON, colleague)
        self.qtbot.waitUntil(lambda: main.results.rowCount() == 1 and not main.is_busy(), timeout=WAIT)
        main.open_row(main.results.index(0, 0))
        self.qtbot.waitUntil(lambda: main.record.view is not None and not main.is_busy(), timeout=WAIT)

    def work_with(self, main: MainWindow) -> None:
        """Record an involvement of the window's user with the child on screen, and show the record again."""
        view = main.record.view
        service = ServiceType.EARLY_HELP
        self.service.perform(ops.RECORD_INVOLVEMENT, main.viewer(None), t.NewInvolvement(
            view.directory_id, service, "Northbridge Family Hub", ROLE_TITLES[service][0], "0191 555 0101",
            "walk@northbridge.example", TODAY, main.record_reason), f"walk-{main.user.username}").result(30)
        main.reload_record()
        self.qtbot.waitUntil(lambda: main.record.buttons["end"].isVisibleTo(main) and not main.is_busy(),
                             timeout=WAIT)

    def places(self, role: Role) -> Iterator[tuple[str, QWidget]]:
        """Each screen of the role's window, then each dialog, shown one at a time."""
        main = self.window(role)
        if role is not Role.MEDIATING:
            self.open_record(main, self.child_with_own_and_withheld(USERS[role]))
            if role in (Role.PRACTITIONER, Role.CHILD_PROTECTION) and not main.record.buttons["end"].isVisibleTo(main):
                self.work_with(main)  # so the record offers update, end and lead professional / CAF too
        else:
            self.qtbot.waitUntil(lambda: main.form.colleague_choice.count() > 1, timeout=WAIT)
            main.form.colleague_choice.setCurrentIndex(1)
            self.open_record(main, self.child_with_own_and_withheld(""), main.form.colleague())
        for i in range(main.tabs.count()):
            main.tabs.setCurrentIndex(i)
            self.qtbot.waitUntil(lambda: not main.is_busy(), timeout=WAIT)
            QApplication.processEvents()
            yield f"{USERS[role]}: {main.tabs.tabText(i)}", main
            for view in main.tabs.widget(i).findChildren(QAbstractItemView):
                if shown(view) and view.model() is not None and view.model().rowCount() and view is not main.table:
                    view.setFocus()
                    view.selectRow(0) if hasattr(view, "selectRow") else None
                    QApplication.processEvents()
                    yield f"{USERS[role]}: {main.tabs.tabText(i)} (a row chosen)", main
                    enable = getattr(main.tabs.widget(i), "enable_button", None)
                    for row in range(view.model().rowCount()) if enable is not None else ():
                        view.selectRow(row)  # a disabled user: the button offers Enable
                        if "Disable" not in enable.text().replace("&", ""):
                            yield f"{USERS[role]}: {main.tabs.tabText(i)} (a disabled user chosen)", main
                            break
                    break
        main.show_screen(main.search_screen)
        if main.record.view is None:
            self.open_record(main, self.child_with_own_and_withheld(USERS[role]))
        for key, button in main.record.buttons.items():
            if not button.isVisibleTo(main):
                continue
            button.click()
            self.qtbot.waitUntil(lambda: main.record_actions.dialog is not None, timeout=WAIT)
            dialog = main.record_actions.dialog
            self.qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
            yield f"{USERS[role]}: {key} dialog", dialog
            if key == "work":  # a sensitive service: the consent part shows too
                dialog.service.setCurrentIndex(dialog.service.findData("camhs"))
                yield f"{USERS[role]}: {key} dialog (a sensitive service)", dialog
            if other_chosen(dialog):
                yield f"{USERS[role]}: {key} dialog (another organisation)", dialog
            dialog.reject()
            self.qtbot.waitUntil(lambda: main.record_actions.dialog is None, timeout=WAIT)
        for screen in main.screens:  # the LA team's own dialogs
            for name in LA_DIALOGS.get(type(screen).__name__, ()):
                main.show_screen(screen)
                screen.dialog = None
                getattr(screen, name)()
                self.qtbot.waitUntil(lambda s=screen: isinstance(s.dialog, QDialog) and s.dialog.isVisible(),
                                     timeout=WAIT)
                yield f"{USERS[role]}: {screen.title}: {screen.dialog.windowTitle()}", screen.dialog
                if other_chosen(screen.dialog):
                    yield f"{USERS[role]}: {screen.title}: {screen.dialog.windowTitle()} (another organisation)", \
                        screen.dialog
                screen.dialog.reject()

