"""Help for the screen you are on (issue 14 §3.7): F1 opens what the screen shows, what each of its actions
does and whom to ask, in a live deployment as on the training directory (the training guide, for training
only, lists the sample children). The words live in resources/help.json, read through app/resources.py."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app import resources
from app.model import Role

HELP_FILE = "help.json"


@dataclass(frozen=True)
class ScreenHelp:
    title: str
    shows: str
    actions: tuple[tuple[str, str], ...]
    ask: str


@cache
def _all() -> dict:
    return resources.load_json(HELP_FILE)


def help_for(screen: str, role: Role) -> ScreenHelp:
    """The help for the screen named ``screen`` (its object name), the role's own where it has one. A screen
    without help is an error of the build, not something to paper over (tests/ui/test_screen_help.py)."""
    entry = _all().get(f"{screen}.{role.value}") or _all()[screen]
    return ScreenHelp(entry["title"], entry["shows"], tuple((a, b) for a, b in entry["actions"]), entry["ask"])


def html(h: ScreenHelp) -> str:
    rows = "".join(f"<li><b>{escape(a)}</b>: {escape(b)}</li>" for a, b in h.actions)
    return (f"<h2>{escape(h.title)}</h2><h3>What this screen shows</h3><p>{escape(h.shows)}</p>"
            f"<h3>What each action does</h3><ul>{rows}</ul><h3>Whom to ask</h3><p>{escape(h.ask)}</p>")


class ScreenHelpDialog(QDialog):
    def __init__(self, h: ScreenHelp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenHelp")
        self.setWindowTitle(f"Help: {h.title}")
        self.text = QTextBrowser()
        self.text.setObjectName("screenHelpText")
        self.text.setAccessibleName(f"Help for {h.title}")
        self.text.setHtml(html(h))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 480)
        self.text.setFocus()
