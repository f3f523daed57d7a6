"""The work on an open record (issue 8): each action of the record pane opens its dialog, sends the request
through the window's ``ScreenContext`` (the GUI thread never waits), and shows what came back.

- "I am working with this child" (R-REC-4, R-SENS-2): afterwards the record is asked for again, the message says
  exactly whom the directory told, or that nobody was (``Recorded.told``; never for a sensitive service), and
  "You may want to contact:" lists the others working with the child (``Recorded.others``).
- Own involvements: update, end (R-RET-3), lead professional / CAF. A change made elsewhere since the record
  was opened (``involvement.conflict``) gives a clear choice: reload and see it, or save mine over it.
- Request a shield with its ground (R-SHIELD-2); a child-protection override (R-SHIELD-6): its full view is
  shown, never cached, and goes when the record is left.
- Ask the LA team to pass on a contact request (R-SENS-4).

A refusal is shown inside the dialog in the words of ``ui.refusals``, so nothing typed is lost.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Involvement, RecordView, Role
from app.refusals import Refusal
from ui.dialogs.base import WorkDialog
from ui.dialogs.contact_request_dialog import ContactRequestDialog
from ui.dialogs.end_involvement_dialog import EndInvolvementDialog
from ui.dialogs.indicators_dialog import IndicatorsDialog
from ui.dialogs.involvement_dialog import InvolvementDialog, others_words
from ui.dialogs.shield_override_dialog import ShieldOverrideDialog
from ui.dialogs.shield_request_dialog import ShieldRequestDialog
from ui.record_view import long_date
from ui.refusals import explain
from ui.screens.practice.words import recorded_words

SHIELDED_NOW = "The record is shielded now. Your LA management team will review the shield within 7 days."
CONTACT_SENT = ("Your request was sent to the child's LA team. Its status shows under “My contact requests” on the "
                "Home screen.")
QUEUED = ("The directory cannot be reached: your change is saved on this workstation and will be sent when it "
          "answers. Home shows it until then.")
CONFLICT_CHOICE = ("{words}\n\nReload the record to see the change made elsewhere (yours is not saved), or save "
                   "yours over it.")


def about(view: RecordView, involvement: Involvement | None = None) -> str:
    """What a dialog is about (issue 14 §3.4): the child, and the involvement it changes."""
    words = f"For {view.name.full()}, born {long_date(view.dob)} · directory id {view.directory_id}"
    if involvement is not None:
        words += f" · your involvement: {involvement.service.label}, {involvement.organisation}"
    return words


class RecordActions(QObject):
    """Wired to ``window.record`` (a ``RecordPane``); ``window`` gives ``ctx``, ``record_reason``, ``today()``,
    ``user``, ``reload_record(after)``, ``show_override(view)`` and ``refresh_screens()``."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: WorkDialog | None = None
        self.choice: QMessageBox | None = None
        self.last_given: tuple[str, str] = ("", "")  # the phone and e-mail last sent from this window (§3.4)
        pane = window.record
        pane.work_requested.connect(self.work)
        pane.update_requested.connect(self.update)
        pane.end_requested.connect(self.end)
        pane.indicators_requested.connect(self.indicators)
        pane.shield_requested.connect(self.shield)
        pane.override_requested.connect(self.override)
        pane.contact_requested.connect(self.contact)

    # -- what the pane asked for ------------------------------------------------------
    def _where(self):
        view, reason = self.window.record.view, self.window.record_reason
        return (view, reason) if view is not None and reason is not None else (None, None)

    def work(self) -> None:
        view, reason = self._where()
        if view:
            dialog = InvolvementDialog(view.directory_id, reason, self.window.today(),
                                       organisation=self.window.user.organisation, parent=self.window,
                                       vocabulary=self.vocabulary)
            self._prefill(dialog, view)
            self._run(self._pickers(dialog), ops.RECORD_INVOLVEMENT, self._recorded, about(view))

    def update(self, involvement) -> None:
        view, reason = self._where()
        if view:
            self._run(self._pickers(InvolvementDialog(
                view.directory_id, reason, self.window.today(), existing=involvement, parent=self.window,
                vocabulary=self.vocabulary)), ops.UPDATE_INVOLVEMENT, self._reload("Your details were saved."),
                about(view, involvement))

    # -- issue 14 §3.4: what you already gave ---------------------------------------------------
    def known_contact(self, view) -> tuple[str, str]:
        """The phone and e-mail you already gave: on your own involvement with this child, else the last sent."""
        mine = [i for i in view.involvements if isinstance(i, Involvement) and i.yours and (i.phone or i.email)]
        mine.sort(key=lambda i: (i.current, i.start), reverse=True)
        return (mine[0].phone, mine[0].email) if mine else self.last_given

    def _prefill(self, dialog, view) -> None:
        phone, email = self.known_contact(view)
        if not dialog.phone.text() and not dialog.email.text():
            dialog.phone.setText(phone)
            dialog.email.setText(email)

    def _given(self, request) -> None:
        phone, email = getattr(request, "phone", ""), getattr(request, "email", "")
        if phone or email:
            self.last_given = (phone, email)

    # -- la-admin: the register's organisations and roles for the pickers (issue 14 §2.3, R-REC-5) -------------
    vocabulary = None  # the directory's lists, read once per window (until then: one's own organisation)

    def _pickers(self, dialog: InvolvementDialog) -> InvolvementDialog:
        """Read the lists if they have not been (the dialog opens at once and gains them when they come), and
        send an "Other…" request to the LA team."""
        self.read_lists()
        dialog.asked.connect(lambda request: self.window.ctx.perform(
            ops.ASK_REGISTER, request, lambda entry: dialog.show_note(dialog.pickers.asked_done(entry)),
            lambda exc: (dialog.pickers.asked_failed(), dialog.show_error(explain(exc)[0]))))
        return dialog

    def read_lists(self) -> None:
        """Read the lists if they have not been; also when a record opens live, so that a change made later
        while the directory cannot be reached or after it ended the session (kept in the outbox, R-LOCAL-1)
        still offers them."""
        if self.vocabulary is None:
            self.window.ctx.perform(ops.VOCABULARY, t.Nothing(), self._vocabulary,
                                    lambda _exc: None)  # offline: the dialog keeps what it has

    def _vocabulary(self, vocabulary) -> None:
        self.vocabulary = vocabulary
        if isinstance(self.dialog, InvolvementDialog):
            self.dialog.pickers.set_vocabulary(vocabulary)

    def end(self, involvement) -> None:
        view, reason = self._where()
        if view:
            self._run(EndInvolvementDialog(view.directory_id, involvement, reason, self.window.today(), self.window),
                      ops.END_INVOLVEMENT, self._reload("Your involvement has ended."), about(view, involvement))

    def indicators(self, involvement) -> None:
        view, reason = self._where()
        if view:
            self._run(IndicatorsDialog(view.directory_id, involvement, reason, self.window), ops.SET_INDICATORS,
                      self._reload("Lead professional and CAF saved."), about(view, involvement))

    def shield(self) -> None:
        """The LA team first sees the child's brothers and sisters, to shield them in the same step (issue 13
        §3.1); a practitioner's request holds them until the team decides."""
        view, reason = self._where()
        if not view:
            return
        if self.window.user.role is not Role.LA_MANAGEMENT:
            self._run(ShieldRequestDialog(view.directory_id, reason, self.window), ops.REQUEST_SHIELD,
                      self._reload(SHIELDED_NOW), about(view))
            return

        def with_household(siblings) -> None:
            if self.window.record.view is view:
                self._run(ShieldRequestDialog(view.directory_id, reason, self.window, siblings), ops.REQUEST_SHIELD,
                          self._reload(SHIELDED_NOW), about(view))
        self.window.ctx.perform(ops.HOUSEHOLD, t.ChildRef(view.directory_id), with_household,
                                lambda exc: self.window.record.say(explain(exc)[0]))

    def override(self) -> None:
        view, reason = self._where()
        if view:
            self._run(ShieldOverrideDialog(view.directory_id, reason, self.window), ops.OVERRIDE_SHIELD,
                      self.window.show_override, about(view))

    def contact(self, involvement_id: int) -> None:
        view, reason = self._where()
        if view:
            dialog = ContactRequestDialog(view.directory_id, involvement_id, reason, view.la_team, self.window)
            self._prefill(dialog, view)
            self._run(dialog, ops.REQUEST_CONTACT, self._contact_sent,
                      about(view) + (" · an unspecified service" if involvement_id else ""))

    # -- sending -------------------------------------------------------------------------
    def _run(self, dialog: WorkDialog, op, after: Callable[[Any], None], context: str = "") -> None:
        self.close()
        dialog.set_context(context)
        self.dialog = dialog
        dialog.submitted.connect(lambda request: self._send(dialog, op, request, after))
        dialog.finished.connect(lambda _r: self._forget(dialog))
        dialog.open()

    def _send(self, dialog: WorkDialog, op, request, after) -> None:
        dialog.sent = request
        self.window.ctx.perform(op, request, lambda answer: self._done(dialog, answer, after),
                                lambda exc: self._refused(dialog, op, request, after, exc))

    def _done(self, dialog: WorkDialog, answer, after) -> None:
        dialog.done_ok()
        self._given(dialog.sent)
        after(answer)

    def _refused(self, dialog: WorkDialog, op, request, after, exc: BaseException) -> None:
        if type(exc).__name__ == "Queued":  # app.outbox.Queued: kept on this workstation, sent when it can be
            dialog.done_ok()
            self.window.record.say(QUEUED)
            return
        if isinstance(exc, Refusal) and exc.code == "involvement.conflict" and "version" in dict(exc.params):
            dialog.reject()
            self._conflict(op, request, after, exc)
            return
        dialog.show_error(explain(exc)[0])

    def _conflict(self, op, request, after, exc: Refusal) -> None:
        """A clear choice: see the change made elsewhere, or save mine over it (at the version now stored)."""
        box = QMessageBox(QMessageBox.Warning, "Changed elsewhere",
                          CONFLICT_CHOICE.format(words=explain(exc)[0]), parent=self.window)
        box.setObjectName("conflictChoice")
        reload = box.addButton("&Reload the record", QMessageBox.RejectRole)
        mine = box.addButton("&Save mine over it", QMessageBox.AcceptRole)
        latest = dataclasses.replace(request, version=int(dict(exc.params)["version"]))

        def chosen(button) -> None:
            if button is mine:
                self.window.ctx.perform(op, latest, after, lambda e: self.window.record.say(explain(e)[0]))
            else:
                self.window.reload_record()
        box.buttonClicked.connect(chosen)
        box.setDefaultButton(reload)
        self.choice = box
        box.open()

    def _forget(self, dialog: WorkDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def close(self) -> None:
        """Leaving the record (another record, Clear, lock): any dialog about it goes too."""
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        if self.choice is not None:
            self.choice.close()
            self.choice = None

    # -- afterwards -------------------------------------------------------------------------
    def _reload(self, words: str) -> Callable[[Any], None]:
        return lambda _answer: self.window.reload_record(lambda: self.window.record.say(words))

    def _recorded(self, recorded) -> None:
        text, told = others_words(recorded.others), recorded_words(recorded)

        def shown() -> None:
            self.window.record.say(told)
            self.window.record.show_others(text)
        self.window.reload_record(shown)

    def _contact_sent(self, _state) -> None:
        self.window.record.say(CONTACT_SENT)
        self.window.refresh_screens()
