"""The role window: the role's home view, the Search screen (search form, results, record), and the role's
other screens (``ui.screens.screens_for``), each a tab of the one shape (``ui.screens.base.Screen``).

What needs attention on a screen is counted in its tab's title ("Home (2)"); the View menu (Ctrl+1…) moves
between screens. Practitioners' work on a record goes through the record pane's actions
(``ui.screens.practice.record_actions``); a mediating user chooses a registered colleague and nothing found
can be copied (R-ROLE-2, R-LOCAL-3).

Searches and record loads run on the directory thread; the window shows a
busy state and stays responsive. Results that come back after the screen was
wiped (lock, sign-out, Clear) are dropped by the relay, never shown.

Every request carries the directory session id from sign-in; a record opens
by its directory id, from this session's own results. While a mediating user
acts for a colleague, the status bar and the record say for whom (R-ROLE-2).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.directory import DirectoryClient, DirectoryUnavailable, Refusal, ServiceClosed, Unreachable
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Colleague, Reason, RecordView, Role, User, Viewer
from app.search import Criteria
from app.settings import Settings

from . import refusals  # the words for every failure; refusals and notices word themselves through it
from .announce import announce
from .bridge import Relay, watch
from .connection import ConnectionWatch
from .recent_list import NOT_FOUND_AGAIN, RecentList
from .record_view import RecordPane
from .results_model import ResultsModel, ResultsOrder
from .screens import screens_for
from .screens.base import Screen, ScreenContext, ended
from .screens.outbox_panel import OutboxPanel
from .screens.practice.no_copy import forbid_copy
from .screens.practice.record_actions import RecordActions
from .screens.practice.words import titled
from .search_form import SearchForm
from .session_banners import SessionBanners
from .wording import acting_for, count, found_words, opened_words

log = logging.getLogger(__name__)
RESULT_ORDERS = (("Closest match first", -1), ("Name", 0), ("Date of birth", 1), ("Match", 5))  # issue 14 §3.3
RESULT_ROWS = 8  # the most rows the results list takes before it scrolls
FILTER_KEYS = "Ctrl+F"  # to the results' Show only, from anywhere on the Search screen


class SearchScreen(Screen):
    """The Search screen: form, results and record. Its work is the window's (it predates the screens)."""

    title = "Search"

    def __init__(self, ctx: ScreenContext, body: QWidget, reset: Callable[[], None]) -> None:
        super().__init__(ctx)
        self.setObjectName("searchScreen")
        self._reset = reset
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)

    def reset(self) -> None:
        super().reset()
        self._reset()


class _Routed:
    """The directory interface with its work operations sent another way (the session's outbox, which makes
    each change's idempotency key)."""

    def __init__(self, directory: DirectoryClient, work: Callable) -> None:
        self._directory, self._work = directory, work

    def perform(self, op, viewer, request):
        return self._work(op, viewer, request)

    def __getattr__(self, name: str):
        return getattr(self._directory, name)


STILL_WAITING = ("{waiting} still waiting to be sent{needs}. {they} stay on this computer, encrypted, and {are} sent "
                 "the next time you sign in here. Sign out anyway?")


class MainWindow(QMainWindow):
    sign_out_requested = Signal()
    sign_in_again_requested = Signal()  # the directory ended the session: a new one, in place
    lock_requested = Signal()
    change_pin_requested = Signal()
    training_guide_requested = Signal()
    record_opened = Signal(object)  # RecordView, for the encrypted local cache
    service_closed = Signal()  # the directory answered that it has switched off (R-CLOSE-1)

    def __init__(self, directory: DirectoryClient, user: User, clock: Callable[[], date] = date.today,
                 session: str = "", training: bool = False, recall: Callable | None = None,
                 work: Callable | None = None, find: Callable | None = None, outbox=None,
                 recent: Callable | None = None, settings_file: Path | None = None, parent=None) -> None:
        """``directory``: the directory interface (embedded or HTTPS); ``session``: the directory's
        session id from sign-in; ``training``: offer the training guide; ``recall(directory_id)``: a future
        of the encrypted cache's offline copy of a record this user opened (R-LOCAL-2); ``find(viewer,
        criteria, reason)``: how a search is asked (the session's, which notes what it returned); ``outbox``:
        the session's offline outbox for the Home screens (``app.session.OutboxAccess``); ``recent()``: a future
        of the records still in the encrypted cache, for "Recently opened" (none for a mediating user);
        ``settings_file``: the app's settings, where the window's size is kept between runs."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.directory = directory
        self.recall = recall
        self.find = find or directory.search
        self.recent_copies = None if user.role.acts_for_colleague else recent
        self.user = user
        self.session = session
        self.relay = Relay(self)
        self.acting: Colleague | None = None  # whom the results on screen were found for
        self.clock = clock
        self.record_reason: Reason | None = None  # the reason the record on screen was opened with
        self.setWindowTitle(f"Signpost — {user.display_name}")
        # ``work(op, viewer, request)``: how the screens' work operations are sent -- the session's outbox
        # (R-LOCAL-1: a change is kept before it is sent); without it, straight to the directory.
        self.ctx = ScreenContext(_Routed(directory, work) if work else directory, lambda: self.viewer(self.acting),
                                 self.relay, self._busy)
        self.ctx.clock = clock  # "overdue", "expired" and default dates follow the window's clock
        self.ctx.on_closed = self.service_closed.emit
        self.ctx.outbox = outbox
        self.ctx.session_ended = self.session_ended

        self.form = SearchForm(user.role, clock=clock)
        self.form.submitted.connect(self.search)
        self.form.cleared.connect(self.clear)
        self.form.colleague_edited.connect(self._colleague_edited)
        self.results = ResultsModel(self)
        self.shown = ResultsOrder(self)  # issue 14 §3.3: sorted by a header or "Sort by", filtered by "Show only"
        self.shown.setSourceModel(self.results)
        self.table = QTableView()
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName("Search results")
        self.table.setModel(self.shown)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(False)  # the directory's order until one is chosen
        self.table.horizontalHeader().sectionClicked.connect(
            lambda _c: self.table.horizontalHeader().setSortIndicatorShown(True))
        self.shown.sort(-1)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.activated.connect(self.open_row)
        self.results_note = QLabel()
        self.results_note.setObjectName("resultsNote")
        self.results_note.setWordWrap(True)
        self.results_note.hide()
        self.results_box = results_box = QWidget()
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        self.results_filter = QLineEdit()
        self.results_filter.setObjectName("resultsFilter")
        self.results_filter.setAccessibleName("Show only results with")
        self.results_filter.setPlaceholderText("a name, town, date or kind of match")
        self.results_filter.setClearButtonEnabled(True)
        self.results_filter.textChanged.connect(self._filter_results)
        self.results_order = QComboBox()
        self.results_order.setObjectName("resultsOrder")
        self.results_order.setAccessibleName("Sort results by")
        for words, by_column in RESULT_ORDERS:
            self.results_order.addItem(words, by_column)
        self.results_order.activated.connect(lambda _i: self._order_results())
        tools = QHBoxLayout()
        show_label = QLabel(f"Show only ({FILTER_KEYS})")  # Alt+Y is Recently opened, beside it
        show_label.setBuddy(self.results_filter)
        tools.addWidget(show_label)
        tools.addWidget(self.results_filter, 1)
        order_label = QLabel("Sort by")
        order_label.setBuddy(self.results_order)  # a combo box is named by its label (its name is its value)
        tools.addWidget(order_label)
        tools.addWidget(self.results_order)
        results_layout.addLayout(tools)
        results_layout.addWidget(self.table, 1)
        results_layout.addWidget(self.results_note)
        self.record = RecordPane(user.role, clock=clock)
        self.record_actions = RecordActions(self)
        if user.role.acts_for_colleague:  # R-ROLE-2, R-LOCAL-3: read out, never copied
            for widget in (self.table, self.record.browser):
                forbid_copy(widget)

        self.right = right = QSplitter(Qt.Vertical)
        right.addWidget(results_box)
        right.addWidget(self.record)
        right.setSizes([240, 460])
        self.recent = RecentList()
        self.recent.open_requested.connect(self.open_recent)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.form)
        left_column.addWidget(self.recent, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 0)  # the form keeps its width; results and record take the rest
        split.setStretchFactor(1, 1)
        split.setSizes([380, 800])

        self.idle_warning = QLabel()
        self.idle_warning.setObjectName("idleWarning")
        self.idle_warning.hide()
        self.banners = SessionBanners()  # the directory out of reach, the session ended, its limits near
        self.banners.sign_in_again_requested.connect(self.sign_in_again_requested)
        self.alert = QLabel()
        self.alert.setObjectName("securityAlert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 6, 6, 0)
        column.addWidget(self.alert)
        column.addWidget(self.banners)
        column.addWidget(self.idle_warning)
        self.search_screen = SearchScreen(self.ctx, split, self.clear)
        to_filter = QShortcut(QKeySequence(FILTER_KEYS), self.search_screen, context=Qt.WidgetWithChildrenShortcut)
        to_filter.activated.connect(lambda: self.results_filter.setFocus(Qt.ShortcutFocusReason))
        self.screens: list[Screen] = [cls(self.ctx) for cls in screens_for(user.role)]
        order = self.screens[:1] + [self.search_screen] + self.screens[1:]  # home first, then Search
        self.tabs = QTabWidget()
        self.tabs.setObjectName("screens")
        self.tabs.setAccessibleName("Screens")
        for screen in order:
            self.tabs.addTab(screen, screen.title)
            screen.attention.connect(lambda n, s=screen: self._attention(s, n))
        self.tabs.setTabBarAutoHide(len(order) == 1)
        start = self.screens[0] if user.role is Role.LA_MANAGEMENT and self.screens else self.search_screen
        self.tabs.setCurrentWidget(start)
        self.tabs.currentChanged.connect(self._screen_changed)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        who = QLabel(f"{user.display_name} · {user.role.label} · {user.organisation}")
        who.setObjectName("whoLabel")
        self.acting_label = QLabel()
        self.acting_label.setObjectName("actingFor")
        self.where = QLabel()
        self.where.setObjectName("directoryStatus")
        self.statusBar().addWidget(who, 1)
        column.insertWidget(2, self.acting_label)  # above the screens: the status bar has no room left for it
        self.acting_label.hide()
        self.statusBar().addPermanentWidget(self.where)
        self.statusBar().addPermanentWidget(self.busy)
        self.connection = ConnectionWatch(directory, parent=self)  # one state for the status bar and the banner
        self.connection.changed.connect(lambda _status: self.show_status())
        self.connection.back.connect(self._directory_back)
        self.show_status()

        menu = self.menuBar().addMenu("S&ession")
        for text, keys, slot in (("&Lock", "Ctrl+L", self.lock_requested.emit),
                                 ("Change token &PIN…", None, self.change_pin_requested.emit),
                                 ("Sign &in again…", None, self.sign_in_again_requested.emit),
                                 ("Sign &out", "Ctrl+Shift+Q", self.ask_sign_out)):
            action = QAction(text, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, f=slot: f())
            menu.addAction(action)
        self.sign_in_again_action = menu.actions()[2]
        self.sign_in_again_action.setObjectName("signInAgain")
        self.sign_in_again_action.setEnabled(False)
        self.sign_out_question: QMessageBox | None = None
        view = self.menuBar().addMenu("&View")
        for n, screen in enumerate(order, 1):
            go = QAction(screen.title, self)
            go.setObjectName(f"go{screen.title.replace(' ', '')}")
            if n < 10:
                go.setShortcut(QKeySequence(f"Ctrl+{n}"))
            go.triggered.connect(lambda _checked=False, s=screen: self.show_screen(s))
            view.addAction(go)
        help_menu = self.menuBar().addMenu("&Help")
        screen_help = QAction("Help for &this screen", self)  # F1, in every deployment (issue 14 §3.7)
        screen_help.setObjectName("screenHelp")
        screen_help.setShortcut(QKeySequence(QKeySequence.HelpContents))
        screen_help.triggered.connect(lambda _checked=False: self.open_screen_help())
        help_menu.addAction(screen_help)
        self.help_dialog: QDialog | None = None  # ui.screen_help.ScreenHelpDialog, loaded when first asked
        if training:  # the guide lists the training directory's sample children: nothing else has them
            guide = QAction("&Training guide", self)
            guide.triggered.connect(lambda _checked=False: self.training_guide_requested.emit())
            help_menu.addAction(guide)
        for name, text, slot in (("checkWorkstation", "&Check this workstation…", self.open_check),  # issue 18
                                 ("aboutSignpost", "&About Signpost", self.open_about)):
            action = QAction(text, self)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, s=slot: s())
            help_menu.addAction(action)
        self.settings_file = settings_file
        self._fit_screen()
        self._pending = 0
        self._form_unavailable = False  # the form's message is about the directory not answering
        if user.role.acts_for_colleague:
            self.load_colleagues()

    # -- size (issue 14 §3.2) --------------------------------------------------------
    def _fit_screen(self) -> None:
        """The size the window had when last closed, else 1180x760; never more than the screen has room for."""
        kept = Settings.load(self.settings_file) if self.settings_file else Settings()
        width, height = (kept.window_width, kept.window_height) if kept.window_width else (1180, 760)
        room = self.screen().availableGeometry()
        self.resize(min(width, room.width()), min(height, room.height()))

    def _keep_size(self) -> None:
        if self.settings_file is None:
            return
        kept = Settings.load(self.settings_file)
        if (kept.window_width, kept.window_height) != (self.width(), self.height()):
            kept.window_width, kept.window_height = self.width(), self.height()
            kept.save(self.settings_file)

    # -- help (issue 18) ------------------------------------------------------------
    def open_check(self) -> None:
        from .help_dialogs import CheckDialog
        dialog = CheckDialog(self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()

    def open_screen_help(self) -> None:
        """F1: what the screen in view shows, what its actions do, whom to ask (resources/help.json)."""
        from .screen_help import ScreenHelpDialog, help_for
        if self.help_dialog is not None:
            self.help_dialog.close()
        dialog = ScreenHelpDialog(help_for(self.tabs.currentWidget().objectName(), self.user.role), self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._help_closed(dialog))
        self.help_dialog = dialog
        dialog.open()

    def _help_closed(self, dialog) -> None:
        if self.help_dialog is dialog:
            self.help_dialog = None

    def open_about(self) -> None:
        from .help_dialogs import show_about
        show_about(self)

    # -- screens ----------------------------------------------------------------
    def show_screen(self, screen: Screen) -> None:
        self.tabs.setCurrentWidget(screen)

    def _attention(self, screen: Screen, n: int) -> None:
        i = self.tabs.indexOf(screen)
        if i >= 0:
            self.tabs.setTabText(i, titled(screen.title, n))

    def _screen_changed(self, index: int) -> None:
        screen = self.tabs.widget(index)
        if screen is not self.search_screen:
            self.drop_override()  # R-SHIELD-6: leaving the record drops the override's full view
            if isinstance(screen, Screen):
                screen.refresh()

    def outbox_changed(self, pending: int, needs_you: int) -> None:
        """The offline outbox changed (R-LOCAL-1; ``SessionManager.on_outbox_change``, relayed to the GUI
        thread): each Home's list of waiting changes asks the outbox again."""
        for screen in self.screens:
            panel = getattr(screen, "outbox", None)
            if isinstance(panel, OutboxPanel):
                panel.refresh()

    def refresh_screens(self) -> None:
        for screen in self.screens:
            screen.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_screens()
        self.refresh_recent()

    def refresh_recent(self) -> None:
        if self.recent_copies is not None:
            watch(self.relay, self.recent_copies(), self.recent.show_copies, lambda _exc: None)

    def today(self) -> date:
        return self.clock()

    def load_colleagues(self) -> None:
        """R-ROLE-2: the registered colleagues a mediating user chooses from."""
        self.ctx.perform(ops.COLLEAGUES, t.Nothing(), self.form.set_colleagues,
                         lambda exc: self.form.show_message(refusals.explain(exc)[0]))

    # -- banners --------------------------------------------------------------
    def show_idle_warning(self, seconds_left: int) -> None:
        first = self.idle_warning.isHidden()
        self.idle_warning.setText(f"Signpost will lock in {seconds_left} s. "
                                  "Press a key or move the mouse to stay signed in.")
        self.idle_warning.show()
        if first:  # said once, at once; not each second of the countdown
            announce(self.idle_warning, self.idle_warning.text(), assertive=True)

    def hide_idle_warning(self) -> None:
        self.idle_warning.hide()
        self.idle_warning.clear()

    def session_ended(self) -> None:
        """The directory ended this session: say so once, with the way back (Sign in again), in the window."""
        if self.banners.session_ended():
            self.sign_in_again_action.setEnabled(True)

    def signed_in_again(self, session: str) -> None:
        """A new directory session, in place: requests carry it from now on; the screens ask again."""
        self.session = session
        self.banners.signed_in_again()
        self.sign_in_again_action.setEnabled(False)
        self.refresh_screens()

    def keep_session(self) -> None:
        """Ask the directory something small as this session, so that it does not end unused (the inbox)."""
        self.ctx.perform(ops.INBOX, t.Nothing(), lambda _notices: None, lambda _exc: None)

    def ask_sign_out(self) -> None:
        """Sign out; first, if changes are still waiting to be sent, say so and ask (they stay, encrypted)."""
        if self.ctx.outbox is None:
            self.sign_out_requested.emit()
            return
        watch(self.relay, self.ctx.outbox.items(), self._sign_out_if_nothing_waits,
              lambda _exc: self.sign_out_requested.emit())

    def _sign_out_if_nothing_waits(self, items) -> None:
        if not items:
            self.sign_out_requested.emit()
            return
        needs = sum(i.state == "needs_you" for i in items)
        text = STILL_WAITING.format(waiting=count(len(items), "change is", "changes are"),
                                    needs=f" ({needs} of them need{'s' if needs == 1 else ''} you: see Home)"
                                    if needs else "", they="It" if len(items) == 1 else "They",
                                    are="is" if len(items) == 1 else "are")
        box = QMessageBox(QMessageBox.Warning, "Changes still waiting", text, parent=self)
        box.setObjectName("stillWaiting")
        leave = box.addButton("Sign &out", QMessageBox.AcceptRole)
        box.addButton("&Stay signed in", QMessageBox.RejectRole)
        box.setDefaultButton(leave)
        box.finished.connect(lambda _r: self._asked_sign_out(box, leave))
        self.sign_out_question = box
        box.open()

    def _asked_sign_out(self, box: QMessageBox, leave) -> None:
        self.sign_out_question = None
        if box.clickedButton() is leave:
            self.sign_out_requested.emit()

    def show_alert(self, alarm: object) -> None:
        """A security alert (``app.audit_memory.AuditAlarm``, worded by ui/refusals.py), or none."""
        text = str(alarm) if alarm else ""
        if text != self.alert.text():
            announce(self.alert, text, assertive=True)
        self.alert.setText(text)
        self.alert.setVisible(bool(text))

    # -- whom for ---------------------------------------------------------------
    def _set_acting(self, colleague: Colleague | None) -> None:
        self.acting = colleague
        words = acting_for(colleague)
        self.acting_label.setText(f"Acting {words}" if words else "")
        self.acting_label.setVisible(bool(words))

    def _colleague_edited(self) -> None:
        """Results found for one colleague are not shown to another (R-ROLE-2)."""
        if self.acting is not None:
            self._drop_results()

    # -- busy -------------------------------------------------------------
    def _begin(self) -> None:
        self._pending += 1
        self.busy.show()
        self.form.set_busy(True)

    def _end(self) -> None:
        self._pending = max(0, self._pending - 1)
        if not self._pending:
            self.busy.hide()
            self.form.set_busy(False)

    def _busy(self, on: bool) -> None:
        self._begin() if on else self._end()

    def is_busy(self) -> bool:
        return self._pending > 0

    # -- search -------------------------------------------------------------
    def viewer(self, colleague) -> Viewer:
        return Viewer(self.user, colleague, session=self.session)

    def search(self, criteria, reason, colleague) -> None:
        self._begin()
        self._drop_results()
        self._set_acting(colleague)
        future = self.find(self.viewer(colleague), criteria, reason)
        watch(self.relay, future, self._searched, self._failed)

    def _searched(self, outcome) -> None:
        self._end()
        self.connection.check()
        self._form_unavailable = False
        if outcome.refine:
            self.form.show_message(refusals.notice_words(outcome))
            return
        self.results.set_hits(outcome.hits)
        self._fit_results()
        if outcome.looser_left_out:  # the notice says so, and to add detail to see them
            self.results_note.setText(refusals.notice_words(outcome))
            self.results_note.show()
        if outcome.hits:
            self.form.show_message(found_words(outcome.hits), error=False)  # R-SEARCH-4: says how loosely
            announce(self.results_note, self.results_note.text())
            self.table.setFocus()
            self.table.selectRow(0)
        else:
            self.form.show_message(refusals.notice_words(outcome))

    def open_row(self, index) -> None:
        reason = self.form.reason_value()
        if reason is None:
            self.form.show_message("Choose a reason for opening this record.")
            return
        hit = (self.results if index.model() is self.results else self.shown).hit(index.row())
        self._drop_record()  # leaving the record on screen (an override's full view goes with it)
        self._load(hit.directory_id, reason)

    def open_recent(self, directory_id: str) -> None:
        """A record from "Recently opened": found again by its directory id with the reason chosen (audited as any
        search), then opened; the offline copy when the directory cannot be reached."""
        reason = self.form.reason_value()
        if reason is None:
            self.form.show_message("Choose a reason for opening this record.")
            return
        self._begin()
        self._drop_results()
        self.record.show_loading()
        self.record_reason = reason  # also what a change queued from the offline copy gives
        future = self.find(self.viewer(None), Criteria(directory_id=directory_id), reason)
        watch(self.relay, future, lambda outcome: self._found_again(directory_id, reason, outcome),
              lambda exc: self._open_failed(exc, directory_id, None))

    def _found_again(self, directory_id: str, reason: Reason, outcome) -> None:
        self._end()
        self.connection.check()
        hits = [h for h in outcome.hits if h.directory_id == directory_id]
        if not hits:
            self.record.clear()
            self.form.show_message(NOT_FOUND_AGAIN)
            return
        self.results.set_hits(tuple(hits))
        self._fit_results()
        self.table.selectRow(0)
        self._load(directory_id, reason)

    def _load(self, directory_id: str, reason: Reason, after: Callable[[], None] | None = None) -> None:
        self._begin()
        self.record.show_loading()
        self.record_reason = reason
        colleague = self.acting  # the colleague these results were found for
        future = self.directory.view_record(self.viewer(colleague), directory_id, reason)
        watch(self.relay, future, lambda view: self._opened(view, colleague, after),
              lambda exc: self._open_failed(exc, directory_id, colleague))

    def reload_record(self, after: Callable[[], None] | None = None) -> None:
        """Ask for the record on screen again (after a change to it), with the reason it was opened with."""
        view, reason = self.record.view, self.record_reason
        if view is not None and reason is not None:
            self._load(view.directory_id, reason, after)

    def _opened(self, view, colleague: Colleague | None = None, after: Callable[[], None] | None = None) -> None:
        self._end()
        self.record.show_record(view, acting_for(colleague))
        announce(self.record, opened_words(view, acting_for(colleague)))
        if not getattr(view, "override", False):  # R-SHIELD-6: an override's full view is never cached
            self.record_opened.emit(view)
            self.refresh_recent()
        if not self.record.buttons["work"].isHidden():  # the pickers' lists, while the directory answers
            self.record_actions.read_lists()  # (R-LOCAL-1, R-REC-5)
        if after is not None:
            after()

    def show_override(self, view: RecordView) -> None:
        """R-SHIELD-6: the full view, on screen only: not emitted to the cache, gone when the record is left."""
        if self.record.view is None or view.directory_id != self.record.view.directory_id:
            return
        self.record.show_record(view, acting_for(self.acting))

    def _open_failed(self, exc: BaseException, directory_id: str, colleague: Colleague | None) -> None:
        """The directory could not be reached: show the offline copy, if this user opened it recently."""
        if not isinstance(exc, Unreachable) or self.recall is None:
            self._failed(exc)
            return
        watch(self.relay, self.recall(directory_id), lambda copy: self._offline(copy, exc, colleague),
              lambda _err: self._failed(exc))

    def _offline(self, copy, exc: BaseException, colleague: Colleague | None) -> None:
        if copy is None:
            self._failed(exc)
            self.form.show_message(refusals.explain(exc)[0] + " This record has no offline copy on this "
                                   "workstation.")
            return
        self._end()
        when = datetime.fromtimestamp(copy.fetched_at).strftime("%d %b %Y %H:%M")
        self.record.show_record(copy.view, acting_for(colleague), offline_from=when, unconfirmed=copy.unconfirmed)
        announce(self.record, opened_words(copy.view, acting_for(colleague), when, unconfirmed=copy.unconfirmed))
        self.connection.check()

    def show_status(self) -> None:
        """Which directory, online or offline, and when it last answered (status bar); while it does not
        answer, the banner says why, since when, and what still works."""
        st = self.connection.status
        where = "Training directory" if st.kind == "training" else st.where
        state = "online" if st.online else "offline"
        last = f" · last contact {datetime.fromtimestamp(st.last_contact):%H:%M:%S}" if st.last_contact else ""
        if self.where.property("kind") is not None and (self.where.property("kind") == "info") != st.online:
            announce(self.where, f"{where} · {state}", assertive=not st.online)  # going offline, or back
        self.where.setText(f"{where} · {state}{last}")
        self.where.setProperty("kind", "info" if st.online else "error")
        self.where.style().unpolish(self.where)
        self.where.style().polish(self.where)
        self.banners.show_status(st)

    def _directory_back(self) -> None:
        """The directory answers again: what was said about the outage goes, Home and the screen in view ask
        again, and the changes kept meanwhile are sent now rather than at the next retry."""
        if self._form_unavailable:
            self.form.show_message("", error=False)
            self._form_unavailable = False
        for screen in self.screens:
            screen.directory_back()
        shown = self.tabs.currentWidget()
        for screen in {id(s): s for s in (self.screens[:1] + [shown]) if isinstance(s, Screen)}.values():
            screen.refresh()  # Home, and the screen in view, ask again at once (the others when shown)
        if self.ctx.outbox is not None:
            self.ctx.outbox.kick()

    def _failed(self, exc: BaseException) -> None:
        self._end()
        self.connection.check()
        if ended(exc):
            self.session_ended()
        self.record.clear()
        if not isinstance(exc, (Refusal, DirectoryUnavailable)):
            log.error("directory request failed", exc_info=exc)
        self.form.show_message(refusals.explain(exc)[0])
        if isinstance(exc, ServiceClosed):
            self.service_closed.emit()
        self._form_unavailable = isinstance(exc, DirectoryUnavailable)

    # -- clearing -------------------------------------------------------------
    def _filter_results(self, text: str) -> None:
        self.shown.setFilterFixedString(text.strip())
        if self.shown.rowCount():
            self.table.selectRow(0)

    def _order_results(self) -> None:
        column = self.results_order.currentData()
        self.table.horizontalHeader().setSortIndicatorShown(column >= 0)
        self.table.sortByColumn(column, Qt.AscendingOrder)
        if column < 0:
            self.shown.sort(-1)

    def _fit_results(self) -> None:
        """The results list takes only the rows it has (up to ``RESULT_ROWS``); the record gets the rest."""
        rows = min(max(self.results.rowCount(), 1), RESULT_ROWS)
        table = (self.table.horizontalHeader().sizeHint().height() + rows * self.table.verticalHeader()
                 .defaultSectionSize() + 2 * self.table.frameWidth() + 4)
        above = self.results_box.sizeHint().height() - self.table.sizeHint().height()
        total = sum(self.right.sizes())
        wanted = max(0, above) + table
        self.right.setSizes([wanted, max(total - wanted, 0)])

    def _drop_results(self) -> None:
        self.results_filter.clear()
        self.results_order.setCurrentIndex(0)
        self._order_results()
        self.results.clear()
        self.results_note.hide()
        self.results_note.clear()
        self._drop_record()
        self._set_acting(None)

    def _drop_record(self) -> None:
        self.record_actions.close()
        self.record.clear()
        self.record_reason = None

    def drop_override(self) -> None:
        """R-SHIELD-6: the full view under an override shows only until the record is left."""
        if self.record.override_shown:
            self._drop_record()

    def clear(self) -> None:
        """Clear: nothing of the last enquiry stays — fields, reason, colleague, results, record,
        message — and nothing still on its way lands."""
        self.relay.close()
        self.relay = Relay(self)  # a fresh relay: nothing already in flight can land
        self.ctx.relay = self.relay
        self._drop_results()
        self.form.wipe()
        self.busy.hide()
        self.form.set_busy(False)
        self._pending = 0
        if self.user.role.acts_for_colleague and not self.form.colleagues:
            self.load_colleagues()

    def wipe(self) -> None:
        """Remove every trace of child data from the window (R-LOCAL-2)."""
        self.clear()
        self.recent.clear()
        for screen in self.screens:
            screen.reset()
        self.hide_idle_warning()

    def closeEvent(self, event) -> None:
        self._keep_size()
        self.wipe()
        super().closeEvent(event)
