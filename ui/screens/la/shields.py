"""Shield reviews (R-SHIELD-3): the LA team's queue of its own LA's shields, new ones first (a practitioner's
new shield is never buried under the shields set when the directory was built), overdue said and flagged; sorted
by due date, requester or ground, and filtered by ground, by what needs doing or by words typed (issue 14 §3.3).
Keep (next review in six months) or lift (after a confirmation), the outcome said and the queue re-read.

Under the queue, the selected child's brothers and sisters (issue 13 §3.1, R-SHIELD-1/2): those the shield holds
(the family's address and carers withheld on their records) are decided when the shield is kept, in the same step
(``ui.dialogs.la_shield_review``): shield too, or no shield needed."""
from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QSplitter, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from ui.dialogs.la_shield_review import ShieldReviewDialog, sibling_words
from ui.refusals import explain

from .common import LaScreen, button, heading, queue_page
from .lists import Column, ItemsList
from .words import GROUNDS, day, review_status, when

SOON_DAYS = 7


def _moment(iso: str) -> float:
    """When a shield was asked for, as a number (a date alone counts as its midnight)."""
    try:
        stamp = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return 0.0
    return stamp.timestamp() if stamp.tzinfo else stamp.replace(tzinfo=None).timestamp()


# New shields first, the newest at the top; then the overdue, then by due date (R-SHIELD-3).
ORDERS = {
    "New first": lambda x: (0 if x.new else 1 if x.overdue else 2, -_moment(x.requested_at) if x.new else 0,
                            x.due, x.directory_id),
    "Due date": lambda x: (x.due, x.directory_id),
    "Requester": lambda x: (x.requested_by.lower(), x.due),
    "Ground": lambda x: (GROUNDS.get(x.ground, x.ground.value), x.due),
}
SHOW = ("Every shield", "New shields", "Overdue", "Due in the next 7 days")


class ShieldReviews(LaScreen):
    title = "Shield reviews"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laShieldReviews")
        self.lines: list[t.ShieldDue] = []
        self.summary = heading("Shield reviews")
        today = self.today
        columns = (Column("Review", lambda x: ("NEW · " if x.new else "") + review_status(x, today()),
                          lambda x: ORDERS["New first"](x)),
                   Column("Due", lambda x: day(x.due), lambda x: x.due),
                   Column("Child", lambda x: x.child_name),
                   Column("Directory id", lambda x: x.directory_id),
                   Column("Ground", lambda x: GROUNDS.get(x.ground, x.ground.value)),
                   Column("Requested by", lambda x: x.requested_by),
                   Column("Shielded", lambda x: when(x.requested_at), lambda x: _moment(x.requested_at)))
        self.list = ItemsList("shieldQueue", "Shield reviews, new first", columns, orders=ORDERS,
                              flag=lambda x: x.new or x.overdue, identity=lambda x: x.directory_id)
        self.table = self.list.view
        self.ground = QComboBox()
        self.ground.setObjectName("shieldGroundFilter")
        self.ground.setAccessibleName("Show shields with the ground")
        self.ground.addItem("Every ground", None)
        for g, words in GROUNDS.items():
            self.ground.addItem(words, g.value)
        self.show_only = QComboBox()
        self.show_only.setObjectName("shieldShowFilter")
        self.show_only.setAccessibleName("Show which shields")
        self.show_only.addItems(SHOW)
        for combo in (self.ground, self.show_only):
            combo.currentIndexChanged.connect(lambda _i: self._filter())
        ground_label = QLabel("Gro&und")
        ground_label.setBuddy(self.ground)
        show_label = QLabel("Sho&w")
        show_label.setBuddy(self.show_only)
        for w in (ground_label, self.ground, show_label, self.show_only):
            self.list.tools.addWidget(w)
        self.keep_button = button("&Keep shield", "keepShield", "Keep the shield; the next review is in six months")
        self.lift_button = button("&Lift shield…", "liftShield", "Lift the shield: the record is shown in full "
                                  "again and the requester is told")
        self.refresh_button = button("&Refresh", "refreshShields")
        self.keep_button.clicked.connect(self.keep)
        self.lift_button.clicked.connect(self.confirm_lift)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.selection_changed.connect(self._selection)
        self.confirm: QMessageBox | None = None
        self.dialog: ShieldReviewDialog | None = None
        self.household = QLabel()
        self.household.setObjectName("shieldHousehold")
        self.household.setWordWrap(True)
        self.household.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        below = QWidget()
        col = QVBoxLayout(below)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.household)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.list)
        split.addWidget(below)
        actions = QHBoxLayout()
        for b in (self.keep_button, self.lift_button, self.refresh_button):
            actions.addWidget(b)
        actions.addStretch(1)
        queue_page(self, split, actions)
        self._selection()

    def refresh(self) -> None:
        super().refresh()
        self.ask(ops.SHIELD_REVIEWS, t.Nothing(), self.show_queue)

    def show_queue(self, lines) -> None:
        self.lines = list(lines)
        self.list.set_items(self.lines)
        overdue = sum(x.overdue for x in self.lines)
        new = sum(x.new for x in self.lines)
        n = len(self.lines)
        if not n:
            self.summary.setText("Shield reviews: no shields to review")
        else:
            parts = [f"{n} shielded record{'s' if n != 1 else ''}", f"{new} NEW" if new else "",
                     f"{overdue} OVERDUE" if overdue else "none overdue"]
            self.summary.setText("Shield reviews: " + ", ".join(p for p in parts if p))
        self.attention.emit(overdue + new)
        self._selection()

    def _filter(self) -> None:
        ground, show = self.ground.currentData(), self.show_only.currentText()
        soon = self.today() + timedelta(days=SOON_DAYS)

        def wanted(x: t.ShieldDue) -> bool:
            return ((ground is None or x.ground.value == ground)
                    and (show == SHOW[0] or (show == SHOW[1] and x.new) or (show == SHOW[2] and x.overdue)
                         or (show == SHOW[3] and not x.overdue and x.due <= soon)))
        self.list.set_test(wanted)

    def current(self) -> t.ShieldDue | None:
        return self.list.current()

    def _selection(self) -> None:
        line = self.current()
        self.keep_button.setEnabled(line is not None)
        self.lift_button.setEnabled(line is not None)
        if line is None or not line.siblings:
            self.household.setText("" if line is None else f"{line.child_name} has no brothers or sisters in the "
                                   "directory.")
            return
        self.household.setText(f"{line.child_name}'s brothers and sisters:\n"
                               + "\n".join(sibling_words(s) for s in line.siblings))

    def keep(self) -> None:
        """Keep; when the shield holds brothers or sisters, decide about them in the same step (issue 13 §3.1)."""
        line = self.current()
        if line is None:
            return
        if not any(s.withheld and not s.shielded for s in line.siblings):
            self.review(t.ReviewOutcome.KEEP, line)
            return
        dialog = ShieldReviewDialog(line, self)
        dialog.submitted.connect(lambda request: self.ask(
            ops.REVIEW_SHIELD, request, lambda after: (dialog.done_ok(), self._reviewed(line, request, after)),
            lambda exc: dialog.show_error(explain(exc)[0])))
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ShieldReviewDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def confirm_lift(self) -> None:
        line = self.current()
        if line is None:
            return
        held = [s.name for s in line.siblings if s.withheld and not s.shielded]
        also = (f" The family's address and carers are shown again on the records of {', '.join(held)} too."
                if held else "")
        box = QMessageBox(QMessageBox.Warning, "Lift shield",
                          f"Lift the shield on {line.child_name} ({line.directory_id})?\n\nThe address, "
                          "contacts and involvements will be shown to practitioners again, and the record can "
                          f"be found by postcode.{also} The practitioner who asked for the shield is told.",
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
        request = t.ShieldReview(line.directory_id, outcome)
        self.ask(ops.REVIEW_SHIELD, request, lambda after: self._reviewed(line, request, after), self._review_failed)

    def _reviewed(self, line: t.ShieldDue, request: t.ShieldReview, after) -> None:
        if request.outcome is t.ReviewOutcome.KEEP:
            nxt = f" Next review due {day(after.due)}." if after is not None else ""
            names = {s.directory_id: s.name for s in line.siblings}
            shielded = [names.get(x.directory_id, x.directory_id) for x in request.siblings if x.shield]
            shown = [names.get(x.directory_id, x.directory_id) for x in request.siblings if not x.shield]
            also = "".join(f" {what}: {', '.join(who)}." for what, who in (
                ("Shielded too", shielded), ("No shield needed, shown in full again", shown)) if who)
            self.say(f"Shield on {line.child_name} ({line.directory_id}) kept.{nxt}{also}")
        else:
            self.say(f"Shield on {line.child_name} ({line.directory_id}) lifted: the record is shown in full "
                     "again and the requester has been told.")
        self.refresh()  # the queue as it is now; the message stays

    def _review_failed(self, exc: BaseException) -> None:
        self.failed(exc)
        self.refresh()

    def reset(self) -> None:
        super().reset()
        for window in (self.confirm, self.dialog):
            if window is not None:
                window.reject()
        self.confirm = self.dialog = None
        self.household.clear()
        self.lines = []
        self.list.clear()
        self.summary.setText("Shield reviews")
        self._selection()
