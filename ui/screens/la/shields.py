"""Shield reviews (R-SHIELD-3): the LA team's queue of its own LA's shields, overdue first and saying so;
keep (next review in six months) or lift (after a confirmation), the outcome said and the queue re-read."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t

from .common import LaScreen, button, fill, heading, queue_page, table
from .words import GROUNDS, day, review_status, when

COLUMNS = ("Review", "Due", "Child", "Directory id", "Ground", "Requested by", "Shielded")


class ShieldReviews(LaScreen):
    title = "Shield reviews"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laShieldReviews")
        self.lines: list[t.ShieldDue] = []
        self.summary = heading("Shield reviews")
        self.table = table("shieldQueue", "Shield reviews due, overdue first", COLUMNS)
        self.keep_button = button("&Keep shield", "keepShield", "Keep the shield; the next review is in six months")
        self.lift_button = button("&Lift shield…", "liftShield", "Lift the shield: the record is shown in full "
                                  "again and the requester is told")
        self.refresh_button = button("&Refresh", "refreshShields")
        self.keep_button.clicked.connect(lambda: self.review(t.ReviewOutcome.KEEP))
        self.lift_button.clicked.connect(self.confirm_lift)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selection)
        self.confirm: QMessageBox | None = None
        actions = QHBoxLayout()
        for b in (self.keep_button, self.lift_button, self.refresh_button):
            actions.addWidget(b)
        actions.addStretch(1)
        queue_page(self, self.table, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.SHIELD_REVIEWS, t.Nothing(), self.show_queue)

    def show_queue(self, lines) -> None:
        today = self.today()
        self.lines = list(lines)
        fill(self.table, [(review_status(x, today), day(x.due), x.child_name, x.directory_id,
                           GROUNDS.get(x.ground, x.ground.value), x.requested_by, when(x.requested_at))
                          for x in self.lines], [x.overdue for x in self.lines])
        overdue = sum(x.overdue for x in self.lines)
        if not self.lines:
            self.summary.setText("Shield reviews: no shields to review")
        else:
            self.summary.setText(f"Shield reviews: {len(self.lines)} shielded record"
                                 f"{'s' if len(self.lines) != 1 else ''}, {overdue} OVERDUE" if overdue else
                                 f"Shield reviews: {len(self.lines)} shielded record"
                                 f"{'s' if len(self.lines) != 1 else ''}, none overdue")
        self.attention.emit(overdue)
        self._selection()

    def current(self) -> t.ShieldDue | None:
        row = self.table.currentRow()
        return self.lines[row] if 0 <= row < len(self.lines) and self.table.selectedItems() else None

    def _selection(self) -> None:
        on = self.current() is not None
        self.keep_button.setEnabled(on)
        self.lift_button.setEnabled(on)

    def confirm_lift(self) -> None:
        line = self.current()
        if line is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Lift shield",
                          f"Lift the shield on {line.child_name} ({line.directory_id})?\n\nThe address, "
                          "contacts and involvements will be shown to practitioners again, and the record can "
                          "be found by postcode. The practitioner who asked for the shield is told.",
                          QMessageBox.Cancel, self)
        lift = box.addButton("&Lift shield", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)  # Enter does not lift by accident
        box.setObjectName("confirmLift")
        box.finished.connect(lambda _r: self.review(t.ReviewOutcome.LIFT, line) if box.clickedButton() is lift
                             else None)
        self.confirm = box
        box.open()

    def review(self, outcome: t.ReviewOutcome, line: t.ShieldDue | None = None) -> None:
        line = line or self.current()
        if line is None:
            return
        self.keep_button.setEnabled(False)
        self.lift_button.setEnabled(False)
        self.ask(ops.REVIEW_SHIELD, t.ShieldReview(line.directory_id, outcome),
                 lambda after: self._reviewed(line, outcome, after), self._review_failed)

    def _reviewed(self, line: t.ShieldDue, outcome: t.ReviewOutcome, after) -> None:
        if outcome is t.ReviewOutcome.KEEP:
            nxt = f" Next review due {day(after.due)}." if after is not None else ""
            self.say(f"Shield on {line.child_name} ({line.directory_id}) kept.{nxt}")
        else:
            self.say(f"Shield on {line.child_name} ({line.directory_id}) lifted: the record is shown in full "
                     "again and the requester has been told.")
        self.refresh()  # the queue as it is now; the message stays

    def _review_failed(self, exc: BaseException) -> None:
        self.failed(exc)
        self.refresh()

    def reset(self) -> None:
        super().reset()
        if self.confirm is not None:
            self.confirm.reject()
            self.confirm = None
        self.lines = []
        self.table.setRowCount(0)
        self.summary.setText("Shield reviews")
        self._selection()
