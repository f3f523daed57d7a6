"""``signpost --check``: is this workstation ready for Signpost? (issue 18 item 4)

Each check says pass or fail and, on a failure, what to do. The report is for the service desk, so it
holds nothing personal: no username, host name, home folder (shown as ``~``), token label or serial, and
no file name under the data folder (a user's cache is named after them). The exit status is 1 when a check
fails. Help → Check this workstation runs the same checks in a child process (``python -m app.preflight``),
so the running app's token module and keyring connection are never touched twice.
"""
from __future__ import annotations

import ctypes
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import child, policy, resources
from .paths import Paths
from .settings import Settings
from .version import version

if TYPE_CHECKING:  # for the type only: check_keyring imports the key store when it runs
    from .keystore import SecureKeyStore

MIN_FREE_MB = 200
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
PCSC_LIBRARY = "libpcsclite.so.1"
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    todo: str = ""  # what to do, on a failure

    def line(self) -> str:
        text = f"{'PASS' if self.ok else 'FAIL'}  {self.name}: {self.detail}"
        return text if self.ok or not self.todo else f"{text}\n      What to do: {self.todo}"


def _tidy(text: str) -> str:
    """A path or message with the home folder written as ~ (the report names nobody)."""
    home = os.path.expanduser("~")
    return text.replace(home, "~") if home not in ("", "/") else text


# -- the checks ------------------------------------------------------------------------------------------

def check_policy(environ: Mapping[str, str]) -> Check:
    try:
        found = policy.Policy.load(environ)
    except policy.PolicyError as exc:
        return Check("Organisation policy", False, str(exc), "Correct the key the message names, then run "
                     "signpost --check again.")
    if found.source is None:
        return Check("Organisation policy", True, "no policy file; the user's settings apply")
    keys = ", ".join(sorted(found.pinned)) or "nothing"
    return Check("Organisation policy", True, f"{found.source} sets {keys}")


def check_pcscd(settings: Settings) -> Check:
    name = "Smartcard service (pcscd)"
    if _training_tokens(settings):
        return Check(name, True, "not needed: this workstation uses training tokens (SoftHSM)")
    try:
        pcsc = ctypes.CDLL(PCSC_LIBRARY)
    except OSError:
        return Check(name, False, "the PC/SC library is not installed", "Install the Debian package pcscd.")
    context = ctypes.c_ulong(0)
    rv = pcsc.SCardEstablishContext(2, None, None, ctypes.byref(context)) & 0xFFFFFFFF  # SCARD_SCOPE_SYSTEM
    if rv != 0:
        return Check(name, False, f"not reachable (PC/SC error {rv:#010x})",
                     "Start it: sudo systemctl enable --now pcscd.socket (Debian package pcscd).")
    try:
        size = ctypes.c_ulong(0)
        rv = pcsc.SCardListReaders(context, None, None, ctypes.byref(size)) & 0xFFFFFFFF
    finally:
        pcsc.SCardReleaseContext(context)
    if rv == SCARD_E_NO_READERS_AVAILABLE:
        return Check(name, False, "answers, but sees no card reader", "Plug in the smartcard reader; if it is "
                     "plugged in, install its driver (Debian package libccid) and restart pcscd.")
    return Check(name, rv == 0, "answers and sees a card reader" if rv == 0 else f"PC/SC error {rv:#010x}",
                 "Restart pcscd (sudo systemctl restart pcscd) and try again.")


def _training_tokens(settings: Settings) -> bool:
    return _module(settings) == SOFTHSM


def _module(settings: Settings) -> str:
    from .token.module import find_module
    if settings.pkcs11_module or os.environ.get("SIGNPOST_PKCS11_MODULE"):
        return settings.pkcs11_module or os.environ["SIGNPOST_PKCS11_MODULE"]
    if not settings.directory_url:  # the training directory's tokens, as the app sets them up
        return SOFTHSM
    try:
        return find_module(None)
    except Exception:
        return ""


def check_pkcs11(settings: Settings, paths: Paths) -> Check:
    name = "Security token module (PKCS#11)"
    module = _module(settings)
    if not module or not os.path.isfile(module):
        return Check(name, False, f"no module at {module or 'any usual place'}",
                     "Install OpenSC (Debian package opensc-pkcs11), or set pkcs11_module in the policy file.")
    conf = paths.data / "training" / "softhsm2.conf"
    if module == SOFTHSM and conf.is_file():
        os.environ.setdefault("SOFTHSM2_CONF", str(conf))  # the training tokens, as the app finds them
    import pkcs11
    try:
        lib = pkcs11.lib(module)
    except Exception as exc:
        return Check(name, False, f"{module} does not load ({type(exc).__name__})",
                     "Reinstall the token software (opensc-pkcs11), or ask your IT team which module to use.")
    try:
        slots = lib.get_slots()
        with_token = lib.get_slots(token_present=True)
    finally:
        lib.finalize()
    if not slots:
        return Check(name, False, f"{module} loads but sees no reader or slot", "Plug in the smartcard reader.")
    return Check(name, True, f"{module} loads; {len(slots)} reader(s) or slot(s), {len(with_token)} with a token")


def check_keyring(make_store: Callable[[], SecureKeyStore] | None = None) -> Check:
    from .keystore import KeystoreError, SecureKeyStore
    name = "Keyring (Secret Service)"
    store = make_store() if make_store else SecureKeyStore()
    try:
        backend = store.check_now()
        store.get_now("preflight-probe")  # a locked keyring refuses this
    except KeystoreError as exc:
        return Check(name, False, str(exc), "Sign in to a desktop session with gnome-keyring (or another Secret "
                     "Service) and unlock it.")
    finally:
        store.close()
    return Check(name, True, "secure and unlocked" + (" (Secret Service)" if "SecretService" in backend else ""))


def check_directory(settings: Settings) -> Check:
    name = "Directory"
    if not settings.directory_url:
        problem = policy.start_problem(settings)
        if problem:
            return Check(name, False, "no directory service is set and training cannot be used here", problem)
        return Check(name, True, "the embedded training directory (its training files are installed)")
    if not settings.ca_bundle or not os.path.isfile(settings.ca_bundle):
        return Check(name, False, f"{settings.directory_url}: no CA file at {_tidy(settings.ca_bundle) or '(none)'}",
                     "Set ca_bundle in the policy file to the CA certificate file your IT team provides.")
    import requests
    try:
        with requests.Session() as http:
            http.trust_env = False
            reply = http.get(f"{settings.directory_url.rstrip('/')}/v1/status", verify=settings.ca_bundle,
                             timeout=(3, 5))
    except requests.exceptions.SSLError:
        return Check(name, False, f"{settings.directory_url} answers, but its certificate is not valid for the CA "
                     "file", "Ask your IT team: the CA file or the service's certificate is wrong.")
    except requests.exceptions.RequestException as exc:
        return Check(name, False, f"{settings.directory_url} does not answer ({type(exc).__name__})",
                     "Check the network connection; if others can reach it, ask your IT team.")
    if reply.status_code != 200:
        return Check(name, False, f"{settings.directory_url} answers with HTTP {reply.status_code}",
                     "Ask your IT team: the directory service is not working.")
    return Check(name, True, f"{settings.directory_url} answers with a valid certificate")


def check_qt(environ: Mapping[str, str]) -> Check:
    name = "Display (Qt platform plugin)"
    try:
        done = subprocess.run(child.command("ui.platform_probe"), env=child.environment(environ), timeout=30,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Check(name, False, "the display did not answer in 30 s", "Start Signpost from a desktop session.")
    if done.returncode == 0:
        return Check(name, True, f"loads ({done.stdout.strip()})")
    said = next((line for line in done.stderr.splitlines() if "plugin" in line or "display" in line), "")
    hint = ("Install libxcb-cursor0 (Qt needs it for X11)" if "xcb" in said
            else "Start Signpost from a desktop session (no display was found)")
    return Check(name, False, f"does not load{': ' + _tidy(said.strip()) if said else ''}", hint + ".")


def check_disk(paths: Paths) -> Check:
    name = "Disk space and folders"
    where = paths.data
    while not where.exists() and where != where.parent:
        where = where.parent
    free_mb = shutil.disk_usage(where).free // 2**20
    loose = []
    for top in (paths.data, paths.config):
        if top.exists():
            loose += [p for p in (top, *top.rglob("*")) if not p.is_symlink() and p.stat().st_mode & 0o077]
    detail = f"{free_mb} MB free for {_tidy(str(paths.data))}"
    if loose:
        folders = sorted({_tidy(str(p if p.is_dir() else p.parent)) for p in loose})
        return Check(name, False, f"{detail}; {len(loose)} file(s) or folder(s) others could read",
                     f"Run chmod -R go-rwx on {', '.join(folders[:3])}" + (" (and others)" if len(folders) > 3
                                                                           else "") + ".")
    if free_mb < MIN_FREE_MB:
        return Check(name, False, detail, f"Free at least {MIN_FREE_MB} MB on that disk.")
    return Check(name, True, f"{detail}; folders and files are private (0700/0600)")


def check_accessibility(environ: Mapping[str, str]) -> Check:
    name = "Accessibility bus (AT-SPI)"
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return Check(name, False, "no desktop session bus", "Start Signpost from a desktop session.")
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
    props = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.freedesktop.DBus.Properties")
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            address = conn.send_and_get_reply(new_method_call(bus, "GetAddress"), timeout=5).body[0]
            enabled = conn.send_and_get_reply(new_method_call(props, "Get", "ss", ("org.a11y.Status", "IsEnabled")),
                                              timeout=5).body[0][1]
    except Exception as exc:
        return Check(name, False, f"not answering ({type(exc).__name__})",
                     "Install at-spi2-core and sign in to the desktop again.")
    if not address:
        return Check(name, False, "gives no address", "Restart the desktop session.")
    state = "on (a screen reader will be heard)" if enabled else "on; no screen reader is running"
    return Check(name, True, state)


# -- the report ------------------------------------------------------------------------------------------

def run_checks(paths: Paths, settings: Settings, environ: Mapping[str, str]) -> list[Check]:
    return [check_policy(environ), check_pcscd(settings), check_pkcs11(settings, paths), check_keyring(),
            check_directory(settings), check_qt(environ), check_disk(paths), check_accessibility(environ)]


def report(checks: list[Check], settings: Settings, now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    failed = sum(not c.ok for c in checks)
    system = f"{platform.system()} {platform.release()} ({platform.machine()}), Python {platform.python_version()}"
    lines = [f"Signpost {version()} workstation check, {when}",
             f"System: {system}" + (", packaged" if getattr(sys, "frozen", False) else "")
             + (", training files installed" if resources.training_available() else ""), ""]
    lines += [c.line() for c in checks]
    lines += ["", "Settings in use:"]
    for label, key in (("Directory", "directory_url"), ("CA file", "ca_bundle"), ("Token module", "pkcs11_module"),
                       ("Idle lock (minutes)", "idle_lock_minutes")):
        value = getattr(settings, key)
        shown = _tidy(str(value)) if value not in ("", None) else ("the training directory" if key == "directory_url"
                                                                    else "none set")
        lines.append(f"  {label}: {shown} ({policy.source(settings, key)})")
    lines.append(f"  Training directory allowed: {'yes' if settings.training_allowed else 'no'} "
                 f"({policy.source(settings, 'training_allowed')})")
    lines += ["", "Result: every check passed." if not failed else f"Result: {failed} check(s) failed."]
    return "\n".join(lines)


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    if argv:
        print("usage: signpost --check", file=sys.stderr)
        return 2
    paths = Paths.default()
    settings = policy.load_settings(paths, env)
    checks = run_checks(paths, settings, env)
    print(report(checks, settings))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
