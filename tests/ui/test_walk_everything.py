"""What every role's window and dialogs show, walked on the real engine (tests/ui/walk.py): they fit a
1024×768 screen with no button squeezed (issue 14 §3.2), no rule id or raw code reaches the words a person
reads (§3.5), and no two visible things in one window answer the same Alt shortcut (§3.6)."""
from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QPushButton, QTabBar

from tests.ui.walk import USERS, Walk, texts, visible_widgets

RULE_ID = re.compile(r"\bR-[A-Z]+-\d")
CODE = re.compile(r"(?<![\w@.\-/])[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*(?![\w@.\-/])")  # "record.gone", "jo.la"
ACCOUNT = {"User"}  # the LA team's Users and Usage lists name each account's username beside the person's name
DOMAINS = {"org", "uk", "com", "example", "net", "gov"}  # "example.org" is an address, not a code


def walked(qtbot, directory_copy, check) -> list[str]:
    problems: list[str] = []
    walk = Walk(qtbot, *directory_copy)
    try:
        for role in USERS:
            for where, top in walk.places(role):
                problems += [f"{where}: {p}" for p in check(top, walk)]
    finally:
        walk.close()
    return problems


def mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def shortcuts(top) -> dict[str, list[str]]:
    """Letter → what answers Alt+letter in ``top``: visible buttons, labels, group boxes, tabs and the menus."""
    taken: dict[str, list[str]] = defaultdict(list)

    def take(text: str) -> None:
        letter = mnemonic(text)
        if letter:
            taken[letter].append(text)
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            take(action.text())
    for w in visible_widgets(top):
        if isinstance(w, (QAbstractButton, QLabel)):
            take(w.text())
        elif isinstance(w, QGroupBox):
            take(w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                take(w.tabText(i))
    return taken


def test_no_two_visible_things_in_a_window_share_an_alt_shortcut(qtbot, directory_copy):
    """Issue 14 §3.6: Alt+E, Alt+L, Alt+R, Alt+I each do one thing, in every window and dialog of every role."""
    def clashes(top, _walk):
        return [f"Alt+{k.upper()}: {', '.join(v)}" for k, v in shortcuts(top).items() if len(v) > 1]
    problems = walked(qtbot, directory_copy, clashes)
    assert not problems, "\n".join(sorted(set(problems)))


def test_no_rule_id_or_raw_code_in_what_a_person_reads(qtbot, directory_copy):
    """Issue 14 §3.5: "(R-SENS-2)", "involvement.conflict", a username or "NBR" never reach the screen."""
    def words(top, walk):
        out = []
        las = {code for (code,) in walk.engine(lambda d: d.conn.execute("SELECT code FROM las").fetchall())}
        for label, text in texts(top):
            if RULE_ID.search(text):
                out.append(f"rule id in {text!r}")
            for code in CODE.findall(text):
                if code.rsplit(".", 1)[1] not in DOMAINS and label not in ACCOUNT:
                    out.append(f"code {code!r} in {text!r}")
            for la in las & set(re.findall(r"\b[A-Z]{3}\b", text)):
                out.append(f"LA code {la!r} in {text!r}")
        return out
    problems = walked(qtbot, directory_copy, words)
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_window_and_dialog_fits_1024_by_768_with_no_button_squeezed(qtbot, directory_copy):
    """Issue 14 §3.2: minimum size hints within 1024×768; at that size every visible button and one-line label
    shows its whole text (the practitioner window needed 1178 px and read "am working with this child..", §3.5:
    "To" read "Tc")."""
    def fit(top, _walk):
        out = []
        hint = top.minimumSizeHint()
        if hint.width() > 1024 or hint.height() > 768:
            out.append(f"needs {hint.width()}x{hint.height()}")
        if isinstance(top, QMainWindow):
            top.resize(1024, 768)
        qtbot.wait(0)
        for w in visible_widgets(top):
            if isinstance(w, QPushButton) and w.text():
                need = w.fontMetrics().horizontalAdvance(w.text().replace("&", ""))
                if w.width() < need:
                    out.append(f"button {w.text()!r} is {w.width()} px wide for {need} px of text")
            elif (isinstance(w, QLabel) and w.text() and not w.wordWrap() and "<" not in w.text()
                  and w.pixmap().isNull()):
                need = w.fontMetrics().horizontalAdvance(w.text().replace("&", "")) - 1
                if w.contentsRect().width() < need:
                    out.append(f"label {w.text()!r} is {w.contentsRect().width()} px wide for {need} px of text")
        return out
    problems = walked(qtbot, directory_copy, fit)
    assert not problems, "\n".join(sorted(set(problems)))
