"""The search results sort and filter (issue 14 §3.3: name, date of birth, match), take only the rows they need,
and the window keeps its size in the app's own settings file between runs (§3.2)."""
from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import Qt

from app.model import Gender, Match, Name, Role, SearchHit
from app.search import Outcome
from app.settings import Settings
from tests.ui.test_main_window import (
    SESSION,
    TODAY,
    FakeDirectory,
    fill_and_search,
    record,
    user,
    window,  # noqa: F401 - the fixture
)
from ui.main_window import RESULT_ROWS, MainWindow

HITS = (SearchHit("111 111 1111", Name("Poppy", "Smith"), date(2015, 6, 8), Gender.FEMALE, "Gateshead", ()),
        SearchHit("222 222 2222", Name("Amy", "Smyth"), date(2014, 1, 2), Gender.FEMALE, "Jarrow",
                  (Match.SOUNDS_LIKE,)),
        SearchHit("333 333 3333", Name("Poppy", "Adams"), date(2015, 6, 9), Gender.FEMALE, "Hebburn",
                  (Match.FORMER_NAME,)))


def shown_ids(main) -> list[str]:
    m = main.table.model()
    return [m.data(m.index(r, 4)) for r in range(m.rowCount())]


def test_results_sort_by_name_date_of_birth_and_match_and_filter_by_what_is_typed(qtbot, window):  # noqa: F811
    opened = []
    main, _ = window(search=lambda *a: Outcome(hits=HITS),
                     view_record=lambda v, did, r: opened.append(did) or record(did))
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 3)
    assert shown_ids(main) == ["111 111 1111", "222 222 2222", "333 333 3333"]  # the directory's order first
    for words, order in (("Name", ["333 333 3333", "111 111 1111", "222 222 2222"]),
                         ("Date of birth", ["222 222 2222", "111 111 1111", "333 333 3333"]),
                         ("Match", ["111 111 1111", "333 333 3333", "222 222 2222"]),
                         ("Closest match first", ["111 111 1111", "222 222 2222", "333 333 3333"])):
        main.results_order.setCurrentIndex(main.results_order.findText(words))
        main.results_order.activated.emit(main.results_order.currentIndex())
        assert shown_ids(main) == order, words
    main.table.horizontalHeader().sectionClicked.emit(1)
    main.table.sortByColumn(1, Qt.DescendingOrder)  # a header click
    assert shown_ids(main) == ["333 333 3333", "111 111 1111", "222 222 2222"]
    qtbot.keyClicks(main.results_filter, "poppy")
    assert shown_ids(main) == ["333 333 3333", "111 111 1111"]
    main.results_filter.setText("sounds like")
    assert shown_ids(main) == ["222 222 2222"]
    qtbot.keyClick(main.table, Qt.Key_Return)  # the row shown is the one opened
    qtbot.waitUntil(lambda: opened == ["222 222 2222"])


def test_the_results_list_takes_only_the_rows_it_needs(qtbot, window):  # noqa: F811
    main, _ = window(search=lambda *a: Outcome(hits=HITS[:1]))
    main.resize(1024, 768)
    fill_and_search(qtbot, main)
    qtbot.waitUntil(lambda: main.results.rowCount() == 1)
    one = main.table.height()
    row = main.table.verticalHeader().defaultSectionSize()
    assert one <= main.table.horizontalHeader().height() + 2 * row + 2 * main.table.frameWidth() + 8
    assert main.record.height() > 2 * main.right.widget(0).height()  # the record has the room


def test_the_window_keeps_its_size_in_the_settings_file(qtbot, tmp_path):
    path = tmp_path / "settings.json"
    Settings(idle_lock_minutes=5).save(path)
    first = MainWindow(FakeDirectory(), user(Role.PRACTITIONER), clock=lambda: TODAY, session=SESSION,
                       settings_file=path)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 540)  # within the offscreen screen's room
    first.close()
    kept = json.loads(path.read_text())
    assert (kept["window_width"], kept["window_height"], kept["idle_lock_minutes"]) == (760, 540, 5)
    again = MainWindow(FakeDirectory(), user(Role.PRACTITIONER), clock=lambda: TODAY, session=SESSION,
                       settings_file=path)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (760, 540)
    assert RESULT_ROWS >= 5
