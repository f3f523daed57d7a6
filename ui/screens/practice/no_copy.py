"""No copy of what is found (R-LOCAL-3, R-ROLE-2): a mediating user reads the record to their colleague;
nothing of it leaves the screen by the clipboard, a context menu or a drag.

``forbid_copy(widget)`` takes away the copy shortcut (Ctrl+C, Ctrl+Insert, Cut), the context menu and, for a
text view, selection itself (keyboard scrolling stays)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTextEdit, QWidget

_REFUSED = (QKeySequence.Copy, QKeySequence.Cut, QKeySequence.Print, QKeySequence.Save, QKeySequence.SelectAll)


class _Swallow(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.KeyPress, QEvent.ShortcutOverride) and any(event.matches(k) for k in _REFUSED):
            event.accept()
            return True
        return False


def forbid_copy(widget: QWidget) -> None:
    keep = _Swallow(widget)
    widget.installEventFilter(keep)
    widget.setContextMenuPolicy(Qt.NoContextMenu)
    if isinstance(widget, QTextEdit):
        widget.setTextInteractionFlags(Qt.NoTextInteraction)
        widget.viewport().setContextMenuPolicy(Qt.NoContextMenu)
        widget.viewport().installEventFilter(keep)
    if isinstance(widget, QAbstractItemView):
        widget.setDragEnabled(False)
        widget.viewport().setContextMenuPolicy(Qt.NoContextMenu)
    widget.setProperty("copyForbidden", True)
