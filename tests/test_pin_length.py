"""The PIN "no maximum" value has one home, app/token/info.py (issue 14 §5): a token that gives 0 or
CK_UNAVAILABLE_INFORMATION (32 or 64 bits) as ulMaxPinLen sets no maximum, for the token service's check, its
message, the closure reset's transport PIN and the PIN-change dialog alike."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.closure.reset import TokenState
from app.token import errors
from app.token.info import NO_MAXIMUM, TokenInfo, pin_fits, pin_maximum
from ui.pin_change_dialog import length_rule

ROOT = Path(__file__).resolve().parents[1]


def _info(pin_max: int) -> TokenInfo:
    return TokenInfo("S1", "label", "maker", "model", 4, pin_max)


def _state(pin_max: int) -> TokenState:
    return TokenState("S1", "label", 4, pin_max, False, False, False, False, False)


@pytest.mark.parametrize("no_max", sorted(NO_MAXIMUM))
def test_every_no_maximum_value_means_no_maximum_everywhere(no_max):
    long_pin = "9" * 300
    assert pin_maximum(no_max) is None and pin_fits(long_pin, 4, no_max) and not pin_fits("123", 4, no_max)
    assert _state(no_max).accepts(long_pin)
    assert str(errors.pin_length(_info(no_max))).endswith("at least 4 characters long.")
    assert length_rule(_info(no_max)) == "at least 4 characters"


def test_a_real_maximum_is_kept_and_counted_in_bytes():
    assert pin_maximum(8) == 8 and pin_fits("12345678", 4, 8) and not pin_fits("123456789", 4, 8)
    assert not pin_fits("£££££", 4, 8)  # ten bytes in UTF-8
    assert not _state(8).accepts("123456789")
    assert "4 to 8 characters" in str(errors.pin_length(_info(8))) and length_rule(_info(8)) == "4 to 8 characters"


def test_the_no_maximum_values_are_written_once():
    found = [f"{p.relative_to(ROOT)}:{n}" for top in ("app", "ui") for p in (ROOT / top).rglob("*.py")
             if p.name != "info.py" and p.name != "preflight.py"
             for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"0xF{8}\b|0xF{16}\b", line)]
    assert not found, found
