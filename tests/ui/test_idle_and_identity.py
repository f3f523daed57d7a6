"""The idle lock's warning and wording (R-LOCAL-2), and how the desktop names Signpost."""
from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLineEdit

from app.paths import Paths
from app.settings import Settings
from ui.app import DESKTOP_FILE, ICON, SignpostApp, configure
from ui.idle import IdleWatch

DESKTOP = Path(__file__).resolve().parents[2] / "packaging" / "signpost.desktop"


@pytest.fixture
def idle(qtbot):
    locked, warnings, calmed = [], [], []
    watch = IdleWatch(4000, lambda: locked.append(True), warn_ms=2000)
    watch.warning.connect(warnings.append)
    watch.calm.connect(lambda: calmed.append(True))
    QApplication.instance().installEventFilter(watch)
    yield watch, locked, warnings, calmed
    watch.stop()
    QApplication.instance().removeEventFilter(watch)


def test_the_idle_lock_warns_with_a_countdown_first(qtbot, idle):
    watch, locked, warnings, _ = idle
    watch.start()
    qtbot.waitUntil(lambda: bool(warnings), timeout=3000)
    assert warnings == [2] and not locked  # the warning comes first, while input can still stop it
    qtbot.waitUntil(lambda: bool(locked), timeout=4000)
    assert warnings == [2, 1] and not watch.active()


def test_any_input_during_the_warning_cancels_it(qtbot, idle):
    watch, locked, warnings, calmed = idle
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    watch.start()
    qtbot.waitUntil(lambda: bool(warnings), timeout=3000)
    qtbot.keyClick(field, Qt.Key_A)
    assert calmed and watch.timer.isActive() and not watch.tick.isActive()
    qtbot.wait(1500)  # past when it would have locked
    assert not locked


def test_a_one_minute_lock_warns_for_its_last_half_minute():
    watch = IdleWatch(60_000, lambda: None)
    assert watch.warn_ms == 30_000 and watch.timer.interval() == 30_000
    watch.set_intervals(10 * 60_000)
    assert watch.warn_ms == 60_000 and watch.timer.interval() == 9 * 60_000


@pytest.mark.parametrize("minutes, words", [(1, "1 minute"), (10, "10 minutes")])
def test_the_lock_screen_says_how_long_in_good_english(qtbot, tmp_path, minutes, words):
    app = SignpostApp(Paths(tmp_path / "data", tmp_path / "config"), Settings(idle_lock_minutes=minutes))
    qtbot.addWidget(app.signin)
    said = []
    app.lock = lambda why, token_removed=False: said.append(why)
    app.idle.on_idle()
    assert said == [f"Locked after {words} without use."]
    app.shutdown()


def test_an_app_shut_down_hears_no_more_input(qtbot, tmp_path):
    """After shutdown nothing of the app stays hooked into Qt: a key pressed anywhere later no longer reaches its
    idle clock (every app ever made used to keep listening, and a collected one could crash the process)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    app = SignpostApp(Paths(tmp_path / "data", tmp_path / "config"), Settings())
    qtbot.addWidget(app.signin)
    heard = []
    app.idle.start = lambda: heard.append(True)  # what the idle clock does on input while it runs
    app.idle.timer.start()
    other = QLineEdit()
    qtbot.addWidget(other)

    def press() -> None:
        QApplication.sendEvent(other, QKeyEvent(QEvent.KeyPress, Qt.Key_A, Qt.NoModifier, "a"))
    press()
    assert heard == [True]  # listening while the app runs
    app.shutdown()
    app.idle.timer.start()
    press()
    assert heard == [True]


def test_the_desktop_knows_it_as_signpost_with_its_icon(qtbot):
    qt = QApplication.instance()
    saved = qt.applicationName(), qt.desktopFileName(), qt.windowIcon(), qt.styleSheet()
    try:
        configure(qt)
        assert qt.applicationName() == "Signpost" and qt.desktopFileName() == DESKTOP_FILE == "signpost"
        assert not qt.windowIcon().isNull() and not qt.windowIcon().pixmap(64, 64).isNull()
    finally:
        qt.setApplicationName(saved[0])
        qt.setDesktopFileName(saved[1])
        qt.setWindowIcon(saved[2] if not saved[2].isNull() else QIcon())
        qt.setStyleSheet(saved[3])
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP)
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "Signpost" and desktop["Icon"] == "signpost" and desktop["Type"] == "Application"
    assert DESKTOP.stem == DESKTOP_FILE and Path(ICON).stem == desktop["Icon"]
