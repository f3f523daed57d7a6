"""``app.closure.flow.Prompts`` in Qt, for a flow that runs OFF the GUI thread (R-CLOSE-2).

The reset flow is blocking: it asks, then waits on token futures.  So it runs on the wizard's flow
worker, and ``QtPrompts`` hands each question to the GUI thread through the relay, then waits (on the
worker) for the answer the person gives in a ``PromptPanel``.  The GUI thread never waits on token
work or on the flow.  Calling a prompt on the GUI thread is refused (it would freeze the window).

A PIN is read from a masked field, handed to the flow once, and the field is cleared at once; it is
never logged or kept.  ``cancel()`` (the wizard closing, the token page left) answers every pending
and later question with "no"/None, so a waiting flow ends as "Cancelled: nothing recorded".
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QThread, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from ui.announce import announce
from ui.bridge import Relay

PIN, CONFIRM = "pin", "confirm"


class PromptPanel(QWidget):
    """Where a running flow's questions appear: a PIN (masked), a yes/no, and what it told so far."""

    answered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closurePrompt")
        self.question = QLabel()
        self.question.setObjectName("closureQuestion")
        self.question.setWordWrap(True)
        self.pin_label = QLabel("&PIN:")
        self.pin = QLineEdit()
        self.pin.setObjectName("closurePin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.setMaxLength(64)
        self.pin_label.setBuddy(self.pin)
        self.pin.returnPressed.connect(self._give_pin)
        self.ok = QPushButton("C&ontinue")
        self.ok.clicked.connect(self._give_pin)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.clicked.connect(self._cancel_pin)
        self.yes = QPushButton("&Yes")
        self.yes.clicked.connect(lambda: self._give_confirm(True))
        self.no = QPushButton("&No")
        self.no.clicked.connect(lambda: self._give_confirm(False))
        self.last = QLabel()
        self.last.setObjectName("closureTold")
        self.last.setWordWrap(True)
        self.log = QListWidget()
        self.log.setObjectName("closureLog")
        self.log.setAccessibleName("Steps so far")
        self.log.setMaximumHeight(110)

        row = QHBoxLayout()
        row.addWidget(self.pin_label)
        row.addWidget(self.pin, 1)
        for b in (self.ok, self.cancel_button, self.yes, self.no):
            row.addWidget(b)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.question)
        column.addLayout(row)
        column.addWidget(self.last)
        column.addWidget(self.log)
        self._reply: Callable[[object], None] | None = None
        self._kind: str | None = None
        self._show(None)

    # -- what the GUI shows ---------------------------------------------------
    def pending(self) -> str | None:
        """PIN or CONFIRM while a question waits for the person; None otherwise."""
        return self._kind

    def _show(self, kind: str | None) -> None:
        self._kind = kind
        for w in (self.pin_label, self.pin, self.ok, self.cancel_button):
            w.setVisible(kind == PIN)
        for w in (self.yes, self.no):
            w.setVisible(kind == CONFIRM)
        self.question.setVisible(kind is not None)
        if kind is None:
            self.question.clear()

    def ask_pin(self, purpose: str, reply: Callable[[object], None]) -> None:
        self._reply = reply
        self.question.setText(f"Type {purpose}, then press Enter. It is not shown and not kept.")
        self.pin.clear()
        self._show(PIN)
        self.pin.setAccessibleDescription(self.question.text())  # read with the field focus lands on
        self.pin.setFocus(Qt.OtherFocusReason)
        announce(self.question, self.question.text(), assertive=True)

    def confirm(self, question: str, reply: Callable[[object], None]) -> None:
        self._reply = reply
        self.question.setText(question)
        self._show(CONFIRM)
        self.yes.setDefault(True)
        self.yes.setAccessibleDescription(question)
        self.yes.setFocus(Qt.OtherFocusReason)
        announce(self.question, question, assertive=True)

    def tell(self, message: str) -> None:
        self.last.setText(message)
        announce(self.last, message)
        self.log.addItem(message)
        self.log.scrollToBottom()

    def clear(self) -> None:
        """Forget the questions and messages (a new token, or the wizard closing)."""
        self.abandon()
        self.last.clear()
        self.log.clear()

    def abandon(self) -> None:
        """Drop a question still on screen (its flow was cancelled)."""
        self.pin.clear()
        self._reply = None
        self._show(None)

    # -- the person's answers ---------------------------------------------------
    def _answer(self, value: object) -> None:
        reply, self._reply = self._reply, None
        self._show(None)
        if reply is not None:
            reply(value)
        self.answered.emit()

    def _give_pin(self) -> None:
        if self._kind != PIN:
            return
        value = self.pin.text()
        self.pin.clear()  # never kept on screen
        if not value:
            self.question.setText(self.question.text().split(" Nothing")[0] + " Nothing was typed.")
            self._show(PIN)
            return
        self._answer(value)

    def _cancel_pin(self) -> None:
        if self._kind == PIN:
            self.pin.clear()
            self._answer(None)

    def _give_confirm(self, yes: bool) -> None:
        if self._kind == CONFIRM:
            self._answer(yes)

    def keyPressEvent(self, event) -> None:  # Escape cancels a PIN / answers no
        if event.key() == Qt.Key_Escape and self._kind is not None:
            self._answer(None if self._kind == PIN else False)
            return
        super().keyPressEvent(event)


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class QtPrompts:
    """``Prompts`` for a flow on a worker thread; the questions appear in ``panel`` via ``relay``."""

    def __init__(self, relay: Relay, panel: PromptPanel) -> None:
        self.relay = relay
        self.panel = panel
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()
        self.relay.post(self.panel.abandon)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _wait(self, show: Callable[..., None], text: str, default: object) -> object:
        if _on_gui_thread():
            raise RuntimeError("closure prompts wait for an answer: run the flow off the GUI thread")
        if self._cancelled.is_set():
            return default
        done = threading.Event()
        box: list[object] = [default]

        def reply(value: object) -> None:  # on the GUI thread
            box[0] = value
            done.set()
        self.relay.post(show, text, reply)
        while not done.wait(0.1):
            if self._cancelled.is_set():
                return default
        return box[0]

    # app.closure.flow.Prompts
    def ask_pin(self, purpose: str) -> str | None:
        value = self._wait(self.panel.ask_pin, purpose, None)
        return value if isinstance(value, str) and value else None

    def confirm(self, question: str) -> bool:
        return self._wait(self.panel.confirm, question, False) is True

    def tell(self, message: str) -> None:
        self.relay.post(self.panel.tell, message)
