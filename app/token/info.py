"""Plain value types shared by the token service and its callers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a token gives as ulMaxPinLen when it sets no maximum: 0 or CK_UNAVAILABLE_INFORMATION (32 or 64 bits).
NO_MAXIMUM = frozenset({0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF})


def pin_maximum(pin_max: int) -> int | None:
    """A token's longest PIN in bytes, or None when it sets no maximum."""
    return None if pin_max in NO_MAXIMUM else pin_max


def pin_fits(pin: str, pin_min: int, pin_max: int) -> bool:
    """Whether ``pin`` is as long as the token allows (lengths in UTF-8 bytes, as PKCS#11 counts them)."""
    n = len(pin.encode("utf-8"))
    most = pin_maximum(pin_max)
    return n >= pin_min and (most is None or n <= most)


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
