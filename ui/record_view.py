"""One child's record, as the directory returned it for this viewer.

The widget renders exactly what is in the ``RecordView``; anything the
directory withheld is simply not there (R-SHIELD-4). ``clear`` empties every
label and the browser's document, so nothing of a child survives a lock.
A mediating user's record says, above it, whom it is viewed for (R-ROLE-2).
"""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.model import Involvement, RecordView, WithheldInvolvement

SHIELD_TEXT = ("This record is shielded. Only the child's name, date of birth, gender and directory id "
               "are shown. Contact your LA management team if you need to reach the services involved.")


class RecordPane(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("recordPane")
        self.header = QLabel()
        self.header.setObjectName("recordFor")
        self.header.setWordWrap(True)
        self.header.setAccessibleName("Viewed for")
        self.header.hide()
        self.banner = QLabel()
        self.banner.setObjectName("shieldBanner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Shielded record notice")
        self.banner.hide()
        self.browser = QTextBrowser()
        self.browser.setObjectName("recordBrowser")
        self.browser.setAccessibleName("Child record")
        self.browser.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.browser, 1)
        self.clear()

    def clear(self) -> None:
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

    def show_record(self, view: RecordView, acting_for: str = "", offline_from: str = "") -> None:
        """``acting_for``: "for Dr … (organisation)" when a mediating user opened it; ``offline_from``:
        when the copy shown came from the encrypted cache because the directory could not be reached."""
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
        if view.shield_applied:
            self.banner.setText(SHIELD_TEXT)
            self.banner.show()
        elif view.shielded:
            self.banner.setText("Shielded record: you can see it in full as the child's LA management team. "
                                "Its details are hidden from other users.")
            self.banner.show()
        self.browser.setHtml(render(view))


def _row(label: str, value: str) -> str:
    return f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"


def _involvement(i: Involvement | WithheldInvolvement) -> str:
    if isinstance(i, WithheldInvolvement):
        return f"<li><i>{escape(WithheldInvolvement.TEXT)}</i> — ask your LA management team to broker contact.</li>"
    flags = [f for f, on in (("lead professional", i.lead_professional), ("CAF completed", i.caf_completed)) if on]
    dates = f"from {i.start:%d/%m/%Y}" + (f" to {i.end:%d/%m/%Y}" if i.end else "")
    return (f"<li><b>{escape(i.service.label)}</b> — {escape(i.organisation)}<br>"
            f"{escape(i.practitioner)}, {escape(i.role)} · {escape(i.phone)} · {escape(i.email)}<br>"
            f"<small>{escape(dates)}{escape(' · ' + ', '.join(flags) if flags else '')}</small></li>")


def render(v: RecordView) -> str:
    parts = [f"<h2>{escape(v.name.full())}</h2>", "<table cellspacing='4'>",
             _row("Directory id", v.directory_id), _row("Date of birth", f"{v.dob:%d %B %Y}"),
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
            parts.append(f"<li>{escape(c.name.full())} ({escape(c.relationship)}) · {escape(c.phone)}{escape(where)}</li>")
        parts.append("</ul>")
    parts.append("<h3>Universal services</h3><ul>")
    if v.setting:
        s = v.setting
        parts.append(f"<li><b>Education</b> — {escape(s.name)} · {escape(s.phone)} · {escape(s.address.one_line())}</li>")
    else:
        parts.append("<li>No educational setting recorded</li>")
    if v.gp:
        parts.append(f"<li><b>GP</b> — {escape(v.gp.name)} · {escape(v.gp.phone)} · {escape(v.gp.address.one_line())}</li>")
    parts.append("</ul>")
    for title, items in (("Working with the child now", v.current_involvements),
                         ("Worked with the child before", v.ended_involvements)):
        parts.append(f"<h3>{title}</h3>")
        parts.append("<ul>" + "".join(_involvement(i) for i in items) + "</ul>" if items else "<p>None recorded.</p>")
    return "".join(parts)
