"""The one shape of a work dialog: a form, a message line, OK and Cancel."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget


class WorkDialog(QDialog):
    submitted = Signal(object)  # the request, built from what was typed

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.column = QVBoxLayout(self)
        self.form = QFormLayout()
        self.column.addLayout(self.form)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.column.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.column.addWidget(self.buttons)

    def build(self) -> Any:
        """The request from what was typed; raise ``Problem`` for something to correct first."""
        raise NotImplementedError

    def _submit(self) -> None:
        try:
            request = self.build()
        except Problem as p:
            self.show_error(str(p))
            return
        self.show_error("")
        self.set_busy(True)
        self.submitted.emit(request)

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setProperty("kind", "error")
        self._show(text)

    def show_note(self, text: str) -> None:
        """Something that went well inside the dialog (an "Other…" request sent), not in the error style."""
        self.message.setProperty("kind", "info")
        self._show(text)

    def _show(self, text: str) -> None:
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def done_ok(self) -> None:
        self.accept()


class Problem(ValueError):
    """Something typed in a dialog to correct before anything is sent."""
