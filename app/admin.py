"""``signpost enrol-token``: put Signpost's keys on a real token and enrol it.

    python main.py enrol-token --user alex.practitioner [--serial S] [--module M] [--replace]

The PIN is asked for on the terminal (never an argument, so it stays out of
shell history). The key pairs are generated on the token; only the public
keys go into the directory, and the enrolment is audited.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from . import training
from .directory import Directory
from .keystore import KeystoreError, SecureKeyStore
from .paths import Paths
from .policy import load_settings
from .token.errors import TokenError
from .token.module import find_module
from .token.provision import enrol_real_token


def _only_token(module: str) -> str:
    import pkcs11
    lib = pkcs11.lib(module)
    try:
        serials = [s.get_token().serial.decode().strip() for s in lib.get_slots(token_present=True)]
    finally:
        lib.finalize()
    if len(serials) != 1:
        raise SystemExit(f"{len(serials)} tokens are present: insert only the one to enrol, or give --serial.")
    return serials[0]


def enrol(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    ap = argparse.ArgumentParser(prog="signpost enrol-token", description=__doc__.split("\n\n")[0])
    ap.add_argument("--user", required=True, help="the directory username the token is for")
    ap.add_argument("--serial", help="the token's serial (default: the only token present)")
    ap.add_argument("--module", help="PKCS#11 module (default: settings, $SIGNPOST_PKCS11_MODULE, OpenSC)")
    ap.add_argument("--replace", action="store_true", help="replace Signpost keys already on the token")
    args = ap.parse_args(argv)
    paths = paths or Paths.default()
    settings = load_settings(paths)  # the organisation's policy pins the module (issue 18)
    if settings.problem:
        print(settings.problem, file=sys.stderr)
        return 1
    try:
        module = find_module(args.module or settings.pkcs11_module or None)
        serial = args.serial or _only_token(module)
        pin = getpass.getpass(f"PIN for token {serial}: ")
        keys = enrol_real_token(module, serial, pin, replace=args.replace)
        directory = _open_training(store, paths)
        try:
            directory.enrol_token(args.user, serial, keys.sign_public_der, keys.wrap_public_der,
                                  by=f"admin:{getpass.getuser()}@{os.uname().nodename}")
        finally:
            directory.close()
    except TokenError as exc:
        print(f"Not enrolled: {exc.message}", file=sys.stderr)
        return 1
    except (*CANNOT_OPEN, LookupError) as exc:
        print(f"Not enrolled: {exc}", file=sys.stderr)
        return 1
    print(f"Token {serial} is enrolled for {args.user}.")
    return 0


CANNOT_OPEN = (KeystoreError, training.DirectoryProblem)  # each says what happened and what to do


def _open_training(store: SecureKeyStore | None, paths: Paths) -> Directory:
    """The training directory as the app opens it (every page checked; a problem said, nothing deleted)."""
    return training.open_existing(paths, store or SecureKeyStore())


def _admin_name() -> str:
    return f"admin:{getpass.getuser()}@{os.uname().nodename}"


def unlock_account(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    """``signpost unlock-account --user NAME``: lift a sign-in lock-out (R-ROLE-4); audited."""
    ap = argparse.ArgumentParser(prog="signpost unlock-account", description=unlock_account.__doc__)
    ap.add_argument("--user", required=True, help="the username that was locked out")
    args = ap.parse_args(argv)
    try:
        directory = _open_training(store, paths or Paths.default())
    except CANNOT_OPEN as exc:
        print(f"Not unlocked: {exc}", file=sys.stderr)
        return 1
    try:
        was_locked = directory.admin_unlock(args.user.strip().lower(), by=_admin_name())
    finally:
        directory.close()
    print(f"{args.user} can sign in again." if was_locked else f"{args.user} had no failed sign-ins to clear.")
    return 0


def limits(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    """``signpost limits [NAME VALUE]``: show the directory's limits, or change one; audited."""
    from .limits import Limits
    ap = argparse.ArgumentParser(prog="signpost limits", description=limits.__doc__)
    ap.add_argument("name", nargs="?", choices=Limits.names())
    ap.add_argument("value", nargs="?", type=int)
    args = ap.parse_args(argv)
    try:
        directory = _open_training(store, paths or Paths.default())
    except CANNOT_OPEN as exc:
        print(f"Limits not read: {exc}", file=sys.stderr)
        return 1
    try:
        if args.name is not None:
            if args.value is None or not 0 < args.value < 10**9:
                print("Give a whole number above 0 for the new value.", file=sys.stderr)
                return 2
            directory.set_limit(args.name, args.value, by=_admin_name())
        for name in Limits.names():
            print(f"{name} = {getattr(directory.limits, name)}")
    finally:
        directory.close()
    return 0


def switch_off(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    """``signpost switch-off --at ISO-TIME`` (or ``--clear``): when the training directory stops for every
    user (R-CLOSE-1); from then on the app offers only the closure tasks. Audited."""
    from datetime import UTC, datetime
    ap = argparse.ArgumentParser(prog="signpost switch-off", description=switch_off.__doc__)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--at", metavar="ISO-TIME", help="e.g. 2026-12-01T12:00 (Europe/London unless an offset is "
                       "given; a date alone means noon)")
    group.add_argument("--clear", action="store_true", help="no switch-off")
    args = ap.parse_args(argv)
    when = None
    if args.at:
        from app.closure.mode import ModeError, parse_when
        try:  # one reading of a switch-off everywhere: without a zone, Europe/London; a date alone, noon
            when = parse_when(args.at).timestamp()
        except ModeError:
            print(f"{args.at!r} is not a date and time: write it like 2026-12-01T12:00 (Europe/London; a date "
                  "alone means noon).", file=sys.stderr)
            return 2
    try:
        directory = _open_training(store, paths or Paths.default())
    except CANNOT_OPEN as exc:
        print(f"Switch-off not set: {exc}", file=sys.stderr)
        return 1
    try:
        directory.set_switch_off(when, by=_admin_name())
    finally:
        directory.close()
    from app.closure.mode import when_words
    print("No switch-off is set." if when is None else
          f"The training directory switches off at {when_words(datetime.fromtimestamp(when, UTC))} (Europe/London).")
    return 0


def audit_command(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    """``signpost audit verify [--against FILE]...``: check the whole audit log against every checkpoint it
    can get (R-AUDIT-2): stored, beside the file, given, and kept by this verifier; ``signpost audit
    checkpoint --out FILE``: the same, then keep the checkpoint it ended on in FILE, to hold elsewhere.

    Exits 0 when intact, 1 on a finding (naming the first bad entry), 2 when it cannot be checked.
    """
    from . import audit_verify
    ap = argparse.ArgumentParser(prog="signpost audit", description=(audit_command.__doc__ or "").split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    check = sub.add_parser("verify", help="check the whole log")
    check.add_argument("--against", action="append", type=Path, default=[], metavar="FILE",
                       help="a checkpoint kept elsewhere (from `audit checkpoint --out`, or an audit archive)")
    keep = sub.add_parser("checkpoint", help="check the log, then write the checkpoint it ended on")
    keep.add_argument("--out", type=Path, required=True, metavar="FILE")
    keep.add_argument("--against", action="append", type=Path, default=[], metavar="FILE")
    whole = sub.add_parser("export", help="the whole log, with its proofs, to a file (before a rebuild)")
    whole.add_argument("--to", type=Path, required=True, metavar="FILE")
    archive = sub.add_parser("verify-archive", help="check an exported audit archive against a key you trust")
    archive.add_argument("file", type=Path)
    archive.add_argument("--key", metavar="HEX", help="the public key to trust (default: the training directory's)")
    args = ap.parse_args(argv)
    paths = paths or Paths.default()
    if args.what == "verify-archive":
        return _verify_archive(args.file, args.key, store)
    if args.what == "export":
        return _export(paths, store or SecureKeyStore(), args.to)
    try:
        outcome = audit_verify.verify(paths, store or SecureKeyStore(), tuple(args.against))
    except KeystoreError as exc:
        print(f"The audit log cannot be checked: {exc}", file=sys.stderr)
        return 2
    for line in outcome.said:
        print(line)
    if outcome.problem:
        print(outcome.problem, file=sys.stderr)
    if outcome.code == 0 and args.what == "checkpoint":
        if not outcome.verdict or not outcome.verdict.entries:
            print("The log is empty: there is no checkpoint to keep yet.", file=sys.stderr)
            return 1
        print(f"Checkpoint written to {audit_verify.write_checkpoint(outcome, args.out)}: keep it away from this "
              "computer, and give it to `audit verify --against`.")
    return outcome.code


def _verify_archive(path: Path, key_hex: str | None, store: SecureKeyStore | None) -> int:
    """An LA's audit archive or a closure audit archive, checked against a key the verifier already trusts
    (issue 13 §1.4): one given with --key, or the training directory's own from this keyring; each with its
    fingerprint printed. Never the key the archive carries."""
    import json

    from . import audit, audit_archive
    from .closure.destroy import verify_archive as verify_closure
    if key_hex is not None:
        try:
            trusted, whose = bytes.fromhex(key_hex), "the key given with --key"
        except ValueError:
            print("--key must be the public key in hexadecimal (64 digits).", file=sys.stderr)
            return 2
    else:
        try:
            trusted = training.public_signing_key(training.signing_key(store or SecureKeyStore(), create=False))
        except CANNOT_OPEN as exc:
            print(f"No key to trust: {exc} Give the key you trust with --key.", file=sys.stderr)
            return 2
        whose = "the training directory's key in this keyring"
    print(f"Trusted: {whose}, fingerprint {audit.fingerprint(trusted)}.")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        closure = isinstance(body, dict) and body.get("kind") == "signpost-closure-audit"
        verdict = verify_closure(path, trusted) if closure else audit_archive.verify(audit_archive.read(path), trusted)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"The archive cannot be read: {exc}", file=sys.stderr)
        return 2
    if not verdict.ok:
        print(f"NOT VERIFIED: {verdict.problem}", file=sys.stderr)
        return 1
    print(f"VERIFIED: {verdict.entries} entries, each proven in the log signed by that key.")
    if verdict.redacted:
        print(f"{verdict.redacted} of them were cut for the LA team that exported it (another LA's child's sensitive "
              "service withheld): their place in the log is proven, what they show cannot be checked against it.")
    return 0


def _export(paths: Paths, store: SecureKeyStore, to: Path) -> int:
    from . import training_rebuild
    try:
        path, verdict = training_rebuild.export(paths, store, to)
    except (*CANNOT_OPEN, training_rebuild.RebuildRefused) as exc:
        print(f"Not exported: {exc}", file=sys.stderr)
        return 2
    if not verdict.ok:
        print(f"Exported to {path}, but it does NOT verify: {verdict.problem}", file=sys.stderr)
        return 1
    print(f"Exported the whole audit log ({verdict.entries} entries) to {path}, readable only by you, and verified "
          "it from disk. It holds names and directory ids: keep it as securely as the directory.")
    return 0


def training_command(argv: list[str], store: SecureKeyStore | None = None, paths: Paths | None = None) -> int:
    """``signpost training rebuild (--archive FILE | --discard-audit)``: delete the training directory and build
    a new one -- only after its whole audit log was exported and verified (``audit export --to FILE``), or
    with ``--discard-audit`` typed in full (issue 13 §4.2, R-AUDIT-3)."""
    from . import training_rebuild
    ap = argparse.ArgumentParser(prog="signpost training", allow_abbrev=False,
                                 description=(training_command.__doc__ or "").split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    again = sub.add_parser("rebuild", allow_abbrev=False, help="delete the training directory and build a new one")
    choice = again.add_mutually_exclusive_group()
    choice.add_argument("--archive", type=Path, metavar="FILE", help="the whole log, exported and verified")
    choice.add_argument("--discard-audit", action="store_true", help="lose the audit log (typed in full)")
    args = ap.parse_args(argv)
    paths = paths or Paths.default()
    store = store or SecureKeyStore()
    training.token_environment(paths)
    try:
        training_rebuild.rebuild(paths, store, archive_file=args.archive, discard_audit=args.discard_audit,
                                 children=load_settings(paths).training_children)
    except (*CANNOT_OPEN, training_rebuild.RebuildRefused) as exc:
        print(f"Not rebuilt: {exc}", file=sys.stderr)
        return 1
    return 0
