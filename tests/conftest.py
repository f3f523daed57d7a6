"""Shared fixtures: one small synthetic directory per test session, and a
fresh copy of it for every test that changes it (audit included)."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app import db, generator  # noqa: E402
from app.directory import Directory  # noqa: E402
from app.model import AccessReason, Reason, Viewer  # noqa: E402

TODAY = date(2026, 11, 21)
SEED = 7
CHILDREN = 20_000
PASSWORD = "training-only-2026"


@pytest.fixture(scope="session")
def built_directory(tmp_path_factory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("directory") / "directory.db"
    key = db.new_key()
    generator.generate(path, key, children=CHILDREN, seed=SEED, today=TODAY)
    return path, key


@pytest.fixture
def directory_copy(built_directory, tmp_path) -> tuple[Path, bytes]:
    src, key = built_directory
    dst = tmp_path / "directory.db"
    shutil.copy(src, dst)
    return dst, key


@pytest.fixture
def directory(directory_copy):
    path, key = directory_copy
    d = Directory.open(path, key, clock=lambda: TODAY)
    yield d
    d.close()


@pytest.fixture
def reason() -> Reason:
    return Reason(AccessReason.PROVIDING_SERVICE)


def viewer_for(directory: Directory, username: str, colleague=None) -> Viewer:
    user = directory.user(username)
    assert user is not None
    return Viewer(user, colleague)


@pytest.fixture
def practitioner(directory) -> Viewer:
    return viewer_for(directory, "alex.practitioner")


@pytest.fixture
def la_team(directory) -> Viewer:
    return viewer_for(directory, "jo.la")
