"""One child's record, as the directory returned it for this viewer.

The widget renders exactly what is in the ``RecordView``; anything the
directory withheld is simply not there (R-SHIELD-4). ``clear`` empties every
label and the browser's document, so nothing of a child survives a lock.
A mediating user's record says, above it, whom it is viewed for (R-ROLE-2).

Under the record, the actions this viewer's role may take on it (issue 8): "I am working with this child",
the viewer's own involvements (update, end, lead professional / CAF), request a shield, a child-protection
shield override (R-SHIELD-6), and a brokered contact request for what is withheld (R-SENS-4). Only the
actions the role may take are offered (``offers``); the directory refuses anything else regardless. The
pane only emits what was asked for: the window's record actions do the work.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.model import Involvement, RecordView, Role, WithheldInvolvement
from ui.announce import announce

from .wording import count

SHIELD_TEXT = ("This record is shielded. Only the child's name, date of birth, gender and directory id "
               "are shown. Contact your LA management team if you need to reach the services involved.")
UNCONFIRMED_TEXT = ("Shown as a shielded record would be: the directory has not confirmed since this copy was made "
                    "that the record is still not shielded, so its address, carers and services are not shown. They "
                    "show again when the directory answers.")
HOUSEHOLD_TEXT = ("The family's address and the parents' and carers' details are not shown on this record for now: "
                  "the LA team is reviewing it. To reach the family, contact the child's LA team.")
OVERRIDE_TEXT = ("Shown in full under a child-protection override (R-SHIELD-6). The override is recorded and "
                 "investigated, and your LA team has been alerted. The hidden details go when you leave this record.")
PRACTISING = (Role.PRACTITIONER, Role.CHILD_PROTECTION)
OFFLINE_ACTIONS = ("This is an offline copy, so only “I am working with this child” can be made from it: it is kept "
                   "on this computer and sent when the directory answers. Your own involvements, shields and "
                   "contact requests need the directory: open the record again once it answers.")
OFFLINE_NOTHING = "This is an offline copy: nothing can be changed from it until the directory answers."
SCHOOL_AGE = (5, 16)  # compulsory school age: a child of these ages with no school or setting stands out
LEAVING_NOTICE_AGE = 17  # R-RET-1: from 17 the record says when it leaves the directory


def own_current(view: RecordView) -> list[Involvement]:
    return [i for i in view.current_involvements if isinstance(i, Involvement) and i.yours]


def withheld(view: RecordView) -> list[WithheldInvolvement]:
    return [i for i in view.current_involvements if isinstance(i, WithheldInvolvement)]


def offers(role: Role, view: RecordView | None, offline: bool = False) -> set[str]:
    """The actions offered on ``view`` to ``role`` (R-ROLE-1..3, R-SHIELD-2/6, R-SENS-4). On an offline copy,
    only a practitioner's "I am working with this child", which the outbox keeps until it can be sent (R-LOCAL-1);
    everything else depends on the record as the directory has it now."""
    if view is None:
        return set()
    if offline:
        return {"work"} if role in PRACTISING else set()
    out: set[str] = set()
    if role in PRACTISING:
        out.add("work")
        if own_current(view):
            out |= {"update", "end", "indicators"}
        if view.shield_applied or withheld(view):
            out.add("contact")
    if role in PRACTISING + (Role.LA_MANAGEMENT,) and not view.shielded:
        out.add("shield")
    if role is Role.CHILD_PROTECTION and view.shield_applied and not view.override:
        out.add("override")
    return out


class RecordPane(QWidget):
    work_requested = Signal()
    shield_requested = Signal()
    override_requested = Signal()
    contact_requested = Signal(int)  # the withheld involvement's id; 0 on a shielded record (whoever works there)
    update_requested = Signal(object)  # Involvement (own)
    end_requested = Signal(object)
    indicators_requested = Signal(object)

    def __init__(self, role: Role = Role.PRACTITIONER, parent=None, clock: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.setObjectName("recordPane")
        self.role = role
        self.clock = clock  # ages, "school age", "leaves the directory on"
        self.view: RecordView | None = None
        self.header = QLabel()
        self.header.setObjectName("recordFor")
        self.header.setWordWrap(True)
        self.header.hide()
        self.banner = QLabel()
        self.banner.setObjectName("shieldBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.browser = QTextBrowser()
        self.browser.setObjectName("recordBrowser")
        self.browser.setAccessibleName("Child record")
        self.browser.setOpenLinks(False)
        self.la_team = QLabel()
        self.la_team.setObjectName("laTeam")
        self.la_team.setWordWrap(True)
        self.la_team.hide()
        self.others = QLabel()
        self.others.setObjectName("othersToContact")
        self.others.setWordWrap(True)
        self.others.hide()
        self.note = QLabel()
        self.note.setObjectName("recordMessage")
        self.note.setWordWrap(True)
        self.note.hide()
        self.buttons: dict[str, QPushButton] = {}
        self.own_choice = QComboBox()  # which own involvement, when there is more than one
        self.own_choice.setObjectName("ownInvolvement")
        self.own_choice.setAccessibleName("Your involvement")
        self.withheld_choice = QComboBox()
        self.withheld_choice.setObjectName("withheldInvolvement")
        self.withheld_choice.setAccessibleName("Which unspecified service")
        # Three short rows rather than two long ones: the window fits a 1024-pixel screen (issue 14 §3.2)
        row1, row2, row3 = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for key, text, row, slot in (
                ("work", "I am &working with this child…", row1, self.work_requested.emit),
                ("shield", "Re&quest a shield…", row1, self.shield_requested.emit),
                ("override", "&Override shield…", row1, self.override_requested.emit),
                ("contact", "Ask the LA team to pass on a &contact request…", row3, self._contact),
                ("update", "Update &my details…", row2, lambda: self._own(self.update_requested)),
                ("end", "E&nd my involvement…", row2, lambda: self._own(self.end_requested)),
                ("indicators", "Lead professional / CAF (mar&k)…", row2, lambda: self._own(self.indicators_requested))):
            button = QPushButton(text)
            button.setObjectName(f"{key}Button")
            button.clicked.connect(lambda _c=False, f=slot: f())
            button.hide()
            row.addWidget(button)
            self.buttons[key] = button
            if key == "contact":
                row.addWidget(self.withheld_choice)
        row2.insertWidget(0, self.own_choice)
        self.own_choice.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.own_choice.setMinimumContentsLength(16)
        for row in (row1, row2, row3):
            row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.la_team)
        layout.addWidget(self.others)
        layout.addWidget(self.note)
        for row in (row1, row2, row3):
            layout.addLayout(row)
        self.clear()

    # -- actions ------------------------------------------------------------------
    def _own(self, signal) -> None:
        mine = own_current(self.view) if self.view else []
        if mine:
            signal.emit(mine[max(0, self.own_choice.currentIndex())] if len(mine) > 1 else mine[0])

    def _contact(self) -> None:
        if self.view is None:
            return
        if self.view.shield_applied:
            self.contact_requested.emit(0)
            return
        hidden = withheld(self.view)
        if hidden:
            self.contact_requested.emit(hidden[max(0, self.withheld_choice.currentIndex())].involvement_id)

    def _show_actions(self, offline: bool) -> None:
        offered = offers(self.role, self.view, offline)
        for key, button in self.buttons.items():
            button.setVisible(key in offered)
        mine = own_current(self.view) if self.view and "update" in offered else []
        self.own_choice.clear()
        for i in mine:
            self.own_choice.addItem(f"{i.service.label} — {i.organisation}")
        self.own_choice.setVisible(len(mine) > 1)
        hidden = withheld(self.view) if self.view and "contact" in offered and not self.view.shield_applied else []
        self.withheld_choice.clear()
        for n, _i in enumerate(hidden, 1):
            self.withheld_choice.addItem(f"Unspecified service {n}")
        self.withheld_choice.setVisible(len(hidden) > 1)

    def show_others(self, text: str) -> None:
        self.others.setText(text)
        self.others.setVisible(bool(text))
        announce(self.others, text)

    def say(self, text: str) -> None:
        """A change saved, queued or refused on this record, shown under it and announced."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        announce(self.note, text)

    def clear(self) -> None:
        """Nothing of the child stays: text, the view kept for the actions, the override's full view."""
        self.view = None
        for label in (self.la_team, self.others, self.note):
            label.clear()
            label.hide()
        for button in getattr(self, "buttons", {}).values():
            button.hide()
        self.own_choice.clear()
        self.own_choice.hide()
        self.withheld_choice.clear()
        self.withheld_choice.hide()
        self.header.clear()
        self.header.hide()
        self.banner.clear()
        self.banner.hide()
        self.browser.clear()
        self.browser.document().clear()
        self.browser.setPlaceholderText("Search for a child, then open a result to see who is working with them.")

    def show_loading(self) -> None:
        self.clear()
        self.browser.setPlaceholderText("Opening the record…")

    def show_record(self, view: RecordView, acting_for: str = "", offline_from: str = "",
                    unconfirmed: bool = False) -> None:
        """``acting_for``: "for Dr … (organisation)" when a mediating user opened it; ``offline_from``:
        when the copy shown came from the encrypted cache because the directory could not be reached;
        ``unconfirmed``: that copy is shown as a shielded record would be, its shield state unknown since it was
        made (issue 13 §3.2)."""
        self.clear()
        lines = []
        if offline_from:
            lines.append(f"Offline copy from {offline_from}: the directory cannot be reached, so this may be out "
                         "of date.")
        if acting_for:
            lines.append(f"Record viewed {acting_for}")
        if lines:
            self.header.setText("\n".join(lines))
            self.header.show()
        self.view = view
        if view.override:
            self.banner.setText(OVERRIDE_TEXT)
            self.banner.show()
        elif unconfirmed:  # R-SHIELD-2/4: say why the copy shows so little
            self.banner.setText(UNCONFIRMED_TEXT)
            self.banner.show()
        elif view.household_withheld:  # R-SHIELD-1/2: a sibling a shield in the household holds
            self.banner.setText(HOUSEHOLD_TEXT)
            self.banner.show()
        elif view.shield_applied:
            self.banner.setText(SHIELD_TEXT)
            self.banner.show()
        elif view.shielded:
            self.banner.setText("Shielded record: you can see it in full as the child's LA management team. "
                                "Its details are hidden from other users.")
            self.banner.show()
        self.browser.setHtml(render(view, self.clock()))
        if view.la_team is not None:  # R-SENS-4: how to reach the child's LA team, on every record
            t = view.la_team
            reach = "".join(f" · {x}" for x in (t.phone, t.email) if x)
            if self.role.acts_for_colleague:  # issue 14 §3.5: what the colleague does, not an action they lack
                self.la_team.setText(f"To reach a service not shown, your colleague can contact the child's LA "
                                     f"team: {t.name}{reach}")
            else:
                self.la_team.setText(f"The child's LA team: {t.name}{reach}")
            self.la_team.show()
        self._show_actions(bool(offline_from))
        if offline_from:  # why the other actions are missing
            self.say(OFFLINE_ACTIONS if self.role in PRACTISING else OFFLINE_NOTHING)

    @property
    def override_shown(self) -> bool:
        return self.view is not None and self.view.override


def _row(label: str, value: str) -> str:
    return f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"


def long_date(day: date) -> str:
    """"5 January 2026": a date in full, never a clipped "05/01/20…"."""
    return f"{day.day} {day:%B %Y}"


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def leaving_words(v: RecordView, today: date) -> str:
    """R-RET-1: from 17, when the record leaves the directory (the directory's own date; the 18th birthday
    unless the young person consented to stay)."""
    if v.leaves_on is None or v.leaves_on <= today or age_on(v.dob, today) < LEAVING_NOTICE_AGE:
        return ""
    return f"This record leaves the directory on {long_date(v.leaves_on)}."


def missing_universal(v: RecordView, today: date) -> list[str]:
    """Universal services a child should have and the record lacks (seed 003 §8.1: "no educational setting
    recorded" would have prompted action). Only on the full view: what a shield withholds is not missing, nor
    is what a shield in the household withholds from a brother's or sister's record (R-SHIELD-1/2: its shared
    school or GP is withheld, so an absent one may be there)."""
    if v.shield_applied or v.household_withheld:
        return []
    age = age_on(v.dob, today)
    out = [] if v.gp else ["No GP recorded"]
    if not v.setting and SCHOOL_AGE[0] <= age < SCHOOL_AGE[1]:
        out.append("No school or setting recorded")
    return out


def _card(i: Involvement | WithheldInvolvement) -> str:
    """One practitioner as a contact card: who, what, how to reach them, since when, lead / CAF."""
    if isinstance(i, WithheldInvolvement):
        return (f"<li><i>{escape(WithheldInvolvement.TEXT)}</i>: the child's LA team can pass on a contact "
                "request.</li>")
    flags = [f for f, on in (("Lead professional", i.lead_professional), ("CAF completed", i.caf_completed),
                             ("Yours", i.yours)) if on]
    since = f"Since {long_date(i.start)}" if i.end is None else f"{long_date(i.start)} to {long_date(i.end)}"
    reach = " · ".join(escape(x) for x in (i.phone, i.email) if x) or (
        "Contact details archived: reach them through their organisation" if i.contact_archived else "")
    private = ("<br><b>Only you and the LA team see this.</b>" if i.yours and i.service.sensitive else "")
    return (f"<li><b>{escape(i.practitioner)}</b>, {escape(i.role)} · {escape(i.organisation)} "
            f"({escape(i.service.label)})<br>{reach}<br>"
            f"<small>{escape(' · '.join([since, *flags]))}</small>{private}</li>")


def _now(v: RecordView, today: date) -> list[str]:
    now = v.current_involvements
    parts = [f"<h3>Working with this child now: {escape(count(len(now), 'service'))}</h3>"]
    lead = next((i for i in now if isinstance(i, Involvement) and i.lead_professional), None)
    if lead is not None:
        reach = " · ".join(escape(x) for x in (lead.phone, lead.email) if x)
        parts.append(f"<p><b>Lead professional:</b> {escape(lead.practitioner)} ({escape(lead.organisation)})"
                     f"{' · ' + reach if reach else ''}</p>")
    missing = missing_universal(v, today)
    if missing:
        parts.append(f"<p style='color:#b00020'><b>{escape('. '.join(missing))}.</b></p>")
    parts.append("<ul>" + "".join(_card(i) for i in now) + "</ul>" if now else "<p>Nobody recorded.</p>")
    before = v.ended_involvements
    parts.append("<h3>Worked with the child before</h3>")
    parts.append("<ul>" + "".join(_card(i) for i in before) + "</ul>" if before else "<p>Nobody recorded.</p>")
    return parts


def _absent(v: RecordView, what: str, none: str) -> str:
    """A universal service the view lacks. On a record a shield in the household holds (R-SHIELD-1/2), a school
    or GP shared with the shielded child is withheld: the words say neither "none" nor "withheld"."""
    return f"{what}: not shown for now" if v.household_withheld else none


def render(v: RecordView, today: date | None = None) -> str:
    """Who is working with the child first (the point of the product), then those before, then the child.
    Only what the directory sent is there: a shielded view has no involvements to show (R-SHIELD-1)."""
    today = today or date.today()
    age = age_on(v.dob, today)
    parts = [f"<h2>{escape(v.name.full())}</h2>",
             f"<p>Born {escape(long_date(v.dob))} (age {age}) · directory id {escape(v.directory_id)}</p>"]
    leaving = leaving_words(v, today)
    if leaving:
        parts.append(f"<p><b>{escape(leaving)}</b></p>")
    if not v.shield_applied:
        parts += _now(v, today)
    parts += ["<h3>The child</h3>", "<table cellspacing='4'>",
              _row("Directory id", v.directory_id), _row("Date of birth", long_date(v.dob)),
              _row("Gender", v.gender.label)]
    for n in v.other_names:
        parts.append(_row("Other name", n.full()))
    if v.address:
        parts.append(_row("Address", v.address.one_line()))
    parts.append("</table>")
    if v.shield_applied:
        return "".join(parts)
    if v.carers:
        parts.append("<h3>Parents and carers</h3><ul>")
        for c in v.carers:
            where = f" · {c.address.one_line()}" if c.address else ""
            parts.append(f"<li>{escape(c.name.full())} ({escape(c.relationship)}) · {escape(c.phone)}"
                         f"{escape(where)}</li>")
        parts.append("</ul>")
    parts.append("<h3>Universal services</h3><ul>")
    if v.setting:
        s = v.setting
        parts.append(f"<li><b>School or setting</b>: {escape(s.name)} · {escape(s.phone)} · "
                     f"{escape(s.address.one_line())}</li>")
    else:
        parts.append(f"<li>{_absent(v, 'School or setting', 'No school or setting recorded')}</li>")
    if v.gp:
        g = v.gp
        parts.append(f"<li><b>GP</b>: {escape(g.name)} · {escape(g.phone)} · {escape(g.address.one_line())}</li>")
    else:
        parts.append(f"<li>{_absent(v, 'GP', 'No GP recorded')}</li>")
    parts.append("</ul>")
    return "".join(parts)
