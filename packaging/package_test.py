"""``make package-test``: install the built packages on this machine and use them as a workstation would.

As root (``dpkg -i`` needs it), from a folder outside the source tree:
1. ``signpost`` alone (production): ``signpost --version`` says pyproject.toml's version; ``signpost
   --check`` fails its directory check, because a production install has no training directory and no
   directory service is set.
2. with ``signpost-training``: ``signpost --check`` passes every check (under Xvfb, with a private
   keyring), and a training user signs in to the installed app and searches, driven through its
   accessibility tree (tests/a11y/harness.py).
3. both packages purged: nothing they installed is left: no file dpkg listed for them, and nothing new
   under /usr, /etc or /opt with "signpost" in its path (other software may change those folders meanwhile,
   so only what could be ours is compared).

Every package it needs is in packaging/debian-packages.txt, installed before by make: nothing is
downloaded here. Exit status 0 when every step passed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.a11y.harness import Desktop, keyring_password  # noqa: E402

WATCHED = ("/usr", "/etc", "/opt")
# Rebuilt by dpkg triggers from every installed package (not the package's own files).
CACHES = ("/usr/share/applications/mimeinfo.cache", "/usr/share/icons/hicolor/icon-theme.cache", "/usr/share/mime",
          "/etc/ld.so.cache", "/usr/share/man/index.db", "/usr/lib/python3/dist-packages/__pycache__")


def say(text: str) -> None:
    print(f"package-test: {text}", flush=True)


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 600), **kw)


def files() -> set[str]:
    found = set()
    for top in WATCHED:
        for dirpath, dirnames, filenames in os.walk(top):
            if any(dirpath.startswith(c) for c in CACHES):
                continue
            found.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    return {f for f in found if not any(f.startswith(c) for c in CACHES)}


def installed(package: str) -> bool:
    done = run(["dpkg-query", "-W", "-f=${Status}", package])
    return done.returncode == 0 and "install ok installed" in done.stdout


def check(work: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["xvfb-run", "-a", str(ROOT / "packaging" / "with-keyring.sh"), "signpost", "--check"], cwd=work,
               env=env, timeout=300)


def main() -> int:
    if os.geteuid() != 0:
        say("run as root: it installs and purges the packages with dpkg")
        return 2
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    main_deb = ROOT / "dist" / f"signpost_{version}_amd64.deb"
    training_deb = ROOT / "dist" / f"signpost-training_{version}_all.deb"
    for deb in (main_deb, training_deb):
        if not deb.exists():
            say(f"{deb.relative_to(ROOT)} is missing: run make package first")
            return 2
    for package in ("signpost-training", "signpost"):
        if installed(package):
            say(f"{package} is already installed here: purge it first (dpkg --purge {package})")
            return 2
    work = Path(tempfile.mkdtemp(prefix="signpost-package-test."))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNPOST_", "SOFTHSM2_", "DBUS_SESSION"))
           and k not in ("PYTHONPATH", "VIRTUAL_ENV", "QT_QPA_PLATFORM")}
    env |= {"SIGNPOST_HOME": str(work / "home"), "SIGNPOST_POLICY_FILE": str(work / "policy.json"),
            "SIGNPOST_KEYRING_HOME": str(work / "keyring"),
            # this run's throwaway keyring (training keys only), the same password the sign-in under Xvfb uses
            "SIGNPOST_KEYRING_PASSWORD": keyring_password(work / "keyring"),
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"}
    (work / "home" / "config").mkdir(parents=True, mode=0o700)
    os.chmod(work / "home", 0o700)
    settings = work / "home" / "config" / "settings.json"
    settings.write_text('{"training_children": 400}')
    os.chmod(settings, 0o600)  # the check wants the user's folders private, as the app makes them
    before = files()
    failures: list[str] = []
    started = time.monotonic()
    try:
        done = run(["dpkg", "-i", str(main_deb)])
        if done.returncode:
            raise SystemExit(f"package-test: dpkg -i failed:\n{done.stdout}{done.stderr}")
        done = run(["signpost", "--version"], cwd=work, env=env)
        if done.stdout.strip() != f"Signpost {version}":
            failures.append(f"signpost --version said {done.stdout.strip()!r}{done.stderr}")
        say(f"installed signpost: {done.stdout.strip()}")
        done = check(work, env)
        if done.returncode != 1 or "FAIL  Directory" not in done.stdout or "training package" not in done.stdout:
            failures.append(f"a production install should fail its directory check:\n{done.stdout}{done.stderr}")
        else:
            say("production install: signpost --check refuses the training directory, as it should")
        done = run(["dpkg", "-i", str(training_deb)])
        if done.returncode:
            raise SystemExit(f"package-test: dpkg -i signpost-training failed:\n{done.stdout}{done.stderr}")
        done = check(work, env)
        if done.returncode != 0:
            failures.append(f"signpost --check failed with the training package:\n{done.stdout}{done.stderr}")
        else:
            say("with signpost-training: signpost --check passes every check")
        failures += sign_in(work, env)
    finally:
        owned = [line for package in ("signpost-training", "signpost") if installed(package)
                 for line in run(["dpkg", "-L", package]).stdout.splitlines() if line.startswith("/")]
        for package in ("signpost-training", "signpost"):
            if installed(package):
                done = run(["dpkg", "--purge", package])
                if done.returncode:
                    failures.append(f"dpkg --purge {package} failed: {done.stdout}{done.stderr}")
        left = sorted({f for f in files() - before if "signpost" in f}
                      | {p for p in owned if os.path.lexists(p) and not os.path.isdir(p)})
        if left:
            failures.append("left behind after purging: " + ", ".join(left[:20]))
        else:
            say("purged: nothing the packages installed is left")
        shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print(f"package-test: FAILED: {failure}", file=sys.stderr)
    say(f"{'passed' if not failures else 'failed'} in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


def sign_in(work: Path, env: dict[str, str]) -> list[str]:
    """A training user signs in to the installed app under Xvfb, through the accessibility tree."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    desktop = Desktop(["/usr/bin/signpost"], work / "home", work / "keyring").start()
    try:
        desktop.ready()
        desktop.sign_in("alex.practitioner")
        window = "Signpost — Alex"
        desktop.call("wait_text", window=window, contains="Why are you searching?")
        desktop.call("keys", keys=["Alt+R", "Down"], window=window)  # a search: the frozen engine and its data
        desktop.call("set_text", window=window, name="Family name", text="Trevaskis")
        desktop.call("set_text", window=window, name="Date of birth", text="02/09/2014")
        desktop.call("press", window=window, name="Search")
        desktop.call("wait_text", window=window, contains="1 child matches")
        say("a training user signed in to the installed app and found a child (over AT-SPI under Xvfb)")
        return []
    except AssertionError as exc:
        return [f"sign-in smoke test: {exc}"]
    finally:
        err = desktop.stop()
        os.environ.clear()
        os.environ.update(saved)
        if "Traceback" in err:
            print(err, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
