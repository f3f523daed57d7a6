"""The words for a change waiting in the offline outbox (R-LOCAL-1): which child, what change, and why it
needs the person. Qt-free, tested directly."""
from __future__ import annotations

from app.outbox import NEEDS_YOU, OutboxItem
from app.refusals import AccessRefused
from ui.refusals import words

CHANGES = {  # the operation's name -> what the person did, in their words
    "record_involvement": "You are working with {child}",
    "update_involvement": "New contact details for your involvement with {child}",
    "end_involvement": "Ending your involvement with {child}",
    "set_indicators": "Lead professional and CAF for {child}",
    "request_shield": "Shield request for {child}",
    "request_contact": "Contact request to the LA team about {child}",
    "mark_read": "A notice marked read",
    "review_shield": "Shield review for {child}",
    "decide_contact": "Your decision on a contact request",
    "acknowledge_alert": "An alert acknowledged",
    "change_user": "A change to a user",
    "record_retention_fact": "Retention fact for {child}",
}
SEND_AGAIN = {
    "involvement.conflict": "Send again saves yours over the change made elsewhere.",
    "outbox.not_found_again": "Send again searches for the child once more.",
}


def child_words(item: OutboxItem) -> str:
    """The child a change is about: "Lowenna Grace Trevaskis (900 000 0017)"."""
    if item.child and item.directory_id:
        return f"{item.child} ({item.directory_id})"
    if item.directory_id:
        return f"the child with directory id {item.directory_id}"
    return "a child"


def change_words(item: OutboxItem) -> str:
    """What the change is: "You are working with Lowenna Grace Trevaskis (900 000 0017): GP, Riverside"."""
    template = CHANGES.get(item.op)
    if template is None:
        return f"A change not known to this version of Signpost ({item.summary})"
    text = template.format(child=child_words(item))
    service, organisation = getattr(item.request, "service", None), getattr(item.request, "organisation", "")
    if item.op == "record_involvement" and service is not None:
        text += f": {service.label}" + (f", {organisation}" if organisation else "")
    return text


def item_words(item: OutboxItem) -> str:
    """One line of the list: the change, and either that it waits to be sent or why it needs the person."""
    if item.state != NEEDS_YOU:
        return f"Waiting to be sent: {change_words(item)}."
    why = words(AccessRefused(item.refusal or "outbox.not_sent", **item.refusal_params))
    hint = SEND_AGAIN.get(item.refusal, "")
    return f"Needs you: {change_words(item)}. {why}" + (f" {hint}" if hint else "")
