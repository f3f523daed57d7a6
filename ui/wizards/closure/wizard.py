"""The closure wizard window: the steps on the left, the page on the right, Back and Next below.

The order is data (``NEXT``): each page's next step.  Any step can be opened from the list (closure is
worked over weeks, not in one sitting); every page renders the shared ``ClosureContext``.  Closing the
window cancels a reset waiting for an answer (nothing is recorded for it) and stops the workers.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from .batch_page import BatchPage
from .checklist_page import ChecklistPage
from .common import Page
from .context import ClosureContext
from .destroy_page import DestroyPage
from .envelopes_page import EnvelopesPage
from .outputs_page import OutputsPage
from .overview import OverviewPage
from .register_page import RegisterPage
from .reset_page import ResetPage
from .setup_page import SetupPage

PAGES: tuple[type[Page], ...] = (OverviewPage, SetupPage, RegisterPage, ResetPage, BatchPage, EnvelopesPage,
                                 ChecklistPage, OutputsPage, DestroyPage)
NEXT = {"overview": "setup", "setup": "register", "register": "batch", "batch": "envelopes", "reset": "envelopes",
        "envelopes": "checklist", "checklist": "outputs", "outputs": "destroy", "destroy": None}


class ClosureWizard(QWidget):
    closed = Signal()
    destroyed_local_data = Signal(object)  # the destruction receipt

    def __init__(self, ctx: ClosureContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.Window)
        self.setObjectName("closureWizard")
        self.setWindowTitle("Signpost — Closure")
        self.ctx = ctx
        self.steps = QListWidget()
        self.steps.setObjectName("closureSteps")
        self.steps.setAccessibleName("Closure steps")
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for i, cls in enumerate(PAGES, start=1):
            page = cls(ctx)
            self.pages[cls.key] = page
            self.stack.addWidget(page)
            self.steps.addItem(f"{i}. {cls.title}")
        self.steps.currentRowChanged.connect(self._show)
        self.back = QPushButton("&Back")
        self.next = QPushButton("&Next")
        self.next.setObjectName("closureNext")
        self.close_button = QPushButton("&Close")
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence("Alt+1"), self, activated=lambda: self.steps.setFocus())
        self.page("destroy").destroyed.connect(self.destroyed_local_data)
        self._history: list[str] = []
        self._shown = False
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back, self.next, self.close_button):
            buttons.addWidget(b)
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.stack, 1)
        column.addLayout(buttons)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.steps)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 950])
        outer = QVBoxLayout(self)
        outer.addWidget(split)
        self.resize(1180, 720)
        self.steps.setCurrentRow(0)

    def page(self, key: str) -> Page:
        return self.pages[key]

    def current(self) -> str:
        return PAGES[self.stack.currentIndex()].key

    def go(self, key: str) -> None:
        self.steps.setCurrentRow([p.key for p in PAGES].index(key))

    def go_next(self) -> None:
        nxt = NEXT.get(self.current())
        if nxt:
            self.go(nxt)

    def go_back(self) -> None:
        if self._history:
            key = self._history.pop()
            self.steps.blockSignals(True)
            self.go(key)
            self.steps.blockSignals(False)
            self._show(self.steps.currentRow(), remember=False)

    def _show(self, row: int, remember: bool = True) -> None:
        if row < 0:
            return
        if remember and self.stack.currentIndex() != row and self._shown:
            self._history.append(PAGES[self.stack.currentIndex()].key)
        self._shown = True
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        page.entered()
        self.next.setEnabled(NEXT.get(page.key) is not None)
        self.back.setEnabled(bool(self._history))

    def closeEvent(self, event) -> None:
        for key in ("reset", "batch"):
            p = self.pages[key]
            if getattr(p, "prompts", None) is not None:
                p.prompts.cancel()
        self.ctx.close()
        self.closed.emit()
        super().closeEvent(event)
