"""Signpost key pairs on the token: protection, enrolment (R-ROLE-4, R-LOCAL-1)."""
from __future__ import annotations

from contextlib import contextmanager

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive

from app.token.errors import TokenError, TokenErrorKind
from app.token.keys import SIGNIN_LABEL, WRAP_LABEL
from app.token.provision import enrol_real_token, training_label

T = 10


@contextmanager
def direct_session(module: str, serial: str, pin: str):
    """python-pkcs11 straight on SoftHSM (no TokenService is running here)."""
    lib = pkcs11.lib(module)
    lib.reinitialize()
    session = lib.get_token(token_serial=serial.encode()).open(user_pin=pin)
    try:
        yield session
    finally:
        session.close()
        lib.finalize()


def test_private_keys_are_sensitive_and_never_leave_the_token(softhsm_module, alice, alice_pin):
    with direct_session(softhsm_module, alice.serial, alice_pin) as session:
        for label, secret in ((SIGNIN_LABEL, Attribute.VALUE), (WRAP_LABEL, Attribute.PRIVATE_EXPONENT)):
            key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
            assert key[Attribute.TOKEN] and key[Attribute.PRIVATE]
            assert key[Attribute.SENSITIVE] is True
            assert key[Attribute.EXTRACTABLE] is False
            assert key[Attribute.ALWAYS_SENSITIVE] and key[Attribute.NEVER_EXTRACTABLE]
            with pytest.raises(AttributeSensitive):
                key[secret]


def test_token_without_keys_is_reported_as_not_enrolled(service, bare_token):
    serial = bare_token("bare-token-1", "bare-pin-1")
    svc = service()
    svc.login(serial, "bare-pin-1").result(T)
    for call in (svc.public_keys(serial), svc.sign(serial, b"m")):
        with pytest.raises(TokenError) as err:
            call.result(T)
        assert err.value.kind is TokenErrorKind.NOT_ENROLLED
        assert "Ask your LA team to enrol it" in err.value.message


def test_enrol_real_token_generates_keys_once(service, bare_token, softhsm_module):
    serial = bare_token("bare-token-2", "bare-pin-2")
    with pytest.raises(TokenError) as err:
        enrol_real_token(softhsm_module, serial, "wrong-pin")
    assert err.value.kind is TokenErrorKind.WRONG_PIN
    keys = enrol_real_token(softhsm_module, serial, "bare-pin-2")
    with pytest.raises(TokenError) as err:  # a second run must not destroy the enrolled keys
        enrol_real_token(softhsm_module, serial, "bare-pin-2")
    assert "already enrolled" in err.value.message
    svc = service()
    svc.login(serial, "bare-pin-2").result(T)
    assert svc.public_keys(serial).result(T) == keys


def test_training_label_fits_the_token_label_field():
    """The username comes first and whole, so the sign-in window shows it and can match it."""
    assert training_label("alex.practitioner") == "alex.practitioner (training)"
    long = training_label("Bartholomew Featherstonehaugh")
    assert len(long.encode()) <= 32 and long == "Bartholomew Featherstonehaugh"
    cut = training_label("é" * 20)
    assert len(cut.encode()) <= 32 and cut == "é" * 16
