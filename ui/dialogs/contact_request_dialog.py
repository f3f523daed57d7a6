"""R-SENS-4: ask the child's LA team to pass on a request to contact whoever holds a withheld involvement
(or, on a shielded record, whoever works with the child). The requester says how to be reached: the phone and
e-mail they already gave are filled in (issue 14 §3.4), to change if they wish."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.directory.work import types as t
from app.model import LaTeamContact, Reason

from .base import WorkDialog
from .involvement_dialog import line

ANYONE = 0  # app.directory.work.contact.ANYONE: on a shielded record, whoever works with the child


def la_team_words(team: LaTeamContact | None) -> str:
    if team is None:
        return "Your LA management team can pass on a request to contact the practitioner."
    how = " · ".join(x for x in (team.phone, team.email) if x)
    return f"The child's LA team: {team.name}" + (f" · {how}" if how else "")


class ContactRequestDialog(WorkDialog):
    def __init__(self, directory_id: str, involvement_id: int, reason: Reason, team: LaTeamContact | None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Ask the LA team to pass on a contact request", "&Send request", parent)
        self.setObjectName("contactRequestDialog")
        self.directory_id, self.involvement_id, self.reason = directory_id, involvement_id, reason
        note = QLabel("The LA team passes your request on; the practitioner decides whether to contact you. "
                      + la_team_words(team))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.phone = line("Your phone")
        self.email = line("Your e-mail")
        self.form.addRow("Your &phone", self.phone)
        self.form.addRow("Your &e-mail", self.email)

    def build(self) -> t.ContactRequest:
        phone, email = self.phone.text().strip(), self.email.text().strip()  # the directory checks both
        return t.ContactRequest(self.directory_id, self.involvement_id, phone, email, self.reason)
