"""Token picker, lock window and PIN change dialog (pytest-qt, real SoftHSM).

R-ROLE-4: a security token and its PIN are needed; R-LOCAL-2: the lock
window holds no child data; PIN fields never keep a PIN after an attempt.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from app.token.errors import TokenError, TokenErrorKind
from app.token.info import TokenInfo
from ui.bridge import Relay
from ui.lock_window import TOKEN_BACK, LockWindow
from ui.pin_change_dialog import DONE, PinChangeDialog, length_rule
from ui.token_picker import COUNT_LOW, FINAL_TRY, LOCKED, PLACEHOLDER, TokenPicker

T = 10_000  # ms
CARD = TokenInfo("0a1b2c", "Signpost – bob", "ACME", "Card", pin_min=6, pin_max=8)
OTHER = TokenInfo("9f8e7d", "Signpost – sue", "ACME", "Card", pin_min=6, pin_max=8)


def outcome(qtbot, future):
    """The future's exception (None on success), waiting without blocking Qt."""
    qtbot.waitUntil(future.done, timeout=T)
    return future.exception()


def token_info(qtbot, svc, serial: str) -> TokenInfo:
    fut = svc.tokens()
    qtbot.waitUntil(fut.done, timeout=T)
    return next(t for t in fut.result() if t.serial == serial)


# ------------------------------------------------------------------ picker
def test_picker_follows_real_arrival_and_removal(qtbot, service, new_token, softhsm):
    picker = TokenPicker()
    qtbot.addWidget(picker)
    relay = Relay(picker)
    svc = service(poll_interval=0.2)
    svc.subscribe(lambda e: relay.post(
        picker.add_token if e.kind == "arrived" else lambda t: picker.remove_token(t.serial), e.token))
    assert picker.current() is None and picker.combo.count() == 0
    assert picker.combo.placeholderText() == PLACEHOLDER and picker.combo.currentIndex() == -1

    tok = new_token(pin="picker-pin-1")
    qtbot.waitUntil(lambda: picker.current() is not None, timeout=T)
    assert picker.current().serial == tok.serial
    assert tok.serial in picker.combo.currentText() and tok.label in picker.combo.currentText()

    softhsm.pull(tok.serial)
    qtbot.waitUntil(lambda: picker.combo.count() == 0, timeout=T)
    assert picker.current() is None and picker.combo.currentIndex() == -1
    assert not picker.warning.isVisible() and picker.warning.text() == ""


def test_picker_keeps_a_selection_when_the_current_token_goes(qtbot):
    picker = TokenPicker()
    qtbot.addWidget(picker)
    seen = []
    picker.changed.connect(seen.append)
    picker.add_token(OTHER)
    picker.add_token(CARD)
    assert picker.current() == OTHER and picker.combo.count() == 2  # the newcomer does not take over
    assert [picker.combo.itemData(i) for i in range(2)] == [CARD.serial, OTHER.serial]  # label order
    assert picker.select(CARD.serial) and picker.current() == CARD
    assert not picker.select("not-here") and picker.current() == CARD
    picker.remove_token(CARD.serial)
    assert picker.current() == OTHER and seen[-1] == OTHER
    picker.remove_token(OTHER.serial)
    assert picker.current() is None and seen[-1] is None
    picker.add_token(CARD)
    assert picker.current() == CARD and seen[-1] == CARD


@pytest.mark.parametrize("flags, text", [
    ({}, ""),
    ({"user_pin_count_low": True}, COUNT_LOW),
    ({"user_pin_count_low": True, "user_pin_final_try": True}, FINAL_TRY),
    ({"user_pin_locked": True}, LOCKED),
])
def test_picker_warns_from_the_tokens_pin_flags(qtbot, flags, text):
    picker = TokenPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.add_token(CARD)
    with qtbot.waitSignal(picker.changed) as changed:
        picker.update_token(replace(CARD, **flags))
    assert changed.args[0] == replace(CARD, **flags)
    assert picker.warning.text() == text
    assert picker.warning.isVisible() == bool(text)


# ------------------------------------------------------------- lock window
@pytest.fixture
def lock(qtbot):
    window = LockWindow("Alex Practitioner")
    qtbot.addWidget(window)
    window.set_reason("Your security token was removed.")
    window.show()
    return window


def test_lock_window_shows_why_and_who_and_nothing_else(lock):
    assert lock.reason.text() == "Your security token was removed."
    assert "Alex Practitioner" in lock.user.text()
    assert lock.pin.echoMode() == lock.pin.EchoMode.Password
    for w in (lock.picker.combo, lock.pin):
        assert w.accessibleName()
    for w in (lock.reason, lock.user):  # status lines: their text is what a screen reader reads (issue 18)
        assert not w.accessibleName() and w.text()


def test_unlock_is_disabled_without_a_token_or_with_a_blocked_pin(qtbot, lock):
    assert not lock.unlock_button.isEnabled()
    with qtbot.assertNotEmitted(lock.unlock_requested):
        qtbot.keyClicks(lock.pin, "123456")
        qtbot.keyClick(lock.pin, Qt.Key_Return)
    assert lock.status.text() == "Insert your security token."
    lock.picker.add_token(CARD)
    assert lock.unlock_button.isEnabled()
    lock.picker.update_token(replace(CARD, user_pin_locked=True))
    assert not lock.unlock_button.isEnabled() and lock.picker.warning.text() == LOCKED
    with qtbot.assertNotEmitted(lock.unlock_requested):
        qtbot.keyClick(lock.pin, Qt.Key_Return)
    lock.picker.remove_token(CARD.serial)
    assert not lock.unlock_button.isEnabled()


def test_enter_in_the_pin_field_unlocks_then_errors_clear_the_pin(qtbot, lock):
    lock.picker.add_token(OTHER)
    lock.picker.add_token(CARD)
    lock.picker.combo.setCurrentIndex(lock.picker.combo.findData(OTHER.serial))  # the user picks sue's token
    qtbot.keyClicks(lock.pin, "sue-pin-9")
    with qtbot.waitSignal(lock.unlock_requested) as sent:
        qtbot.keyClick(lock.pin, Qt.Key_Return)
    assert sent.args == [OTHER.serial, "sue-pin-9"]
    assert lock.pin.text() == "" and not lock.unlock_button.isEnabled()  # busy
    qtbot.keyClicks(lock.pin, "typed-while-busy")  # disabled: ignored
    lock.pin.setText("left-over")
    lock.show_error("The PIN is not correct.")
    assert lock.pin.text() == "" and lock.status.text() == "The PIN is not correct."
    assert lock.unlock_button.isEnabled() and lock.pin.isEnabled() and lock.pin.hasFocus()
    with qtbot.waitSignal(lock.sign_out_requested):
        lock.sign_out_button.click()
    lock.reset()
    assert lock.status.text() == "" and lock.pin.text() == ""


def test_token_removed_becomes_token_back_when_it_returns(qtbot, lock):
    """A stale "token removed" does not stay on the lock screen once the token is back."""
    lock.set_own_token(CARD.serial)
    lock.set_reason("Your security token was removed.", token_removed=True)
    lock.picker.add_token(OTHER)
    assert lock.reason.text() == "Your security token was removed."
    lock.picker.add_token(CARD)
    assert lock.reason.text() == TOKEN_BACK
    lock.picker.remove_token(CARD.serial)
    assert lock.reason.text() == "Your security token was removed."


def test_other_lock_reasons_stay_while_tokens_come_and_go(qtbot, lock):
    lock.set_own_token(CARD.serial)
    lock.set_reason("Locked after 10 minutes without use.")
    lock.picker.add_token(CARD)
    assert lock.reason.text() == "Locked after 10 minutes without use."


def test_an_unlock_error_goes_when_the_user_types_or_picks_another_token(qtbot, lock):
    lock.picker.add_token(CARD)
    lock.picker.add_token(OTHER)
    lock.show_error("The PIN is not correct.")
    qtbot.keyClicks(lock.pin, "1")
    assert lock.status.text() == ""
    lock.show_error("This is not the token this session was signed in with.")
    lock.picker.select(OTHER.serial)
    assert lock.status.text() == ""


# -------------------------------------------------------- PIN change dialog
@pytest.mark.parametrize("lo, hi, rule", [
    (6, 8, "6 to 8 characters"), (4, 255, "at least 4 characters"),
    (4, 0, "at least 4 characters"), (4, 0xFFFFFFFFFFFFFFFF, "at least 4 characters"),
    (6, 6, "exactly 6 characters"),
])
def test_the_dialog_states_the_tokens_length_rule(qtbot, lo, hi, rule):
    token = replace(CARD, pin_min=lo, pin_max=hi)
    assert length_rule(token) == rule
    dialog = PinChangeDialog(None, token)  # nothing is sent to a token here
    qtbot.addWidget(dialog)
    assert dialog.rules.text() == f"Your new PIN must be {rule}."


@pytest.fixture
def real_token(qtbot, service, new_token):
    """(service, TokenInfo) for a fresh SoftHSM token with PIN 'old-pin-1'."""
    tok = new_token(pin="old-pin-1")
    svc = service()
    return svc, token_info(qtbot, svc, tok.serial)


def open_dialog(qtbot, svc, token):
    dialog = PinChangeDialog(svc, token)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(qtbot, dialog, old, new, again):
    for field, text in ((dialog.old_pin, old), (dialog.new_pin, new), (dialog.new_pin_again, again)):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.keyClick(dialog.new_pin_again, Qt.Key_Return)  # Enter changes


@pytest.mark.parametrize("new, again, words", [
    ("new-pin-2", "new-pin-3", "The two new PINs are not the same."),
    ("12", "12", "The new PIN must be at least 4 characters."),
    ("old-pin-1", "old-pin-1", "must be different from the current PIN"),
    ("", "", "Enter a new PIN."),
])
def test_slips_are_refused_before_the_token_is_asked(qtbot, real_token, new, again, words):
    svc, token = real_token
    dialog = open_dialog(qtbot, svc, token)
    fill(qtbot, dialog, "old-pin-1", new, again)
    assert words in dialog.message.text()
    assert not dialog._busy and dialog.result() == 0 and dialog.isVisible()
    assert dialog.new_pin.text() == "" and dialog.new_pin_again.text() == ""
    # The token was not called: no try was spent and the old PIN still works.
    assert not token_info(qtbot, svc, token.serial).user_pin_count_low
    assert outcome(qtbot, svc.login(token.serial, "old-pin-1")) is None


def test_a_wrong_old_pin_shows_the_tokens_message(qtbot, real_token):
    svc, token = real_token
    dialog = open_dialog(qtbot, svc, token)
    fill(qtbot, dialog, "not-the-pin", "new-pin-2", "new-pin-2")
    qtbot.waitUntil(lambda: not dialog._busy, timeout=T)
    assert dialog.message.text().startswith("The PIN is not correct.")
    assert [f.text() for f in (dialog.old_pin, dialog.new_pin, dialog.new_pin_again)] == ["", "", ""]
    assert dialog.isVisible() and dialog.old_pin.hasFocus()
    err = outcome(qtbot, svc.login(token.serial, "new-pin-2"))
    assert isinstance(err, TokenError) and err.kind is TokenErrorKind.WRONG_PIN
    assert outcome(qtbot, svc.login(token.serial, "old-pin-1")) is None


def test_a_successful_change_confirms_and_the_new_pin_works(qtbot, real_token):
    svc, token = real_token
    dialog = open_dialog(qtbot, svc, token)
    with qtbot.waitSignal(dialog.accepted, timeout=T):
        fill(qtbot, dialog, "old-pin-1", "new-pin-2", "new-pin-2")
    assert dialog.confirmation is not None and dialog.confirmation.text() == DONE
    dialog.confirmation.close()
    assert [f.text() for f in (dialog.old_pin, dialog.new_pin, dialog.new_pin_again)] == ["", "", ""]
    err = outcome(qtbot, svc.login(token.serial, "old-pin-1"))
    assert isinstance(err, TokenError) and err.kind is TokenErrorKind.WRONG_PIN
    assert outcome(qtbot, svc.login(token.serial, "new-pin-2")) is None
