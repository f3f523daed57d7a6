"""The screens of practitioners (child protection included) and mediating users (issue 8).

``screens_for_role(role)`` lists them, the home view first; the window adds the Search screen after it.
"""
from __future__ import annotations

from app.model import Role


def screens_for_role(role: Role) -> list[type]:
    if role is Role.MEDIATING:
        from .mediating_home import MediatingHome
        return [MediatingHome]
    if role in (Role.PRACTITIONER, Role.CHILD_PROTECTION):
        from .home import HomeScreen
        return [HomeScreen]
    return []
