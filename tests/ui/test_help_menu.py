"""Help → Check this workstation… and Help → About Signpost (issue 18 items 4 and 6): the check runs in a
child process without blocking the window, its report is shown, announced and copyable; the About box says
pyproject.toml's version."""
from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app.model import Role
from tests.conftest import TODAY
from ui.help_dialogs import CheckDialog
from ui.main_window import MainWindow

from .test_main_window import SESSION, FakeDirectory, user

ROOT = Path(__file__).resolve().parents[2]


def help_action(main: MainWindow, name: str):
    return next(a for a in main.findChildren(type(main.menuBar().actions()[0])) if a.objectName() == name)


def test_help_checks_this_workstation_and_copies_the_report(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNPOST_HOME", str(tmp_path))
    monkeypatch.setenv("SIGNPOST_POLICY_FILE", str(tmp_path / "none.json"))
    main = MainWindow(FakeDirectory(), user(Role.PRACTITIONER), clock=lambda: TODAY, session=SESSION)
    qtbot.addWidget(main)
    help_action(main, "checkWorkstation").trigger()
    dialog = main.findChild(CheckDialog, "checkDialog")
    assert dialog is not None and dialog.summary.text() == "Checking this workstation…"  # not waited for
    qtbot.waitUntil(lambda: dialog.copy_button.isEnabled(), timeout=90_000)
    report = dialog.report.toPlainText()
    assert report.startswith("Signpost ") and "PASS  Keyring (Secret Service)" in report
    assert dialog.summary.text() == "Every check passed.", report
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == report
    dialog.close()


def test_the_about_box_says_pyprojects_version(qtbot):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    main = MainWindow(FakeDirectory(), user(Role.PRACTITIONER), clock=lambda: TODAY, session=SESSION)
    qtbot.addWidget(main)
    help_action(main, "aboutSignpost").trigger()
    box = main.findChild(QMessageBox, "aboutBox")
    assert box is not None and f"Signpost {version}" in box.text()
    box.close()
