"""Destroy this workstation's local data (R-CLOSE-6): the cache and the stored keys, keeping the audit
archive for retention.  The page lists what will go, asks for a typed confirmation, has
``app.closure.destroy`` do it on the work thread, and shows the receipt of what was destroyed."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton

from ...refusals import closure_words
from .common import Page, day

CONFIRM_WORD = "DESTROY"


def _destroy():
    try:
        return importlib.import_module("app.closure.destroy")
    except ImportError:
        return None


def receipt_lines(receipt) -> list[str]:
    """The receipt as lines a person reads, whatever shape the core gives it."""
    for name in ("lines", "items", "destroyed"):
        value = getattr(receipt, name, None)
        if value:
            lines = [str(v) for v in value]
            break
    else:
        lines = [str(receipt)]
    lines += [f"Kept: {k}" for k in getattr(receipt, "kept", ()) or ()]
    lines += [f"NOT destroyed (run this step again): {f}" for f in getattr(receipt, "failed", ()) or ()]
    return lines


class DestroyPage(Page):
    key = "destroy"
    title = "Destroy local data"
    intro = ("The last step. The encrypted cache and the keys Signpost stored on this workstation are "
             "destroyed; the audit archive you saved is kept. This cannot be undone.")
    destroyed = Signal(object)  # the receipt

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.what = QListWidget()
        self.what.setObjectName("toDestroy")
        self.what.setAccessibleName("What will be destroyed")
        self.saved = QCheckBox("I have &saved the manifest, the closure report and the audit archive")
        self.confirm = QLineEdit()
        self.confirm.setObjectName("destroyConfirm")
        self.confirm.setAccessibleName(f"Type {CONFIRM_WORD} to confirm")
        self.confirm.setPlaceholderText(CONFIRM_WORD)
        self.confirm.returnPressed.connect(self.destroy)
        label = QLabel(f"&Type {CONFIRM_WORD} to confirm:")
        label.setBuddy(self.confirm)
        self.button = QPushButton("&Destroy local data")
        self.button.setObjectName("destroyButton")
        self.button.clicked.connect(self.destroy)
        self.receipt = QListWidget()
        self.receipt.setObjectName("destructionReceipt")
        self.receipt.setAccessibleName("Receipt: what was destroyed")
        self.receipt_title = QLabel()
        self.receipt_title.setObjectName("receiptTitle")
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.confirm)
        row.addWidget(self.button)
        self.column.addWidget(QLabel("Will be destroyed:"))
        self.column.addWidget(self.what)
        self.column.addWidget(self.saved)
        self.column.addLayout(row)
        self.column.addWidget(self.receipt_title)
        self.column.addWidget(self.receipt, 1)
        self.receipt.hide()
        self.finish_layout()
        self.done = False

    def entered(self) -> None:
        mod = _destroy()
        self.button.setEnabled(mod is not None and not self.done)
        if self.done:
            return
        if mod is None:
            self.say(closure_words("closure.not_ready"))
            return
        self.ctx.submit(lambda: mod.plan_destruction(self.ctx.paths, usernames=(self.ctx.actor,)),
                        on_done=self._planned, on_error=self.failed)

    def _planned(self, items) -> None:
        self.what.clear()
        self.what.addItems([str(i) for i in items])

    def destroy(self) -> None:
        mod = _destroy()
        if mod is None or self.done:
            return
        if not self.saved.isChecked():
            self.say("Save the closure documents first, then tick the box to say so.")
            self.saved.setFocus()
            return
        if self.confirm.text().strip() != CONFIRM_WORD:
            self.say(closure_words("closure.destroy_confirm_mismatch"))
            self.confirm.setFocus()
            return
        self.confirm.clear()
        self.say("")
        self.button.setEnabled(False)
        self.ctx.submit(lambda: mod.destroy_local_data(self.ctx.paths, self.ctx.keystore, self.ctx.store,
                                                       self.ctx.actor, confirmed=True, usernames=(self.ctx.actor,)),
                        on_done=self._destroyed, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        self.failed(exc)

    def _destroyed(self, receipt) -> None:
        self.done = True
        self.say("")
        at = getattr(receipt, "at", None)
        self.receipt_title.setText(f"Receipt: local data destroyed{' on ' + day(str(at)) if at else ''} by "
                                   f"{self.ctx.actor}. Close this window, then quit Signpost."
                                   + (f" The receipt is kept in {receipt.path}." if getattr(receipt, "path", "") else ""))
        self.receipt.clear()
        self.receipt.addItems(receipt_lines(receipt))
        self.receipt.show()
        for w in (self.saved, self.confirm, self.button):
            w.setEnabled(False)
        self.receipt.setFocus()
        self.destroyed.emit(receipt)
