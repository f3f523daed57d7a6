"""The register store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides.

The LAs themselves (``las``); the LA's registered colleagues (R-ROLE-2: ``users`` rows of role ``colleague``, who
never sign in); the register of organisations (``organisations``) and the LA teams' role titles (``role_titles``),
each entry ``listed``, ``requested`` or ``declined`` (R-REC-5). Which status an entry gets, who may ask or decide
and what is refused are ``work.register``'s and ``work.la_users``'s. An entry's ``kind`` is a
``work.types.RegisterKind`` value: ``organisation`` or ``role``.
"""
from __future__ import annotations

from typing import Protocol


class Register(Protocol):
    def la_codes(self) -> list[str]:
        """Every LA's code, sorted."""
        ...

    # -- registered colleagues (R-ROLE-2) --
    def colleague_registered(self, username: str, la_code: str) -> bool:
        """Whether ``username`` is an enabled registered colleague of the LA ``la_code``."""
        ...

    def colleagues_of(self, la_code: str) -> list[tuple[str, str, str, str]]:
        """The LA's enabled registered colleagues by display name then username: (username, display name,
        role title, organisation)."""
        ...

    def colleague_exists(self, la_code: str, display_name: str, organisation: str) -> bool:
        """Whether the LA has a registered colleague of this name and organisation, ignoring case."""
        ...

    def add_colleague(self, username: str, display_name: str, la_code: str, organisation: str,
                      job_title: str) -> None:
        """A new registered colleague: enabled, never nominated or trained, no password or token."""
        ...

    # -- the register of organisations and role titles (R-REC-5) --
    def organisation_named(self, name: str, status: str) -> str | None:
        """An organisation of this name (ignoring case, in any LA) with ``status``, as the register spells it."""
        ...

    def organisations_of(self, la_code: str, status: str) -> list[str]:
        """The names of the LA's organisations with ``status``, sorted ignoring case."""
        ...

    def role_title(self, title: str, la_code: str, status: str, services: tuple[str, ...]) -> str | None:
        """The LA's role title of this name (ignoring case) for one of ``services`` with ``status``, as spelt."""
        ...

    def role_titles_of(self, la_code: str, status: str) -> list[tuple[str, str]]:
        """The LA's role titles with ``status``, by title: (service, title)."""
        ...

    def add_organisation(self, name: str, la_code: str, status: str, by: str, at: str) -> int:
        """A new organisation entry of the LA, asked for by ``by`` at ``at``; returns its id."""
        ...

    def add_role_title(self, service: str, title: str, la_code: str, status: str, by: str, at: str) -> int:
        """A new role title entry of the LA for ``service``, asked for by ``by`` at ``at``; returns its id."""
        ...

    def entry_named(self, kind: str, la_code: str, name: str, service: str | None = None) -> tuple[int, str] | None:
        """(id, status) of the LA's entry of this kind and name (ignoring case; a role title's for ``service``),
        or None."""
        ...

    def ask_again(self, kind: str, entry_id: int, status: str, by: str, at: str) -> None:
        """Entry ``entry_id`` asked for afresh: its new status and asker, its decision forgotten."""
        ...

    def waiting_organisations(self, la_code: str, status: str, requested_by: str | None,
                              limit: int) -> list[tuple[int, str, str, str, str]]:
        """Up to ``limit`` of the LA's organisation entries with ``status`` (only ``requested_by``'s when given),
        by id: (id, name, requested by, requested at, status)."""
        ...

    def waiting_role_titles(self, la_code: str, status: str, requested_by: str | None,
                            limit: int) -> list[tuple[int, str, str, str, str, str]]:
        """Up to ``limit`` of the LA's role title entries with ``status`` (only ``requested_by``'s when given), by
        id: (id, service, title, requested by, requested at, status)."""
        ...

    def entry(self, kind: str, entry_id: int) -> tuple[str, str | None, str, str, str, str] | None:
        """Entry ``entry_id`` of this kind: (name, service or None, LA, status, requested by, requested at)."""
        ...

    def decide(self, kind: str, entry_id: int, status: str, by: str, at: str) -> None:
        """Entry ``entry_id``'s decision: its new status, who decided and when."""
        ...
