"""The LA's users (R-ROLE-3, R-ROLE-4): role, organisation, training, criminal-records check and when it
expires (EXPIRED said and flagged), enabled, LOCKED OUT, token serial. Record training, renew the check,
disable (after a confirmation, like lifting a shield) or enable, unlock after a lock-out, enrol or replace a
token, register a mediated colleague; give someone access (New user…: a one-time password shown once, then their
token) and reset a password (issue 14 §2.1). Nothing of one's own account is changed here. The list sorts (by
name, expired first, locked out first, role, organisation) and filters (locked out, expired, disabled, no token,
words typed) (issue 14 §3.3, §3.4)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QMessageBox, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Role
from ui.refusals import explain

from .common import LaScreen, buddy, button, date_edit, day_of, heading, queue_page, set_day
from .lists import Column, ItemsList
from .words import DISABLED, LOCKED, USER_ACTIONS, check_expired, check_words, day


def _role(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


def _colleague(u: t.ManagedUser) -> bool:
    return u.role == Role.COLLEAGUE.value


SHOW = ("Everyone", "Locked out", "Check expired", "Disabled", "No token enrolled")


class UsersScreen(LaScreen):
    title = "Users"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laUsers")
        self.users: list[t.ManagedUser] = []
        self.summary = heading("Users")
        today = self.today
        columns = (Column("User", lambda u: u.username), Column("Name", lambda u: u.display_name),
                   Column("Role", lambda u: _role(u.role)), Column("Organisation", lambda u: u.organisation),
                   Column("Trained", lambda u: day(u.trained_on), lambda u: u.trained_on),
                   Column("Check date", lambda u: "—" if _colleague(u) else day(u.check_date),
                          lambda u: u.check_date),
                   Column("Check expires", lambda u: "—" if _colleague(u) else check_words(u, today()),
                          lambda u: u.check_expires),
                   Column("Account", lambda u: "Enabled" if u.enabled else DISABLED),
                   Column("Locked out", lambda u: LOCKED if u.locked_out else "No"),
                   Column("Token serial", lambda u: u.token_serial or "—"))
        orders = {"Name": lambda u: (u.display_name.lower(), u.username),
                  "Needs attention first": lambda u: (not (u.locked_out or check_expired(u, today())),
                                                      u.display_name.lower()),
                  "Check expires": lambda u: (u.check_expires is None, u.check_expires, u.display_name.lower()),
                  "Role": lambda u: (_role(u.role), u.display_name.lower()),
                  "Organisation": lambda u: (u.organisation.lower(), u.display_name.lower())}
        self.list = ItemsList("usersTable", "Your LA's users", columns, orders=orders,
                              flag=lambda u: check_expired(u, today()) or u.locked_out,
                              identity=lambda u: u.username)
        self.table = self.list.view
        self.show_only = QComboBox()
        self.show_only.setObjectName("usersShowFilter")
        self.show_only.setAccessibleName("Show which users")
        self.show_only.addItems(SHOW)
        self.show_only.currentIndexChanged.connect(lambda _i: self._filter())
        show_label = QLabel("Sho&w")
        show_label.setBuddy(self.show_only)
        self.list.tools.addWidget(show_label)
        self.list.tools.addWidget(self.show_only)
        self.on = date_edit("userActionDate", "Date of the training or check", self.today())
        self.train_button = button("Record &training", "recordTraining", "Record the training on the date given")
        self.check_button = button("Re&new check", "renewCheck", "Record a criminal-records check done on the date "
                                   "given (valid three years)")
        self.enable_button = button("&Disable", "toggleEnabled")
        self.unlock_button = button("Un&lock", "unlockUser", "Let a user locked out after failed sign-ins try again")
        self.token_button = button("Enrol to&ken…", "enrolToken", "Read an inserted token and enrol it for this "
                                   "user (replacing any old one)")
        self.colleague_button = button("Re&gister colleague…", "registerColleague",
                                       "Register a colleague without access of their own, for mediated searches")
        self.new_button = button("New &user…", "newUser", "Give a nominated, trained and checked person access: "
                                 "a one-time password, then their token")
        self.reset_button = button("Reset &password…", "resetPassword", "Give this user a new one-time password")
        self.new_button.clicked.connect(self.create)
        self.reset_button.clicked.connect(self.confirm_reset)
        self.refresh_button = button("&Refresh", "refreshUsers")
        self.train_button.clicked.connect(lambda: self.change(t.UserAction.RECORD_TRAINING))
        self.check_button.clicked.connect(lambda: self.change(t.UserAction.RENEW_CHECK))
        self.enable_button.clicked.connect(self._toggle)
        self.unlock_button.clicked.connect(lambda: self.change(t.UserAction.UNLOCK))
        self.token_button.clicked.connect(self.enrol)
        self.colleague_button.clicked.connect(self.register)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        self.dialog = None
        self.confirm: QMessageBox | None = None
        actions = QGridLayout()
        actions.addWidget(buddy("D&ate", self.on), 0, 0)
        actions.addWidget(self.on, 0, 1)
        actions.addWidget(self.train_button, 0, 2)
        actions.addWidget(self.check_button, 0, 3)
        actions.addWidget(self.enable_button, 1, 0)
        actions.addWidget(self.unlock_button, 1, 1)
        actions.addWidget(self.token_button, 1, 2)
        actions.addWidget(self.colleague_button, 1, 3)
        actions.addWidget(self.refresh_button, 1, 4)
        actions.addWidget(self.new_button, 0, 4)
        actions.addWidget(self.reset_button, 0, 5)
        actions.setColumnStretch(6, 1)
        queue_page(self, self.list, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.LA_USERS, t.Nothing(), self.show_users)

    def show_users(self, users) -> None:
        today = self.today()
        self.users = list(users)
        self.list.set_items(self.users)
        locked = sum(u.locked_out for u in self.users)
        expired = sum(check_expired(u, today) for u in self.users)
        parts = [f"{len(self.users)} users"]
        if locked:
            parts.append(f"{locked} {LOCKED}")
        if expired:
            parts.append(f"{expired} with an EXPIRED check")
        self.summary.setText("Users: " + ", ".join(parts))
        self.attention.emit(locked + expired)
        self._selection()

    def _filter(self) -> None:
        show, today = self.show_only.currentText(), self.today()
        tests = {SHOW[1]: lambda u: u.locked_out, SHOW[2]: lambda u: check_expired(u, today),
                 SHOW[3]: lambda u: not u.enabled, SHOW[4]: lambda u: not _colleague(u) and not u.token_serial}
        self.list.set_test(tests.get(show, lambda _u: True))

    def current(self) -> t.ManagedUser | None:
        return self.list.current()

    def _selection(self) -> None:
        u = self.current()
        has_access = u is not None and u.role != Role.COLLEAGUE.value
        mine = u is not None and u.username == self.ctx.viewer().user.username
        # R-ROLE-3/4: nothing of one's own account is changed here (the directory refuses it too)
        for b in (self.train_button, self.check_button, self.token_button, self.reset_button):
            b.setEnabled(has_access and not mine)
        self.unlock_button.setEnabled(has_access and u.locked_out and not mine)
        self.enable_button.setEnabled(u is not None and not mine)
        self.enable_button.setText("Ena&ble" if u is not None and not u.enabled else "&Disable")

    def _toggle(self) -> None:
        u = self.current()
        if u is None:
            return
        if not u.enabled:
            self.change(t.UserAction.ENABLE)
            return
        box = QMessageBox(QMessageBox.Warning, "Disable user",
                          f"Disable {u.display_name}'s account ({u.username})?\n\nAny session they have ends at "
                          "once, and they cannot sign in until someone in your LA team enables the account again.",
                          QMessageBox.Cancel, self)
        disable = box.addButton("&Disable account", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)  # Enter does not disable by accident
        box.setObjectName("confirmDisable")
        box.finished.connect(lambda _r: self.change(t.UserAction.DISABLE, u) if box.clickedButton() is disable
                             else None)
        self.confirm = box
        box.open()

    def change(self, action: t.UserAction, u: t.ManagedUser | None = None) -> None:
        u = u or self.current()
        if u is None:
            return
        on = day_of(self.on) if action in (t.UserAction.RECORD_TRAINING, t.UserAction.RENEW_CHECK) else None
        self.ask(ops.CHANGE_USER, t.UserChange(u.username, action, on), lambda after: self._changed(action, after))

    def _changed(self, action: t.UserAction, after: t.ManagedUser) -> None:
        extra = ""
        if action is t.UserAction.RENEW_CHECK and after.check_expires:
            extra = f": valid until {day(after.check_expires)}"
        elif action is t.UserAction.RECORD_TRAINING:
            extra = f" ({day(after.trained_on)})"
        elif action is t.UserAction.UNLOCK:
            extra = ": they can sign in again"
        elif action is t.UserAction.DISABLE:
            extra = ": any session they had has ended"
        self.say(f"{USER_ACTIONS[action]} for {after.display_name}{extra}.")
        self.refresh()

    def enrol(self, u: t.ManagedUser | None = None) -> None:
        from ui.dialogs.la_enrol_token import open_enrol
        u = u or self.current()
        if u is None:
            return
        tokens = getattr(self.ctx, "tokens", None)
        if tokens is None:
            self.say("Tokens cannot be read in this window. Enrol the token with the administration tools "
                     "(make admin), or sign in on a workstation with a token reader.")
            return
        me = self.ctx.viewer().user.username
        exclude = {x.token_serial for x in self.users if x.username == me and x.token_serial}
        self.dialog = open_enrol(tokens, u.username, u.display_name, exclude, self, self._enrol_read)

    def _enrol_read(self, enrolment: t.TokenEnrolment) -> None:
        self.ask(ops.ENROL_TOKEN, enrolment, lambda after: (
            self.say(f"Token {after.token_serial} enrolled for {after.display_name}. Any token they had before no "
                     "longer works."), self.refresh()))

    def register(self) -> None:
        """R-ROLE-2, R-REC-5: the colleague's role and organisation are chosen from the register, read first."""
        self.ask(ops.VOCABULARY, t.Nothing(), self._register_with)

    def _register_with(self, vocabulary: t.Vocabulary) -> None:
        from ui.dialogs.la_colleague import RegisterColleagueDialog
        dialog = RegisterColleagueDialog(self, vocabulary)
        dialog.accepted.connect(lambda: self.ask(ops.REGISTER_COLLEAGUE, dialog.request(), lambda c: (
            self.say(f"{c.name} ({c.role}, {c.organisation}) registered as {c.username}. Mediating users can now "
                     "choose them."), self.refresh())))
        self.dialog = dialog
        dialog.open()

    # -- la-admin: giving access (issue 14 §2.1, R-ROLE-3, R-ROLE-4) ---------------------------------------------
    def create(self) -> None:
        """Read the register for the organisation list, then ask who to give access to."""
        self.ask(ops.VOCABULARY, t.Nothing(), self._create_with)

    def _create_with(self, vocabulary: t.Vocabulary) -> None:
        from ui.dialogs.la_new_user import NewUserDialog
        dialog = NewUserDialog(vocabulary, self.today(), self)
        dialog.submitted.connect(lambda request: self.ask(
            ops.CREATE_USER, request, lambda given: (dialog.done_ok(), self._given(given, "Created.")),
            lambda exc: self._not_given(dialog, exc)))
        dialog.pickers.asked.connect(lambda request: self.ask(
            ops.ASK_REGISTER, request, lambda entry: dialog.show_note(dialog.pickers.asked_done(entry)),
            lambda exc: (dialog.pickers.asked_failed(), dialog.show_error(explain(exc)[0]))))
        self.dialog = dialog
        dialog.open()

    def _not_given(self, dialog, exc: BaseException) -> None:
        if type(exc).__name__ == "Queued":  # app.outbox.Queued: the account is made when the directory answers
            dialog.done_ok()
            self.say("The directory cannot be reached: the account is made when it answers. Then use Reset "
                     "password to give them a one-time password (it cannot be shown to you once you have gone).")
            return
        dialog.show_error(explain(exc)[0])

    def confirm_reset(self) -> None:
        u = self.current()
        if u is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Reset password",
                          f"Give {u.display_name} ({u.username}) a new one-time password?\n\nTheir password stops "
                          "working and any session they have ends at once; a lock-out is lifted. They choose their "
                          "own password when they next sign in.", QMessageBox.Cancel, self)
        reset = box.addButton("Reset &password", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)
        box.setObjectName("confirmReset")
        box.finished.connect(lambda _r: self.ask(ops.RESET_PASSWORD, t.UserRef(u.username), lambda given: self._given(
            given, "Password reset.")) if box.clickedButton() is reset else None)
        self.confirm = box
        box.open()

    def _given(self, given: t.OneTimePassword, why: str) -> None:
        """The one-time password, shown once; then, for a new user, their token."""
        from ui.dialogs.la_new_user import OneTimePasswordDialog
        self.refresh()
        self.say(f"{why} {given.user.display_name} is {given.user.username}."
                 + ("" if given.user.token_serial else " Enrol their token before they sign in."))
        dialog = OneTimePasswordDialog(given, why, self)
        dialog.enrol_requested.connect(self.enrol)
        self.dialog = dialog
        dialog.open()

    def reset(self) -> None:
        super().reset()
        for dialog in (self.dialog, self.confirm):
            if dialog is not None:
                dialog.reject()
        self.dialog = self.confirm = None
        self.users = []
        self.list.clear()
        self.summary.setText("Users")
        set_day(self.on, self.today())
        self._selection()
