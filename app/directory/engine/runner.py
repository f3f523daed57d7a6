"""The operation runner: one work operation in one transaction with its audit entries, done once per
idempotency key (``app.directory.work.operations``, ``work.replays``).

Functions of the engine's ``Directory``, bound to it by name in ``app.directory.engine``; each takes
the directory as ``self``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...model import Reason, Viewer
from ...refusals import (
    AccessRefused,
    AuditBroken,
    Refusal,
)

if TYPE_CHECKING:
    from . import Directory


def perform(self: Directory, op, viewer: Viewer, request, key: str | None = None):
    """Run one work operation for ``viewer``.

    A read runs as it is. A write runs in one transaction with its audit entries, and with
    ``key`` (an idempotency key the client chose, e.g. from its offline outbox) it is done at most
    once per user and key: a repeat with the same key and request changes nothing and, once the
    session and account are checked again, answers what the first answered (a read of a record is
    run again instead; the same key with another request is refused: ``work.replays``). Engine
    functions refuse before they change anything, so a refusal commits only its audit entry;
    anything else rolls the whole change back. Every refusal is audited (R-AUDIT-1), here if the
    function did not audit it itself.
    """
    try:
        if not isinstance(request, op.request):
            raise AccessRefused("request.invalid")
        if key is not None and not (isinstance(key, str) and 8 <= len(key) <= 64 and key.isascii()):
            raise AccessRefused("request.bad_key")
    except Refusal as exc:
        self._audit_work_refusal(viewer, op, request, exc)
        raise
    fn = op.function()
    if not op.writes:
        try:
            return fn(self, viewer, request)
        except Refusal as exc:
            self._audit_work_refusal(viewer, op, request, exc)
            raise
    from ..work import replays
    with self.store.write(keep_on=(Refusal,), on_rollback=self.audit.forget_uncommitted):
        try:
            kept = asked = None
            if key is not None:
                asked = replays.fingerprint(op, viewer, request)  # before anything changes: it may refuse
                kept = replays.lookup(self, viewer.user.username, key)
                if kept is not None:
                    answered, answer = replays.replay(self, viewer, op, request, key, kept, asked)
                    if answered:
                        return answer
            answer = fn(self, viewer, request)
            if key is not None and asked is not None and kept is None:
                # la-admin: a secret in the answer (a one-time password) is never kept for a repeat
                replays.keep(self, viewer, op, request, key,
                             answer.without_secret() if hasattr(answer, "without_secret") else answer, asked)
            return answer
        except Refusal as exc:  # committed with the refusal's own audit entry; nothing else was changed
            self._audit_work_refusal(viewer, op, request, exc)
            raise


def _audit_work_refusal(self: Directory, viewer: Viewer, op, request, exc: Refusal) -> None:
    if isinstance(exc, AuditBroken) or self.audit.broken is not None:
        return  # nothing is audited on top of a broken log; the refusal itself says why (issue 13 §1.2)
    if not getattr(exc, "audited", False):
        reason = getattr(request, "reason", None)
        self.audit_refusal(viewer, reason if isinstance(reason, Reason) else None, op.audit_action, exc.code,
                           **({"field": exc.field} if exc.field else {}))
        exc.audited = True
