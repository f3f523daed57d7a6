"""What a screen reader finds in a window, read from Qt's own accessibility interfaces (issue 18 item 5).

The fast half of the accessibility contract (the slow half drives the real app over AT-SPI: tests/a11y):
``problems(window)`` lists every visible control a keyboard reaches that has no accessible name (a combo
box may be named by its label's buddy relation, as Qt names it on Linux), a name with a mnemonic's "&" in
it, a focusable widget with no role a screen reader can speak, and every label carrying a fixed accessible
name (a status line so named keeps being announced by that name after its text changes).
"""
from __future__ import annotations

import re

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QTextEdit, QPlainTextEdit,
            QTabBar)
SPEECHLESS = {QAccessible.Role.NoRole, QAccessible.Role.Client, QAccessible.Role.Pane, QAccessible.Role.Grouping}


def name(widget: QWidget) -> str:
    """The name a screen reader speaks for ``widget``."""
    iface = QAccessible.queryAccessibleInterface(widget)
    if isinstance(widget, QComboBox):  # its accessible name is its current text: its label names it
        labels = [r[0].text(QAccessible.Name) for r in iface.relations(QAccessible.RelationFlag.Label)]
        return widget.accessibleName() or next((t for t in labels if t), "")
    return iface.text(QAccessible.Name)


def _inner(widget: QWidget) -> bool:
    """Part of a compound control, named by it (a combo box's or spin box's line edit, a tab bar's arrows, a
    table's headers), or a container whose focus goes to a part (a tab widget's tab bar)."""
    parent = widget.parentWidget()
    return isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar)) \
        or isinstance(widget, (QScrollBar, QHeaderView, QTabWidget))


def _where(widget: QWidget) -> str:
    """The nearest named ancestor, to say where an unnamed widget is."""
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    return f"in {parent.objectName()}" if parent is not None else ""


def controls(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if w.isVisible() and w.isEnabled() and not _inner(w)
            and (isinstance(w, CONTROLS) or w.focusPolicy() & 0x1)]  # Qt.TabFocus


def mnemonic(text: str) -> str:
    """The Alt+ letter a label or button text gives ("" for none; "&&" is a literal ampersand)."""
    m = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return m.group(1).lower() if m else ""


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Each Alt+ letter in use in ``window`` (what is showing of it, and its menu bar) and what uses it."""
    used: dict[str, list[str]] = {}
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            text = w.text()
        elif isinstance(w, QMenuBar):
            for action in w.actions():
                if mnemonic(action.text()):
                    used.setdefault(mnemonic(action.text()), []).append(f"menu {action.text()}")
            continue
        else:
            continue
        if mnemonic(text) and w.isEnabled():
            used.setdefault(mnemonic(text), []).append(text)
    return used


def problems(window: QWidget) -> list[str]:
    found = [f"Alt+{key.upper()} is given to more than one control: {', '.join(sorted(users))}"
             for key, users in mnemonics(window).items() if len(users) > 1]
    for w in controls(window):
        what = f"{type(w).__name__} {w.objectName() or _where(w)}".strip()
        called = name(w)
        role = QAccessible.queryAccessibleInterface(w).role()
        if not called:
            found.append(f"{what}: no accessible name")
        elif "&" in called.replace("&&", ""):
            found.append(f"{what}: '&' in its name {called!r}")
        if role in SPEECHLESS:
            found.append(f"{what}: focusable with no role a screen reader speaks ({role.name})")
    for label in window.findChildren(QLabel):
        if label.accessibleName():
            found.append(f"QLabel {label.objectName()}: a fixed accessible name {label.accessibleName()!r} "
                         f"(its text {label.text()[:40]!r} would not be read)")
    return found
