"""The national service's audit-signing key, on a PKCS#11 token (issue 16 §4, R-AUDIT-2).

The key that signs the audit's checkpoints is made on the token and never leaves it: an Ed25519 key pair
(``CKK_EC_EDWARDS``, made with ``CKM_EC_EDWARDS_KEY_PAIR_GEN``, signing with ``CKM_EDDSA``) whose private half
is sensitive and not extractable, so neither it nor a wrapping of it can be read out (PKCS#11 refuses
``C_GetAttributeValue`` on its value and ``C_WrapKey`` on it, and neither flag can be turned back). Its public
half is the 32 raw bytes ``app.audit.Checkpoint.verify`` takes, so a checkpoint signed here verifies exactly as
one signed by the embedded directory's own key. SoftHSM 2.6 (Debian's, built with EdDSA) does all of this in
tests and training; production uses an HSM with the same calls.

Every PKCS#11 call runs on the signer's one thread (``app.executor.SerialExecutor``), and ``close`` finalises
the module, so a later signer (or a ``TokenService``) in the same process starts afresh.
"""
from __future__ import annotations

import re
import subprocess
from typing import Any

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error
from pkcs11.util.ec import encode_named_curve_parameters

from .. import audit
from ..executor import SerialExecutor

ED25519_OID = "1.3.101.112"
KEY_LABEL = "signpost-audit-checkpoints"
CALL_TIMEOUT_S = 30


class SignerError(RuntimeError):
    """The token, its PIN or its key cannot be used; the message says what to do."""


def make_softhsm_token(label: str, so_pin: str, pin: str) -> str:
    """Initialise a free SoftHSM slot (in the SoftHSM that $SOFTHSM2_CONF names) as a token for the signing key;
    returns its serial. For tests and training: production tokens are an HSM's, made by its own tools."""
    done = subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin,
                           "--pin", pin], capture_output=True, text=True, timeout=60)
    m = re.search(r"reassigned to slot (\d+)", done.stdout)
    if done.returncode != 0 or not m:
        raise SignerError(f"SoftHSM could not make the audit-signing token: {(done.stderr or done.stdout).strip()}")
    slots = subprocess.run(["softhsm2-util", "--show-slots"], capture_output=True, text=True, timeout=60).stdout
    serial = re.search(r"Serial number:\s*(\S+)", slots.split(f"Slot {m.group(1)}\n", 1)[1])
    if serial is None:
        raise SignerError(f"SoftHSM made the token but did not show its serial: {slots[-500:]}")
    return serial.group(1)


class Signer:
    """The audit-signing key on one token, used from one thread."""

    def __init__(self, module: str, token_label: str, pin: str, key_label: str = KEY_LABEL) -> None:
        self._thread = SerialExecutor("signpost-audit-signer")
        self._closed = False
        self._lib: Any = None
        self._session: Any = None
        self._private: Any = None
        self.key_label = key_label
        try:
            self.public_key: bytes = self._thread.call(self._open, module, token_label, pin, timeout=CALL_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    # -- on the signer's thread ----------------------------------------------------------------------
    def _open(self, module: str, token_label: str, pin: str) -> bytes:
        try:
            self._lib = pkcs11.lib(module)
            token = self._lib.get_token(token_label=token_label)
        except (PKCS11Error, OSError) as exc:
            raise SignerError(f"The audit-signing token {token_label!r} is not in {module}: "
                              f"{type(exc).__name__} {exc}. Insert it, or name the right module and label.") from exc
        if not any(int(m) == Mechanism.EDDSA for m in token.slot.get_mechanisms()):
            raise SignerError(f"The token {token_label!r} cannot sign with Ed25519 (no CKM_EDDSA): use a token or HSM "
                              "that can (SoftHSM 2.6 built with EdDSA does).")
        try:
            self._session = token.open(rw=True, user_pin=pin)
        except PKCS11Error as exc:
            raise SignerError(f"The audit-signing token refused its PIN ({type(exc).__name__}).") from exc
        keys = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                               Attribute.LABEL: self.key_label}))
        if len(keys) > 1:
            raise SignerError(f"The token holds {len(keys)} keys labelled {self.key_label!r}; it must hold one.")
        if keys:
            self._private = keys[0]
            public = self._session.get_key(ObjectClass.PUBLIC_KEY, KeyType.EC_EDWARDS, label=self.key_label)
        else:
            public, self._private = self._session.generate_keypair(
                KeyType.EC_EDWARDS, mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN, store=True, label=self.key_label,
                public_template={Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID),
                                 Attribute.VERIFY: True},
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.PRIVATE: True,
                                  Attribute.SIGN: True})
        if not (self._private[Attribute.SENSITIVE] and not self._private[Attribute.EXTRACTABLE]):
            raise SignerError(f"The key {self.key_label!r} on the token can be read out (not sensitive, or "
                              "extractable): it cannot sign the audit. Make a new token.")
        point = bytes(public[Attribute.EC_POINT])
        return point[2:] if len(point) == 34 and point[:2] == b"\x04\x20" else point  # a DER OCTET STRING, or raw

    def _sign(self, message: bytes) -> bytes:
        return bytes(self._private.sign(message, mechanism=Mechanism.EDDSA))

    def _close(self) -> None:
        try:
            if self._session is not None:
                self._session.close()
            if self._lib is not None:
                self._lib.finalize()
        except PKCS11Error:
            pass  # the token is gone already; nothing is left to release
        self._session = self._private = self._lib = None

    # -- from any thread -------------------------------------------------------------------------------
    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of ``message``, made on the token."""
        if self._private is None:
            raise SignerError("The audit signer is closed.")
        return self._thread.call(self._sign, bytes(message), timeout=CALL_TIMEOUT_S)

    def sign_checkpoint(self, size: int, root: bytes, at: str, origin: str) -> audit.Checkpoint:
        """The signed tree head of the log named ``origin`` that the audit keeps and clients check
        (``app.audit.Checkpoint.verify``; issue 16 §4)."""
        return audit.Checkpoint(size, root, at, self.sign(audit.checkpoint_message(size, root, at, origin)), origin)

    def close(self) -> None:
        """Log out, finalise the module and stop the thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._thread.call(self._close, timeout=CALL_TIMEOUT_S)
        finally:
            self._thread.shutdown()
