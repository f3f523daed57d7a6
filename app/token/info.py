"""Plain value types shared by the token service and its callers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TokenInfo:
    """What the token says about itself (C_GetTokenInfo), keyed by serial."""

    serial: str
    label: str
    manufacturer: str
    model: str
    pin_min: int
    pin_max: int
    user_pin_count_low: bool = False
    user_pin_final_try: bool = False
    user_pin_locked: bool = False


@dataclass(frozen=True)
class TokenEvent:
    kind: Literal["arrived", "removed"]
    token: TokenInfo


@dataclass(frozen=True)
class PublicKeys:
    """SubjectPublicKeyInfo DER of the token's two Signpost key pairs."""

    sign_public_der: bytes  # P-256, label "signpost-signin"
    wrap_public_der: bytes  # RSA-2048, label "signpost-wrap"
