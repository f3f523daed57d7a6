"""The audit-signing key on a PKCS#11 token (issue 16 §4, R-AUDIT-2): made on the token as Ed25519, never
readable or wrappable out of it, and its checkpoint signatures verify with ``cryptography`` as the audit's do."""
from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading

import pkcs11
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import AttributeReadOnly, AttributeSensitive, KeyUnextractable, MechanismInvalid

from app import audit, merkle
from app.national.signer import KEY_LABEL, Signer, SignerError, make_softhsm_token

from ..softhsm_fixtures import SOFTHSM_MODULE

SO_PIN, PIN = "so-pin-5678", "audit-pin-2468"
_labels = itertools.count(1)


@pytest.fixture
def token(softhsm) -> str:
    label = f"audit-{next(_labels)}"
    make_softhsm_token(label, SO_PIN, PIN)
    return label


@pytest.fixture
def signer(token):
    s = Signer(SOFTHSM_MODULE, token, PIN)
    yield s
    s.close()


def test_a_checkpoint_signed_on_the_token_verifies_with_cryptography_and_as_the_audit_checks_it(signer):
    root = merkle.leaf_hash(b"entry one")
    cp = signer.sign_checkpoint(1, root, "2026-05-01T10:00:00.000001+00:00", "signpost/service/test")
    Ed25519PublicKey.from_public_bytes(signer.public_key).verify(cp.signature, cp.message())  # raises if wrong
    assert len(signer.public_key) == 32 and len(cp.signature) == 64
    assert cp.verify(signer.public_key)  # app.audit's own check, as clients and `audit verify` make it
    forged = audit.Checkpoint(2, root, cp.at, cp.signature)  # the same signature over another tree head
    assert not forged.verify(signer.public_key)
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(signer.public_key).verify(cp.signature, forged.message())


def test_the_same_key_signs_again_after_a_restart(token):
    first = Signer(SOFTHSM_MODULE, token, PIN)
    try:
        key = first.public_key
    finally:
        first.close()
    again = Signer(SOFTHSM_MODULE, token, PIN)  # a node restarted: the key on the token, not a new one
    try:
        assert again.public_key == key
        assert audit.Checkpoint(0, merkle.EMPTY_ROOT, "t", again.sign(
            audit.checkpoint_message(0, merkle.EMPTY_ROOT, "t"))).verify(key)
    finally:
        again.close()


def test_the_private_key_cannot_be_read_or_wrapped_out_of_the_token(signer, token):
    """Asked directly (another PKCS#11 session on the token, logged in with its PIN): the value is sensitive, a
    wrap is refused with every wrapping mechanism, and neither flag can be turned back."""
    signer.close()  # this test opens the module itself
    lib = pkcs11.lib(SOFTHSM_MODULE)
    try:
        with lib.get_token(token_label=token).open(rw=True, user_pin=PIN) as session:
            private = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC_EDWARDS, label=KEY_LABEL)
            assert private[Attribute.SENSITIVE] and private[Attribute.ALWAYS_SENSITIVE]
            assert not private[Attribute.EXTRACTABLE] and private[Attribute.NEVER_EXTRACTABLE]
            with pytest.raises(AttributeSensitive):
                private[Attribute.VALUE]
            wrapping = session.generate_key(KeyType.AES, 256, store=False,
                                            template={Attribute.WRAP: True, Attribute.EXTRACTABLE: False})
            for mechanism in (Mechanism.AES_KEY_WRAP, Mechanism.AES_KEY_WRAP_PAD, Mechanism.AES_CBC_PAD):
                with pytest.raises((KeyUnextractable, MechanismInvalid)):
                    wrapping.wrap_key(private, mechanism=mechanism)
            for flag, value in ((Attribute.EXTRACTABLE, True), (Attribute.SENSITIVE, False)):
                with pytest.raises(AttributeReadOnly):
                    private[flag] = value
    finally:
        lib.finalize()


def test_every_pkcs11_call_runs_on_the_signers_own_thread(signer, monkeypatch):
    threads: set[str] = set()
    real = Signer._sign

    def watched(self, message: bytes) -> bytes:
        threads.add(threading.current_thread().name)
        return real(self, message)

    monkeypatch.setattr(Signer, "_sign", watched)
    callers = [threading.Thread(target=signer.sign, args=(f"m{i}".encode(),)) for i in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(timeout=30)
    signer.sign(b"from the test's thread")
    assert len(threads) == 1 and next(iter(threads)).startswith("signpost-audit-signer")


def test_a_wrong_pin_or_a_missing_token_is_said_plainly(token):
    with pytest.raises(SignerError, match="refused its PIN"):
        Signer(SOFTHSM_MODULE, token, "not-the-pin")
    with pytest.raises(SignerError, match="is not in"):
        Signer(SOFTHSM_MODULE, "no-such-token", PIN)


def test_softhsm_makes_ed25519_keys(softhsm):
    """The premise (issue 16 §4): Debian's SoftHSM 2.6 lists CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA."""
    child = (f"import json, pkcs11; lib = pkcs11.lib({SOFTHSM_MODULE!r}); "
             "print(json.dumps(sorted(int(m) for s in lib.get_slots() for m in s.get_mechanisms())))")
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=True).stdout
    mechanisms = set(json.loads(out))
    assert {int(Mechanism.EC_EDWARDS_KEY_PAIR_GEN), int(Mechanism.EDDSA)} <= mechanisms
