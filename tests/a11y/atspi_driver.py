"""Drive an app through its accessibility tree, as a screen reader user's tools do (issue 18 item 5).

Runs in Debian's SYSTEM python3 (``python3-pyatspi``; it is not installable into the project's venv), in
the same private D-Bus session as the app it starts:

    /usr/bin/python3 tests/a11y/atspi_driver.py SOCKET APP-NAME -- COMMAND ARGS...

It starts COMMAND, connects to the Unix socket SOCKET (the test listens there: packaging/with-keyring.sh
gives its command no stdin), and answers one JSON request per line with one JSON line (the ``op_*``
methods) about the application APP-NAME on the AT-SPI registry. Keys go through AT-SPI's device
event controller (XTest on the Xvfb display), so Qt sees real key presses; ``object:announcement``
events (``QAccessibleAnnouncementEvent``) are collected as they arrive. ``tests/a11y/harness.py`` is the
pytest side.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

# Keycodes of Xvfb's default (evdev) keymap: a chord is sent as keycodes (modifier down, key, modifier up),
# since a keysym sent on its own carries no modifier.
MODIFIERS = {"Alt": 64, "Ctrl": 37, "Shift": 50}
KEYCODES = dict(zip("qwertyuiop", range(24, 34))) | dict(zip("asdfghjkl", range(38, 47))) \
    | dict(zip("zxcvbnm", range(52, 59))) | dict(zip("1234567890", range(10, 20))) \
    | {"Tab": 23, "Return": 36, "Down": 116, "Up": 111, "Escape": 9}
KEYSYMS = {"Tab": 0xFF09, "Return": 0xFF0D, "Enter": 0xFF0D, "Escape": 0xFF1B, "Down": 0xFF54, "Up": 0xFF52,
           "Space": 0x20, "BackTab": 0xFE20}

announcements: list[dict] = []
app_process: subprocess.Popen | None = None
started = 0.0  # when the app was started (time.monotonic)


def pump(seconds: float = 0.0) -> None:
    """Let AT-SPI events in (listeners run from GLib's main context)."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while context.pending():
            context.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(0.02)


def on_announcement(event) -> None:
    announcements.append({"text": str(event.any_data), "source": _name(event.source)})


def _name(node) -> str:
    try:
        return node.name or ""
    except Exception:
        return ""


def find_app(name: str, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pump(0.1)
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and _name(app) == name:
                return app
        if app_process is not None and app_process.poll() is not None:
            raise RuntimeError(f"the app ended with status {app_process.returncode}")
    raise RuntimeError(f"no application {name!r} on the accessibility bus")


def walk(node, depth: int = 0):
    if node is None or depth > 40:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            yield from walk(node.getChildAtIndex(i), depth + 1)
        except Exception:
            continue


def labels(node) -> list[str]:
    """The names of what labels ``node`` (AT-SPI's labelled-by relation: how Qt names a combo box on Linux,
    whose accessible name is its current text)."""
    try:
        relations = node.getRelationSet()
    except Exception:
        return []
    return [_name(r.getTarget(i)) for r in relations if r.getRelationType() == pyatspi.RELATION_LABELLED_BY
            for i in range(r.getNTargets())]


def describe(node) -> dict:
    states = node.getState()
    return {"role": node.getRoleName(), "name": _name(node), "labels": labels(node),
            "showing": states.contains(pyatspi.STATE_SHOWING), "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
            "focused": states.contains(pyatspi.STATE_FOCUSED), "enabled": states.contains(pyatspi.STATE_ENABLED),
            "editable": states.contains(pyatspi.STATE_EDITABLE)}


class Session:
    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.keystrokes = 0

    @property
    def app(self):
        return find_app(self.app_name, 60)

    def window(self, title: str, timeout: float = 60):
        """The top-level window whose name is, or starts with, ``title`` and is showing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(self.app.childCount):
                w = self.app.getChildAtIndex(i)
                if w is not None and _name(w).startswith(title) and w.getState().contains(pyatspi.STATE_SHOWING):
                    return w
            pump(0.1)
        raise RuntimeError(f"no showing window {title!r}: "
                           f"{[_name(self.app.getChildAtIndex(i)) for i in range(self.app.childCount)]}")

    def node(self, window: str, name: str, role: str | None = None, timeout: float = 30, editable: bool = False):
        """The showing control called ``name`` (a combo box: by its label), not the label itself."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n in walk(self.window(window, timeout)):
                called = labels(n) if n.getRoleName() == "combo box" else [_name(n)]
                if name in [c.replace("&", "") for c in called] and n.getRoleName() != "label" \
                        and (role is None or n.getRoleName() == role) and n.getState().contains(pyatspi.STATE_SHOWING) \
                        and (not editable or n.getState().contains(pyatspi.STATE_EDITABLE)):
                    return n
            pump(0.1)
        raise RuntimeError(f"no {role or 'node'} named {name!r} in {window!r}")

    # -- ops ----------------------------------------------------------------------------------------------
    def op_window(self, title: str, timeout: float = 60) -> dict:
        return describe(self.window(title, timeout))

    def op_controls(self, window: str) -> list[dict]:
        return [describe(n) for n in walk(self.window(window)) if n.getState().contains(pyatspi.STATE_SHOWING)]

    def op_wait_enabled(self, window: str, name: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = self.node(window, name, timeout=timeout)
            if n.getState().contains(pyatspi.STATE_ENABLED):
                return describe(n) | {"since_start_ms": round((time.monotonic() - started) * 1000, 1)}
            pump(0.2)
        raise RuntimeError(f"{name!r} never became enabled")

    def op_wait_text(self, window: str, contains: str, timeout: float = 60) -> dict:
        """A node in ``window`` whose name holds ``contains`` (a status line's text is its name)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n in walk(self.window(window, timeout)):
                if contains in _name(n):
                    return describe(n)
            pump(0.2)
        raise RuntimeError(f"nothing in {window!r} says {contains!r}")

    def op_set_text(self, window: str, name: str, text: str) -> dict:
        n = self.node(window, name, editable=True)
        n.queryEditableText().setTextContents(text)
        return describe(n)

    def op_press(self, window: str, name: str) -> dict:
        n = self.node(window, name, "push button")
        n.queryAction().doAction(0)
        return describe(n)

    def op_focus(self, window: str, name: str) -> dict:
        n = self.node(window, name)
        n.queryComponent().grabFocus()
        pump(0.2)
        return describe(n)

    def op_active(self, window: str, timeout: float = 20) -> dict:
        """Wait until ``window`` is the active window (the window manager focused it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            w = self.window(window, timeout)
            if w.getState().contains(pyatspi.STATE_ACTIVE):
                return describe(w)
            pump(0.1)
        raise RuntimeError(f"{window!r} never became the active window")

    def op_focused(self) -> dict:
        for n in walk(self.app):
            if n.getState().contains(pyatspi.STATE_FOCUSED):
                return describe(n)
        return {}

    def op_keys(self, keys: list[str], window: str = "") -> dict:
        """Each item is one keystroke: text to type character by character, a key ("Tab"), or a chord
        ("Alt+F", "Ctrl+L"). ``window``: the window the keys are for, which must be active."""
        if window:
            self.op_active(window)
        for key in keys:
            if key.startswith("text:"):
                for ch in key[5:]:
                    pyatspi.Registry.generateKeyboardEvent(ord(ch), None, pyatspi.KEY_SYM)
                    self.keystrokes += 1
                    pump(0.03)
                continue
            *mods, last = key.split("+") if len(key) > 1 else [key]
            if mods:
                for m in mods:
                    pyatspi.Registry.generateKeyboardEvent(MODIFIERS[m], None, pyatspi.KEY_PRESS)
                    pump(0.02)
                pyatspi.Registry.generateKeyboardEvent(KEYCODES[last.lower() if len(last) == 1 else last], None,
                                                       pyatspi.KEY_PRESSRELEASE)
                pump(0.02)
                for m in reversed(mods):
                    pyatspi.Registry.generateKeyboardEvent(MODIFIERS[m], None, pyatspi.KEY_RELEASE)
            else:
                pyatspi.Registry.generateKeyboardEvent(KEYSYMS.get(last) or ord(last), None, pyatspi.KEY_SYM)
            self.keystrokes += 1
            pump(0.15)
        return {"keystrokes": self.keystrokes}

    def op_announcements(self, wait: float = 0.5) -> list[dict]:
        pump(wait)
        got = list(announcements)
        announcements.clear()
        return got

    def op_wait_announcement(self, contains: str, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pump(0.1)
            if any(contains in a["text"] for a in announcements):
                got = list(announcements)
                announcements.clear()
                return got
        raise RuntimeError(f"no announcement with {contains!r}: {announcements}")


def main(argv: list[str]) -> int:
    global app_process, started
    path, name, command = argv[0], argv[1], argv[argv.index("--") + 1:]
    subprocess.run(["dbus-update-activation-environment", f"DISPLAY={os.environ['DISPLAY']}"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the AT-SPI registry's key events
    pyatspi.Registry.registerEventListener(on_announcement, "object:announcement")
    started = time.monotonic()
    app_process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    session = Session(name)
    channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    channel.connect(path)
    reader, writer = channel.makefile("r", encoding="utf-8"), channel.makefile("w", encoding="utf-8")
    try:
        for line in reader:
            request = json.loads(line)
            if request["op"] == "quit":
                break
            try:
                result = {"ok": getattr(session, f"op_{request['op']}")(**request.get("args", {}))}
            except Exception as exc:  # told to the test, which fails with it
                result = {"error": f"{type(exc).__name__}: {exc}"}
            writer.write(json.dumps(result) + "\n")
            writer.flush()
    finally:
        if app_process.poll() is None:
            app_process.send_signal(signal.SIGTERM)
            try:
                app_process.wait(20)
            except subprocess.TimeoutExpired:
                app_process.kill()
                app_process.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
