"""The settings store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

The directory's own settings, kept in its ``meta`` table as text: its limits (``limit.<name>``, R-SEARCH-6,
R-ROLE-4; parsed and bounded by ``app.limits.Limits``), its switch-off time (``closes_at``, R-CLOSE-1), its kind and
the training directory's reference date. The store keeps and gives the text; the engine decides what it means.
"""
from __future__ import annotations

from typing import Protocol


class Settings(Protocol):
    def limit(self, name: str) -> str | None:
        """The stored value of limit ``name`` (meta ``limit.<name>``), or None when it is not set."""
        ...

    def set_limit(self, name: str, value: int) -> None:
        """Store limit ``name`` as ``value`` (meta ``limit.<name>``), replacing any value it had."""
        ...

    def closes_at(self) -> str | None:
        """The switch-off time as stored (meta ``closes_at``, ISO 8601), or None when none is set (R-CLOSE-1)."""
        ...

    def set_closes_at(self, when: str | None) -> None:
        """Store the switch-off time (ISO 8601 text), or remove it with None (R-CLOSE-1)."""
        ...

    def kind_and_reference_date(self) -> tuple[str | None, str | None]:
        """The directory's kind (e.g. ``training``) and its reference date as stored (meta), None where unset."""
        ...
