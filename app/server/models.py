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
from typing import TYPE_CHECKING, Annotated

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


# Text with the engine's bound: one alias per bound, so a type checker reads each field's type (str).
NameText = Annotated[StrictStr, Field(max_length=search.MAX_NAME_CHARS)]
PostcodeText = Annotated[StrictStr, Field(max_length=search.MAX_POSTCODE_CHARS + 4)]
IdText = Annotated[StrictStr, Field(max_length=search.MAX_ID_CHARS)]
ColleagueText = Annotated[StrictStr, Field(max_length=engine.MAX_COLLEAGUE_CHARS)]
UsernameText = Annotated[StrictStr, Field(max_length=engine.MAX_USERNAME_CHARS)]
PasswordText = Annotated[StrictStr, Field(max_length=engine.MAX_PASSWORD_CHARS)]
Text32 = Annotated[StrictStr, Field(max_length=32)]
Text64 = Annotated[StrictStr, Field(max_length=64)]
Text128 = Annotated[StrictStr, Field(max_length=128)]
Text200 = Annotated[StrictStr, Field(max_length=200)]
Text256 = Annotated[StrictStr, Field(max_length=256)]

if TYPE_CHECKING:  # what the validators below turn the text into
    IsoDate = date
    Blob = bytes
else:
    IsoDate = Annotated[StrictStr, Field(max_length=10, json_schema_extra={"format": "date"}),
                        AfterValidator(_iso_date)]
    Blob = Annotated[StrictStr, Field(max_length=MAX_BLOB_B64, json_schema_extra={"format": "byte"}),
                     AfterValidator(_b64)]
Count = Annotated[StrictInt, Field(ge=0, lt=BIG)]
Finding = Annotated[StrictStr, Field(max_length=64)]  # a client's audit alarm code (app.audit_memory.ALARMS)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriteriaIn(_Body):
    family_name: NameText = ""
    given_name: NameText = ""
    dob: IsoDate | None = None
    dob_to: IsoDate | None = None
    age_from: Annotated[StrictInt, Field(ge=-BIG, le=BIG)] | None = None
    age_to: Annotated[StrictInt, Field(ge=-BIG, le=BIG)] | None = None
    postcode: PostcodeText = ""
    directory_id: IdText = ""

    def to_engine(self) -> search.Criteria:
        return search.Criteria(self.family_name, self.given_name, self.dob, self.dob_to, self.age_from, self.age_to,
                               self.postcode, self.directory_id)


class ReasonIn(_Body):
    code: model.AccessReason
    detail: Text200 = ""

    def to_engine(self) -> model.Reason:
        return model.Reason(self.code, self.detail)


class ColleagueIn(_Body):
    name: ColleagueText
    organisation: ColleagueText
    username: UsernameText = ""

    def to_engine(self) -> model.Colleague:
        return model.Colleague(self.name, self.organisation, self.username)


class SignInIn(_Body):
    username: UsernameText
    password: PasswordText
    serial: Text64
    challenge: Blob
    signature: Blob


class UnlockIn(_Body):
    serial: Text64
    challenge: Blob
    signature: Blob


class LockIn(_Body):
    why: Text200 = ""


class TokenRefusalIn(_Body):
    username: UsernameText
    serial: Text64
    kind: Text32
    during: Text32 = "sign_in"


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
    root: Text128 | None = None
    at: Text64 | None = None
    signature: Text256 | None = None
    origin: Text128 | None = None


class AuditAlertIn(_Body):
    username: UsernameText
    kept: CheckpointSeen
    now: CheckpointSeen
    what: Finding | None = None
