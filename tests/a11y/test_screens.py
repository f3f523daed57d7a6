"""Accessibility contract tests over AT-SPI (issue 18 item 5; WCAG 2.2 AA through WCAG2ICT).

The real app runs under Xvfb in a private D-Bus session and is read and driven through the accessibility
tree by the system python3's pyatspi, as a screen reader would. For each screen: every control a keyboard
reaches has a name, and the controls a user needs have the right role; status lines carry no fixed name
(their text is their name); every refusal, result count and lock is announced
(``object:announcement``); an announcement never speaks a withheld detail; and a keyboard-only journey
(sign in → search → open → lock) passes, its keystrokes counted.

Adding a screen is one ``Screen`` in ``SCREENS``: how to reach it, its window and the controls it must
offer with their roles.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .harness import LOCKED, SIGN_IN, Desktop, available, source_command

pytestmark = pytest.mark.skipif(bool(available()), reason=available() or "")

MAIN = "Signpost — "  # the role window's title starts so: "Signpost — Alex Morgan"
PRACTITIONER = "alex.practitioner"


@dataclass(frozen=True)
class Screen:
    name: str
    window: str
    reach: Callable[[Desktop], None]
    controls: dict[str, str]  # accessible name -> AT-SPI role the user needs there


def _signed_in(d: Desktop) -> None:
    d.sign_in(PRACTITIONER)
    d.call("wait_text", window=MAIN + "Alex", contains="Why are you searching?")


def _locked(d: Desktop) -> None:
    _signed_in(d)
    d.call("focus", window=MAIN + "Alex", name="Family name")
    d.call("keys", keys=["Ctrl+L"], window=MAIN + "Alex")
    d.call("window", title=LOCKED)


SCREENS = [
    Screen("sign-in", SIGN_IN, lambda d: None, {
        "Username": "text", "Password": "password text", "Security token": "combo box",
        "Token PIN": "password text", "Sign in": "push button"}),
    Screen("search form", MAIN + "Alex", _signed_in, {
        "Reason": "combo box", "Reason detail": "text", "Family name": "text", "Given name": "text",
        "Date of birth": "text", "Postcode": "text", "Directory id": "text", "Search": "push button",
        "Clear": "push button", "Search results": "table"}),
    Screen("lock", LOCKED, _locked, {
        "Security token": "combo box", "PIN": "password text", "Unlock": "push button", "Sign out": "push button"}),
]


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """One data folder and keyring for the module's app runs: the training directory is built once."""
    home = tmp_path_factory.mktemp("a11y-home")
    (home / "config").mkdir()
    (home / "config" / "settings.json").write_text(json.dumps({"training_children": 400}))
    return home, tmp_path_factory.mktemp("a11y-keyring")


@pytest.fixture
def desktop(homes):
    home, keyring_home = homes
    d = Desktop(source_command(), home, keyring_home).start()
    try:
        d.ready()
        yield d
    finally:
        err = d.stop()
        assert "Traceback" not in err, err


def _names(node: dict) -> list[str]:
    """What a screen reader calls a control: a combo box by its label (on Linux Qt gives it the labelled-by
    relation and makes its name its current text), anything else by its name."""
    if node["role"] == "combo box":
        return [label for label in node["labels"] if label]
    return [node["name"]] if node["name"] else []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_control_is_named_with_its_role(desktop, screen):
    screen.reach(desktop)
    nodes = desktop.call("controls", window=screen.window)
    unnamed = [n for n in nodes if n["focusable"] and n["enabled"] and not _names(n)
               and n["role"] not in ("page tab list", "scroll bar", "filler", "panel")]
    assert not unnamed, f"{screen.name}: focusable controls with no accessible name: {unnamed}"
    marked = [n["name"] for n in nodes if "&" in n["name"]]  # a mnemonic's sign, read out as "ampersand"
    assert not marked, f"{screen.name}: names a screen reader reads with an '&' in them: {marked}"
    roles: dict[str, set[str]] = {}
    for n in nodes:
        for name in _names(n):
            roles.setdefault(name, set()).add(n["role"])
    wrong = {name: (role, sorted(roles.get(name, ()))) for name, role in screen.controls.items()
             if role not in roles.get(name, ())}
    assert not wrong, f"{screen.name}: missing or of the wrong role (wanted, found): {wrong}"


def test_a_refused_sign_in_is_announced_and_the_status_line_is_named_by_its_text(desktop):
    desktop.call("announcements")
    desktop.sign_in(PRACTITIONER, password="not-the-password")
    heard = desktop.call("wait_announcement", contains="not right")
    said = next(a["text"] for a in heard if "not right" in a["text"])
    status = desktop.call("wait_text", window=SIGN_IN, contains="not right")
    assert status["name"] == said and status["role"] == "label"  # no fixed name such as "Sign-in status"


def test_searches_refusals_and_counts_are_announced_without_a_withheld_detail(desktop):
    """A refusal at once (assertive), a result count politely; for a shielded child, only the count:
    never her former name, postcode or town (R-SHIELD-1)."""
    _signed_in(desktop)
    window = MAIN + "Alex"
    desktop.call("announcements")
    desktop.call("press", window=window, name="Search")  # no reason chosen: refused
    desktop.call("wait_announcement", contains="Choose a reason")
    desktop.call("focus", window=window, name="Reason")
    desktop.call("keys", keys=["Down"], window=window)
    desktop.call("set_text", window=window, name="Family name", text="Trevaskis")
    desktop.call("set_text", window=window, name="Date of birth", text="02/09/2014")
    desktop.call("press", window=window, name="Search")
    heard = desktop.call("wait_announcement", contains="match")
    spoken = " ".join(a["text"] for a in heard)
    assert "1 child matches" in spoken
    for withheld in ("Pendarves", "Lowenna", "Restricted", "TR"):  # a name, the town line, a postcode start
        assert withheld not in spoken


def test_locking_is_announced(desktop):
    _signed_in(desktop)
    desktop.call("announcements")
    desktop.call("focus", window=MAIN + "Alex", name="Family name")
    desktop.call("keys", keys=["Ctrl+L"], window=MAIN + "Alex")
    heard = desktop.call("wait_announcement", contains="Signpost is locked")
    assert any("Locked at your request" in a["text"] for a in heard)


def test_a_keyboard_only_journey_signs_in_searches_opens_and_locks(desktop, record_property):
    """Sign in → search → open → lock with the keyboard alone; the keystrokes are reported (and are
    `keystrokes_signin_to_record` in make bench)."""
    to_record, to_lock = keyboard_journey(desktop)
    record_property("keystrokes_signin_to_record", to_record)
    print(f"keyboard-only journey: {to_record} keystrokes to the record, {to_lock} to the lock")
    assert to_record < 80 and to_lock == to_record + 1


def keyboard_journey(d: Desktop) -> tuple[int, int]:
    """(keystrokes from the sign-in window to the open record, and to the lock). Every step is a key
    press: typing counts one per character, a chord (Alt+F) one."""
    d.call("focus", window=SIGN_IN, name="Username")
    d.call("keys", keys=[f"text:{PRACTITIONER}", "Tab", "text:training-only-2026", "Tab", "Tab", "text:246810",
                         "Return"], window=SIGN_IN)
    main = MAIN + "Alex"
    d.call("wait_text", window=main, contains="Why are you searching?")
    d.call("keys", keys=["Alt+R", "Down", "Alt+F", "text:Trevaskis", "Alt+T", "text:02/09/2014", "Return"],
           window=main)
    d.call("wait_text", window=main, contains="1 child matches")
    d.call("keys", keys=["Return"], window=main)  # the first result has focus: open it
    d.call("wait_text", window=main, contains="900 000 0017")
    opened = d.call("keys", keys=[])["keystrokes"]
    locked = d.call("keys", keys=["Ctrl+L"], window=main)["keystrokes"]
    d.call("window", title=LOCKED)
    return opened, locked
