"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every answer that is not a success is one of these, carrying the refusal's
``kind``, ``code``, ``field`` and ``params`` exactly as ``Refusal.as_problem()``
gives them, so the remote client rebuilds the same exception with
``app.refusals.from_problem`` and the screens say the same words as with the
embedded directory. Nothing from a stack trace or the engine's internals ever
goes into a reply.

Request problems the engine never sees (malformed JSON, a field out of
bounds) get the engine's own code where the engine has one for the same
mistake (``search.too_long`` for a 61-character name), so both directories
answer alike; otherwise ``request.invalid``.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .. import search
from ..directory import engine
from ..directory.interface import ServiceClosed
from ..directory.work.operations import OPERATIONS
from ..refusals import AccessRefused, RateLimited, Refusal, SearchRefused, SignInRefused

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://signpost.invalid/problems/"
PROBLEM_JSON = "application/problem+json"

STATUS_BY_KIND = {"sign_in": 401, "access": 403, "rate_limited": 429, "search": 422, "no_such_record": 404,
                  "session": 401, "service": 503, "request": 422, "server": 500, "refused": 403,
                  "audit": 409}  # sec-audit: the directory's audit log failed its own check (issue 13 §1.2)


class Problem(Exception):
    """A problem the service itself raises (not the engine's refusal): bad request, session, closed."""

    def __init__(self, status: int, kind: str, code: str, field: str = "", headers: dict | None = None,
                 **params: Any) -> None:
        super().__init__(code)
        self.status, self.kind, self.code, self.field, self.params = status, kind, code, field, params
        self.headers = headers or {}

    def as_problem(self) -> dict:
        return {"kind": self.kind, "code": self.code, "field": self.field, "params": self.params}


def session_ended() -> Problem:
    """Unknown, expired or signed-out bearer."""
    return Problem(401, "session", "session.expired", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def session_locked() -> Problem:
    """A locked session's bearer, used for anything but unlock or sign-out."""
    return Problem(401, "session", "session.locked", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def too_large(limit: int) -> Problem:
    return Problem(413, "request", "request.too_large", limit=limit)


def invalid(field: str = "", status: int = 422) -> Problem:
    return Problem(status, "request", "request.invalid", field)


def dumps(body: Any) -> bytes:
    """JSON as ASCII: a lone surrogate or any odd character is escaped, never an encoding error."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def problem_response(status: int, body: dict, headers: dict | None = None) -> Response:
    doc = {"type": PROBLEM_TYPE + body["code"], "title": body["code"], "status": status, **body}
    return Response(dumps(doc), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_problem(p: Problem) -> Response:
    return problem_response(p.status, p.as_problem(), p.headers)


def from_refusal(refusal: Refusal) -> Response:
    status = STATUS_BY_KIND.get(refusal.kind, 403)
    headers = {}
    if isinstance(refusal, RateLimited):
        headers["Retry-After"] = str(max(1, refusal.retry_after_s))
    elif status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = refusal.as_problem()
    try:
        dumps(body)
    except (TypeError, ValueError):  # a parameter that is not plain JSON: send the code alone
        body = {**body, "params": {}}
    return problem_response(status, body, headers)


# -- validation errors → the engine's codes where it has one ---------------------------------------
_CRITERIA_LIMITS = {"family_name": search.MAX_NAME_CHARS, "given_name": search.MAX_NAME_CHARS,
                    "postcode": search.MAX_POSTCODE_CHARS + 4, "directory_id": search.MAX_ID_CHARS}
_SIGN_IN_FIELDS = {"username", "password", "serial", "challenge", "signature"}


def refusal_for(path: str, loc: tuple, kind: str) -> Refusal | None:
    """The refusal the engine gives for the same mistake, for one validation error; None if it has none."""
    where = loc[0] if loc else ""
    rest = loc[1:]
    if where == "body" and rest[:1] == ("criteria",) and len(rest) >= 2:
        field = str(rest[1])
        if field in _CRITERIA_LIMITS:
            if kind == "string_too_long":
                return SearchRefused("search.too_long", field, limit=_CRITERIA_LIMITS[field])
            if kind == "string_unicode":  # a lone surrogate: text, but not text that can be stored
                return SearchRefused("search.unusable_characters", field)
            return SearchRefused("search.not_text", field)
        if field in ("dob", "dob_to"):
            return SearchRefused("search.date_format", field)
        if field in ("age_from", "age_to"):
            return SearchRefused("search.ages_out_of_range", "ages")
        return None
    if where == "body" and rest[:1] == ("reason",):
        if rest[1:2] == ("detail",) and kind == "string_too_long":
            return AccessRefused("access.reason_detail_too_long", "reason")
        return AccessRefused("access.reason_required", "reason")
    if where == "body" and rest[:1] == ("on_behalf_of",):
        if kind in ("string_too_long", "string_unicode"):  # the engine's one answer for a name it cannot use
            return AccessRefused("access.colleague_too_long", "colleague", limit=engine.MAX_COLLEAGUE_CHARS)
        return AccessRefused("access.colleague_required", "colleague")
    if where == "body" and path.endswith("/sessions") and rest[:1] and rest[0] in _SIGN_IN_FIELDS:
        return SignInRefused(engine.WRONG_FACTOR)  # the engine's one answer for any unusable factor
    if where == "path" and rest == ("directory_id",):
        return AccessRefused("access.not_from_results")
    if where == "path" and rest == ("username",):
        return AccessRefused("access.unlock_not_allowed")
    if where == "query" and rest[:1] and rest[0] in ("old", "new"):
        return AccessRefused("audit.bad_sizes")
    return None


def _validation_response(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = tuple(first.get("loc", ()))
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        return from_problem(invalid("", status=400))  # not JSON at all
    refusal = refusal_for(request.url.path, loc, kind)
    if refusal is not None:
        return from_refusal(refusal)
    field = ".".join(str(p) for p in loc[1:]) if len(loc) > 1 else ""
    return from_problem(invalid(field[:100]))


ACTIONS = (("/v1/search", "search"), ("/view", "view_record"), ("/v1/audit/alerts", "audit_alert"),
           ("/v1/audit", "audit_read"), ("/unlock", "unlock"), ("/v1/accounts", "account_unlock"),
           ("/v1/sessions", "sign_in"), ("/v1/session/lock", "lock"), ("/v1/session", "sign_out"),
           ("/v1/token-refusals", "token_refusal"), ("/v1/challenge", "challenge"))
WORK = "/v1/work/"


def action_of(path: str) -> str:
    """The audit's name for what a request to ``path`` asks (a work operation by its name)."""
    if path.startswith(WORK) and path[len(WORK):].replace("-", "_") in OPERATIONS:
        return path[len(WORK):].replace("-", "_")
    for marker, action in ACTIONS:
        if marker in path:
            return action
    return "request"


def closed(at: float | None) -> Problem:
    """R-CLOSE-1: the switch-off (the service's own, or the directory's) has passed; ``closed_at`` says when."""
    if at is None:
        return Problem(503, "service", "service.closed")
    return Problem(503, "service", "service.closed", closed_at=datetime.fromtimestamp(at, UTC).isoformat())


def install(app: FastAPI, on_refused=None, on_refusal=None, closes_at=lambda: None) -> None:
    """Every error the app can meet becomes a problem document.

    ``on_refused(request, action, code)`` is called for a request the service refused or failed on its own
    (a problem of its own, a request that does not fit, a 500), so it is audited too (R-AUDIT-1);
    ``on_refusal(request, refusal)`` for every refusal the engine gave; ``closes_at()`` gives the switch-off
    time a closed directory reports."""

    def refused(request: Request, code: str) -> None:
        if on_refused is not None:
            try:
                on_refused(request, action_of(request.url.path), code)
            except Exception as err:
                log.error("could not audit a refused request", exc_info=err)

    @app.exception_handler(Refusal)
    async def refusal(request: Request, exc: Refusal) -> Response:
        if on_refusal is not None:
            on_refusal(request, exc)
        return from_refusal(exc)

    @app.exception_handler(Problem)
    async def problem(request: Request, exc: Problem) -> Response:
        refused(request, exc.code)
        return from_problem(exc)

    @app.exception_handler(ServiceClosed)
    async def service_closed(request: Request, exc: ServiceClosed) -> Response:
        """The directory's own switch-off, met by the engine (R-CLOSE-1): the same 503 as the service's."""
        refused(request, "service.closed")
        return from_problem(closed(closes_at()))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        response = _validation_response(request, exc)
        refused(request, json.loads(bytes(response.body)).get("code", "request.invalid"))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "request.not_found", 405: "request.method_not_allowed"}.get(exc.status_code, "request.invalid")
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return problem_response(status, {"kind": "request", "code": code, "field": "", "params": {}},
                                dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def anything(request: Request, exc: Exception) -> Response:
        log.error("unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
        refused(request, "server.error")
        return problem_response(500, {"kind": "server", "code": "server.error", "field": "", "params": {}})
