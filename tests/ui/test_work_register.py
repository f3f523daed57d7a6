"""The organisation and role pickers in the real involvement dialog (issue 14 §2.3, R-REC-5): chosen from the
register and the service's titles; what is typed must be one of them; "Other…" asks the LA team, and once it
approves the new organisation it is in the list."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.ui.test_work_practice import LIVE_NBR, a_child, dialog_of, open_by_id, signed_in, type_into


def test_the_dialog_offers_the_register_and_refuses_what_is_not_in_it(qtbot, make_app):
    app = make_app()
    main = signed_in(qtbot, app)
    open_by_id(qtbot, main, a_child(app, LIVE_NBR))
    d = dialog_of(qtbot, main, "work")
    qtbot.waitUntil(lambda: d.organisation.count() > 20, timeout=10000)  # the LA's register arrived
    assert d.organisation.currentText() == "Northbridge Family Hub"  # one's own, chosen
    assert not d.role.isEnabled()  # a role is a service's
    d.service.setCurrentIndex(d.service.findData("social_care"))
    roles = [d.role.itemText(i) for i in range(d.role.count())]
    assert "Social worker" in roles and "Youth worker" not in roles and roles[-1].startswith("Other")
    type_into(qtbot, d.role.lineEdit(), "Concern: dad violent, bruises seen")
    type_into(qtbot, d.phone, "0191 555 0100")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.isVisible() and d.message.text().startswith("Choose your role from the list")
    assert d.role.hasFocus() and d.message.property("kind") == "error"
    type_into(qtbot, d.organisation.lineEdit(), "Hub - mum drinks, dad violent")
    type_into(qtbot, d.role.lineEdit(), "social worker")
    qtbot.mouseClick(d.ok, Qt.LeftButton)
    assert d.message.text().startswith("Choose your organisation from the list") and d.organisation.hasFocus()
    assert app.service.run_on_engine(lambda e: e.conn.execute(
        "SELECT count(*) FROM involvements WHERE organisation LIKE '%violent%' OR role LIKE '%violent%'"
    ).fetchone()[0]).result(5) == 0
    d.reject()


def test_other_asks_the_la_team_and_once_approved_the_organisation_is_in_the_list(qtbot, make_app):
    from tests.conftest import viewer_for
    app = make_app()
    main = signed_in(qtbot, app)
    open_by_id(qtbot, main, a_child(app, LIVE_NBR))
    d = dialog_of(qtbot, main, "work")
    qtbot.waitUntil(lambda: d.organisation.count() > 20, timeout=10000)
    other = d.organisation.count() - 1
    d.organisation.setCurrentIndex(other)
    d.organisation.activated.emit(other)
    assert d.pickers.other.isVisible() and d.pickers.other_name.hasFocus()
    qtbot.keyClicks(d.pickers.other_name, "Riverside Surgery")
    qtbot.keyClick(d.pickers.other_name, Qt.Key_Return)
    qtbot.waitUntil(lambda: "has been asked to add “Riverside Surgery”" in d.message.text(), timeout=10000)
    assert not d.pickers.other.isVisible() and d.message.property("kind") == "info"
    d.reject()
    la = app.service.run_on_engine(lambda e: viewer_for(e, "jo.la")).result(10)
    (entry,) = app.service.perform(ops.REGISTER_QUEUE, la, t.Nothing()).result(10)
    assert (entry.name, entry.requested_by) == ("Riverside Surgery", "alex.practitioner")
    app.service.perform(ops.DECIDE_REGISTER, la, t.RegisterDecision(entry.kind, entry.entry_id, True)).result(10)
    main.record_actions.vocabulary = None  # the window reads the lists again for its next dialog
    d = dialog_of(qtbot, main, "work")
    qtbot.waitUntil(lambda: d.organisation.findText("Riverside Surgery") >= 0, timeout=10000)
    d.reject()
