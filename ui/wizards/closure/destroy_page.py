"""Destroy this workstation's local data (R-CLOSE-6, R-AUDIT-3, R-LOCAL-3): the caches, the training
directory and tokens, the closure record and the stored keys, keeping the audit archive for retention.

The page says in words what will go (a details view lists the files and keyring items), what must be done
first (any check of the tokens from outside Signpost), and lists each file outside the data folder that names
people -- the closure documents and audit archives written here, ``~/Signpost closure/``, the token memory --
for the LA to keep or remove. It is refused until the LA's directory audit archive was exported and verified.
After a typed confirmation ``app.closure.destroy`` does it on the work thread; the receipt names everything
destroyed and every deletion that failed, and the step can then be run again. The window keeps its size."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
)

from app.closure import destroy as closure_destroy
from app.closure.words import when

from ...refusals import closure_words
from .common import Page

CONFIRM_WORD = "DESTROY"


def _list(name: str, accessible: str) -> QListWidget:
    """A list that never widens the window: long lines are cut in the middle and shown whole on hover."""
    lst = QListWidget()
    lst.setObjectName(name)
    lst.setAccessibleName(accessible)
    lst.setTextElideMode(Qt.ElideMiddle)
    lst.setWordWrap(False)
    lst.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
    lst.setSizeAdjustPolicy(QAbstractItemView.AdjustIgnored)
    lst.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
    lst.setMinimumWidth(200)
    return lst


def _label(name: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    if name:
        label.setObjectName(name)
    return label


def receipt_lines(receipt) -> list[str]:
    """The receipt as a person reads it: what failed first, then what went, what was kept, the notes."""
    return ([f"NOT destroyed: {f}" for f in receipt.failed] + [f"Destroyed: {d}" for d in receipt.destroyed]
            + [f"Kept: {k}" for k in receipt.kept] + list(receipt.notes))


class DestroyPage(Page):
    key = "destroy"
    title = "Destroy local data"
    intro = ("The last step. Signpost's data on this workstation is destroyed: what goes is listed below. The "
             "audit archives are kept for their retention period. This cannot be undone.")
    destroyed = Signal(object)  # the receipt

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.first = _label("destroyFirst")
        self.first.setProperty("kind", "error")
        self.what = _list("toDestroy", "What will be destroyed")
        self.details_button = QPushButton("S&how the details (files and keyring items)")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._details)
        self.details = _list("destroyDetails", "Files and keyring items to be destroyed")
        self.details.hide()
        self.outside_title = _label()
        self.outside = _list("outsideFiles", "Files outside Signpost's data folder: tick to remove")
        self.kept = _label("destroyKept")
        self.saved = QCheckBox("I have &saved the manifest, the closure report and the audit archives")
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
        self.receipt_title = _label("receiptTitle")
        self.receipt = _list("destructionReceipt", "Receipt: what was destroyed")
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.confirm)
        row.addWidget(self.button)
        row.addStretch(1)
        self.column.addWidget(self.first)
        self.column.addWidget(QLabel("Will be destroyed:"))
        self.column.addWidget(self.what, 1)
        self.column.addWidget(self.details_button)
        self.column.addWidget(self.details, 1)
        self.column.addWidget(self.outside_title)
        self.column.addWidget(self.outside, 1)
        self.column.addWidget(self.kept)
        self.column.addWidget(self.saved)
        self.column.addLayout(row)
        self.column.addWidget(self.receipt_title)
        self.column.addWidget(self.receipt, 1)
        self.receipt.hide()
        self.finish_layout()
        self.done = False  # everything destroyed
        self.plan = None
        self.last_receipt = None

    def _audit_exported(self) -> bool:
        return self.ctx.checklist.audit_export is not None

    def entered(self) -> None:
        if self.done:
            return
        waiting = getattr(self.ctx.synced, "waiting", 0) or 0
        self.ctx.submit(lambda: closure_destroy.plan_destruction(self.ctx.paths, (self.ctx.actor,),
                                                                audit_exported=self._audit_exported(),
                                                                waiting_steps=waiting),
                        on_done=self._planned, on_error=self.failed)

    def _planned(self, plan) -> None:
        self.plan = plan
        self.first.setText("Before this step: " + " ".join(plan.first))
        self.what.clear()
        self.details.clear()
        for item in plan.goes:
            self.what.addItem(f"{item.words} ({len(item.details)} item{'s' if len(item.details) != 1 else ''})")
            self.details.addItems([f"{item.words}: {d}" for d in item.details])
        self.outside.clear()
        for o in plan.outside:
            entry = QListWidgetItem(f"{o.path} — {o.words}")
            entry.setToolTip(o.path)
            entry.setFlags(entry.flags() | Qt.ItemIsUserCheckable)
            entry.setCheckState(Qt.Unchecked if o.keep_by_default else Qt.Checked)
            entry.setData(Qt.UserRole, o.path)
            self.outside.addItem(entry)
        self.outside_title.setText(
            f"{len(plan.outside)} file{'s' if len(plan.outside) != 1 else ''} outside Signpost's data folder name "
            "people. Ticked ones are removed; the others are kept where they are (the receipt names them)."
            if plan.outside else "No file outside Signpost's data folder names anyone.")
        self.outside.setVisible(bool(plan.outside))
        self.kept.setText("Kept: " + "; ".join(k.words for k in plan.kept) + ".")
        self.button.setEnabled(plan.allowed)
        if not plan.allowed:
            self.say(" ".join(plan.blockers))

    def _details(self, on: bool) -> None:
        self.details.setVisible(on)
        self.details_button.setText("&Hide the details" if on else "S&how the details (files and keyring items)")

    def chosen_removals(self) -> list[str]:
        return [self.outside.item(i).data(Qt.UserRole) for i in range(self.outside.count())
                if self.outside.item(i).checkState() == Qt.Checked]

    def destroy(self) -> None:
        if self.done:
            return
        if not self._audit_exported():
            self.say(closure_destroy.plan_destruction(self.ctx.paths, audit_exported=False).blockers[0])
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
        store, remove = self.ctx.store, self.chosen_removals()
        self.ctx.store = None  # the store goes with this step: a run again works without it
        self.ctx.submit(lambda: closure_destroy.destroy_local_data(
            self.ctx.paths, self.ctx.keystore, store, self.ctx.actor, confirmed=True, audit_exported=True,
            usernames=(self.ctx.actor,), remove=remove), on_done=self._destroyed,
            on_error=lambda exc: self._failed(store, exc))

    def _failed(self, store, exc: BaseException) -> None:
        self.ctx.store = store
        self.button.setEnabled(True)
        self.failed(exc)

    def _destroyed(self, receipt) -> None:
        self.last_receipt = receipt
        self.done = not receipt.failed
        self.receipt.clear()
        self.receipt.addItems(receipt_lines(receipt))
        self.receipt.show()
        if receipt.failed:
            self.receipt_title.setText(
                f"Not everything was destroyed ({len(receipt.failed)} item{'s' if len(receipt.failed) != 1 else ''}, "
                "listed first below). Put right what each says (for example unlock the keyring), then type "
                f"{CONFIRM_WORD} and destroy again: what is left is destroyed and a new receipt written.")
            self.receipt_title.setProperty("kind", "error")
            self.button.setText("&Destroy what is left")
            self.button.setEnabled(True)
            self.receipt.setFocus()
            return
        self.receipt_title.setText(f"Receipt: local data destroyed at {when(receipt.at)} by {self.ctx.actor}. "
                                   f"The receipt is kept in {receipt.path}. Close this window, then quit Signpost.")
        self.receipt_title.setProperty("kind", "info")
        for w in (self.saved, self.confirm, self.button, self.outside, self.details_button):
            w.setEnabled(False)
        self.receipt.setFocus()
        self.destroyed.emit(receipt)
