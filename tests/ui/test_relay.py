"""The one way results come back to the GUI thread (ui/bridge.py): late ones never reach a deleted widget."""
from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QLabel

from ui.bridge import Relay


def test_a_late_result_for_a_deleted_widget_is_dropped_not_called(qtbot):
    """A closed wizard's page is deleted while its work still runs: the result that comes after must not be
    handed to it (it would raise "Internal C++ object already deleted" in the event loop)."""
    relay = Relay()
    label, kept = QLabel(), QLabel()
    label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(label), timeout=5000)

    def late() -> None:
        relay.post(label.setText, "late")
        relay.post(kept.setText, "shown")
    worker = threading.Thread(target=late)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: kept.text() == "shown", timeout=5000)  # posted after the dropped one: both are done
    relay.close()
    relay.post(kept.setText, "after close")
    qtbot.wait(50)
    assert kept.text() == "shown"
