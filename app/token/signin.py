"""Pure helpers the directory uses to verify a token sign-in and to wrap the
cache key for a token (rules R-ROLE-4, R-LOCAL-1).  Needs only `cryptography`.

Sign-in: the directory sends a random challenge; the client has the token sign
``signin_message(purpose, serial, challenge)`` (ECDSA P-256 over SHA-256,
DER signature); the directory calls ``verify_signin`` with the enrolled
``sign_public_der``.  The message is domain-separated and unambiguous: a fixed
prefix, then each field as a 4-byte big-endian length and its bytes, so no two
(purpose, serial, challenge) triples produce the same bytes.

Cache-key wrapping: ``wrap_for_token`` encrypts with RSA-OAEP using SHA-1 for
both the OAEP hash and MGF1, with an empty label.  SoftHSM 2.6 accepts only
SHA-1 in CKM_RSA_PKCS_OAEP parameters (SHA-256 gives CKR_ARGUMENTS_BAD), and
many smartcards are the same.  OAEP's security does not rest on the hash's
collision resistance, so SHA-1 here is sound; ``OAEP_HASH`` names the choice
so both sides stay in step.
"""
from __future__ import annotations

import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

SIGNIN_PREFIX = b"signpost-signin-v1"
OAEP_HASH = "SHA-1"  # OAEP hash and MGF1 hash; see module docstring
MIN_CHALLENGE = 16


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def signin_message(purpose: str, serial: str, challenge: bytes) -> bytes:
    """The exact bytes a token signs to prove its holder for ``purpose``."""
    if not purpose or not serial:
        raise ValueError("purpose and serial must not be empty")
    if not isinstance(challenge, bytes) or len(challenge) < MIN_CHALLENGE:
        raise ValueError(f"challenge must be at least {MIN_CHALLENGE} random bytes")
    return SIGNIN_PREFIX + b"".join(
        _field(v) for v in (purpose.encode("utf-8"), serial.encode("utf-8"), challenge)
    )


def verify_signin(sign_public_der: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` (DER ECDSA) over ``message`` verifies with the key.

    Raises ValueError if the key is not a P-256 SubjectPublicKeyInfo (that is
    an enrolment fault, not a failed sign-in).
    """
    key = serialization.load_der_public_key(sign_public_der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("sign-in key is not an EC P-256 public key")
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def oaep_padding() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def wrap_for_token(wrap_public_der: bytes, plaintext: bytes) -> bytes:
    """RSA-OAEP-encrypt ``plaintext`` (e.g. a 32-byte cache key) to the token."""
    key = serialization.load_der_public_key(wrap_public_der)
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValueError("wrap key is not an RSA key of at least 2048 bits")
    return key.encrypt(plaintext, oaep_padding())
