"""A signed batch: who sent it, which batch, what kind, and the body's digest, under the source's Ed25519 key.

A source signs each batch's header (issue 17 item 1): ``verify`` is the whole credential check, so the
HTTPS route (and ``feed import`` in the training room) only call it before reading a row. It refuses, with
a code the route audits:

- ``feed.source_unknown`` / ``feed.source_suspended``: no registered source by that id, or suspended;
- ``feed.signature_invalid``: the signature does not verify under any of the source's registered keys;
- ``feed.body_altered``: the body is not the one the header's digest names;
- ``feed.stale`` / ``feed.from_future``: signed more than ``MAX_AGE`` ago, or ahead of the directory's
  clock by more than ``CLOCK_SKEW`` (a captured batch cannot be replayed once its id could be forgotten);
- ``feed.kind_not_allowed``: a kind of feed the source is not registered to send.

The signature covers a fixed prefix and the header as canonical JSON (sorted keys, no spaces), so a
header cannot be re-read as another message. Batch ids are UUIDs; "done once" is the write path's
(issue 17 item 6), keyed on (source, batch id).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .formats import FeedKind
from .refusals import FeedRefused
from .sources import RegisteredSource, SourceRegistry, check_kind

DOMAIN = b"signpost feed batch v1\n"
FORMATS = ("csv", "fhir")
MAX_AGE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class BatchHeader:
    source: str
    batch_id: str
    kind: FeedKind
    format: str
    sent_at: datetime  # aware, UTC
    body_sha256: str  # hex

    def as_json(self) -> dict:
        return {"source": self.source, "batch_id": self.batch_id, "kind": self.kind.value, "format": self.format,
                "sent_at": self.sent_at.astimezone(UTC).isoformat(timespec="seconds"),
                "body_sha256": self.body_sha256}

    def signed_bytes(self) -> bytes:
        return DOMAIN + json.dumps(self.as_json(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: dict) -> BatchHeader:
        try:
            header = cls(str(data["source"]), str(data["batch_id"]), FeedKind(data["kind"]), str(data["format"]),
                         datetime.fromisoformat(str(data["sent_at"])), str(data["body_sha256"]))
            uuid.UUID(header.batch_id)
        except (KeyError, ValueError, TypeError):
            raise FeedRefused("feed.envelope_invalid") from None
        if header.format not in FORMATS or header.sent_at.tzinfo is None:
            raise FeedRefused("feed.envelope_invalid")
        return header


@dataclass(frozen=True)
class SignedBatch:
    header: BatchHeader
    signature: bytes
    body: bytes

    def envelope(self) -> str:
        """The envelope as sent beside the body (JSON: the header and the base64 signature)."""
        return json.dumps({"header": self.header.as_json(), "signature": base64.b64encode(self.signature).decode()})

    @classmethod
    def from_envelope(cls, envelope: str | bytes, body: bytes) -> SignedBatch:
        try:
            data = json.loads(envelope)
            signature = base64.b64decode(data["signature"], validate=True)
            header_data = data["header"]
        except (ValueError, KeyError, TypeError):
            raise FeedRefused("feed.envelope_invalid") from None
        if not isinstance(header_data, dict):
            raise FeedRefused("feed.envelope_invalid")
        return cls(BatchHeader.from_json(header_data), signature, body)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def sign(key: Ed25519PrivateKey, source: str, kind: FeedKind, fmt: str, body: bytes,
         sent_at: datetime | None = None, batch_id: str | None = None) -> SignedBatch:
    """A source's side: sign a batch (used by the training sample feeds and tests)."""
    header = BatchHeader(source, batch_id or str(uuid.uuid4()), kind, fmt,
                         (sent_at or datetime.now(UTC)).replace(microsecond=0), digest(body))
    return SignedBatch(header, key.sign(header.signed_bytes()), body)


def verify(batch: SignedBatch, registry: SourceRegistry, now: datetime) -> RegisteredSource:
    """The registered source that sent ``batch``, once every check passes; else ``FeedRefused``."""
    header = batch.header
    source = registry.get(header.source)
    if source is None:
        raise FeedRefused("feed.source_unknown", source=header.source)
    if source.suspended:
        raise FeedRefused("feed.source_suspended", source=source.source_id)
    if not any(_verifies(key, batch.signature, header.signed_bytes()) for key in source.public_keys):
        raise FeedRefused("feed.signature_invalid", source=source.source_id)
    if not hmac.compare_digest(digest(batch.body), header.body_sha256):
        raise FeedRefused("feed.body_altered", source=source.source_id, batch_id=header.batch_id)
    if header.sent_at < now - MAX_AGE:
        raise FeedRefused("feed.stale", source=source.source_id, batch_id=header.batch_id)
    if header.sent_at > now + CLOCK_SKEW:
        raise FeedRefused("feed.from_future", source=source.source_id, batch_id=header.batch_id)
    check_kind(source, header.kind)
    return source


def _verifies(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        return False
    return True
