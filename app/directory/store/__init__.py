"""The directory's store seam (issue 16 §1): policy decides, a store reads and writes.

The engine (``app.directory.engine``) and the work operations (``app.directory.work``) decide who may see and do
what, which rule refuses and what is audited. Every statement that reads or writes the directory's tables is a
method of a store, one store per kind of work, mirroring ``work/``:

============  ==========================================================================================
accounts      users, their sign-in factors and lock-outs, enrolled tokens, the LA team's user admin
register      the LA's register of organisations and colleagues, the LAs themselves
sessions      sessions, the results each was given, sign-in challenges, search rates, the daily budget
settings      the directory's own settings: limits, switch-off time, kind, reference date
records       a child's record as stored, and the household around it
shields       shields, their reviews, sibling decisions
involvements  involvements and their consent
contact       brokered contact requests
notices       notices and the LA team's alerts
usage         usage reports over the audit
retention     the retention sweep, the archive, closure's bookkeeping
replays       idempotency keys and the answers kept for repeats
============  ==========================================================================================

A store never refuses on policy and never audits; policy code never writes SQL. The transaction belongs to the
store (``Store.write``). The audit log's own statements are in ``app.audit.AuditLog`` (R-AUDIT-1/2), which is the
audit store; search and its index (``app.search``, ``app.search_index``) are not behind the seam yet.

Each kind's protocol is in its own module here; ``sqlite/`` holds the embedded directory's SQLCipher store.
One conformance suite, ``tests/store/``, runs against every store.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from .accounts import Accounts
from .contact import Contact
from .involvements import Involvements
from .notices import Notices
from .records import Records
from .register import Register
from .replays import Replays
from .retention import Retention
from .sessions import Sessions
from .settings import Settings
from .shields import Shields
from .usage import Usage


class Store(Protocol):
    """The directory's tables, one store per kind of work, and the transaction they share."""

    @property
    def accounts(self) -> Accounts: ...
    @property
    def register(self) -> Register: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def records(self) -> Records: ...
    @property
    def shields(self) -> Shields: ...
    @property
    def involvements(self) -> Involvements: ...
    @property
    def contact(self) -> Contact: ...
    @property
    def notices(self) -> Notices: ...
    @property
    def usage(self) -> Usage: ...
    @property
    def retention(self) -> Retention: ...
    @property
    def replays(self) -> Replays: ...

    @property
    def in_write(self) -> bool:
        """Whether a ``write`` transaction is open (the engine runs no retention sweep inside one)."""
        ...

    def write(self, keep_on: tuple[type[BaseException], ...] = (),
              on_rollback: Callable[[], None] | None = None) -> AbstractContextManager[None]:
        """One write transaction around the block: committed when the block ends, or when it raises one of
        ``keep_on`` (a refusal commits its own audit entry and nothing else, since policy refuses before it
        changes anything); anything else rolls it all back, calls ``on_rollback`` and is raised again."""
        ...


__all__ = ["Store"]
