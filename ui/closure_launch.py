"""Opening the closure wizard from the app (R-CLOSE-1).

Before switch-off the LA team opens Closure from the menu to prepare; from the switch-off on the LA
team gets only the closure wizard and everyone else is told so and signed out.  When the directory
refuses every sign-in, the LA team user who prepared closure on this workstation still reaches the
wizard, after their token checks their PIN.  The decisions are Qt-free (``app.closure.startup``);
this module only opens, shows and closes the window, and keeps its work off the GUI thread.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.closure.mode import when_words

from .bridge import watch

if TYPE_CHECKING:  # the closure's modules load when closure is first needed, not at start-up
    from app.closure.loading import Prepared
    from app.session import Session
    from app.token.info import TokenEvent

    from .app import SignpostApp
    from .hand_in_token import HandInTokenDialog
    from .wizards.closure import ClosureWizard

log = logging.getLogger(__name__)
CLOSURE_MENU = "&Closure"  # Alt+C: no screen of the LA team's uses C (issue 14 §3.6)
DESTROYED = "Closure is complete: this workstation's local data was destroyed. Quit Signpost."


class ClosureLauncher:
    """The closure wizard of one app: ``wizard`` while it is open."""

    def __init__(self, app: SignpostApp) -> None:
        self.app = app
        self.wizard: ClosureWizard | None = None
        self.hand_in: HandInTokenDialog | None = None  # a practitioner's token reset, after the switch-off
        self.switched_off_at: datetime | None = None  # when the switch-off came, once it has
        self._destroyed = False
        self._pool: ThreadPoolExecutor | None = None

    # -- after a sign-in --------------------------------------------------------------------------
    def after_sign_in(self) -> None:
        """The LA team gets the Closure menu; from the switch-off on, only the closure wizard, and anyone
        else is signed out with a word on what to do with their token."""
        from PySide6.QtGui import QAction

        from app.closure import startup
        from app.model import Role

        app = self.app
        if app.main is None or app.session is None:
            return
        la_team = app.session.user.role is Role.LA_MANAGEMENT
        since = startup.switched_off(app.service.status() if app.service is not None else None, datetime.now(UTC))
        if since is not None and not la_team:
            self._hand_in(since)
            return
        if la_team:
            action = QAction("Open &closure tasks…", app.main)
            action.setObjectName("openClosure")
            action.setShortcut("Ctrl+Shift+C")
            action.triggered.connect(lambda _checked=False: self.open())
            app.main.menuBar().addMenu(CLOSURE_MENU).addAction(action)
        if since is not None:
            self.switched_off_at = since
            app.main.hide()
            self.open(closed=True)

    def switched_off(self) -> None:
        """The directory switched off during a session (R-CLOSE-1): the LA team gets only the closure tasks;
        anyone else is told and signed out."""
        from app.closure import startup
        from app.model import Role
        app = self.app
        if app.session is None or app.main is None:
            return
        if app.session.user.role is not Role.LA_MANAGEMENT:
            status = app.service.status() if app.service is not None else None
            self._hand_in(startup.switched_off(status, datetime.now(UTC)))
        elif self.wizard is None:
            app.main.hide()
            self.open(closed=True)

    def _hand_in(self, since: datetime | None) -> None:
        """A practitioner at the switch-off: signed out, told when it came and to reset their token to the
        transport PIN before handing it in, and offered that reset (R-CLOSE-1, R-CLOSE-2)."""
        from app.closure.reset import TRANSPORT_PIN

        from .refusals import closure_words
        app = self.app
        assert app.session is not None
        serial = app.session.serial
        note = (closure_words("closure.hand_in_note", when=when_words(since), pin=TRANSPORT_PIN) if since is not None
                else closure_words("closure.hand_in_note_now", pin=TRANSPORT_PIN))
        app.sign_out(note)
        self.offer_token_reset(serial, since)

    def offer_token_reset(self, serial: str, since: datetime | None) -> None:
        """R-CLOSE-2: the holder resets their own token to the transport PIN before handing it in, here and now."""
        from app.closure.reset import TRANSPORT_PIN

        from .hand_in_token import HandInTokenDialog
        from .refusals import closure_words
        app = self.app
        if app.tokens is None:
            return
        when = when_words(since) if since is not None else ""
        why = closure_words("closure.hand_in_token" if when else "closure.hand_in_token_now", when=when,
                            pin=TRANSPORT_PIN)
        if self.hand_in is not None:  # one offer at a time: the last sign-in's token
            self.hand_in.close()
        self.hand_in = HandInTokenDialog(app.tokens, serial, why, app.relay, app.signin)
        self.hand_in.open()

    def open(self, closed: bool = False) -> None:
        """Open the closure wizard: open the closure store, take the LA's register from the directory (if it
        answers) and set closure up, on a worker; the window opens when all that is done."""
        from app.model import Role

        from .refusals import closure_words
        app = self.app
        if self.wizard is not None:
            self.wizard.show()
            self.wizard.raise_()
            self.wizard.activateWindow()
            return
        if app.session is None or app.service is None or app.main is None:
            return
        if app.session.user.role is not Role.LA_MANAGEMENT:
            app.main.form.show_message(closure_words("closure.not_la_team"))
            return
        self._prepare(app.session, closed)

    def _prepare(self, session: Session, closed: bool) -> None:
        from app.closure.loading import prepare
        app = self.app
        user = session.user
        future = self._worker().submit(prepare, app.paths, app.store, actor=user.username, la_code=user.la_code,
                                       la_team=True, on_demand=not closed, directory=app.service,
                                       viewer=session.viewer())
        watch(app.relay, future, lambda p: self._ready(session, p, closed), self._failed)

    def _ready(self, session: Session, prepared: Prepared, closed: bool = False) -> None:
        app = self.app
        if session is not app.session or self.wizard is not None:
            prepared.store.close()
            return
        from .refusals import closure_words
        since = self.switched_off_at or prepared.mode.switch_off
        shut = prepared.mode.closed or closed
        why = closure_words("closure.switched_off_at", when=when_words(since)) if shut and since else ""
        self._show(prepared, session.user.username, session.serial, self._closed, closed=shut,
                   directory=app.service, viewer=session.viewer(), why=why)
        if self.wizard is not None:  # sec-audit: the directory's audit archive is checked against this (13 §1.4)
            self.wizard.ctx.audit_key = session.audit_key

    def _failed(self, exc: BaseException) -> None:
        from .refusals import closure_explain
        log.error("closure could not be opened", exc_info=exc)
        if self.app.main is not None:
            self.app.main.show()
            self.app.main.form.show_message(closure_explain(exc))

    def _closed(self) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is None:
            return
        wizard.deleteLater()
        if self._destroyed:
            self._destroyed = False
            self.app.sign_out(DESTROYED)
            self.app.signin.set_failed(DESTROYED)  # nothing is left to sign in to
        elif wizard.ctx.closed:  # switched off: nothing else to go back to
            self.app.sign_out()

    # -- after a refused sign-in --------------------------------------------------------------------
    def try_offline(self, exc: BaseException, username: str, serial: str, pin: str) -> bool:
        """After the switch-off the directory refuses every sign-in; with the network gone it cannot be
        reached at all. Either way the LA team user who prepared closure on this workstation still reaches
        the closure tasks, with no network, and is told why: their token and PIN are checked on the token
        itself, and the closure store must name them (R-CLOSE-1). True when that check was started (its
        answer opens the wizard or shows the refusal)."""
        from app.closure import startup
        from app.directory.interface import ServiceClosed
        app = self.app
        tokens = app.tokens
        if tokens is None or not startup.may_enter_offline(exc, app.paths):
            if isinstance(exc, ServiceClosed):  # switched off, and not who prepared closure here
                app.show_refusal(exc)
                self.offer_token_reset(serial, None)
                return True
            return False
        closed = isinstance(exc, ServiceClosed)
        future = self._worker().submit(startup.enter_offline, tokens, app.paths, app.store, username, serial, pin,
                                       service_closed=closed)
        watch(app.relay, future, lambda prepared: self._offline_ready(prepared, username, serial, exc, closed),
              app.show_refusal)
        return True

    def _offline_ready(self, prepared: Prepared | None, username: str, serial: str, exc: BaseException,
                       service_closed: bool) -> None:
        from .refusals import closure_words
        app = self.app
        if prepared is None:  # not the LA team user who prepared closure here
            app.show_refusal(exc)
            if service_closed:
                self.offer_token_reset(serial, None)
            return
        if self.wizard is not None:
            prepared.store.close()
            return
        app.signin.reset()
        app.signin.hide()
        if not service_closed and not prepared.mode.closed:
            why = closure_words("closure.unreachable")
        elif prepared.mode.switch_off is not None:
            why = closure_words("closure.switched_off_at", when=when_words(prepared.mode.switch_off))
        else:
            why = ""
        self._show(prepared, username, serial, self._offline_closed, closed=True, why=why)

    def _offline_closed(self) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()
        self.app.signin.reset()
        self.app.signin.show()
        if self._destroyed:
            self.app.signin.set_failed(DESTROYED)

    # -- the window -----------------------------------------------------------------------------------
    def _show(self, prepared: Prepared, username: str, serial: str, on_closed: Callable[[], None], *,
              closed: bool, directory: Any = None, viewer: Any = None, why: str = "") -> None:
        """``why``: why only the closure tasks are offered (the switch-off and when, or the directory out of reach)."""
        from app.closure.reset import TokenReset

        from .wizards.closure import ClosureContext, ClosureWizard
        app = self.app
        ctx = ClosureContext(prepared.register, prepared.checklist, actor=username, relay=app.relay,
                             store=prepared.store, clock=app.clock, closed=closed, present=lambda: list(app.present),
                             paths=app.paths, keystore=app.store, own_serial=serial, directory=directory,
                             viewer=viewer, facts=prepared.facts)
        ctx.synced = prepared.synced
        ctx.why_only_closure = why
        if app.tokens is not None:  # every PKCS#11 call on the app's one token thread
            ctx.tokens = TokenReset(service=app.tokens, progress=ctx.token_progress)
        self.wizard = ClosureWizard(ctx)
        self.wizard.closed.connect(on_closed)
        self.wizard.destroyed_local_data.connect(lambda _receipt: setattr(self, "_destroyed", True))
        self.wizard.show()
        self.wizard.activateWindow()

    def token_event(self, event: TokenEvent) -> None:
        """The batch sees tokens arrive and go."""
        if self.wizard is not None:
            self.wizard.ctx.token_event(event)

    def close(self) -> None:
        """Close the wizard without signing anyone out (the app is signing out); a token reset offered stays."""
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.closed.disconnect()
            wizard.close()
            wizard.deleteLater()

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="closure-open")
        return self._pool
