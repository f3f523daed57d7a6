"""Issue 18 item 1: every file under resources/ is read through one accessor (app/resources.py, over
importlib.resources), never through a path worked out from ``__file__``; a production install, which lacks
the training files, can never build or open training data."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from app import policy, resources
from app.settings import Settings

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


@pytest.fixture
def production_install(tmp_path, monkeypatch):
    """The resources a production .deb ships: everything but the training files."""
    package = tmp_path / "production_resources"
    for src in (ROOT / "resources").rglob("*"):
        rel = src.relative_to(ROOT / "resources").as_posix()
        if src.is_file() and rel not in resources.TRAINING and "screenshots" not in rel:
            (package / rel).parent.mkdir(parents=True, exist_ok=True)
            (package / rel).write_bytes(src.read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(resources, "PACKAGE", "production_resources")
    yield
    sys.modules.pop("production_resources", None)


def test_a_production_install_never_opens_training_data(production_install):
    """signpost without signpost-training: no training directory, however the user sets things up."""
    with pytest.raises(resources.MissingResource, match="signpost-training"):
        resources.text("training_recipe.json")
    assert not resources.training_available()
    assert "training package" in policy.start_problem(Settings())
    assert policy.start_problem(Settings(directory_url="https://directory.example.org")) == ""


def test_the_app_on_a_production_install_says_so_and_opens_nothing(production_install, qtbot, tmp_path):
    from app.paths import Paths
    from ui.app import SignpostApp
    app = SignpostApp(Paths(tmp_path / "data", tmp_path / "config"), Settings())
    qtbot.addWidget(app.signin)
    app.start()
    qtbot.waitUntil(lambda: "training package" in app.signin.status.text())
    assert not app.signin.button.isEnabled() and app.service is None and app.tokens is None
    assert not (tmp_path / "data").exists()  # nothing was made, let alone a training directory
    app.shutdown()
