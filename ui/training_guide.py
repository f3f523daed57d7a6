"""Help → Training guide: the training directory's documented sample children.

Offered only on the training directory. It lists each sample child with what
it shows and what to type to find it, and the training users with their
roles; the password and PIN are in the README, not here. The children are
synthetic; the window still closes on lock and sign-out with everything else.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.model import User

INTRO = ("The training directory holds synthetic children only. These sample children are always in it, "
         "at the same directory ids, so that you can try each part of Signpost. Choose any reason; "
         "a mediating user also names a colleague.")
USERS_NOTE = ("Sign in as any of these training users. Their password and token PIN are in the README "
              "(“Signing in to the training directory”); each user's token is labelled with their username.")
CHILD_COLUMNS = ("Child", "Directory id", "Date of birth", "LA", "What it shows", "What to type")
USER_COLUMNS = ("Username", "Name", "Role", "Organisation")


@dataclass(frozen=True)
class GuideFacts:
    entries: tuple[Any, ...]  # app.training_cast.CastEntry
    users: tuple[User, ...]


def facts(training: tuple) -> GuideFacts:
    """The guide's facts from the directory's ``training_facts()``: the cast as built into it, and its users."""
    from app import training_cast
    reference, users = training
    return GuideFacts(tuple(training_cast.entries(reference)), tuple(users))


def _table(name: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
           wrap_from: int | None = None) -> QTableWidget:
    """A read-only table; columns from ``wrap_from`` on share the spare width and wrap their text."""
    table = QTableWidget(len(rows), len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)
    if wrap_from is None:
        header.setStretchLastSection(True)
    else:
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        for c in range(wrap_from, len(columns)):
            header.setSectionResizeMode(c, QHeaderView.Stretch)
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    table.resizeRowsToContents()
    return table


def child_rows(entries) -> list[list[str]]:
    return [[f"{e.given_names} {e.family_name}", e.directory_id, f"{e.dob:%d/%m/%Y}", e.la_name, e.what,
             e.try_search] for e in entries]


def user_rows(users) -> list[list[str]]:
    return [[u.username, u.display_name, u.role.label, u.organisation] for u in users]


class TrainingGuide(QDialog):
    def __init__(self, facts: GuideFacts, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingGuide")
        self.setWindowTitle("Signpost — training guide")
        self.setModal(False)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        children_title = QLabel("<b>Sample children</b>")
        self.children = _table("guideChildren", CHILD_COLUMNS, child_rows(facts.entries), wrap_from=4)
        self.children.setAccessibleName("Sample children in the training directory")
        users_title = QLabel("<b>Training users</b>")
        users_note = QLabel(USERS_NOTE)
        users_note.setObjectName("guideUsersNote")
        users_note.setWordWrap(True)
        self.users = _table("guideUsers", USER_COLUMNS, user_rows(facts.users))
        self.users.setAccessibleName("Training users")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for w in (intro, children_title):
            layout.addWidget(w)
        layout.addWidget(self.children, 3)
        for w in (users_title, users_note):
            layout.addWidget(w)
        layout.addWidget(self.users, 1)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.resize(1120, 760)
