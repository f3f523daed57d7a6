"""F1 opens help for the screen you are on (issue 14 §3.7): what it shows, what each action does, whom to
ask; in a live deployment too, where there is no training guide; the words come from resources/help.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.model import Role
from tests.conftest import TODAY
from ui.main_window import MainWindow

from .test_main_window import REGISTERED, SESSION, FakeDirectory, user

HELP = json.loads((Path(__file__).resolve().parents[2] / "resources" / "help.json").read_text())


def shown_window(qtbot, role: Role, training: bool) -> MainWindow:
    main = MainWindow(FakeDirectory(colleagues=REGISTERED), user(role), clock=lambda: TODAY, session=SESSION,
                      training=training)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    return main


@pytest.mark.parametrize("role", list(Role))
def test_f1_opens_the_help_of_the_screen_in_view_in_a_live_deployment(qtbot, role):
    main = shown_window(qtbot, role, training=False)
    titles = set()
    for i in range(main.tabs.count()):
        main.tabs.setCurrentIndex(i)
        screen = main.tabs.currentWidget()
        qtbot.keyClick(screen, Qt.Key_F1)
        qtbot.waitUntil(lambda: main.help_dialog is not None and main.help_dialog.isVisible())
        entry = HELP.get(f"{screen.objectName()}.{role.value}") or HELP[screen.objectName()]
        dialog = main.help_dialog
        assert dialog.windowTitle() == f"Help: {entry['title']}"
        text = dialog.text.toPlainText()
        for part in ("What this screen shows", entry["shows"], "What each action does", "Whom to ask", entry["ask"]):
            assert part in text
        assert all(action in text for action, _ in entry["actions"])
        titles.add(entry["title"])
        dialog.close()
        qtbot.waitUntil(lambda: main.help_dialog is None)
    assert len(titles) == main.tabs.count()  # each screen its own help


def test_on_the_training_directory_f1_is_still_the_screens_help_and_the_guide_stays_in_the_menu(qtbot):
    main = shown_window(qtbot, Role.PRACTITIONER, training=True)
    guide = []
    main.training_guide_requested.connect(lambda: guide.append(1))
    main.show_screen(main.search_screen)
    qtbot.keyClick(main.search_screen, Qt.Key_F1)
    qtbot.waitUntil(lambda: main.help_dialog is not None and main.help_dialog.isVisible())
    assert main.help_dialog.windowTitle() == "Help: Search" and not guide
    main.help_dialog.close()


def test_a_mediating_user_is_told_how_the_colleague_reaches_the_la_team_not_offered_what_they_cannot_do(qtbot):
    """Issue 14 §3.5: no brokered contact for a mediating user; the help says what the colleague does instead."""
    main = shown_window(qtbot, Role.MEDIATING, training=False)
    main.show_screen(main.search_screen)
    qtbot.keyClick(main.search_screen, Qt.Key_F1)
    qtbot.waitUntil(lambda: main.help_dialog is not None and main.help_dialog.isVisible())
    text = main.help_dialog.text.toPlainText()
    assert "calls the child's LA team" in text and "Ask the LA team to pass on" not in text
