"""One version everywhere (issue 18 item 6): pyproject.toml's is what signpost --version prints, what the
About box says (tests/ui/test_help_menu.py), the AppStream metainfo's newest release and CHANGELOG.md's
newest entry; the metainfo and the desktop entry pass their validators."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.version import version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
METAINFO = ROOT / "packaging" / "signpost.metainfo.xml"


def test_the_command_line_says_pyprojects_version():
    assert version() == PYPROJECT
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"Signpost {PYPROJECT}"


def test_the_metainfo_and_the_changelog_name_the_same_release():
    releases = ET.parse(METAINFO).getroot().find("releases")
    newest = releases.find("release")
    heading = re.search(r"^## (\S+) — (\d{4}-\d{2}-\d{2})$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert heading, "CHANGELOG.md needs a '## <version> — <date>' entry"
    assert (newest.get("version"), newest.get("date")) == (PYPROJECT, heading.group(2))
    assert heading.group(1) == PYPROJECT


def test_the_metainfo_says_what_a_software_centre_needs():
    root = ET.parse(METAINFO).getroot()
    for tag in ("description", "releases", "content_rating", "screenshots", "launchable"):
        assert root.find(tag) is not None, tag
    assert root.find("launchable").text == "signpost.desktop"


@pytest.mark.parametrize("tool, args, path", [
    ("appstreamcli", ["validate", "--no-net", "--pedantic"], METAINFO),
    ("desktop-file-validate", [], ROOT / "packaging" / "signpost.desktop"),
])
def test_the_validators_pass(tool, args, path):
    if not shutil.which(tool):
        pytest.fail(f"{tool} is missing: packaging/ensure-debian-packages.sh installs it")
    done = subprocess.run([tool, *args, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
