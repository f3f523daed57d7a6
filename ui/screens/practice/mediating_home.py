"""A mediating user's home view (R-ROLE-2): the colleagues the LA team registered, for whom they search.

A caller is helped on the Search screen: choose the colleague, search, read out what is found (nothing can be
copied), then "New caller" clears it all."""
from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QPushButton, QVBoxLayout

from app.directory.work import operations as ops
from app.directory.work import types as t

from ..base import Screen, ScreenContext

HOW = ("When a registered colleague calls: on the Search screen choose them under “On behalf of”, give the reason "
       "they state, search, and read out what is found. Nothing can be copied, printed or exported. Press "
       "“New caller” (Alt+N) before the next call: it clears everything. A colleague who is not on this list must "
       "first be registered by your LA team.")


class MediatingHome(Screen):
    title = "Home"

    def __init__(self, ctx: ScreenContext, parent=None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("mediatingHome")
        self.colleagues: list[t.RegisteredColleague] = []
        how = QLabel(HOW)
        how.setWordWrap(True)
        box = QGroupBox("Registered colleagues")
        self.list = QListWidget()
        self.list.setObjectName("registeredColleagues")
        self.list.setAccessibleName("Registered colleagues")
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.clicked.connect(self.refresh)
        inner = QVBoxLayout(box)
        inner.addWidget(self.list)
        inner.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(how)
        layout.addWidget(box, 1)

    def refresh(self) -> None:
        self.ctx.perform(ops.COLLEAGUES, t.Nothing(), self._show, self.failed)

    def _show(self, colleagues) -> None:
        self.colleagues = list(colleagues)
        self.list.clear()
        self.list.addItems([f"{c.name}, {c.role} — {c.organisation}" if c.role else f"{c.name} — {c.organisation}"
                            for c in self.colleagues])
        if not self.colleagues:
            self.say("No colleagues are registered for you to act for. Ask your LA team to register them.")

    def reset(self) -> None:
        super().reset()
        self.colleagues = []
        self.list.clear()
