"""The role screens (issue 8, item 10): each role's window shows its own work.

``screens_for(role)`` lists the screen classes a role's window shows, in
order, the home view first. Every screen has the shape of ``base.Screen``.
Practitioners' and mediating users' screens live in ``ui.screens.practice``,
the LA management team's in ``ui.screens.la``.
"""
from __future__ import annotations

from app.model import Role


def screens_for(role: Role) -> list[type]:
    if role is Role.LA_MANAGEMENT:
        from .la import SCREENS as la_screens
        return list(la_screens)
    from .practice import screens_for_role
    return list(screens_for_role(role))
