"""The pure helpers the directory calls to verify sign-ins (R-ROLE-4, R-LOCAL-1)."""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.token.signin import (
    SIGNIN_PREFIX,
    oaep_padding,
    signin_message,
    verify_signin,
    wrap_for_token,
)

SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo


def test_message_is_domain_separated_and_unambiguous():
    c = os.urandom(16)
    msg = signin_message("signin", "abc", c)
    assert msg.startswith(SIGNIN_PREFIX)
    # shifting bytes between fields must change the message
    assert signin_message("signina", "bc", c) != msg
    assert signin_message("signin", "ab", b"c" + c) != signin_message("signin", "abc", c)
    assert len({signin_message(p, s, c) for p in ("a", "b") for s in ("1", "2")}) == 4


@pytest.mark.parametrize("purpose, serial, challenge", [
    ("", "s", os.urandom(16)), ("p", "", os.urandom(16)), ("p", "s", b"short"),
])
def test_message_refuses_empty_fields_and_short_challenges(purpose, serial, challenge):
    with pytest.raises(ValueError):
        signin_message(purpose, serial, challenge)


def test_verify_signin_accepts_only_the_right_key_and_message():
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    msg = signin_message("signin", "0011", os.urandom(16))
    sig = key.sign(msg, ec.ECDSA(hashes.SHA256()))
    assert verify_signin(key.public_key().public_bytes(*SPKI), msg, sig)
    assert not verify_signin(other.public_key().public_bytes(*SPKI), msg, sig)
    assert not verify_signin(key.public_key().public_bytes(*SPKI), msg + b"x", sig)
    assert not verify_signin(key.public_key().public_bytes(*SPKI), msg, b"garbage")
    wrong_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(*SPKI)
    with pytest.raises(ValueError):
        verify_signin(wrong_curve, msg, sig)


def test_wrap_for_token_uses_the_documented_oaep_and_rejects_small_keys():
    key = rsa.generate_private_key(65537, 2048)
    wrapped = wrap_for_token(key.public_key().public_bytes(*SPKI), b"k" * 32)
    assert key.decrypt(wrapped, oaep_padding()) == b"k" * 32
    small = rsa.generate_private_key(65537, 1024).public_key().public_bytes(*SPKI)
    with pytest.raises(ValueError):
        wrap_for_token(small, b"k" * 32)
