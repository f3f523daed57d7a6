"""Pass on a contact request (R-SENS-4, issue 13 §3.3, issue 14 §1.6): confirm before acting, and make sure it
reaches someone. When a practitioner it is for uses Signpost, the directory puts the requester's details in their
inbox. When nobody can be told in Signpost, the LA team is shown the practitioner's phone and e-mail to pass it on
itself, and says how it did (a fixed choice, nothing typed): nothing is chosen for it, and Pass on refuses until
it has chosen."""
from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QWidget

from app.directory.work import types as t
from app.model import Involvement

from .base import Problem, WorkDialog

HOW_WORDS = {t.PassedOnBy.PHONE: "I &phoned them with the requester's details",
             t.PassedOnBy.EMAIL: "I &e-mailed them the requester's details"}


def reached(state: t.ContactRequestState) -> tuple[Involvement, ...]:
    """Whom the request is for, as the LA team sees them: the involvement, or whoever works with the child."""
    return (state.la_detail,) if state.la_detail is not None else state.la_others


def practitioner_line(i: Involvement) -> str:
    reach = " · ".join(x for x in (i.phone, i.email) if x) or "no phone or e-mail recorded"
    return f"{i.practitioner}, {i.role}, {i.organisation} · {reach}"


class PassOnDialog(WorkDialog):
    def __init__(self, state: t.ContactRequestState, parent: QWidget | None = None) -> None:
        super().__init__("Pass on a contact request", "&Pass on", parent)
        self.setObjectName("passOnDialog")
        self.state = state
        whom = "\n".join(practitioner_line(i) for i in reached(state)) or "Nobody is working with the child now."
        asker = (f"{state.requester} ({state.requester_organisation}) · "
                 + (" · ".join(x for x in (state.requester_phone, state.requester_email) if x) or "—"))
        intro = QLabel(f"Pass on this request about {state.child_name} ({state.directory_id}).\n\nFrom: {asker}"
                       f"\n\nTo:\n{whom}")
        intro.setObjectName("passOnWhom")
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.how: dict[t.PassedOnBy, QRadioButton] = {}
        if state.la_can_tell:
            note = QLabel("They use Signpost: the requester's name, organisation, phone and e-mail go to their Home "
                          "inbox, and they decide whether to answer. The requester is told it was passed on.")
        else:
            note = QLabel("Nobody it is for can be told in Signpost. Phone or e-mail them yourself with the "
                          "requester's details, then say how you passed it on. The requester is told how.")
            group = QButtonGroup(self)
            for how, words in HOW_WORDS.items():
                choice = QRadioButton(words)
                choice.setObjectName(f"passedOnBy_{how.value}")
                group.addButton(choice)
                self.how[how] = choice
        note.setObjectName("passOnHowNote")
        note.setWordWrap(True)
        self.form.addRow(note)
        for choice in self.how.values():
            self.form.addRow(choice)

    def build(self) -> t.ContactDecision:
        if not self.how:
            return t.ContactDecision(self.state.request_id, t.ContactStatus.PASSED_ON)
        chosen = [how for how, choice in self.how.items() if choice.isChecked()]
        if not chosen:
            next(iter(self.how.values())).setFocus()
            raise Problem("Say how you passed the request on: by phone or by e-mail. If you have not reached the "
                          "practitioner yet, cancel and come back when you have.")
        return t.ContactDecision(self.state.request_id, t.ContactStatus.PASSED_ON, chosen[0])
