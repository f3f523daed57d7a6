"""``make package``: dist/signpost_<version>_amd64.deb and dist/signpost-training_<version>_all.deb.

1. PyInstaller builds the one-folder bundle from ``packaging/signpost.spec`` (no training files in it).
2. Two trees are staged under build/deb/ and built with ``dpkg-deb --build --root-owner-group``:
   - ``signpost``: the bundle in /usr/lib/signpost, the ``signpost`` launcher in /usr/bin, the desktop
     entry, hicolor icons (SVG and PNGs drawn from it here), the AppStream metainfo, a man page and the
     docs (copyright, changelog, the example policy). It depends on pcscd, OpenSC's PKCS#11 module, a
     Secret Service and the libraries Qt loads from the system.
   - ``signpost-training``: the files that build the training directory (recipe, cast, name pools) into
     the bundle's resources, and a dependency on SoftHSM for the training tokens. Without it Signpost
     can never build or open training data (app/resources.py ``training_available``).
3. ``desktop-file-validate``, ``appstreamcli validate --no-net`` and ``lintian`` check the result.

Nothing is downloaded: PyInstaller's bootloader ships in its wheel, and the bundle holds every Python
library. Run with the project's virtualenv (``.venv/bin/python packaging/build_deb.py``).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.resources import TRAINING  # noqa: E402

BUILD = ROOT / "build"
DIST = ROOT / "dist"
PREFIX = "usr/lib/signpost"  # the bundle (FHS: an add-on package's private files, not /opt for a .deb)
MAINTAINER = "Signpost project <packaging@signpost.example.gov.uk>"
HOMEPAGE = "https://signpost.example.gov.uk/"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# What the bundle needs from the system: the smartcard service and OpenSC's module (real tokens), a Secret
# Service for the key store, the accessibility bus, and the libraries Qt's xcb plugin loads (Qt >= 6.5
# needs libxcb-cursor0).
DEPENDS = ("pcscd, opensc-pkcs11, gnome-keyring | keepassxc, dbus-user-session | dbus-x11, at-spi2-core, "
           "libc6, libglib2.0-0, libdbus-1-3, libfontconfig1, libfreetype6, libegl1, libgl1, libxkbcommon0, "
           "libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, "
           "libxcb-render-util0, libxcb-image0, libxcb-xinerama0, libx11-xcb1, fonts-dejavu-core")
SUMMARY = "directory of who works with a child, for accredited workstations"
DESCRIPTION = """\
 Signpost is the desktop client of a national directory of children's
 services. A practitioner at an accredited workstation finds, in seconds,
 the other services working with a child and how to contact them; it holds
 no case information. Signing in takes a username, a password, a smartcard
 or USB security token and its PIN.
 .
 The organisation configures it with /etc/signpost/policy.json, and
 "signpost --check" checks that a workstation is ready. Install
 signpost-training as well on a training workstation."""
TRAINING_DESCRIPTION = """\
 The synthetic training directory for Signpost (its recipe, sample children
 and name pools) and the SoftHSM software tokens its training users sign in
 with. Each user's training directory and tokens are made on their first
 run, on their own computer; nothing is downloaded.
 .
 Never install this on a production workstation: without it, Signpost can
 neither build nor open training data."""
COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Signpost
Source: {homepage}

Files: *
Copyright: 2026 The Signpost project
License: proprietary
 All rights reserved. Issued to accredited organisations for their
 workstations only.

Files: usr/lib/signpost/_internal/*
Copyright: The Python Software Foundation, The Qt Company and the authors of
 each bundled library (see the licence files inside each *.dist-info folder)
License: various-free
 Python (PSF-2.0), Qt for Python (LGPL-3.0), and the libraries listed in
 Signpost's pyproject.toml under their own free licences, as shipped in their
 wheels.
"""
# What lintian says about a frozen bundle, and why it is so (installed as the package's lintian overrides).
# PyInstaller bundles the Python runtime, the wheels' libraries and the system libraries Qt's plugins link
# (among them the GTK stack of Qt's GTK theme plugin), each as its upstream built it.
OVERRIDES = {
    "embedded-library": "the one-folder bundle carries its own copies of the libraries it was built with",
    "custom-library-search-path": "the bundle's libraries find each other through $ORIGIN, inside the bundle",
    "library-not-linked-against-libc": "bundled Python extension modules and libraries, linked as upstream did",
    "missing-depends-on-sensible-utils": "bundled libblkid/libmount name sensible-pager, which Signpost never runs",
    "hardening-no-pie": "PyInstaller's bootloader, /usr/lib/signpost/signpost, as PyInstaller's wheel ships it",
    "shared-library-lacks-prerequisites": "bundled libraries built by upstream without a DT_NEEDED on libc",
}


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def say(text: str) -> None:
    print(f"build_deb: {text}", flush=True)


def freeze() -> Path:
    """The PyInstaller one-folder bundle (build/pyinstaller/dist/signpost)."""
    dist, work = BUILD / "pyinstaller" / "dist", BUILD / "pyinstaller" / "work"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "signpost.spec")],
                   check=True, cwd=ROOT)
    bundle = dist / "signpost"
    leaked = [name for name in TRAINING if (bundle / "_internal" / "resources" / name).exists()]
    if leaked:
        raise SystemExit(f"build_deb: training files in the production bundle: {leaked}")
    return bundle


def strip(bundle: Path) -> None:
    """Debug symbols out of the bundle's shared libraries (not the bootloader, which carries its archive)."""
    libraries = [str(p) for p in bundle.rglob("*.so*") if p.is_file() and not p.is_symlink()
                 and p.read_bytes()[:4] == b"\x7fELF"]
    for start in range(0, len(libraries), 200):
        subprocess.run(["strip", "--strip-unneeded", *libraries[start:start + 200]], check=True)


def icons(into: Path) -> None:
    """hicolor icons: the SVG, and PNGs at the usual sizes drawn from it with Qt's SVG renderer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from app import resources
    svg = resources.path("icons/signpost.svg")
    put(svg, into / "usr/share/icons/hicolor/scalable/apps/signpost.svg")
    _qt = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = into / f"usr/share/icons/hicolor/{size}x{size}/apps/signpost.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"build_deb: could not draw the {size}px icon")
        os.chmod(target, 0o644)
    del _qt


def put(src: Path, dst: Path, mode: int = 0o644) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    os.chmod(dst, mode)


def write(dst: Path, text: str | bytes, mode: int = 0o644) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    os.chmod(dst, mode)


def gzipped(text: bytes) -> bytes:
    return gzip.compress(text, compresslevel=9, mtime=0)


def docs(root: Path, package: str, changelog: str) -> None:
    doc = root / "usr/share/doc" / package
    write(doc / "copyright", COPYRIGHT.format(homepage=HOMEPAGE))
    write(doc / "changelog.gz", gzipped(changelog.encode("utf-8")))


def debian_changelog(package: str, ver: str) -> str:
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(_epoch()))
    return (f"{package} ({ver}) stable; urgency=medium\n\n  * Release {ver}: see /usr/share/doc/signpost/"
            f"CHANGELOG.md.gz.\n\n -- {MAINTAINER}  {stamp}\n")


def _epoch() -> int:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else the last commit's."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else int(time.time())


def control(root: Path, fields: dict[str, str], description: str) -> None:
    size_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    text = "".join(f"{k}: {v}\n" for k, v in fields.items() if v) + f"Installed-Size: {size_kb}\n"
    write(root / "DEBIAN" / "control", text + description + "\n")
    sums = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and "DEBIAN" not in p.relative_to(root).parts:
            sums.append(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n")
    write(root / "DEBIAN" / "md5sums", "".join(sums))


def stage_main(bundle: Path, ver: str) -> Path:
    root = BUILD / "deb" / "signpost"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / PREFIX, symlinks=True)
    for p in (root / PREFIX).rglob("*"):  # folders 0755, files 0644 (a shared library is not run)
        if not p.is_symlink():
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    os.chmod(root / PREFIX / "signpost", 0o755)  # the bundle's one executable (PyInstaller's bootloader)
    strip(root / PREFIX)
    write(root / "usr/bin/signpost", f'#!/bin/sh\nexec /{PREFIX}/signpost "$@"\n', 0o755)
    put(ROOT / "packaging" / "signpost.desktop", root / "usr/share/applications/signpost.desktop")
    put(ROOT / "packaging" / "signpost.metainfo.xml", root / "usr/share/metainfo/uk.gov.signpost.metainfo.xml")
    icons(root)
    write(root / "usr/share/man/man1/signpost.1.gz", gzipped((ROOT / "packaging" / "signpost.1").read_bytes()))
    docs(root, "signpost", debian_changelog("signpost", ver))
    doc = root / "usr/share/doc/signpost"
    write(doc / "CHANGELOG.md.gz", gzipped((ROOT / "CHANGELOG.md").read_bytes()))
    put(ROOT / "packaging" / "policy.example.json", doc / "policy.example.json")
    if OVERRIDES:
        write(root / "usr/share/lintian/overrides/signpost",
              "".join(f"# {why}\nsignpost: {tag}\n" for tag, why in OVERRIDES.items()))
    control(root, {"Package": "signpost", "Version": ver, "Architecture": "amd64", "Maintainer": MAINTAINER,
                   "Depends": DEPENDS, "Recommends": "libccid", "Suggests": "orca",
                   "Section": "misc", "Priority": "optional", "Homepage": HOMEPAGE},
            f"Description: {SUMMARY}\n{DESCRIPTION}")
    return root


def stage_training(ver: str) -> Path:
    from app import resources
    root = BUILD / "deb" / "signpost-training"
    shutil.rmtree(root, ignore_errors=True)
    for name in TRAINING:
        put(resources.path(name), root / PREFIX / "_internal" / "resources" / name)
    docs(root, "signpost-training", debian_changelog("signpost-training", ver))
    control(root, {"Package": "signpost-training", "Version": ver, "Architecture": "all",
                   "Maintainer": MAINTAINER, "Depends": f"signpost (= {ver}), softhsm2", "Section": "misc",
                   "Priority": "optional", "Homepage": HOMEPAGE},
            f"Description: training directory and tokens for Signpost\n{TRAINING_DESCRIPTION}")
    return root


def build(root: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(_epoch()))
    # gzip, not dpkg-deb's default xz: xz took over 8 minutes for the bundle on a busy 2-core machine
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(out)], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    return out


def validate(main: Path, training: Path) -> list[str]:
    """desktop-file-validate and appstreamcli must pass; lintian must report no error. Returns lintian's
    remaining warnings and notes (printed, and listed in the README)."""
    subprocess.run(["desktop-file-validate", str(ROOT / "packaging" / "signpost.desktop")], check=True)
    subprocess.run(["appstreamcli", "validate", "--no-net", "--pedantic",
                    str(ROOT / "packaging" / "signpost.metainfo.xml")], check=True)
    done = subprocess.run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", "--info", str(main),
                           str(training)], capture_output=True, text=True)
    said = [line for line in done.stdout.splitlines() if line[:2] in ("E:", "W:", "I:")]
    counts: dict[str, int] = {}
    for line in said:  # one line per tag, with how often lintian said it
        tag = " ".join(line.split()[:3])
        counts[tag] = counts.get(tag, 0) + 1
    for tag, n in sorted(counts.items()):
        print(f"  lintian {tag}" + (f" (x{n})" if n > 1 else ""))
    if done.returncode != 0:
        raise SystemExit(f"build_deb: lintian found errors (exit {done.returncode})\n{done.stderr}")
    print(f"  lintian: no errors; {len(said)} warning(s) or note(s); overridden, with the reasons in "
          f"/usr/share/lintian/overrides/signpost: {', '.join(OVERRIDES)}")
    return said


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reuse-bundle", action="store_true", help="package the existing PyInstaller bundle")
    args = ap.parse_args(argv)
    ver = version()
    started = time.monotonic()
    bundle = BUILD / "pyinstaller" / "dist" / "signpost"
    if not (args.reuse_bundle and bundle.exists()):
        say("freezing the one-folder bundle (PyInstaller)…")
        bundle = freeze()
    frozen = time.monotonic()
    main_deb = build(stage_main(bundle, ver), DIST / f"signpost_{ver}_amd64.deb")
    training_deb = build(stage_training(ver), DIST / f"signpost-training_{ver}_all.deb")
    built = time.monotonic()
    validate(main_deb, training_deb)
    say(f"{main_deb.relative_to(ROOT)} ({main_deb.stat().st_size / 2**20:.0f} MB) and "
        f"{training_deb.relative_to(ROOT)} in {built - started:.0f} s (freezing {frozen - started:.0f} s); "
        f"validated in {time.monotonic() - built:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
