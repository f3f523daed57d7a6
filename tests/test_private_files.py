"""One way to write a private file (issue 14 §5): folders 0700, files 0600 from the moment they exist, replaced
atomically. The copies it replaced kept the mode of a temporary file left by an earlier run (O_CREAT does not
change an existing file's mode) and some made their folder with the default mode."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from app.closure import outputs
from app.paths import Paths
from app.private_files import write_private
from app.settings import Settings

APP = Path(__file__).resolve().parents[1] / "app"
UI = APP.parent / "ui"


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_a_temporary_file_left_readable_by_others_does_not_make_the_file_readable(tmp_path):
    """The settings file and the closure manifest (it names people) stay 0600 after a crashed earlier write."""
    settings = tmp_path / "config" / "settings.json"
    settings.parent.mkdir()
    for left in (settings.with_suffix(".tmp"), settings.with_name(settings.name + ".tmp")):
        left.write_text("{}")
        os.chmod(left, 0o644)
    Settings().save(settings)
    assert _mode(settings) == 0o600

    manifest = tmp_path / "closure" / "manifest.csv"
    manifest.parent.mkdir(mode=0o700)
    (manifest.parent / "manifest.csv.tmp").write_text("")
    os.chmod(manifest.parent / "manifest.csv.tmp", 0o644)
    outputs.write_private(manifest, b"serial,holder\n")
    assert _mode(manifest) == 0o600 and manifest.read_bytes() == b"serial,holder\n"


def test_a_folder_it_makes_is_0700_and_an_own_folder_is_tightened(tmp_path):
    made = write_private(tmp_path / "new" / "deeper" / "file.json", "{}")
    assert _mode(made) == 0o600 and _mode(made.parent) == 0o700 and _mode(made.parent.parent) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    write_private(loose / "kept.json", "{}")
    assert _mode(loose) == 0o755  # a folder the user chose is left as it is
    write_private(loose / "own.json", "{}", own_folder=True)
    assert _mode(loose) == 0o700
    paths = Paths(data=tmp_path / "data", config=tmp_path / "config-home")
    paths.ensure()
    assert _mode(paths.data) == _mode(paths.config) == 0o700


def test_no_other_code_opens_a_file_0600_itself():
    """app/db.py makes the SQLite file before SQLite opens it (its sidecars take its mode); nothing else."""
    found = [f"{p}:{n}" for root in (APP, UI) for p in root.rglob("*.py")
             if p.name not in ("private_files.py", "db.py")
             for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"os\.open\(.*0o600", line)]
    assert not found, found
