"""TokenService against real SoftHSM tokens (R-ROLE-4, R-LOCAL-1, R-LOCAL-2)."""
from __future__ import annotations

import os
import threading
import time

import pytest

from app.token.errors import TokenError, TokenErrorKind
from app.token.service import THREAD_NAME
from app.token.signin import signin_message, verify_signin, wrap_for_token

T = 10  # generous future timeout; the latency assertions below are explicit


def test_tokens_lists_present_tokens_by_serial_and_label(service, alice, alice_pin):
    svc = service()
    tokens = {t.serial: t for t in svc.tokens().result(T)}
    assert tokens[alice.serial].label == "Signpost training – alice"
    assert (tokens[alice.serial].pin_min, tokens[alice.serial].pin_max) == (4, 255)


def test_arrival_and_removal_are_reported_by_polling(service, new_token, softhsm, recorder):
    # R-LOCAL-2: pulling the signed-in token must be noticed at once (<1.5 s).
    svc = service(poll_interval=1.0)
    svc.subscribe(recorder)
    t0 = time.monotonic()
    tok = new_token(pin="pull-me-1")
    arrived = recorder.wait_for("arrived", tok.serial, timeout=3.0, after=t0)
    assert arrived - t0 < 3.0
    svc.login(tok.serial, "pull-me-1").result(T)

    pulled_at = time.monotonic()
    aside = softhsm.pull(tok.serial)
    gone = recorder.wait_for("removed", tok.serial, timeout=1.5, after=pulled_at)
    assert gone - pulled_at < 1.5
    with pytest.raises(TokenError) as err:  # the session went with the token
        svc.sign(tok.serial, b"x").result(T)
    assert err.value.kind is TokenErrorKind.REMOVED
    assert "Insert it" in err.value.message

    back_at = time.monotonic()
    softhsm.insert(aside)  # nobody signed in now, so it is seen again
    recorder.wait_for("arrived", tok.serial, timeout=2.5, after=back_at)
    svc.login(tok.serial, "pull-me-1").result(T)  # usable again: a fresh login
    # subscribers are called on the token thread (documented contract)
    assert {thread for _, _, thread in recorder.events} == {f"{THREAD_NAME}_0"}


def test_new_token_while_signed_in_keeps_session_and_is_reported_after_logout(
    service, alice, alice_pin, new_token, recorder
):
    svc = service(poll_interval=0.3)
    svc.subscribe(recorder)
    svc.login(alice.serial, alice_pin).result(T)
    bob = new_token(pin="bob-pin-1")
    time.sleep(1.0)  # several polls see bob's directory appear
    # Alice's session survived (SoftHSM would need a re-init to show bob).
    svc.sign(alice.serial, b"still signed in").result(T)
    assert "arrived" not in recorder.kinds(bob.serial)
    out_at = time.monotonic()
    svc.logout(alice.serial).result(T)
    recorder.wait_for("arrived", bob.serial, timeout=1.5, after=out_at)
    with pytest.raises(TokenError) as err:  # the re-init did sign alice out
        svc.sign(alice.serial, b"x").result(T)
    assert err.value.kind is TokenErrorKind.NOT_SIGNED_IN


def test_signature_verifies_only_for_the_signed_purpose_serial_and_challenge(service, alice, alice_pin):
    svc = service()
    svc.login(alice.serial, alice_pin).result(T)
    challenge = os.urandom(32)
    msg = signin_message("signin", alice.serial, challenge)
    sig = svc.sign(alice.serial, msg).result(T)
    pub = svc.public_keys(alice.serial).result(T)
    assert pub == alice.keys  # the keys enrolled at provisioning
    assert verify_signin(pub.sign_public_der, msg, sig)
    for other in (
        signin_message("signin", alice.serial, os.urandom(32)),
        signin_message("signin", "0000000000000000", challenge),
        signin_message("unlock-cache", alice.serial, challenge),
    ):
        assert not verify_signin(pub.sign_public_der, other, sig)


def test_decrypt_returns_what_wrap_for_token_wrapped(service, alice, alice_pin):
    # R-LOCAL-1: the cache key is only recoverable with the token and PIN.
    svc = service()
    svc.login(alice.serial, alice_pin).result(T)
    cache_key = os.urandom(32)
    wrapped = wrap_for_token(alice.keys.wrap_public_der, cache_key)
    assert svc.decrypt(alice.serial, wrapped).result(T) == cache_key


def test_sign_and_decrypt_need_a_signed_in_token(service, alice, alice_pin):
    svc = service()
    for call in (lambda: svc.sign(alice.serial, b"m"), lambda: svc.decrypt(alice.serial, b"c")):
        with pytest.raises(TokenError) as err:
            call().result(T)
        assert err.value.kind is TokenErrorKind.NOT_SIGNED_IN
    svc.login(alice.serial, alice_pin).result(T)
    svc.logout(alice.serial).result(T)
    with pytest.raises(TokenError) as err:
        svc.sign(alice.serial, b"m").result(T)
    assert err.value.kind is TokenErrorKind.NOT_SIGNED_IN


def test_unknown_serial_is_reported_as_not_connected(service):
    svc = service()
    with pytest.raises(TokenError) as err:
        svc.login("ffffffffffffffff", "1234").result(T)
    assert err.value.kind is TokenErrorKind.REMOVED


class Spy:
    """Wraps a python-pkcs11 object; records (thread, method) of every call and
    wraps whatever pkcs11 object comes back, so nothing escapes unrecorded."""

    def __init__(self, target, log):
        self._target, self._log = target, log

    @staticmethod
    def wrap(value, log):
        module = type(value).__module__ or ""
        if module.startswith("pkcs11") and not isinstance(value, (int, str, bytes)):
            return Spy(value, log)
        if isinstance(value, (list, tuple)):
            return type(value)(Spy.wrap(v, log) for v in value)
        if hasattr(value, "__next__"):
            return (Spy.wrap(v, log) for v in value)
        return value

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr):
            return Spy.wrap(attr, self._log)

        def call(*args, **kwargs):
            self._log.append((threading.current_thread().name, name))
            return Spy.wrap(attr(*args, **kwargs), self._log)
        return call

    def __getitem__(self, key):
        self._log.append((threading.current_thread().name, "__getitem__"))
        return self._target[key]


def test_every_pkcs11_call_runs_on_the_token_thread(service, new_token, monkeypatch):
    import app.token.service as service_module

    tok = new_token(pin="thread-pin")
    seen: list[tuple[str, str]] = []
    real_lib, real_raw = service_module.pkcs11.lib, service_module.RawModule
    monkeypatch.setattr(service_module.pkcs11, "lib", lambda path: Spy(real_lib(path), seen))
    monkeypatch.setattr(service_module, "RawModule", lambda path: Spy(real_raw(path), seen))

    svc = service(poll_interval=0.2)
    svc.login(tok.serial, "thread-pin").result(T)
    msg = signin_message("signin", tok.serial, os.urandom(16))
    svc.sign(tok.serial, msg).result(T)
    svc.decrypt(tok.serial, wrap_for_token(tok.keys.wrap_public_der, b"k" * 32)).result(T)
    svc.public_keys(tok.serial).result(T)
    svc.change_pin(tok.serial, "thread-pin", "thread-pin-2").result(T)
    svc.logout(tok.serial).result(T)
    with pytest.raises(TokenError):
        svc.login(tok.serial, "wrong-pin").result(T)
    time.sleep(0.5)  # let the ticker poll
    svc.close_all().result(T)
    svc.shutdown()

    names = {name for _, name in seen}
    assert {"open", "sign", "decrypt", "set_pin", "get_slots", "token_info",
            "close_all_sessions", "finalize"} <= names, names
    assert {thread for thread, _ in seen} == {f"{THREAD_NAME}_0"}, seen
