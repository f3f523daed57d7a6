"""Coded refusals: what the directory says no to, as data.

A refusal carries a ``code`` (what was refused, e.g. ``search.add_detail``),
the ``field`` to correct where there is one, and the ``params`` the words need
(a date, a count, seconds to wait). The directory never writes sentences: the
words a person reads come from one map in ``ui/refusals.py``, so the embedded
engine and the HTTPS service say the same thing, and the service sends codes
(as RFC 9457 problem documents) that the remote client turns back into these.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Refusal(Exception):
    kind: ClassVar[str] = "refused"
    #: Set by the user interface to turn a refusal into words; ``str()`` uses it.
    render: ClassVar[Callable[[Refusal], str] | None] = None
    #: Set by the directory once it has written this refusal to the audit log (so it is written once).
    audited: bool = False

    def __init__(self, code: str, field: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def __str__(self) -> str:
        if Refusal.render is not None:
            return Refusal.render(self)
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code}({extra})" if extra else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, params={self.params!r})"

    def as_problem(self) -> dict:
        """The refusal as the body of an RFC 9457 problem document (without type/status)."""
        return {"kind": self.kind, "code": self.code, "field": self.field, "params": self.params}


class SignInRefused(Refusal):
    kind = "sign_in"


class AccessRefused(Refusal):
    kind = "access"


class RateLimited(AccessRefused):
    """R-SEARCH-6: ``params['wait_s']`` says when the user can go on."""

    kind = "rate_limited"

    @property
    def retry_after_s(self) -> int:
        return int(self.params.get("wait_s", 60))


class SearchRefused(Refusal):
    kind = "search"


class NoSuchRecord(Refusal, LookupError):
    kind = "no_such_record"


class SwitchedOff(Refusal):
    """R-CLOSE-1: the directory's switch-off time has passed; it answers nobody's work any more.
    Each directory implementation raises it to screens as ``interface.ServiceClosed``."""

    kind = "service"


class AuditBroken(Refusal):
    """R-AUDIT-2 (issue 13 §1.2): the directory's own audit log failed its check (``params['finding']``, one
    of ``app.audit.FINDINGS``, and the first bad ``entry``). Nothing is done or audited on top of a broken
    log; the LA teams are alerted, and every request is refused with a security alert, never a traceback."""

    kind = "audit"


KINDS: dict[str, type[Refusal]] = {c.kind: c for c in (SignInRefused, AccessRefused, RateLimited, SearchRefused,
                                                        NoSuchRecord, SwitchedOff, AuditBroken)}


def from_problem(data: dict) -> Refusal:
    """Rebuild a refusal from a problem document's body (the remote client)."""
    cls = KINDS.get(str(data.get("kind")), Refusal)
    given = data.get("params")
    params: dict = given if isinstance(given, dict) else {}
    return cls(str(data.get("code", "unknown")), str(data.get("field", "") or ""), **params)
