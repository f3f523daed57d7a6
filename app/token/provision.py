"""Putting Signpost keys on tokens.

* ``provision_softhsm_token``: a SoftHSM training token for one person:
  ``softhsm2-util --init-token --free`` then key generation.  The keys are
  generated in a child Python process with its own SoftHSM instance, so a
  running ``TokenService`` in this process is not disturbed (it sees the new
  token directory and reports the arrival; see service.py).
* ``enrol_real_token``: generate the keys on a real token (admin command).
  It loads the module in the calling process and finalises it afterwards:
  do not call it while a TokenService uses the same module in this process.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app import child
from app.token.info import PublicKeys

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
LABEL_BYTES = 32  # CK_TOKEN_INFO.label


@dataclass(frozen=True)
class ProvisionedToken:
    serial: str
    label: str
    keys: PublicKeys


def training_label(name: str) -> str:
    """"<name> (training)": the username first and whole, so the sign-in window can
    show it in full and pick the typed user's token; it fits the 32-byte token label.
    A username too long for the suffix keeps as much of itself as fits."""
    label = f"{name} (training)"
    if len(label.encode("utf-8")) <= LABEL_BYTES:
        return label
    return name.encode("utf-8")[:LABEL_BYTES].decode("utf-8", "ignore")


def _env(conf: str | Path | None) -> dict[str, str]:
    env = child.environment()
    if conf is not None:
        env["SOFTHSM2_CONF"] = str(conf)
    return env


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} {args[1]} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def provision_softhsm_token(
    label: str, so_pin: str, user_pin: str, *, conf: str | Path | None = None,
    module: str = SOFTHSM_MODULE,
) -> ProvisionedToken:
    """Initialise a free SoftHSM slot and enrol it; ``conf`` -> SOFTHSM2_CONF."""
    if len(label.encode("utf-8")) > LABEL_BYTES:
        raise ValueError(f"token label longer than {LABEL_BYTES} bytes: {label!r}")
    env = _env(conf)
    out = _run(["softhsm2-util", "--init-token", "--free", "--label", label,
                "--so-pin", so_pin, "--pin", user_pin], env)
    m = re.search(r"reassigned to slot (\d+)", out)
    if not m:
        raise RuntimeError(f"softhsm2-util gave no slot: {out!r}")
    slots = _run(["softhsm2-util", "--show-slots"], env)
    block = slots.split(f"Slot {m.group(1)}\n", 1)[1]
    found = re.search(r"Serial number:\s*(\S+)", block)
    if found is None:
        raise RuntimeError(f"softhsm2-util showed no serial for the slot: {block!r}")
    serial = found.group(1)
    enrolled = _run(child.command("app.token.provision", "enrol", module, serial), env, stdin=user_pin + "\n")
    data = json.loads(enrolled)
    return ProvisionedToken(serial, label, PublicKeys(bytes.fromhex(data["sign"]), bytes.fromhex(data["wrap"])))


def enrol_real_token(module: str, serial: str, user_pin: str, replace: bool = False) -> PublicKeys:
    """Log in to the token ``serial`` and generate both Signpost key pairs.

    Raises TokenError (wrong PIN, removed, already enrolled unless
    ``replace``...).  Returns the public keys to register in the directory.
    """
    import pkcs11
    from pkcs11.exceptions import PKCS11Error

    from app.token import keys
    from app.token.errors import no_module, removed, to_token_error

    try:
        lib = pkcs11.lib(module)
    except PKCS11Error as e:
        raise no_module([module], str(e)) from e
    try:
        lib.reinitialize()  # see tokens created since an earlier load
        try:
            token = lib.get_token(token_serial=serial.encode())
        except pkcs11.exceptions.NoSuchToken:
            raise removed(serial=serial) from None
        session = token.open(rw=True, user_pin=user_pin)
        try:
            return keys.generate_keys(session, replace=replace)
        finally:
            session.close()
    except PKCS11Error as e:
        raise to_token_error(e) from e
    finally:
        lib.finalize()  # also closes a session a failed login left open


def _child_main(argv: list[str]) -> int:
    """``python -m app.token.provision enrol MODULE SERIAL`` (PIN on stdin)."""
    if len(argv) != 3 or argv[0] != "enrol":
        print("usage: python -m app.token.provision enrol MODULE SERIAL  (PIN on stdin)", file=sys.stderr)
        return 2
    pin = sys.stdin.readline().rstrip("\n")
    try:
        pub = enrol_real_token(argv[1], argv[2], pin)
    except Exception as e:  # reported to the parent through stderr
        print(getattr(e, "message", None) or repr(e), file=sys.stderr)
        return 1
    print(json.dumps({"sign": pub.sign_public_der.hex(), "wrap": pub.wrap_public_der.hex()}))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
