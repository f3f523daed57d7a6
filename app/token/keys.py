"""Signpost's two key pairs on a token, used through a python-pkcs11 session.

* ``signpost-signin``: EC P-256, signs sign-in challenges (R-ROLE-4).
* ``signpost-wrap``: RSA-2048, unwraps (OAEP decrypts) the local cache key,
  so the cache is useless without the token and its PIN (R-LOCAL-1).

Private keys are generated on the token as CKA_TOKEN, CKA_PRIVATE,
CKA_SENSITIVE=True and CKA_EXTRACTABLE=False: they never leave it.
Every function here must run on the thread that owns the module.
"""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import MGF, Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.exceptions import MultipleObjectsReturned, NoSuchKey
from pkcs11.util.ec import encode_named_curve_parameters

from app.token.errors import TokenError, TokenErrorKind, not_enrolled
from app.token.info import PublicKeys

SIGNIN_LABEL = "signpost-signin"
WRAP_LABEL = "signpost-wrap"
RSA_BITS = 2048
OAEP_PARAM = (Mechanism.SHA_1, MGF.SHA1, None)  # matches signin.wrap_for_token

_PRIVATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}
_PUBLIC = {Attribute.TOKEN: True, Attribute.PRIVATE: False}


def _find(session, label: str, cls: ObjectClass, key_type: KeyType):
    try:
        return session.get_key(object_class=cls, key_type=key_type, label=label)
    except NoSuchKey:
        raise not_enrolled() from None
    except MultipleObjectsReturned:
        raise TokenError(TokenErrorKind.NOT_ENROLLED,
                         f"The token holds more than one “{label}” key; ask your LA team to re-enrol it.") from None


def is_enrolled(session) -> bool:
    try:
        read_public_keys(session)
        return True
    except TokenError:
        return False


def destroy_keys(session) -> None:
    for label in (SIGNIN_LABEL, WRAP_LABEL):
        for obj in list(session.get_objects({Attribute.LABEL: label})):
            obj.destroy()


def generate_keys(session, replace: bool = False) -> PublicKeys:
    """Generate both pairs on a logged-in R/W session; returns the public keys.

    Refuses if the token is already enrolled unless ``replace`` (which
    destroys the old pairs: their directory enrolment becomes useless).
    """
    if is_enrolled(session) and not replace:
        raise TokenError(TokenErrorKind.FAILED, "This token is already enrolled for Signpost.")
    destroy_keys(session)
    params = session.create_domain_parameters(
        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
    )
    params.generate_keypair(
        id=SIGNIN_LABEL.encode(), label=SIGNIN_LABEL, store=True,
        capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
        public_template=_PUBLIC, private_template=_PRIVATE,
    )
    session.generate_keypair(
        KeyType.RSA, RSA_BITS, id=WRAP_LABEL.encode(), label=WRAP_LABEL, store=True,
        capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT
        | MechanismFlag.WRAP | MechanismFlag.UNWRAP,
        public_template=_PUBLIC, private_template=_PRIVATE,
    )
    return read_public_keys(session)


def _ec_point(raw: bytes) -> bytes:
    # CKA_EC_POINT is a DER OCTET STRING around the 65-byte uncompressed point
    # (some modules give the bare point).
    if len(raw) == 67 and raw[:2] == b"\x04\x41":
        return raw[2:]
    return raw


def read_public_keys(session) -> PublicKeys:
    """Both public keys as DER SubjectPublicKeyInfo; NOT_ENROLLED if missing."""
    _find(session, SIGNIN_LABEL, ObjectClass.PRIVATE_KEY, KeyType.EC)
    _find(session, WRAP_LABEL, ObjectClass.PRIVATE_KEY, KeyType.RSA)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ec_pub = _find(session, SIGNIN_LABEL, ObjectClass.PUBLIC_KEY, KeyType.EC)
    sign = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), _ec_point(ec_pub[Attribute.EC_POINT])
    ).public_bytes(*spki)
    rsa_pub = _find(session, WRAP_LABEL, ObjectClass.PUBLIC_KEY, KeyType.RSA)
    wrap = rsa.RSAPublicNumbers(
        int.from_bytes(rsa_pub[Attribute.PUBLIC_EXPONENT], "big"),
        int.from_bytes(rsa_pub[Attribute.MODULUS], "big"),
    ).public_key().public_bytes(*spki)
    return PublicKeys(sign_public_der=sign, wrap_public_der=wrap)


def sign(session, message: bytes) -> bytes:
    """ECDSA P-256 over SHA-256(message); DER signature for cryptography.

    Hashes on the host and signs with raw CKM_ECDSA, which SoftHSM 2.6 and
    smartcards support (CKM_ECDSA_SHA256 is not available in SoftHSM 2.6).
    """
    key = _find(session, SIGNIN_LABEL, ObjectClass.PRIVATE_KEY, KeyType.EC)
    raw = key.sign(hashlib.sha256(message).digest(), mechanism=Mechanism.ECDSA)
    half = len(raw) // 2
    return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))


def decrypt(session, ciphertext: bytes) -> bytes:
    """RSA-OAEP (SHA-1/MGF1-SHA-1, no label) decryption on the token."""
    key = _find(session, WRAP_LABEL, ObjectClass.PRIVATE_KEY, KeyType.RSA)
    return key.decrypt(ciphertext, mechanism=Mechanism.RSA_PKCS_OAEP, mechanism_param=OAEP_PARAM)
