"""What the service accepts: one bounded pydantic model per request body.

Every field has a type and a bound (the engine's own: names 60, postcode 14,
directory id 16, username 64, password 1024, reason detail 200, colleague
100, base64 blobs 4 KB), so nothing unbounded reaches the engine; each model
turns itself into the engine's objects (``app.model``, ``app.search``).
Text may still hold characters the engine cannot store (a lone surrogate): the
engine refuses those with its own code.
"""
from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from .. import model, search
from ..directory import engine

MAX_BLOB_B64 = 4096
BIG = 2**62  # any count or size the service takes is below this


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None


def Text(limit: int, **kw):
    return Annotated[StrictStr, Field(max_length=limit, **kw)]


IsoDate = Annotated[StrictStr, Field(max_length=10, json_schema_extra={"format": "date"}), AfterValidator(_iso_date)]
Blob = Annotated[StrictStr, Field(max_length=MAX_BLOB_B64, json_schema_extra={"format": "byte"}), AfterValidator(_b64)]
Count = Annotated[StrictInt, Field(ge=0, lt=BIG)]
Finding = Annotated[StrictStr, Field(max_length=64)]  # a client's audit alarm code (app.audit_memory.ALARMS)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriteriaIn(_Body):
    family_name: Text(search.MAX_NAME_CHARS) = ""
    given_name: Text(search.MAX_NAME_CHARS) = ""
    dob: IsoDate | None = None
    dob_to: IsoDate | None = None
    age_from: Annotated[StrictInt, Field(ge=-BIG, le=BIG)] | None = None
    age_to: Annotated[StrictInt, Field(ge=-BIG, le=BIG)] | None = None
    postcode: Text(search.MAX_POSTCODE_CHARS + 4) = ""
    directory_id: Text(search.MAX_ID_CHARS) = ""

    def to_engine(self) -> search.Criteria:
        return search.Criteria(self.family_name, self.given_name, self.dob, self.dob_to, self.age_from, self.age_to,
                               self.postcode, self.directory_id)


class ReasonIn(_Body):
    code: model.AccessReason
    detail: Text(200) = ""

    def to_engine(self) -> model.Reason:
        return model.Reason(self.code, self.detail)


class ColleagueIn(_Body):
    name: Text(engine.MAX_COLLEAGUE_CHARS)
    organisation: Text(engine.MAX_COLLEAGUE_CHARS)
    username: Text(engine.MAX_USERNAME_CHARS) = ""

    def to_engine(self) -> model.Colleague:
        return model.Colleague(self.name, self.organisation, self.username)


class SignInIn(_Body):
    username: Text(engine.MAX_USERNAME_CHARS)
    password: Text(engine.MAX_PASSWORD_CHARS)
    serial: Text(64)
    challenge: Blob
    signature: Blob


class UnlockIn(_Body):
    serial: Text(64)
    challenge: Blob
    signature: Blob


class LockIn(_Body):
    why: Text(200) = ""


class TokenRefusalIn(_Body):
    username: Text(engine.MAX_USERNAME_CHARS)
    serial: Text(64)
    kind: Text(32)
    during: Text(32) = "sign_in"


class SearchIn(_Body):
    criteria: CriteriaIn
    reason: ReasonIn
    on_behalf_of: ColleagueIn | None = None


class ViewIn(_Body):
    reason: ReasonIn
    on_behalf_of: ColleagueIn | None = None


class CheckpointSeen(BaseModel):
    """A checkpoint as a client kept or saw it (``Checkpoint.to_json()``), or nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    size: Count | None = None
    root: Text(128) | None = None
    at: Text(64) | None = None
    signature: Text(256) | None = None


class AuditAlertIn(_Body):
    username: Text(engine.MAX_USERNAME_CHARS)
    kept: CheckpointSeen
    now: CheckpointSeen
    what: Finding | None = None
