"""The one shape of a work dialog: what it is about (the child, the service), a form, a message line, OK and
Cancel. It opens with the focus on its first field, shows a problem in the error style with the focus on the
field it names, and is never smaller than its contents (a warning above the form is never squashed)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.announce import announce, point_to, unpoint

MIN_WIDTH = 460  # wide enough that a wrapped warning reads as a paragraph, not a column


class WorkDialog(QDialog):
    submitted = Signal(object)  # the request, built from what was typed

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.column = QVBoxLayout(self)
        self.column.setSizeConstraint(QLayout.SetMinimumSize)  # never smaller than what it holds
        self.setMinimumWidth(MIN_WIDTH)
        self.context = QLabel()
        self.context.setObjectName("dialogContext")
        self.context.setWordWrap(True)
        self.context.hide()
        self.form = QFormLayout()
        self.column.addLayout(self.form)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.message.setFocusPolicy(Qt.TabFocus)  # a refusal takes focus, as the GOV.UK error summary does
        self.message.hide()
        self.column.addWidget(self.message)
        self.sent: Any = None  # the request last sent from here
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.column.addWidget(self.buttons)

    def set_context(self, text: str) -> None:
        """What the dialog is about, above everything: "For Poppy Smith, born 8 June 2015 · Early help"."""
        self.context.setText(text)
        if text and self.form.indexOf(self.context) < 0:
            self.form.insertRow(0, self.context)  # the form's first row: the layout around it stays the dialog's
        self.context.setVisible(bool(text))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._keep_words_whole()
        first = self.first_field()
        if first is not None:
            first.setFocus()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._keep_words_whole()

    def _keep_words_whole(self) -> None:
        """A wrapped label (a warning, a note) is as tall as its words need at its width: Qt's layouts give a
        dialog's wrapped label one line's height, and the without-consent and override warnings were squashed."""
        for label in self.findChildren(QLabel):
            if label.wordWrap() and label.isVisibleTo(self) and label.width() > 0:
                need = label.heightForWidth(label.width())
                if need > 0 and label.minimumHeight() != need:
                    label.setMinimumHeight(need)

    def first_field(self) -> QWidget | None:
        """The first field of the form a person can type or choose in."""
        for row in range(self.form.rowCount()):
            for role in (QFormLayout.FieldRole, QFormLayout.SpanningRole):
                item = self.form.itemAt(row, role)
                widget = item.widget() if item is not None else None
                if (widget is not None and not isinstance(widget, QLabel) and widget.isVisibleTo(self)
                        and widget.isEnabled() and widget.focusPolicy()):
                    return widget
        return None

    def build(self) -> Any:
        """The request from what was typed; raise ``Problem`` for something to correct first."""
        raise NotImplementedError

    def _submit(self) -> None:
        try:
            request = self.build()
        except Problem as p:
            if p.field is not None:
                p.field.setFocus()
            self.show_error(str(p), p.field)
            return
        self.show_error("")
        self.set_busy(True)
        self.submitted.emit(request)

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def show_error(self, text: str, field: QWidget | None = None) -> None:
        """Said at once; focus on the ``field`` a problem named (or left where ``build`` put it), whose
        description now carries the message, else on the message (a refusal from the directory), from which
        Tab goes on through the form."""
        self.set_busy(False)
        self.message.setProperty("kind", "error")
        self._show(text, assertive=True)
        if not text:
            return
        focus = field or self.focusWidget()
        if focus is None or isinstance(focus, QPushButton) or focus is self.message:
            self.message.setFocus()
        else:
            point_to(focus, text)

    def show_note(self, text: str) -> None:
        """Something that went well inside the dialog (an "Other…" request sent), not in the error style."""
        self.message.setProperty("kind", "info")
        self._show(text)

    def _show(self, text: str, assertive: bool = False) -> None:
        unpoint(self)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        announce(self.message, text, assertive=assertive)

    def done_ok(self) -> None:
        self.accept()


class Problem(ValueError):
    """Something typed in a dialog to correct before anything is sent; ``field``: where to correct it."""

    def __init__(self, message: str, field: QWidget | None = None) -> None:
        super().__init__(message)
        self.field = field
