"""Issue 18 item 1: every file under resources/ is read through one accessor (app/resources.py, over
importlib.resources), never through a path worked out from ``__file__``."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import resources

ROOT = Path(__file__).resolve().parents[2]
RESOURCE_PATH = re.compile(r"""["']resources["']|/\s*["']resources\b""")


def test_no_module_works_out_a_resource_path_for_itself():
    """Seven modules used to build Path(__file__)...'resources' paths; an installed wheel had none of them."""
    offenders = []
    for source in [*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py"), ROOT / "main.py"]:
        if source == ROOT / "app" / "resources.py":
            continue
        for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if RESOURCE_PATH.search(code) or ("__file__" in code and "resources" in code):
                offenders.append(f"{source.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "read resources through app.resources:\n" + "\n".join(offenders)


def test_each_kind_of_resource_reads_through_the_accessor():
    assert "{" in resources.text("style.qss")
    assert resources.path("icons/signpost.svg").read_bytes().lstrip().startswith(b"<")
    assert resources.load_json("closure_plan.json") and resources.load_json("nicknames.json")["formal"]
    assert resources.text("openapi.yaml").startswith("# Generated")
    assert resources.training_available()  # a source checkout carries the training files


def test_a_missing_file_says_the_install_is_incomplete():
    with pytest.raises(resources.MissingResource, match="missing from this installation"):
        resources.text("no-such-file.json")
