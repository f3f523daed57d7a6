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


def test_the_la_team_walks_closure_from_overview_to_the_destruction_receipt(qtbot, make_app, desk, tmp_path):
    """R-CLOSE-1..6 end to end, offline: overview, register, one reset by its holder, a batch by the LA
    team with the SO PINs imported, envelopes sent by recorded delivery, the checklist, the documents,
    and the local data destroyed with a receipt."""
    app = make_app()
    wizard = open_closure(qtbot, app)
    ctx = wizard.ctx
    assert not ctx.closed and wizard.current() == "overview"
    reg = ctx.register
    la_users = [u for u in desk.serials if u in ("alex.practitioner", "sam.cp", "morgan.mediator", "jo.la")]
    assert {serial_of(desk.serials[u]) for u in la_users} <= set(reg.tokens)  # the LA's issued tokens, from the directory
    overview = wizard.page("overview")
    assert f"{len(reg.tokens)} tokens issued · 0 collected · 0 reset and verified" in overview.facts["tokens"].text()

    # register and chase list: every token, all still with their holders
    qtbot.mouseClick(wizard.next, Qt.LeftButton)
    assert wizard.current() == "register"
    register = wizard.page("register")
    assert register.table.rowCount() == len(reg.tokens) and register.chase.rowCount() == len(reg.tokens)

    # one token reset by its holder (R-CLOSE-2): yes the holder is here, their PIN, verified
    alex = serial_of(desk.serials["alex.practitioner"])
    page = reset_one(qtbot, wizard, alex)
    assert page.message.text().startswith("Reset verified."), page.message.text()
    t = ctx.register.tokens[alex]
    assert t.reset_verified and t.reset_how == "holder" and t.reset_by == "jo.la"

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

    # envelopes: alex's token goes in the envelope for its kind, then every envelope is sent
    wizard.go("envelopes")
    env = wizard.page("envelopes")
    kind = reg.tokens[alex].used
    target = next(e.id for e in reg.envelopes.values() if e.used == kind)
    env.table.selectRow([r[0] for r in cells(env.table)].index(target))
    env.token.setCurrentIndex(env.token.findData(alex))
    qtbot.mouseClick(env.put, Qt.LeftButton)
    assert alex in ctx.register.envelopes[target].serials, env.message.text()
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

    # the documents (as far as the core makes them), then destruction with its receipt
    wizard.go("outputs")
    out = wizard.page("outputs")
    out.folder.setText(str(tmp_path / "closure-docs"))
    for kind, button in out.buttons.items():
        if button.isEnabled():
            n = out.saved.count()
            qtbot.mouseClick(button, Qt.LeftButton)
            qtbot.waitUntil(lambda: out.saved.count() > n or out.message.isVisible(), timeout=T)
            assert out.saved.count() > n, (kind, out.message.text())
    assert out.saved.count() >= 1  # the audit archive at least
    assert all(Path(out.saved.item(i).text()).exists() for i in range(out.saved.count()))

    pytest.importorskip("app.closure.destroy", reason="the core's destruction is not there yet")
    wizard.go("destroy")
    d = wizard.page("destroy")
    qtbot.waitUntil(lambda: d.what.count() > 0, timeout=T)
    qtbot.keyClicks(d.confirm, "DESTROY")
    qtbot.keyClick(d.confirm, Qt.Key_Return)
    assert "Save the closure documents first" in d.message.text()  # the box is not ticked
    assert d.confirm.text() == "DESTROY"  # kept: tick the box and press Enter again
    d.saved.setChecked(True)
    qtbot.keyClick(d.confirm, Qt.Key_Return)
    qtbot.waitUntil(lambda: d.done or not d.button.isEnabled() and d.message.isVisible(), timeout=T)
    assert d.done and d.receipt.isVisible(), d.message.text()
    assert d.receipt.count() >= 1 and "destroyed" in d.receipt_title.text()
    wizard.close()
    qtbot.waitUntil(lambda: app.session is None and app.signin.isVisible(), timeout=T)
    assert "local data was destroyed" in app.signin.status.text()
