"""Package figures for ``make bench`` (issue 18): ``python -m tests.benchmarks.package`` prints one JSON line.

- ``package_size_mb``: the .deb (dist/signpost_<version>_amd64.deb) as downloaded; ``package_installed_mb``
  the one-folder bundle it installs.
- ``packaged_startup_ms``: median time from starting the frozen bundle (with the training package's files,
  as installed) until its sign-in window can sign in (directory ready, a token listed), on a prepared home;
  ``source_startup_ms`` the same for the source checkout (``python main.py``) in the same run and the same
  way; ``packaged_startup_ratio`` the first over the second (target <= 1.3). Both are read through the
  accessibility tree under Xvfb (tests/a11y/harness.py), since the frozen app cannot be hooked from Python.
- ``keystrokes_signin_to_record``: the keyboard-only journey's keystrokes from the sign-in window to an open
  record (tests/a11y/test_screens.py ``keyboard_journey``).

The bundle is the one ``make package`` built (build/pyinstaller/dist/signpost); it is built first if missing.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from app.resources import TRAINING
from tests.a11y.harness import Desktop, available, source_command
from tests.a11y.test_screens import keyboard_journey

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "build" / "pyinstaller" / "dist" / "signpost"
RUNS = 3


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20, 1)


def _training_bundle(tmp: Path) -> Path:
    """A hard-linked copy of the bundle with the training files added, as the two packages install it."""
    copy = tmp / "bundle"
    shutil.copytree(BUNDLE, copy, copy_function=os.link, symlinks=True)
    for name in TRAINING:
        target = copy / "_internal" / "resources" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "resources" / name, target)
    return copy


def _startup(command: list[str], home: Path, keyring: Path, runs: int) -> float:
    first = Desktop(command, home, keyring).start()  # the first run builds the training directory
    try:
        first.ready()
    finally:
        first.stop()
    times = []
    for _ in range(runs):
        d = Desktop(command, home, keyring).start()
        try:
            times.append(d.ready())
        finally:
            d.stop()
    return statistics.median(times)


def figures(runs: int = RUNS) -> dict:
    why = available()
    if why:
        raise SystemExit(f"package figures need the accessibility harness: {why}")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    deb = ROOT / "dist" / f"signpost_{version}_amd64.deb"
    if not deb.exists() or not BUNDLE.exists():
        say("  building the package first (make package)…")
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build_deb.py")], check=True)
    out = {"package_size_mb": round(deb.stat().st_size / 2**20, 1), "package_installed_mb": _size_mb(BUNDLE)}
    with tempfile.TemporaryDirectory(prefix="signpost-bench-package-") as tmpdir:
        tmp = Path(tmpdir)
        homes = {}
        for kind in ("source", "packaged"):
            home = tmp / f"{kind}-home"
            (home / "config").mkdir(parents=True)
            (home / "config" / "settings.json").write_text('{"training_children": 2000}')
            homes[kind] = (home, tmp / f"{kind}-keyring")
        bundle = _training_bundle(tmp)
        say("  timing the source run and the packaged bundle to a sign-in window that can sign in…")
        source = _startup(source_command(), *homes["source"], runs)
        packaged = _startup([str(bundle / "signpost")], *homes["packaged"], runs)
        out |= {"source_startup_ms": round(source, 1), "packaged_startup_ms": round(packaged, 1),
                "packaged_startup_ratio": round(packaged / source, 2)}
        say("  the keyboard-only journey…")
        d = Desktop(source_command(), *homes["source"]).start()
        try:
            d.ready()
            out["keystrokes_signin_to_record"] = keyboard_journey(d)[0]
        finally:
            d.stop()
    return out


if __name__ == "__main__":
    print(json.dumps(figures()))
