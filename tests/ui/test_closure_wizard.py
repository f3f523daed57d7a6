"""The closure wizard in the real app (pytest-qt), with real SoftHSM training tokens and the embedded
training directory: no network, no directory service (R-CLOSE-1..6).

The reset flow runs on the wizard's worker; the tests answer its questions in the page's prompt panel
the way a person does (Yes/No buttons, a masked PIN field and Enter) and wait with qtbot.waitUntil.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit

from app.closure.register import RETURNED, serial_of
from app.training import TRAINING_PIN, TRAINING_SO_PIN
from tests.ui.test_app_flow import sign_in
from ui.wizards.closure.common import cell_is_late, cells
from ui.wizards.closure.prompts import CONFIRM, PIN

T = 20000


def open_closure(qtbot, app, username="jo.la"):
    sign_in(qtbot, app, username)
    qtbot.waitUntil(lambda: app.main is not None and app.main.isVisible(), timeout=T)
    action = app.main.findChild(QAction, "openClosure")
    assert action is not None, "the LA team has a Closure menu"
    action.trigger()
    qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
    return app.closure


def answer_yes(qtbot, panel, yes=True):
    qtbot.waitUntil(lambda: panel.pending() == CONFIRM, timeout=T)
    qtbot.mouseClick(panel.yes if yes else panel.no, Qt.LeftButton)


def type_pin(qtbot, panel, pin):
    qtbot.waitUntil(lambda: panel.pending() == PIN, timeout=T)
    assert panel.pin.echoMode() == QLineEdit.Password and panel.pin.hasFocus()
    qtbot.keyClicks(panel.pin, pin)
    qtbot.keyClick(panel.pin, Qt.Key_Return)
    assert panel.pin.text() == ""  # never left on screen


def reset_one(qtbot, wizard, serial, holder=True, pin=TRAINING_PIN):
    wizard.go("reset")
    page = wizard.page("reset")
    page.choose(serial)
    assert page.token.currentData() == serial
    qtbot.mouseClick(page.start, Qt.LeftButton)
    answer_yes(qtbot, page.panel, yes=holder)
    type_pin(qtbot, page.panel, pin)
    qtbot.waitUntil(lambda: not page.running(), timeout=T)
    return page


def seal_all(qtbot, wizard):
    """Count and scan every open envelope's tokens, as a barcode reader types them, and seal it."""
    env = wizard.page("envelopes")
    for r, eid in enumerate([row[0] for row in cells(env.table)]):
        e = wizard.ctx.register.envelopes[eid]
        if not e.open:
            continue
        env.table.selectRow(r)
        env.counted.setValue(e.count)
        for serial in e.serials:
            qtbot.keyClicks(env.scan, serial.lower())
            qtbot.keyClick(env.scan, Qt.Key_Return)
        qtbot.mouseClick(env.seal, Qt.LeftButton)
        assert wizard.ctx.register.envelopes[eid].sealed_at, env.message.text()


def save_output(qtbot, out, kind):
    n = out.saved.count()
    qtbot.mouseClick(out.buttons[kind], Qt.LeftButton)
    qtbot.waitUntil(lambda: out.saved.count() > n or out.message.isVisible(), timeout=60000)
    assert out.saved.count() > n, (kind, out.message.text())
    return [Path(out.saved.item(i).text()) for i in range(n, out.saved.count())]


def test_the_la_team_walks_closure_from_overview_to_the_destruction_receipt(qtbot, make_app, desk, tmp_path,
                                                                            monkeypatch):
    """R-CLOSE-1..6 end to end on the embedded directory: the directory's register (each holder's own
    organisation and contact), a national partner and the LA's address, one reset by its holder (put in its
    envelope), a batch by the LA team with the SO PINs imported, every envelope counted and scanned before it
    is sealed, its manifest and labels printed before it is sent, the LA's directory audit exported and
    verified, and the local data destroyed with a receipt, the window still fitting a 1400-pixel screen."""
    from PySide6.QtWidgets import QApplication
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the closure documents folder lives in the home folder
    app = make_app()
    wizard = open_closure(qtbot, app)
    ctx = wizard.ctx
    assert not ctx.closed and wizard.current() == "overview"
    reg = ctx.register
    la_users = [u for u in desk.serials if u in ("alex.practitioner", "sam.cp", "morgan.mediator", "jo.la")]
    assert {serial_of(desk.serials[u]) for u in la_users} <= set(reg.tokens)  # the LA's issued tokens
    alex = serial_of(desk.serials["alex.practitioner"])
    # rule R-CLOSE-3 (15 §3.4): the LA is the LA, each holder has their own organisation and contact
    assert reg.la == "Northbridge" and reg.token(alex).holder_organisation == "Northbridge Family Hub"
    assert reg.token(alex).phone == "07700 900101"
    overview = wizard.page("overview")
    assert f"{len(reg.tokens)} tokens issued · 0 collected · 0 reset and verified" in overview.facts["tokens"].text()
    assert overview.facts["register"].text().startswith("The directory's register")

    # 14 §2.2: a national partner chosen from the directory's organisations; the LA's own address for the labels
    qtbot.mouseClick(wizard.next, Qt.LeftButton)
    assert wizard.current() == "setup"
    setup = wizard.page("setup")
    setup.candidate.setCurrentText("Northbridge Contact Centre")
    qtbot.mouseClick(setup.add, Qt.LeftButton)
    morgan = serial_of(desk.serials["morgan.mediator"])
    assert reg.partners == ["Northbridge Contact Centre"] and reg.token(morgan).organisation == reg.partners[0]
    for line, text in zip(setup.sender, ["Children's Services, closure team", "Town Hall, 1 Market Street",
                                         "Northbridge", "NE1 4XX"], strict=True):
        qtbot.keyClicks(line, text)
    qtbot.mouseClick(setup.save, Qt.LeftButton)
    assert reg.sender[-1] == "NE1 4XX", setup.message.text()

    # register and chase list: every token, all still with their holders, each with their phone (15 §3.3)
    qtbot.mouseClick(wizard.next, Qt.LeftButton)
    assert wizard.current() == "register"
    register = wizard.page("register")
    assert register.table.rowCount() == len(reg.tokens) and register.chase.rowCount() == len(reg.tokens)
    assert any("07700 900101" in row for row in cells(register.chase))

    # one token reset by its holder (R-CLOSE-2): yes the holder is here, their PIN, verified, into its envelope
    page = reset_one(qtbot, wizard, alex)
    assert page.message.text().startswith(f"Token {alex}: Reset verified."), page.message.text()
    told = [page.panel.log.item(i).text() for i in range(page.panel.log.count())]
    assert "Resetting the PIN…" in told and told.index("Resetting the PIN…") < len(told) - 1  # progress shown
    t = ctx.register.tokens[alex]
    assert t.reset_verified and t.reset_how == "holder" and t.reset_by == "jo.la"
    assert t.envelope and f"Put it in envelope {t.envelope}." in page.message.text()  # 15 §3.5

    # the batch: SO PINs imported into the encrypted store, then every other token but the user's own
    own = serial_of(desk.serials["jo.la"])
    others = [s for s in ctx.register.tokens if s not in (alex, own)]
    pins = tmp_path / "so-pins.csv"
    pins.write_text("serial,so_pin\n" + "".join(f"{s},{TRAINING_SO_PIN}\n" for s in ctx.register.tokens))
    wizard.go("register")
    register.import_so_pins(pins)
    qtbot.waitUntil(lambda: "Security officer PINs kept" in register.message.text(), timeout=T)
    wizard.go("batch")
    batch = wizard.page("batch")
    assert batch.by_la.isChecked()
    qtbot.mouseClick(batch.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: batch.prompts is None and not batch.queue and len(batch.done_here) == len(others),
                    timeout=60000)
    assert batch.panel.pending() is None  # no question at all with the SO PINs imported
    assert sorted(batch.done_here) == sorted(others)
    assert any("the one you signed in with" in batch.panel.log.item(i).text() for i in range(batch.panel.log.count()))
    qtbot.waitUntil(lambda: batch.progress.format() == f"{len(others) + 1} of {len(ctx.register.tokens)} reset",
                    timeout=T)  # read back from the store after each token
    qtbot.mouseClick(batch.end, Qt.LeftButton)
    reg = ctx.register
    assert all(reg.tokens[s].reset_how == "la_team" and reg.tokens[s].envelope for s in others)
    partner_envelope = reg.envelopes[reg.tokens[morgan].envelope]  # the partner's own envelope (R-CLOSE-4)
    assert partner_envelope.organisation == "Northbridge Contact Centre" and partner_envelope.id.startswith("NCC-")

    # envelopes: a wrong count is refused; then each is counted, scanned and sealed (15 §3.6)
    wizard.go("envelopes")
    env = wizard.page("envelopes")
    first = cells(env.table)[0][0]
    env.table.selectRow(0)
    env.counted.setValue(reg.envelopes[first].count + 1)
    qtbot.mouseClick(env.seal, Qt.LeftButton)
    assert "You counted" in env.message.text() and not reg.envelopes[first].sealed_at
    seal_all(qtbot, wizard)
    env.table.selectRow(0)
    qtbot.keyClicks(env.ref, "RR000123456GB")
    qtbot.keyClick(env.ref, Qt.Key_Return)
    assert "Print the labels" in env.message.text() and reg.envelopes[first].sent_on is None  # 15 §3.1

    # the documents: a manifest for inside each envelope, the labels, chase letters, the report, both audits
    wizard.go("outputs")
    out = wizard.page("outputs")
    out.folder.setText(str(tmp_path / "home" / "Signpost closure"))
    for kind in ("manifest", "envelope_manifests", "labels", "chase_letters", "report", "closure_audit"):
        assert all(p.exists() for p in save_output(qtbot, out, kind))
    assert all(e.labels_at for e in reg.envelopes.values())
    wizard.go("destroy")
    d = wizard.page("destroy")
    qtbot.waitUntil(lambda: d.plan is not None, timeout=T)
    assert not d.button.isEnabled() and "directory audit archive" in d.message.text()  # 13 §1.7: not yet
    wizard.go("outputs")
    save_output(qtbot, out, "directory_audit")
    assert "VERIFIED" in out.message.text() and ctx.checklist.audit_export, out.message.text()
    assert ctx.checklist.entries["export_directory_audit"].status == "done"

    # each envelope posted, its reference from the counter's receipt typed after
    wizard.go("envelopes")
    for r, eid in enumerate([row[0] for row in cells(env.table)]):
        env.table.selectRow(r)
        qtbot.keyClicks(env.ref, f"RR{r:03d}123456GB")
        qtbot.keyClick(env.ref, Qt.Key_Return)
        assert ctx.register.envelopes[eid].sent_on == ctx.clock().isoformat(), env.message.text()
    assert all(ctx.register.tokens[s].state == RETURNED for s in [alex, *others])
    assert not any(cell_is_late(env.table, r) for r in range(env.table.rowCount()))

    # checklist: mark the first item done with a note of where the evidence is
    wizard.go("checklist")
    cl = wizard.page("checklist")
    cl.table.selectRow(0)
    key = cl.table.item(0, 0).data(Qt.UserRole)
    qtbot.keyClicks(cl.notes, "Minutes in the closure folder")
    qtbot.keyClick(cl.notes, Qt.Key_Return)
    entry = ctx.checklist.entries[key]
    assert entry.status == "done" and entry.marked_by == "jo.la" and entry.notes == "Minutes in the closure folder"

    # destruction: in words, what comes first, the files outside the data folder, then the receipt
    wizard.go("destroy")
    qtbot.waitUntil(lambda: d.plan is not None and d.plan.allowed, timeout=T)
    words = [d.what.item(i).text() for i in range(d.what.count())]
    assert any(w.startswith("The training security tokens' memory") for w in words), words
    assert "outside Signpost" in d.first.text() or "pkcs11-tool" in d.first.text()
    assert not any("/" in w.split(" (")[0] for w in words)  # words, not paths; the paths are in the details
    outside = [d.outside.item(i).text() for i in range(d.outside.count())]
    assert any("closure-report" in o for o in outside) and any("chase-letters" in o for o in outside)
    assert d.button.isEnabled()
    qtbot.keyClicks(d.confirm, "DESTROY")
    qtbot.keyClick(d.confirm, Qt.Key_Return)
    assert "Save the closure documents first" in d.message.text()  # the box is not ticked
    assert d.confirm.text() == "DESTROY"  # kept: tick the box and press Enter again
    d.saved.setChecked(True)
    qtbot.keyClick(d.confirm, Qt.Key_Return)
    qtbot.waitUntil(lambda: d.last_receipt is not None, timeout=T)
    assert d.done and d.receipt.isVisible(), [d.receipt.item(i).text() for i in range(d.receipt.count())]
    assert "destroyed" in d.receipt_title.text() and not d.last_receipt.failed
    QApplication.processEvents()
    assert wizard.width() <= 1400 and wizard.minimumSizeHint().width() <= 1400  # 15 §3.7: still fits the screen
    assert not (tmp_path / "home" / "Signpost closure" / f"chase-letters-{ctx.clock().isoformat()}.pdf").exists()
    assert any(p.name.startswith("closure-report") for p in (tmp_path / "home" / "Signpost closure").iterdir())
    wizard.close()
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)
    assert "local data was destroyed" in app.signin.status.text()


# -- the pages' failure messages, with a stand-in for the token thread -----------------------------------
# (the real PKCS#11 outcomes are tested on SoftHSM in tests/closure; here: what the person reads)
from concurrent.futures import Future  # noqa: E402
from datetime import date, datetime  # noqa: E402

from app.closure.plan import Checklist, Plan  # noqa: E402
from app.closure.register import Register  # noqa: E402
from app.closure.reset import ResetOutcome, ResetResult, TokenState  # noqa: E402
from ui.bridge import Relay  # noqa: E402
from ui.wizards.closure import ClosureContext, ClosureWizard, QtPrompts  # noqa: E402

SERIAL = "ABC123"


def done(value) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


class StandInTokens:
    """Answers like ``TokenReset``: a token's flags, then each call's ``ResetResult``."""

    def __init__(self, present=True, user_locked=False, so_low=False, so_locked=False,
                 holder=ResetOutcome.RESET, la=ResetOutcome.RESET, verify=ResetOutcome.VERIFIED, messages=None):
        self.present, self.flags = present, dict(user_pin_locked=user_locked, so_pin_count_low=so_low,
                                                 so_pin_locked=so_locked)
        self.outcomes = {"holder": holder, "la": la, "verify": verify}
        self.messages = messages or {}
        self.calls: list[str] = []

    def state(self, serial):
        self.calls.append("state")
        return done(TokenState(serial, "t", 4, 255, self.flags["user_pin_locked"], False,
                               self.flags["so_pin_count_low"], False, self.flags["so_pin_locked"])
                    if self.present else None)

    def _result(self, which):
        self.calls.append(which)
        o = self.outcomes[which]
        return done(ResetResult(o, self.messages.get(which, f"({o.value})")))

    def holder_reset(self, serial, pin, transport):
        return self._result("holder")

    def la_reset(self, serial, pin, transport):
        return self._result("la")

    def verify(self, serial, transport):
        return self._result("verify")


_STAND_IN = object()  # make()'s default: a stand-in token service (None means there is none)


@pytest.fixture
def wizard(qtbot):
    made = []

    def make(tokens: object = _STAND_IN, today=date(2026, 11, 21), switch_off=date(2026, 11, 1), closed=False):
        reg = Register("Northbridge Council", switch_off, ["National Partner"])
        reg.add_token(SERIAL, "Alex Practitioner", "Northbridge Council", True, username="alex.practitioner")
        relay = Relay()
        ctx = ClosureContext(reg, Checklist(Plan.default(), switch_off), actor="jo.la", relay=relay,
                             tokens=StandInTokens() if tokens is _STAND_IN else tokens,
                             clock=lambda: today, closed=closed,
                             present=lambda: [SERIAL.lower()])
        w = ClosureWizard(ctx)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w
    yield make
    for w in made:
        w.close()


def run_reset(qtbot, w, answers):
    """Start the reset page's flow and answer its questions in order: True/False for yes/no, str for a PIN."""
    w.go("reset")
    page = w.page("reset")
    qtbot.mouseClick(page.start, Qt.LeftButton)
    for a in answers:
        if isinstance(a, bool):
            answer_yes(qtbot, page.panel, yes=a)
        else:
            type_pin(qtbot, page.panel, a)
    qtbot.waitUntil(lambda: not page.running(), timeout=T)
    return page


def test_a_holder_reset_is_recorded_only_once_verified_and_the_serial_the_token_reports_is_used(qtbot, wizard):
    tokens = StandInTokens()
    w = wizard(tokens)
    page = run_reset(qtbot, w, [True, "4321"])
    assert page.message.text().startswith(f"Token {SERIAL}: Reset verified.")
    assert page.message.property("kind") == "info"
    t = w.ctx.register.tokens[SERIAL]
    assert t.reset_how == "holder" and t.state == "collected"
    assert tokens.calls == ["state", "holder", "verify"]
    assert page.last_state.serial == SERIAL.lower()  # the token thread looks for the token's own serial


def test_transport_pin_rejected_says_so_and_records_nothing(qtbot, wizard):
    msg = "Token abc123 does not accept the transport PIN (its PINs must be 6 to 8 characters); nothing was changed."
    w = wizard(StandInTokens(holder=ResetOutcome.TRANSPORT_PIN_REJECTED, messages={"holder": msg}))
    page = run_reset(qtbot, w, [True, "4321"])
    assert page.message.text() == f"Token {SERIAL}: The token's rules reject the transport PIN. {msg}"
    assert page.message.property("kind") == "error"
    assert not w.ctx.register.tokens[SERIAL].reset_verified and w.ctx.register.tokens[SERIAL].state == "missing"


def test_a_blocked_user_pin_goes_to_the_la_path_with_the_so_pin(qtbot, wizard):
    tokens = StandInTokens(user_locked=True)
    w = wizard(tokens)
    w.go("reset")
    page = w.page("reset")
    qtbot.mouseClick(page.start, Qt.LeftButton)
    type_pin(qtbot, page.panel, "so-pin")  # no "is the holder here?": straight to the SO PIN
    qtbot.waitUntil(lambda: not page.running(), timeout=T)
    told = [page.panel.log.item(i).text() for i in range(page.panel.log.count())]
    assert told[0] == "This token's PIN is blocked; the LA team resets it with the security officer PIN."
    assert w.ctx.register.tokens[SERIAL].reset_how == "la_team"


def test_few_so_tries_left_warns_and_declining_records_nothing(qtbot, wizard):
    tokens = StandInTokens(so_low=True)
    w = wizard(tokens)
    w.go("reset")
    page = w.page("reset")
    qtbot.mouseClick(page.start, Qt.LeftButton)
    answer_yes(qtbot, page.panel, yes=False)  # the holder is not here
    qtbot.waitUntil(lambda: page.panel.pending() == CONFIRM, timeout=T)
    assert "only a few tries left before it is blocked for good" in page.panel.question.text()
    qtbot.mouseClick(page.panel.no, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.running(), timeout=T)
    assert page.message.text() == f"Token {SERIAL}: Cancelled: nothing recorded."
    assert "la" not in tokens.calls and not w.ctx.register.tokens[SERIAL].reset_verified


def test_a_blocked_so_pin_cannot_reset_and_returns_the_token_as_blocked(qtbot, wizard):
    w = wizard(StandInTokens(so_locked=True))
    page = run_reset(qtbot, w, [False])
    assert page.message.text().startswith(f"Token {SERIAL}: Cannot reset: return as blocked.")
    assert w.ctx.register.tokens[SERIAL].state == "returned_blocked"
    assert w.page("overview").facts["tokens"].text().endswith("1 to return as blocked")


def test_a_pulled_token_records_nothing(qtbot, wizard):
    w = wizard(StandInTokens(present=False))
    page = run_reset(qtbot, w, [])
    assert page.message.text().startswith(f"Token {SERIAL}: Token pulled: nothing recorded.")
    assert w.ctx.register.tokens[SERIAL].state == "missing"


def test_no_token_service_says_what_to_do(qtbot, wizard):
    w = wizard(tokens=None)
    w.go("reset")
    qtbot.mouseClick(w.page("reset").start, Qt.LeftButton)
    assert "security token service is not running" in w.page("reset").message.text()


def test_prompts_refuse_to_wait_on_the_gui_thread(qtbot):
    """The GUI thread never waits for an answer (it would freeze the window it waits on)."""
    from ui.wizards.closure import PromptPanel
    panel = PromptPanel()
    qtbot.addWidget(panel)
    with pytest.raises(RuntimeError):
        QtPrompts(Relay(), panel).ask_pin("the token's current PIN")


def test_closing_the_wizard_mid_question_cancels_the_reset_and_records_nothing(qtbot, wizard):
    w = wizard()
    w.go("reset")
    page = w.page("reset")
    qtbot.mouseClick(page.start, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.panel.pending() == CONFIRM, timeout=T)
    prompts = page.prompts
    w.close()
    qtbot.waitUntil(lambda: prompts.cancelled, timeout=T)
    assert w.ctx.register.tokens[SERIAL].state == "missing"


def test_late_envelopes_and_overdue_items_stand_out(qtbot, wizard):
    """R-CLOSE-4: after the return deadline an unsent envelope is marked late; R-CLOSE-5: overdue first."""
    w = wizard(today=date(2026, 11, 21), switch_off=date(2026, 11, 1))
    reg = w.ctx.register
    reg.record_reset(SERIAL, "holder", "jo.la", datetime(2026, 11, 2, 10))
    reg.new_envelope("E1", "Northbridge Council", True)
    reg.put_in_envelope(SERIAL, "E1")
    w.ctx.changed.emit()
    w.go("envelopes")
    env = w.page("envelopes")
    assert cells(env.table)[0][5] == "LATE: not sent by the deadline" and cell_is_late(env.table, 0)
    assert "passed" in env.deadline.text()
    w.go("checklist")
    cl = w.page("checklist")
    overdue = w.ctx.checklist.overdue(date(2026, 11, 21))
    assert overdue and cells(cl.table)[0][3] == "OVERDUE" and cell_is_late(cl.table, 0)
    assert w.page("overview").facts["overdue"].text().startswith(f"{len(overdue)} overdue")


def test_register_refusals_read_as_the_core_words_them(qtbot, wizard):
    """Sending an empty envelope, a bad delivery reference: the core's words, nothing changed."""
    w = wizard()
    w.ctx.register.new_envelope("E1", "Northbridge Council", True)
    w.ctx.changed.emit()
    w.go("envelopes")
    env = w.page("envelopes")
    env.table.selectRow(0)
    qtbot.keyClicks(env.ref, "RR123456GB")
    qtbot.keyClick(env.ref, Qt.Key_Return)
    assert env.message.text() == "Envelope E1 is empty." and w.ctx.register.envelopes["E1"].sent_on is None


def test_every_page_is_reached_by_keyboard_and_has_alt_shortcuts(qtbot, wizard):
    """Next (Alt+N, or Space on the focused button) walks the wizard's order; Back returns; each page's
    buttons carry an Alt shortcut."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QPushButton
    w = wizard()
    assert w.next.shortcut() == QKeySequence("Alt+N") and w.back.shortcut() == QKeySequence("Alt+B")
    seen = [w.current()]
    for _ in range(10):
        if not w.next.isEnabled():
            break
        w.next.setFocus()
        qtbot.keyClick(w.next, Qt.Key_Space)
        seen.append(w.current())
    assert seen == ["overview", "setup", "register", "batch", "envelopes", "checklist", "outputs", "destroy"]
    qtbot.mouseClick(w.back, Qt.LeftButton)
    assert w.current() == "outputs"
    for key, page in w.pages.items():
        for b in page.findChildren(QPushButton):
            if b.isVisibleTo(page) and b.text():
                assert "&" in b.text(), (key, b.text())


# -- real SoftHSM tokens in the real app -------------------------------------------------------------------
def test_a_wrong_holder_pin_says_so_and_a_token_pulled_at_the_pin_prompt_records_nothing(qtbot, make_app, desk):
    """R-CLOSE-2 on a real token: the old PIN wrong -> said, asked to try again; the token pulled while
    the PIN is asked -> "Token pulled: nothing recorded", the register unchanged."""
    app = make_app()
    wizard = open_closure(qtbot, app)
    sam = serial_of(desk.serials["sam.cp"])
    wizard.go("reset")
    page = wizard.page("reset")
    page.choose(sam)
    qtbot.mouseClick(page.start, Qt.LeftButton)
    answer_yes(qtbot, page.panel)
    type_pin(qtbot, page.panel, "999999")
    qtbot.waitUntil(lambda: page.panel.pending() == CONFIRM, timeout=T)
    assert "The old PIN is not correct; nothing was changed." in page.panel.last.text()
    assert page.panel.question.text() == "Try the PIN again?"
    qtbot.mouseClick(page.panel.yes, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.panel.pending() == PIN, timeout=T)
    desk.pull_user("sam.cp")
    type_pin(qtbot, page.panel, TRAINING_PIN)
    qtbot.waitUntil(lambda: not page.running(), timeout=T)
    assert page.message.text().startswith(f"Token {sam}: Token pulled: nothing recorded."), page.message.text()
    t = wizard.ctx.register.tokens[sam]
    assert not t.reset_verified and t.state == "missing"
    assert app.main is not None and app.session is not None and not app.session.locked  # jo.la's own token stayed


def test_after_switch_off_a_practitioner_is_told_to_reset_their_token_and_does_it_in_place(qtbot, make_app,
                                                                                           monkeypatch):
    """R-CLOSE-2, seed 000 ("ask users to reset tokens to the transport PIN 1234 before returning tokens"): the
    practitioner signed out at the switch-off is told when it came and to reset the token first, and is offered
    the reset there: their current PIN, then the token verified with the transport PIN."""
    from ui.hand_in_token import DONE
    monkeypatch.setenv("SIGNPOST_SWITCH_OFF", "2026-01-01")  # a date alone: noon, Europe/London (seed 000)
    app = make_app()
    sign_in(qtbot, app, "alex.practitioner")
    qtbot.waitUntil(lambda: app.closure_launcher.hand_in is not None and app.closure_launcher.hand_in.isVisible(),
                    timeout=T)
    assert app.session is None
    note = app.signin.status.text()
    assert "switched off at 12:00 on 1 January 2026" in note and "transport PIN 1234" in note
    dialog = app.closure_launcher.hand_in
    assert "transport PIN 1234" in dialog.words.text() and "type your current PIN" in dialog.words.text()
    qtbot.keyClicks(dialog.pin, "999999")  # a wrong PIN changes nothing and says so
    qtbot.mouseClick(dialog.reset_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.reset_button.isEnabled() and "not correct" in dialog.message.text(), timeout=T)
    qtbot.keyClicks(dialog.pin, TRAINING_PIN)
    qtbot.mouseClick(dialog.reset_button, Qt.LeftButton)
    serial = dialog.serial
    qtbot.waitUntil(lambda: dialog.message.text() == DONE.format(serial=serial, pin="1234"), timeout=T)
    app.tokens.login(serial, "1234").result(T / 1000)  # the token opens with the transport PIN now
    app.tokens.logout(serial).result(T / 1000)
    dialog.reject()


def test_after_switch_off_the_la_team_gets_only_closure_and_others_are_told(qtbot, make_app, monkeypatch):
    """R-CLOSE-1: from the switch-off the client offers only the closure tasks (here with no directory
    answering the token register: the wizard opens from the local closure store all the same)."""
    from app.directory.interface import Unreachable
    monkeypatch.setenv("SIGNPOST_SWITCH_OFF", "2026-01-01T17:00:00+00:00")
    app = make_app()
    sign_in(qtbot, app, "alex.practitioner")
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible() and bool(app.signin.status.text()),
                    timeout=T)
    assert "switched off at 17:00 on 1 January 2026" in app.signin.status.text()
    assert "hand the token to your LA team" in app.signin.status.text()
    app.closure_launcher.hand_in.reject()

    def offline(*_args, **_kwargs):
        f: Future = Future()
        f.set_exception(Unreachable())
        return f
    monkeypatch.setattr(app.service, "perform", offline)
    app.signin.username.clear()
    sign_in(qtbot, app, "jo.la")
    qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
    assert not app.main.isVisible() and app.closure.ctx.closed
    assert "switched off" in app.closure.page("overview").mode.text()
    assert "the directory did not answer" in app.closure.page("overview").facts["register"].text()
    assert app.closure.page("overview").switch_off.isReadOnly()
    app.closure.close()  # nothing else to go back to: signed out
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)


def test_after_the_directory_switched_off_only_the_la_team_reaches_closure(qtbot, make_app, monkeypatch):
    """R-CLOSE-1 with the directory itself switched off: others cannot sign in; the LA team gets only the
    wizard. And where the service refuses every sign-in (ServiceClosed), the LA team user who prepared
    closure on this workstation still reaches it offline, their token and PIN checked on the token."""
    import time

    from app.directory.interface import ServiceClosed
    app = make_app()
    wizard = open_closure(qtbot, app)  # prepared on demand before the switch-off
    wizard.close()
    app.sign_out()
    app.service.run_on_engine(lambda d: d.set_switch_off(time.time() - 60, "test")).result(10)
    app.signin.username.clear()
    sign_in(qtbot, app, "alex.practitioner")
    qtbot.waitUntil(lambda: bool(app.signin.status.text()), timeout=T)
    assert app.closure is None and app.session is None
    app.signin.username.clear()
    sign_in(qtbot, app, "jo.la")
    qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
    assert app.closure.ctx.closed and not app.main.isVisible()
    app.closure.close()
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)

    def closed_service(*_args):
        f: Future = Future()
        f.set_exception(ServiceClosed(detail="switched off"))
        return f
    monkeypatch.setattr(app.sessions, "sign_in", closed_service)
    app.signin.username.clear()
    sign_in(qtbot, app, "jo.la", pin="999999")  # a wrong PIN opens nothing
    qtbot.waitUntil(lambda: "PIN" in app.signin.status.text(), timeout=T)
    assert app.closure is None
    app.signin.username.clear()
    sign_in(qtbot, app, "jo.la")
    qtbot.waitUntil(lambda: app.closure is not None and app.closure.isVisible(), timeout=T)
    assert app.closure.ctx.closed and app.session is None and not app.signin.isVisible()
    assert app.closure.ctx.register.tokens  # the register kept in the closure store, no network
    app.closure.close()
    qtbot.waitUntil(lambda: app.signin.isVisible(), timeout=T)


# -- acting on the right item (issue 15 §3.5), the window's size (§3.7), progress (§3.9) ---------------------
OTHER = "XYZ789"


def two_tokens(w, *more):
    w.ctx.register.add_token(OTHER, "Sam Okoro", "Northbridge Council", False, username="sam.cp")
    for serial in more:
        w.ctx.register.add_token(serial, "Morgan Reid", "Northbridge Council", True)
    w.ctx.changed.emit()


def test_every_reset_message_names_its_token_and_goes_when_the_person_chooses_another(qtbot, wizard):
    """15 §3.5: after a reset the list moves on to the next token; the message still names the token it is
    about, and it goes as soon as the person chooses another token (not before)."""
    w = wizard()
    two_tokens(w, "MNO456")
    page = run_reset(qtbot, w, [True, "4321"])
    assert page.message.text().startswith(f"Token {SERIAL}: Reset verified.") and page.message.isVisible()
    assert page.token.currentData() != SERIAL  # the reset token left the list: another one is shown ...
    page.token.setFocus()
    qtbot.keyClick(page.token, Qt.Key_Down)  # ... and choosing a token is what clears the message
    assert page.token.currentIndex() == 1
    assert not page.message.isVisible() or page.message.text() == ""


def test_a_token_reset_on_its_own_goes_into_its_envelope_asking_first_whether_it_was_used(qtbot, wizard):
    """15 §3.5, R-CLOSE-4: as in a batch, a token reset on "Reset one token" goes into the open envelope for
    its organisation and use; when the register does not know the use, that is asked first."""
    w = wizard()
    w.ctx.register.tokens[SERIAL].used = None
    page = run_reset(qtbot, w, [False, True, "4321"])  # used? no. holder here? yes. PIN.
    t = w.ctx.register.tokens[SERIAL]
    assert t.used is False and t.envelope and t.envelope.endswith("UNUSED-1")
    assert page.message.text().endswith(f"Put it in envelope {t.envelope}.")


def test_the_checklist_editor_shows_the_chosen_rows_own_status_and_notes(qtbot, wizard):
    """15 §3.5: choosing another row never carries the previous row's status and evidence over."""
    w = wizard()
    w.go("checklist")
    cl = w.page("checklist")
    cl.table.selectRow(0)
    first = cl.table.item(0, 0).data(Qt.UserRole)
    cl.status.setCurrentIndex(cl.status.findData("not_applicable"))
    qtbot.keyClicks(cl.notes, "Not ours: the county runs it")
    qtbot.mouseClick(cl.mark_button, Qt.LeftButton)
    assert w.ctx.checklist.entries[first].status == "not_applicable"
    row = next(r for r in range(cl.table.rowCount()) if cl.table.item(r, 0).data(Qt.UserRole) != first
               and w.ctx.checklist.entries[cl.table.item(r, 0).data(Qt.UserRole)].status == "to_do")
    cl.table.selectRow(row)
    assert cl.status.currentData() == "done" and cl.notes.text() == ""  # a to-do row proposes Done, no notes
    back = next(r for r in range(cl.table.rowCount()) if cl.table.item(r, 0).data(Qt.UserRole) == first)
    cl.table.selectRow(back)
    assert cl.status.currentData() == "not_applicable" and cl.notes.text() == "Not ours: the county runs it"


def test_the_envelope_buttons_stay_where_they_are_when_a_message_appears(qtbot, wizard):
    """15 §3.5: a message line that appears moves nothing the person is about to press."""
    w = wizard()
    w.go("envelopes")
    env = w.page("envelopes")
    qtbot.waitUntil(env.isVisible, timeout=T)
    buttons = (env.create, env.put, env.seal, env.send)
    before = [b.mapTo(w, b.rect().topLeft()) for b in buttons]
    assert not env.message.isVisible()
    qtbot.mouseClick(env.seal, Qt.LeftButton)  # no envelope chosen: a message
    assert env.message.isVisible() and "Choose an envelope" in env.message.text()
    qtbot.wait(1)  # one turn of the event loop: the layout settles
    assert [b.mapTo(w, b.rect().topLeft()) for b in buttons] == before


def test_after_destroy_the_window_still_fits_a_1400_pixel_screen(qtbot, wizard):
    """15 §3.7: a long receipt (long paths, failures) scrolls inside the window; the window never grows."""
    from PySide6.QtWidgets import QApplication

    from app.closure.destroy import Receipt
    w = wizard()
    w.resize(1180, 720)
    w.go("destroy")
    page = w.page("destroy")
    long = "/home/practitioner/" + "a-very-long-folder-name/" * 12 + "closure-report-2026-08-14.pdf"
    receipt = Receipt("2026-08-14T10:00:00+00:00", "jo.la", tuple(f"{long}{i}" for i in range(40)), (long,),
                      (f"keyring: localcache-key:jo.la (the keyring said: {long})",), "closure-archive/x.json",
                      "/home/practitioner/.local/share/signpost/closure-archive/closure-receipt-" + "x" * 120)
    page._destroyed(receipt)
    QApplication.processEvents()
    assert w.minimumSizeHint().width() <= 1400 and w.width() <= 1400
    assert page.receipt.item(0).text().startswith("NOT destroyed: keyring: localcache-key:jo.la")
    assert page.button.isEnabled() and "destroy again" in page.receipt_title.text()  # a run again is offered


def test_the_overview_shows_progress_against_the_return_deadline(qtbot, wizard):
    """15 §3.9: how many tokens went back by recorded delivery, of how many, and the days left."""
    w = wizard(today=date(2026, 11, 4), switch_off=date(2026, 11, 1))
    two_tokens(w)
    reg = w.ctx.register
    reg.return_deadline = date(2026, 11, 8)
    reg.record_reset(SERIAL, "holder", "jo.la", datetime(2026, 11, 2, 10))
    eid = reg.place(SERIAL, 50)
    reg.seal(eid, 1, [SERIAL], "jo.la", datetime(2026, 11, 2, 11))
    reg.labels_made([eid], datetime(2026, 11, 2, 11))
    reg.send(eid, "RR123456789GB", date(2026, 11, 3))
    w.ctx.changed.emit()
    o = w.page("overview")
    assert o.progress.format() == "1 of 2 tokens sent back by recorded delivery" and o.progress.value() == 1
    assert o.facts["deadline"].text() == "8 Nov 2026 — 4 days left"
