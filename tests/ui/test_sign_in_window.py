"""The sign-in window as a newcomer meets it (pytest-qt, no directory needed): the token
list, a refused sign-in, messages that go with their cause, and first-run progress."""
from __future__ import annotations

import json
import os
import stat

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from app.token.info import TokenInfo
from app.token.provision import LABEL_BYTES, training_label
from ui.setup_progress import SCALE, OverallProgress
from ui.signin_window import SignInWindow
from ui.token_memory import TokenMemory
from ui.token_picker import TokenPicker

USERS = ("alex.practitioner", "sam.cp", "morgan.mediator", "jo.la", "lee.lapsed", "kim.untrained")


def token(serial: str, label: str) -> TokenInfo:
    return TokenInfo(serial, label, "SoftHSM project", "SoftHSM v2", pin_min=4, pin_max=255)


TRAINING = {u: token(f"{i:016x}", training_label(u)) for i, u in enumerate(USERS, start=0xA1)}


# ------------------------------------------------------------------- labels
def test_training_labels_are_whole_and_fit_the_token():
    """PKCS#11 labels are 32 bytes: the username is never cut ("alex.pract…")."""
    for u in USERS:
        label = training_label(u)
        assert label == f"{u} (training)" and len(label.encode()) <= LABEL_BYTES


# ------------------------------------------------------------------- picker
def test_the_list_is_sorted_and_shows_full_labels(qtbot):
    picker = TokenPicker()
    qtbot.addWidget(picker)
    for u in ("sam.cp", "alex.practitioner", "morgan.mediator", "jo.la"):
        picker.add_token(TRAINING[u])
    texts = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert [t.split(" · ")[0] for t in texts] == [training_label(u) for u in
                                                  ("alex.practitioner", "jo.la", "morgan.mediator", "sam.cp")]
    assert all(TRAINING[u].serial in " ".join(texts) for u in ("sam.cp", "jo.la"))


def test_a_newly_inserted_token_does_not_take_the_selection(qtbot):
    picker = TokenPicker()
    qtbot.addWidget(picker)
    picker.add_token(TRAINING["sam.cp"])
    picker.add_token(TRAINING["alex.practitioner"])
    picker.add_token(TRAINING["jo.la"])
    assert picker.current() == TRAINING["sam.cp"]  # the first one in, never simply the newest


def test_typing_a_username_selects_that_users_token(qtbot):
    window = SignInWindow()
    qtbot.addWidget(window)
    for u in USERS:
        window.tokens.add_token(TRAINING[u])
    qtbot.keyClicks(window.username, "morgan.mediator")
    assert window.tokens.current() == TRAINING["morgan.mediator"]
    window.tokens.add_token(token("ffff", "another (training)"))  # a later arrival does not take over
    assert window.tokens.current() == TRAINING["morgan.mediator"]
    window.username.setText("jo.la")
    assert window.tokens.current() == TRAINING["jo.la"]


def test_the_whole_username_wins_over_a_longer_one(qtbot):
    window = SignInWindow()
    qtbot.addWidget(window)
    window.tokens.add_token(token("01", "alex.practitioner (training)"))
    window.tokens.add_token(token("02", "alex (training)"))
    window.tokens.add_token(token("03", "zed (training)"))
    window.username.setText("alex")
    assert window.tokens.current().serial == "02"
    window.username.setText("alex.p")
    assert window.tokens.current().serial == "01"


def test_else_the_token_the_user_last_signed_in_with_here(qtbot, tmp_path):
    """Real cards are not labelled with usernames: the serial last used by this user is chosen."""
    memory = TokenMemory(tmp_path / "config")
    memory.remember("dana.real", "card-2")
    window = SignInWindow(memory.serial_for)
    qtbot.addWidget(window)
    for serial in ("card-1", "card-2", "card-3"):
        window.tokens.add_token(token(serial, "ACME card"))
    window.tokens.select("card-3")
    qtbot.keyClicks(window.username, "Dana.Real")
    assert window.tokens.current().serial == "card-2"
    window.tokens.remove_token("card-2")
    window.tokens.add_token(token("card-2", "ACME card"))  # pulled and put back: chosen again
    assert window.tokens.current().serial == "card-2"


def test_the_token_memory_is_private_small_and_holds_no_secret(tmp_path):
    folder = tmp_path / "config"
    memory = TokenMemory(folder)
    assert memory.serial_for("alex") is None
    memory.remember("alex", "s-1")
    memory.remember("sam", "s-2")
    memory.remember("alex", "s-3")
    assert memory.serial_for("ALEX ") == "s-3" and memory.serial_for("sam") == "s-2"
    assert stat.S_IMODE(os.stat(memory.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert json.loads(memory.path.read_text()) == {"sam": "s-2", "alex": "s-3"}
    for i in range(300):
        memory.remember(f"user{i}", f"s{i}")
    assert len(json.loads(memory.path.read_text())) <= 200
    memory.path.write_text("not json")
    assert memory.serial_for("alex") is None  # a damaged file costs only the pre-selection


# ------------------------------------------------------------- refusals
@pytest.fixture
def ready(qtbot):
    window = SignInWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tokens.add_token(TRAINING["alex.practitioner"])
    window.set_ready()
    return window


def submit(qtbot, window, password="training-only-2026", pin="246810"):
    qtbot.keyClicks(window.username, "alex.practitioner")
    qtbot.keyClicks(window.password, password)
    qtbot.keyClicks(window.pin, pin)
    with qtbot.waitSignal(window.submitted):
        qtbot.keyClick(window.pin, Qt.Key_Return)


def test_a_refused_sign_in_keeps_the_password_and_clears_the_pin(qtbot, ready):
    submit(qtbot, ready, password="almost-right")
    ready.show_error("Sign-in failed: the username, password or security token is not right.")
    assert ready.password.text() == "almost-right" and ready.pin.text() == ""
    assert ready.password.hasFocus() and ready.password.selectedText() == "almost-right"
    assert ready.button.isEnabled()


def test_an_error_goes_when_the_user_types_again(qtbot, ready):
    submit(qtbot, ready)
    ready.show_error("The PIN is not correct.", "pin")
    assert ready.status.text() == "The PIN is not correct." and ready.pin.hasFocus()
    qtbot.keyClicks(ready.pin, "2")
    assert ready.status.text() == ""


def test_insert_your_token_goes_when_a_token_arrives(qtbot, ready):
    ready.tokens.remove_token(TRAINING["alex.practitioner"].serial)
    qtbot.keyClicks(ready.username, "alex.practitioner")
    qtbot.keyClicks(ready.password, "pw")
    qtbot.keyClick(ready.password, Qt.Key_Return)
    assert ready.status.text() == "Insert your security token."
    ready.tokens.add_token(TRAINING["alex.practitioner"])
    assert ready.status.text() == ""


def test_a_note_after_sign_out_goes_with_the_next_input(qtbot, ready):
    ready.show_note("Another security token was inserted, so the locked session was signed out.")
    assert ready.status.text().startswith("Another security token")
    qtbot.keyClicks(ready.username, "a")
    assert ready.status.text() == ""


def test_a_failure_to_start_stays(qtbot):
    window = SignInWindow()
    qtbot.addWidget(window)
    window.set_failed("Signpost cannot reach a secure keyring.")
    qtbot.keyClicks(window.username, "alex")
    assert window.status.text() == "Signpost cannot reach a secure keyring."


# --------------------------------------------------------------- progress
def test_first_run_progress_is_one_bar_that_never_goes_back():
    progress = OverallProgress()
    seen = []
    for phase, total, steps in (("people", 20_000, range(0, 20_001, 500)), ("vocabulary", 3, range(4)),
                                ("indexes", 9, range(10)), ("tokens", 6, range(7))):
        for done in steps:
            seen.append(progress.update(phase, done, total))
    values = [v for v, _ in seen]
    assert values == sorted(values) and values[0] == 0 and values[-1] == SCALE
    steps = [b - a for a, b in zip(values, values[1:])]
    assert max(steps) <= SCALE // 8  # no phase jumps the bar: it moves at a steady pace
    assert ("Building the training directory: 12,000 of 20,000 children"
            in [text for _, text in seen])
    value, text = progress.update("people", 20_001, 20_000)  # an overshoot is never shown as such
    assert "20,001" not in text and value == SCALE


def test_a_run_that_only_makes_tokens_fills_the_bar_from_empty():
    progress = OverallProgress()
    assert progress.update("tokens", 0, 6)[0] == 0
    assert progress.update("tokens", 3, 6) == (SCALE // 2, "Making training security tokens: 3 of 6")
    assert progress.update("tokens", 6, 6)[0] == SCALE


def test_the_progress_line_is_neutral_and_an_error_is_red(qtbot):
    from app import resources
    from ui.app import STYLE
    window = SignInWindow()
    qtbot.addWidget(window)
    window.setStyleSheet(resources.text(STYLE))
    window.show()
    window.show_progress("people", 12_000, 20_000)
    assert window.status.text() == "Building the training directory: 12,000 of 20,000 children…"
    assert window.progress.isVisible() and 0 < window.progress.value() < window.progress.maximum()
    calm = window.status.palette().color(QPalette.WindowText).name()
    window.set_failed("The directory could not be opened.")
    alarm = window.status.palette().color(QPalette.WindowText).name()
    assert alarm == "#8a2a0a" and calm != alarm
