"""The main window against a stand-in directory service (no built directory needed):
the Match column's words, the looser-matches note, Clear, acting for a colleague,
reasons by role, Alt shortcuts and visible keyboard focus."""
from __future__ import annotations

from concurrent.futures import Future
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton

from app.directory import DirectoryStatus
from app.directory.work.types import RegisteredColleague
from app.model import AccessReason, Colleague, Gender, Match, Name, RecordView, Role, SearchHit, User, Viewer
from app.search import Outcome
from ui.main_window import MainWindow
from ui.results_model import COLUMNS
from ui.search_form import SearchForm
from ui.wording import MATCH_WORDS

TODAY = date(2026, 11, 21)
SESSION = "session-from-sign-in"
MATCH = COLUMNS.index("Match")


def user(role: Role) -> User:
    return User(f"{role.value}.user", "Morgan Reid", role, "NBR", "Northbridge Contact Centre", True, True,
                date(2025, 1, 1))


def hit(did="123 456 7890", match=()) -> SearchHit:
    return SearchHit(did, Name("Poppy", "Smith"), date(2015, 6, 8), Gender.FEMALE, "Gateshead", tuple(match))


def record(did="123 456 7890") -> RecordView:
    return RecordView(did, Name("Poppy", "Smith"), (), date(2015, 6, 8), Gender.FEMALE, shielded=False,
                      shield_applied=False)


class FakeDirectory:
    """The directory interface, answering ``search(…)``, ``view_record(…)`` from ``answers[name]``
    with futures as the real ones do; keeps every call."""

    def __init__(self, **answers) -> None:
        self.answers = answers
        self.calls: list[tuple[str, tuple]] = []

    def status(self) -> DirectoryStatus:
        return DirectoryStatus("training", "Training directory", True, None)

    def health(self) -> Future:
        self.calls.append(("health", ()))
        return _done(None)

    def last_used(self, session: str) -> float | None:
        return None

    def perform(self, op, viewer, request, key=None) -> Future:
        """Work operations (issue 8): ``answers[op.name]`` or, for a list, nothing yet."""
        self.calls.append((op.name, (viewer, request, key)))
        future: Future = Future()
        try:
            answer = self.answers.get(op.name)
            future.set_result(answer(viewer, request) if callable(answer) else (answer if answer is not None else ()))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def __getattr__(self, name: str):
        if name not in ("search", "view_record"):
            raise AttributeError(name)

        def call(*args) -> Future:
            self.calls.append((name, args))
            future: Future = Future()
            try:
                future.set_result(self.answers[name](*args))
            except Exception as exc:
                future.set_exception(exc)
            return future
        return call


@pytest.fixture
def window(qtbot):
    def make(role=Role.PRACTITIONER, **answers):
        answers.setdefault("colleagues", REGISTERED)
        service = FakeDirectory(**answers)
        main = MainWindow(service, user(role), clock=lambda: TODAY, session=SESSION)
        qtbot.addWidget(main)
        main.show()
        return main, service
    return make


REGISTERED = (RegisteredColleague("ann.lee", "Dr Ann Lee", "Paediatrician", "Northbridge CAMHS"),
              RegisteredColleague("raj.patel", "Raj Patel", "Youth worker", "Northbridge Youth Service"))


def choose(form, colleague: Colleague) -> None:
    """R-ROLE-2: a registered colleague, chosen from the list (never typed)."""
    i = form.colleague_choice.findData(colleague.username)
    assert i > 0, f"{colleague} is not on the list"
    form.colleague_choice.setCurrentIndex(i)


def fill_and_search(qtbot, main, colleague: Colleague | None = None):
    form = main.form
    form.reason.setCurrentIndex(1)
    if colleague:
        choose(form, colleague)
    form.inputs["family_name"].setText("Smith")
    form.inputs["dob"].setText("08/06/2015")
    qtbot.keyClick(form.inputs["family_name"], Qt.Key_Return)


def test_match_column_says_how_each_result_matched(qtbot, window):
    """R-SEARCH-4: each hit explains itself in words; exact ones say Exact."""
    hits = (hit("111 111 1111"), hit("222 222 2222", (Match.SOUNDS_LIKE, Match.DOB_SWAPPED)),
            hit("333 333 3333", (Match.FORMER_NAME,)))
    main, _ = window(search=lambda *a: Outcome(hits=hits))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 3)
    assert main.results.headerData(MATCH, Qt.Horizontal) == "Match"
    shown = [main.results.data(main.results.index(r, MATCH)) for r in range(3)]
    assert shown == ["Exact", "Sounds like, Day and month swapped", "Former name"]
    assert not main.results_note.isVisible()


@pytest.mark.parametrize("match, kind", [((Match.NICKNAME,), "nickname"), ((Match.SOUNDS_LIKE,), "sounds like")])
def test_an_answer_of_only_loose_matches_says_how_loose_in_its_match_words_and_count_line(qtbot, window, match,
                                                                                          kind):
    """R-SEARCH-4: a nickname or sound-alike hit that is the only answer must not pass for the child searched."""
    main, _ = window(search=lambda *a: Outcome(hits=(hit(match=match),)))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    assert main.results.data(main.results.index(0, MATCH)) == f"Loose match: {kind}"
    assert "different child" in main.results.data(main.results.index(0, MATCH), Qt.ToolTipRole)
    line = main.form.message.text()
    assert line.startswith("No child matches exactly. 1 child matches only loosely") and kind in line
    assert "different child" in line


def test_a_loose_match_beside_a_close_one_is_listed_as_usual(qtbot, window):
    hits = (hit("111 111 1111"), hit("222 222 2222", (Match.NICKNAME,)))
    main, _ = window(search=lambda *a: Outcome(hits=hits))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 2)
    assert [main.results.data(main.results.index(r, MATCH)) for r in range(2)] == ["Exact", "Nickname"]
    assert main.form.message.text().startswith("2 children match. Open a result")


def test_every_match_kind_has_words():
    assert set(MATCH_WORDS) == set(Match)
    assert len(set(MATCH_WORDS.values())) == len(Match)


def test_looser_matches_left_out_are_mentioned_under_the_results(qtbot, window):
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),), notice="looser_left_out", params={"shown": 1},
                                               looser_left_out=True))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    assert main.results_note.isVisible()
    note = main.results_note.text()
    assert "left out" in note and "detail" in note.lower()
    main.form.clear_button.click()
    assert not main.results_note.isVisible() and main.results_note.text() == ""


def test_requests_carry_the_sign_in_session_and_open_by_directory_id(qtbot, window):
    """Anti-trawling: the directory knows the session; a record opens by the directory id shown."""
    main, service = window(search=lambda *a: Outcome(hits=(hit("987 654 3210"),)),
                           view_record=lambda viewer, did, reason: record(did))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Poppy Smith" in main.record.browser.toPlainText())
    (name1, (viewer1, _, _)), (name2, (viewer2, did, _)) = [c for c in service.calls
                                                           if c[0] in ("search", "view_record")]
    assert (name1, name2) == ("search", "view_record")
    assert isinstance(viewer1, Viewer) and viewer1.session == viewer2.session == SESSION
    assert did == "987 654 3210"


def test_a_refusal_shows_the_directorys_own_words(qtbot, window):
    """Refusals (rate limits included) reach the user as the directory words them."""
    from app.directory import AccessRefused
    refusal = AccessRefused("access.not_from_results")

    def refuse(*_args):
        raise refusal
    main, _ = window(search=refuse)
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.form.message.text() != "")
    assert main.form.message.text() == str(refusal) and not main.is_busy()


def test_a_mediating_users_record_and_status_bar_say_for_whom(qtbot, window):
    """R-ROLE-2: while acting for a colleague the record and the status bar name them."""
    dr = Colleague("Dr Ann Lee", "Northbridge CAMHS", "ann.lee")
    main, service = window(Role.MEDIATING, search=lambda *a: Outcome(hits=(hit(),)),
                           view_record=lambda viewer, did, reason: record(did))
    fill_and_search(qtbot, main, dr)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    assert "for Dr Ann Lee (Northbridge CAMHS)" in main.acting_label.text() and main.acting_label.isVisible()
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: main.record.header.isVisible())
    assert "for Dr Ann Lee (Northbridge CAMHS)" in main.record.header.text()
    assert [args[0].on_behalf_of for name, args in service.calls if name in ("search", "view_record")] == [dr, dr]


def test_a_practitioners_record_names_no_colleague(qtbot, window):
    main, _ = window(search=lambda *a: Outcome(hits=(hit(),)), view_record=lambda v, did, r: record(did))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Poppy Smith" in main.record.browser.toPlainText())
    assert not main.record.header.isVisible() and main.acting_label.text() == ""


def test_clear_clears_everything_of_the_last_enquiry(qtbot, window):
    """A mediating user's Clear: fields, reason, colleague, results, record, message and status bar."""
    main, _ = window(Role.MEDIATING, search=lambda *a: Outcome(hits=(hit(),), notice="looser_left_out",
                                                               looser_left_out=True),
                     view_record=lambda viewer, did, reason: record(did))
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    fill_and_search(qtbot, main, Colleague("Dr Ann Lee", "Northbridge CAMHS", "ann.lee"))
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Poppy Smith" in main.record.browser.toPlainText())
    main.form.show_message("A message from before.")
    qtbot.mouseClick(main.form.clear_button, Qt.LeftButton)
    form = main.form
    assert main.results.rowCount() == 0
    assert main.record.browser.toPlainText() == "" and not main.record.header.isVisible()
    assert all(e.text() == "" for e in form.inputs.values())
    assert form.colleague() is None and form.colleague_choice.currentIndex() == 0 and form.reason_detail.text() == ""
    assert form.reason.currentData() is None and form.message.text() == ""
    assert main.acting_label.text() == "" and not main.results_note.isVisible()
    assert form.reason.hasFocus()


def test_results_found_for_one_colleague_go_when_the_colleague_changes(qtbot, window):
    main, _ = window(Role.MEDIATING, search=lambda *a: Outcome(hits=(hit(),)))
    fill_and_search(qtbot, main, Colleague("Dr Ann Lee", "Northbridge CAMHS", "ann.lee"))
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    main.form.colleague_choice.setCurrentIndex(2)
    main.form.colleague_choice.activated.emit(2)  # as the user's choice does
    assert main.results.rowCount() == 0 and main.acting_label.text() == ""


@pytest.mark.parametrize("role, offered", [(Role.PRACTITIONER, False), (Role.MEDIATING, False),
                                           (Role.LA_MANAGEMENT, True)])
def test_reasons_offered_fit_the_role(qtbot, role, offered):
    """R-SEARCH-1, R-ROLE-3: LA monitoring is offered to the LA team only."""
    form = SearchForm(role, clock=lambda: TODAY)
    qtbot.addWidget(form)
    codes = [form.reason.itemData(i) for i in range(form.reason.count())]
    assert (AccessReason.LA_MONITORING.value in codes) is offered
    assert codes[1:] == [r.value for r in AccessReason.for_role(role)]


def test_every_search_field_has_a_label_with_an_alt_shortcut(qtbot, window):
    main, _ = window(Role.MEDIATING)
    form = main.form
    fields = [w for kind in (QLineEdit, QComboBox) for w in form.findChildren(kind) if w.isVisible()]
    labels = {lab.buddy(): lab.text() for lab in form.findChildren(QLabel) if lab.buddy() is not None}
    missing = [w.accessibleName() for w in fields if "&" not in labels.get(w, "")]
    assert not missing, f"fields without a shortcut label: {missing}"
    keys = [t[t.index("&") + 1].lower() for t in labels.values()]
    keys += [b.text()[b.text().index("&") + 1].lower() for b in form.findChildren(QPushButton)]
    keys += [m.title()[m.title().index("&") + 1].lower() for m in (a.menu() for a in main.menuBar().actions())]
    assert len(keys) == len(set(keys)), f"a shortcut letter is used twice: {sorted(keys)}"


def test_alt_and_a_fields_letter_moves_the_focus_there(qtbot, window):
    main, _ = window()
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    main.form.inputs["family_name"].setFocus()
    qtbot.keyClick(main.form.inputs["family_name"], Qt.Key_P, Qt.AltModifier)
    qtbot.waitUntil(lambda: main.form.inputs["postcode"].hasFocus())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_T, Qt.AltModifier)
    qtbot.waitUntil(lambda: main.form.inputs["dob"].hasFocus())


def _styled(qtbot, widget):
    from app import resources
    from ui.app import STYLE
    widget.setStyleSheet(resources.text(STYLE))
    return widget


def test_keyboard_focus_is_visible_on_buttons_and_the_results_table(qtbot, window):
    """The focused button and the focused results table look different from unfocused ones."""
    main, _ = window(search=lambda *a: Outcome(hits=(hit(), hit("222 222 2222"))))
    _styled(qtbot, main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 2)
    button = main.form.clear_button
    main.form.inputs["given_name"].setFocus()
    qtbot.waitUntil(lambda: not main.table.hasFocus())
    before = (button.grab().toImage(), main.table.grab().toImage())
    main.table.setFocus()
    qtbot.waitUntil(main.table.hasFocus)
    assert main.table.grab().toImage() != before[1]
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    assert button.grab().toImage() != before[0]


def test_idle_warning_counts_down_in_the_window(qtbot, window):
    main, _ = window()
    main.show_idle_warning(42)
    assert main.idle_warning.isVisible() and "Signpost will lock in 42 s" in main.idle_warning.text()
    main.hide_idle_warning()
    assert not main.idle_warning.isVisible()


@pytest.mark.parametrize("training", [True, False])
def test_the_training_guide_is_offered_only_on_the_training_directory(qtbot, training):
    main = MainWindow(FakeDirectory(), user(Role.PRACTITIONER), clock=lambda: TODAY, session=SESSION,
                      training=training)
    qtbot.addWidget(main)
    titles = [a.menu().title().replace("&", "") for a in main.menuBar().actions()]
    help_actions = main.menuBar().actions()[titles.index("Help")].menu().actions()
    assert ("Training guide" in [a.text().replace("&", "") for a in help_actions]) is training
    if training:
        with qtbot.waitSignal(main.training_guide_requested):
            next(a for a in help_actions if a.text() == "&Training guide").trigger()


def test_when_the_directory_cannot_be_reached_a_recent_record_opens_as_an_offline_copy(qtbot, window):
    """R-LOCAL-2: the encrypted cache's copy, marked with when it was fetched; the status bar says offline."""
    import time

    from app.directory import Unreachable
    from app.session import OfflineCopy

    online = {"up": True}

    def view(viewer, did, reason):
        if online["up"]:
            return record(did)
        raise Unreachable()
    main, _ = window(search=lambda *a: Outcome(hits=(hit("987 654 3210"),)), view_record=view)
    fetched = time.time() - 3600
    main.recall = lambda did: _done(OfflineCopy(record(did), fetched) if did == "987 654 3210" else None)
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    online["up"] = False
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "Poppy Smith" in main.record.browser.toPlainText())
    assert main.record.header.isVisible() and main.record.header.text().startswith("Offline copy from ")
    assert time.strftime("%H:%M", time.localtime(fetched)) in main.record.header.text()

    main.recall = lambda did: _done(None)  # nothing kept: say so, show nothing
    qtbot.keyClick(main.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: "no offline copy" in main.form.message.text())
    assert main.record.browser.toPlainText() == "" and "cannot be reached" in main.form.message.text()


def test_the_status_bar_says_which_directory_and_whether_it_answers(qtbot, window):
    from app.directory import DirectoryStatus
    main, service = window(search=lambda *a: Outcome(hits=(hit(),)))
    assert main.where.text() == "Training directory · online"
    service.status = lambda: DirectoryStatus("service", "https://dir.example:8443", False, 1_795_000_000.0,
                                             problem="certificate", since=1_795_000_100.0)
    qtbot.waitUntil(lambda: main.where.text().startswith("https://dir.example:8443 · offline · last contact "))
    assert main.banners.directory.isVisible() and "certificate could not be verified" in main.banners.directory.text()
    qtbot.waitUntil(lambda: ("health", ()) in service.calls)  # while it does not answer, its health is asked


def _done(value):
    f: Future = Future()
    f.set_result(value)
    return f
