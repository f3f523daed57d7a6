"""The reference directory service: the engine behind HTTPS, version 1 of the API.

``create_app(engine_factory)`` gives a FastAPI application. The engine is
opened by ``engine_factory`` and used only on its own thread (an
``EmbeddedDirectory``): the SQLCipher connection never meets another thread,
and the event loop never waits on the database. Every route is a thin
translation: a bounded request model in (``models``), the ``Viewer`` built
from the service's own session record (``sessions``), one engine call, which
enforces policy and audits (R-AUDIT-1), and ``app.wire`` JSON out. Every
error is a problem document (``problems``); what the service refuses on its
own is audited too, bounded (``refusal_log``). No answer may be cached
(``guards.NoStore``). The switch-off is the earlier of the service's setting
and the directory's own (R-CLOSE-1).
"""
import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.responses import Response

from .. import audit, model, search, wire
from ..directory import Directory, EmbeddedDirectory, SignedIn
from ..directory.work.operations import OPERATIONS, Operation
from ..refusals import AccessRefused, RateLimited, Refusal
from . import problems, schemas
from .guards import BodyLimit, ClientLimiter, NoStore
from .models import BIG, AuditAlertIn, ColleagueIn, LockIn, SearchIn, SignInIn, TokenRefusalIn, UnlockIn, ViewIn
from .refusal_log import Kind, RefusalLog
from .sessions import Held, SessionTable

log = logging.getLogger(__name__)
API_VERSION = "1"


@dataclass(frozen=True)
class ServiceSettings:
    idle_minutes: float = 30  # a session unused this long ends (R-LOCAL-2)
    max_hours: float = 12  # and any session ends this long after sign-in
    max_body_bytes: int = 64 * 1024
    sessions_per_user: int = 8  # a further sign-in ends the user's oldest session
    unauthenticated_per_minute: int = 300  # calls before sign-in, per client address
    closes_at: float | None = None  # time.time() of the switch-off (R-CLOSE-1); None: the directory's own, if any
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto is believed; none by default, so the client
    # address (the per-address limit, the audit) is the connection's own (issue 13 §2 item 5).
    trusted_proxies: tuple[str, ...] = ()
    request_read_timeout_s: float = 10  # a connection must send a whole request this fast, or it is closed


STRING = {"type": "string"}
HEX = {"type": "string", "description": "hex"}


def _object(description: str, **properties: dict) -> dict:
    """A documented 200 answer: a JSON object with exactly these (required) properties."""
    return {200: {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "required": list(properties), "properties": properties}}}}}


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.error("a refused request could not be audited", exc_info=future.exception())


def _log_sign_out_failure(future) -> None:
    if future.exception() is not None:
        log.error("engine sign-out failed", exc_info=future.exception())


def _ok(value: Any) -> Response:
    return Response(problems.dumps(wire.encode(value)), media_type="application/json")


def create_app(engine_factory: Callable[[], Directory], settings: ServiceSettings = ServiceSettings(), *,
               now: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> FastAPI:
    """The service over the directory ``engine_factory`` opens (called once, on the engine's thread).

    ``now`` times sessions and the per-address limit; ``wall`` is compared with ``closes_at``.
    The caller ends it with ``app.state.shutdown()`` (every session signed out, the directory
    closed): not on the ASGI lifespan, which test clients run around every call.
    """
    directory = EmbeddedDirectory(engine_factory)

    async def on_engine(fn: Callable[[Directory], Any]) -> Any:
        return await asyncio.wrap_future(directory.run_on_engine(fn))

    def ended(held: Held, why: str) -> None:  # expired, replaced or service stopping: end it in the engine too
        log.info("session of %s ended (%s)", held.signed.user.username, why)
        user, token = held.signed.user, held.token
        future = directory.run_on_engine(lambda d: d.sign_out(user, token, why))
        future.add_done_callback(_log_sign_out_failure)

    table = SessionTable(now, settings.idle_minutes * 60, settings.max_hours * 3600, settings.sessions_per_user,
                         ended)
    limiter = ClientLimiter(settings.unauthenticated_per_minute, now)
    swept = [now()]
    stopped = [False]

    def record_refused(kind: Kind, count: int) -> None:  # on the engine's thread, after what is queued there
        address, holder, action, code = kind
        try:
            future = directory.run_on_engine(lambda d: d.audit_refused_request(holder, action, code, address, count))
        except RuntimeError:  # the directory is already closed
            log.warning("a refused request could not be audited: the directory is closed")
            return
        future.add_done_callback(_log_failure)

    refusals = RefusalLog(record_refused, now)

    def shutdown() -> None:
        if stopped[0]:
            return
        stopped[0] = True
        try:
            table.end_all()
            refusals.flush()
        finally:
            directory.close()

    app = FastAPI(title="Signpost directory service", version=API_VERSION, docs_url=None, redoc_url=None,
                  description="The Signpost directory over HTTPS: version 1 of its API.")
    app.state.directory = directory
    app.state.sessions = table
    app.state.settings = settings
    app.state.shutdown = shutdown

    def bearer_of(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header[:7].lower() == "bearer " else None

    def note_refused(request: Request, action: str, code: str) -> None:
        """A request the service refused on its own: audited as its session holder's, from its address."""
        refusals.refused(request.client.host if request.client else "unknown", table.holder(bearer_of(request)),
                         action, code)

    def engine_refused(request: Request, refusal: Refusal) -> None:
        """The engine ended the session itself (disabled, locked out, a new token): stop holding it."""
        token = bearer_of(request)
        if refusal.code == "access.session_ended" and token:
            table.forget(token)

    def closes_at() -> float | None:
        """The switch-off: the service's own setting or the directory's, whichever comes first (R-CLOSE-1)."""
        times = [t for t in (settings.closes_at, directory.status().closes_at) if t is not None]
        return min(times) if times else None

    problems.install(app, on_refused=note_refused, on_refusal=engine_refused, closes_at=closes_at)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, on_refused=note_refused)
    app.add_middleware(NoStore)

    # -- dependencies ------------------------------------------------------------------------------
    bearer = HTTPBearer(auto_error=False, description="The session id from POST /v1/sessions.")
    Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

    async def open_for_business() -> None:  # async: cheap checks, no thread hop per request
        closing = closes_at()
        if closing is not None and wall() >= closing:
            raise problems.closed(closing)
        if now() - swept[0] > 30:
            swept[0] = now()
            table.sweep()
            refusals.roll()

    async def live(credentials: Credentials) -> Held:
        token = credentials.credentials if credentials else None
        held = table.get(token)
        if held is None:
            if table.get(token, locked_ok=True) is not None:
                raise problems.session_locked()  # the same answer the embedded directory gives
            raise problems.session_ended()
        return held

    async def lockable(credentials: Credentials) -> Held:
        """A session that may be locked: for unlocking and signing out only."""
        held = table.get(credentials.credentials if credentials else None, locked_ok=True)
        if held is None:
            raise problems.session_ended()
        return held

    async def limited(request: Request) -> None:
        try:
            limiter.check(request.client.host if request.client else "unknown")
        except RateLimited as exc:
            note_refused(request, problems.action_of(request.url.path), exc.code)
            raise

    Live = Annotated[Held, Depends(live)]
    Lockable = Annotated[Held, Depends(lockable)]

    def viewer(held: Held, colleague) -> model.Viewer:
        """Who asks: the user from the service's own session record, never from the request (R-ROLE-2)."""
        return model.Viewer(held.signed.user, colleague.to_engine() if colleague is not None else None, held.token)

    # -- documentation of the answers ---------------------------------------------------------------
    components: dict = {}

    def answers(tp, what: str) -> dict:
        return {200: {"description": what, "content": {"application/json": {"schema": schemas.schema_for(
            tp, components)}}}}

    EMPTY: dict[int | str, dict[str, Any]] = {200: {"description": "Done.", "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False}}}}}

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(open_for_business)])

    @app.get("/v1/status", tags=["service"], responses=_object(
        "What this directory is.", kind=STRING, version=STRING, closes_at={"anyOf": [STRING, {"type": "null"}]}))
    async def status() -> Response:
        """Which directory this is, and when it closes (R-CLOSE-1); answered even after closing."""
        closes = closes_at()
        return _ok({"kind": "service", "version": API_VERSION,
                    "closes_at": None if closes is None else datetime.fromtimestamp(closes, UTC).isoformat()})

    @app.get("/v1/", tags=["service"], responses=_object(
        "What this service is and where to start.", kind=STRING, version=STRING,
        links={"type": "object", "additionalProperties": STRING}))
    async def index() -> Response:
        """The API's front door: its version and its entry points (answered even after closing)."""
        return _ok({"kind": "service", "version": API_VERSION,
                    "links": {"status": "/v1/status", "health": "/v1/health", "openapi": "/openapi.json",
                              "sign_in": "/v1/sessions"}})

    @v1.get("/health", tags=["service"], responses=_object("The service and its directory answer.", status=STRING))
    async def health() -> Response:
        """For clients that lost touch (issue 15 2.4): answers once the directory answers on its own thread;
        after the switch-off it answers 503 service.closed, as every other request does."""
        await on_engine(lambda d: None)
        return _ok({"status": "ok"})

    # -- signing in and out (R-ROLE-4, R-LOCAL-2) ---------------------------------------------------
    @v1.post("/challenge", tags=["sessions"], dependencies=[Depends(limited)], responses=_object(
        "A fresh single-use challenge for the token to sign.", challenge={"type": "string", "format": "byte"}))
    async def challenge() -> Response:
        return _ok({"challenge": await on_engine(Directory.challenge)})

    @v1.post("/sessions", tags=["sessions"], dependencies=[Depends(limited)],
             responses=answers(SignedIn, "Signed in: the session id is the bearer token for what follows."))
    async def sign_in(body: SignInIn) -> Response:
        """Username, password and the token's signature over a challenge (R-ROLE-4). The answer says how long
        the session lasts unused and in all, so the client can warn before either."""
        signed: SignedIn = await on_engine(lambda d: d.sign_in(body.username, body.password, body.serial,
                                                               body.challenge, body.signature))
        signed = replace(signed, session_idle_s=table.idle_s, session_max_s=table.max_age_s)  # so it can warn
        table.add(signed)
        return _ok(signed)

    @v1.post("/session/lock", tags=["sessions"], responses=EMPTY)
    async def lock(body: LockIn, held: Live) -> Response:
        """Lock the session: from now on it is good only for unlocking or signing out (R-LOCAL-2)."""
        held.locked = True
        await on_engine(lambda d: d.lock(held.signed.user, body.why, held.token))
        return _ok({})

    @v1.post("/session/unlock", tags=["sessions"], responses=answers(SignedIn, "Unlocked: the same session."))
    async def unlock(body: UnlockIn, held: Lockable) -> Response:
        """Back into a locked session with the same token, proven afresh over a new challenge."""
        await on_engine(lambda d: d.unlock(held.signed.user, body.serial, body.challenge, body.signature,
                                           held.token))
        held.locked = False
        return _ok(held.signed)

    @v1.delete("/session", tags=["sessions"], responses=EMPTY)
    async def sign_out(held: Lockable) -> Response:
        """End the session, here and in the directory (audited)."""
        table.remove(held)
        await on_engine(lambda d: d.sign_out(held.signed.user, held.token))
        return _ok({})

    @v1.post("/token-refusals", tags=["sessions"], dependencies=[Depends(limited)], responses=EMPTY)
    async def token_refusal(body: TokenRefusalIn) -> Response:
        """What the user's token refused before or during sign-in, for the audit (R-AUDIT-1)."""
        await on_engine(lambda d: d.report_token_refusal(body.username, body.serial, body.kind, body.during))
        return _ok({})

    # -- the directory at work --------------------------------------------------------------------
    DirectoryId = Annotated[str, Path(max_length=16, description="As shown, e.g. 123 456 7890.")]

    @v1.post("/search", tags=["directory"], responses=answers(search.Outcome, "The hits, or a notice."))
    async def run_search(body: SearchIn, held: Live) -> Response:
        """Search with a reason (R-SEARCH-1..7); the engine limits the rate per user (R-SEARCH-6)."""
        who, criteria, reason = viewer(held, body.on_behalf_of), body.criteria.to_engine(), body.reason.to_engine()
        return _ok(await on_engine(lambda d: d.search(who, criteria, reason)))

    @v1.post("/records/{directory_id}/view", tags=["directory"],
             responses=answers(model.RecordView, "The record as this viewer may see it (R-SHIELD-4, R-SENS-3)."))
    async def view_record(directory_id: DirectoryId, body: ViewIn, held: Live) -> Response:
        """Open a record, only one this session was given in its own results."""
        who, reason = viewer(held, body.on_behalf_of), body.reason.to_engine()
        return _ok(await on_engine(lambda d: d.view_record(who, directory_id, reason)))

    @v1.post("/accounts/{username}/unlock", tags=["directory"], responses=EMPTY)
    async def unlock_account(username: Annotated[str, Path(max_length=64)], held: Live) -> Response:
        """The LA team lifts a sign-in lock-out for one of its own LA's users (R-ROLE-3)."""
        who = viewer(held, None)
        await on_engine(lambda d: d.unlock_account(who, username))
        return _ok({})

    # -- audit (R-AUDIT-1, R-AUDIT-2) ---------------------------------------------------------------
    @v1.get("/audit/entries", tags=["audit"], responses=answers(list[audit.Entry], "Entries after since."))
    async def audit_entries(held: Live, since: Annotated[int, Query(ge=0, lt=BIG)] = 0) -> Response:
        """The LA management team's own LA's entries (R-ROLE-3)."""
        who = viewer(held, None)
        return _ok(await on_engine(lambda d: d.audit_entries(who, since)))

    @v1.get("/audit/checkpoint", tags=["audit"], responses=_object(
        "The latest signed checkpoint, naming its log (origin).", size={"type": "integer"}, root=HEX, at=STRING,
        signature=HEX, origin=STRING))
    async def audit_checkpoint() -> Response:
        cp: audit.Checkpoint = await on_engine(Directory.audit_checkpoint)
        return _ok(cp.to_json())

    @v1.get("/audit/consistency", tags=["audit"], responses=_object(
        "RFC 6962 consistency proof from the old size to the new.", proof={"type": "array", "items": HEX}))
    async def audit_consistency(old: Annotated[int, Query(ge=0, lt=BIG)],
                                new: Annotated[int, Query(ge=0, lt=BIG)]) -> Response:
        proof = await on_engine(lambda d: d.audit_consistency(old, new))
        return _ok({"proof": [p.hex() for p in proof]})

    @v1.get("/audit/public-key", tags=["audit"], responses=_object(
        "The Ed25519 key that signs checkpoints.", public_key=HEX))
    async def audit_public_key() -> Response:
        return _ok({"public_key": (await on_engine(Directory.audit_public_key)).hex()})

    @v1.get("/audit/own/{seq}", tags=["audit"], responses=answers(audit.OwnEntry, "The entry and its proof."))
    async def audit_own_entry(seq: Annotated[int, Path(ge=1, lt=BIG)], held: Live,
                              size: Annotated[int, Query(ge=1, lt=BIG)]) -> Response:
        """One of the signed-in user's own entries with its inclusion proof, for the client's check at sign-in
        (R-AUDIT-2): anyone else's is refused."""
        who = viewer(held, None)
        return _ok(await on_engine(lambda d: d.audit_own_entry(who, seq, size)))

    @v1.post("/audit/alerts", tags=["audit"], dependencies=[Depends(limited)], responses=EMPTY)
    async def audit_alert(body: AuditAlertIn) -> Response:
        """A client found the log shrank or forked since it last looked: the LA team is alerted."""
        kept, seen = body.kept.model_dump(exclude_none=True), body.now.model_dump(exclude_none=True)
        await on_engine(lambda d: d.report_audit_alert(body.username, kept, seen, body.what or ""))
        return _ok({})

    # -- the work operations (issue 8), one route each from the table ------------------------------
    def work_route(op: Operation) -> None:
        async def perform(request: Request, held: Live) -> Response:
            """Decode the body strictly as the operation's request; refuse (audited) what does not fit."""
            try:
                data = json.loads(await request.body())
                if not isinstance(data, dict) or not set(data) <= {"request", "on_behalf_of"}:
                    raise ValueError("unexpected fields")
                asked = wire.decode(op.request, data.get("request"))
                colleague = data.get("on_behalf_of")
                colleague = None if colleague is None else ColleagueIn.model_validate(colleague)
            except (ValueError, TypeError, wire.WireError, ValidationError):
                note_refused(request, op.audit_action, "request.invalid")
                raise AccessRefused("request.invalid", "request") from None  # as the engine says it
            key = request.headers.get("idempotency-key")
            who = viewer(held, colleague)
            return _ok(await on_engine(lambda d: d.perform(op, who, asked, key)))

        perform.__doc__ = op.summary + (" A change: send an Idempotency-Key header to have it done exactly once."
                                        if op.writes else "")
        v1.add_api_route(op.path, perform, methods=["POST"], tags=["work"], name=op.name, summary=op.summary,
                         responses=answers(op.answer, op.summary), openapi_extra={"requestBody": {
                             "required": True, "content": {"application/json": {"schema": {
                                 "type": "object", "additionalProperties": False, "required": ["request"],
                                 "properties": {"request": schemas.schema_for(op.request, components),
                                                "on_behalf_of": {"anyOf": [
                                                    {"$ref": "#/components/schemas/ColleagueIn"},
                                                    {"type": "null"}]}}}}}}})

    for op in OPERATIONS.values():
        work_route(op)

    app.include_router(v1)
    app.openapi = lambda: _openapi(app, components)  # type: ignore[method-assign]
    return app


PROBLEM_SCHEMA = {
    "type": "object", "title": "Problem", "description": "RFC 9457 problem document; kind/code/field/params as "
                                                          "app.refusals.Refusal.as_problem().",
    "required": ["type", "title", "status", "kind", "code", "field", "params"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "kind": {"type": "string"}, "code": {"type": "string"}, "field": {"type": "string"},
                   "params": {"type": "object"}}}


def _openapi(app: FastAPI, components: dict) -> dict:
    """FastAPI's document, with the answers' schemas and every error as a problem document."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    found = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        found.pop(name, None)
    found.update(components)
    found["Problem"] = PROBLEM_SCHEMA
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["default"] = {"description": "A problem document (RFC 9457) carrying the refusal's code.",
                                    "content": {problems.PROBLEM_JSON: {"schema": {
                                        "$ref": "#/components/schemas/Problem"}}}}
    doc["components"]["schemas"] = dict(sorted(found.items()))
    app.openapi_schema = doc
    return doc
