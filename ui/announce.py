"""Telling a screen reader what just happened (issue 18 item 5; WCAG 4.1.3 Status Messages).

A refusal, a result count or a lock is announced with ``QAccessibleAnnouncementEvent`` (Qt 6.8+): AT-SPI
passes it on as ``object:announcement``, and Orca or NVDA speak it without moving focus. An error is
*assertive* (spoken at once, interrupting); anything else *polite* (after what is being said).

Status lines carry no fixed accessible name (``setAccessibleName`` on a QLabel makes a screen reader keep
announcing that name after the text changes): their text is their name, and changes to it are announced
here. Callers pass only words that are already on the screen, never a withheld detail: the words come from
``ui/refusals.py`` or a count, and the directory never sent what is withheld.
"""
from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

POLITE = QAccessible.AnnouncementPoliteness.Polite
ASSERTIVE = QAccessible.AnnouncementPoliteness.Assertive


def announce(widget: QWidget, message: str, assertive: bool = False) -> None:
    """Ask assistive technology to speak ``message`` about ``widget`` (nothing when it is empty)."""
    message = " ".join(message.split())
    if not message:
        return
    event = QAccessibleAnnouncementEvent(widget, message)
    event.setPoliteness(ASSERTIVE if assertive else POLITE)
    QAccessible.updateAccessibility(event)


_KEPT = "a11yDescriptionBeforeError"  # a field's own accessible description, while an error describes it


def point_to(field: QWidget, message: str) -> None:
    """The GOV.UK error pattern on the desktop: focus goes to the field the message names, and the field's
    description carries the message ("Error: …") so a screen reader reads it with the field, until
    ``unpoint`` (the message is gone or replaced)."""
    if field.property(_KEPT) is None:
        field.setProperty(_KEPT, field.accessibleDescription())
    field.setAccessibleDescription(f"Error: {' '.join(message.split())}")
    field.setFocus()


def unpoint(container: QWidget) -> None:
    """Every field in ``container`` an error described gets its own description back."""
    for field in container.findChildren(QWidget):
        kept = field.property(_KEPT)
        if kept is not None:
            field.setAccessibleDescription(kept)
            field.setProperty(_KEPT, None)
