"""Faults are told apart and nothing is deleted for them (issue 13 §4.2; R-AUDIT-3): the admin commands on a
damaged, wrong-keyed or missing training directory say what happened, exit non-zero and leave it as it was."""
from __future__ import annotations

import hashlib

import pytest
import sqlcipher3

from app import admin, db, training


def _flip(path, offset: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("message, code", [
    ("database or disk is full", "disk_full"),
    ("database disk image is malformed", "corrupt"),
    ("file is not a database", "wrong_key"),
])
def test_each_failure_is_named_for_what_it_is(tmp_path, message, code):
    """A full disk, a damaged page and a key that does not open the file are three problems, not one."""
    found = training.problem(sqlcipher3.OperationalError(message), tmp_path / "directory.db", None)
    assert isinstance(found, training.DirectoryProblem) and found.code == code
    assert "Nothing was deleted" in str(found)


def test_the_first_page_damaged_is_told_from_a_wrong_key_by_the_salt(training_home):
    """With the file's salt kept beside the key: the same salt and a failing first page is damage; another
    salt is another file (or key)."""
    paths, store, key = training_home
    path = paths.training_directory
    salt = db.file_salt(path)
    exc = db.WrongKeyOrCorrupt("file is not a database")
    assert training.problem(exc, path, salt).code == "corrupt"
    assert training.problem(exc, path, bytes(16)).code == "wrong_key"


def test_a_damaged_page_stops_the_admin_commands_and_nothing_is_deleted(training_home, capsys):
    """Rule R-AUDIT-3: every page is checked before a command changes anything."""
    paths, store, _ = training_home
    path = paths.training_directory
    _flip(path, (path.stat().st_size // 4096 // 2) * 4096 + 300)
    before = _digest(path)
    assert admin.limits([], store=store, paths=paths) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "Nothing was deleted" in err
    assert _digest(path) == before


def test_a_missing_key_is_not_replaced_by_a_new_one(training_home, capsys):
    """Issue 13 §4.2: a key that is gone is said to be gone; a new key would never open the old file."""
    paths, store, _ = training_home
    store.delete_now(training.KEY_ITEM)
    assert admin.limits([], store=store, paths=paths) == 1
    assert "key is not in this keyring" in capsys.readouterr().err
    assert store.get_now(training.KEY_ITEM) is None


def test_a_page_found_damaged_while_the_directory_is_open_is_said_not_a_traceback(directory_copy):
    """Issue 13 §4.2: SQLite's "malformed" or HMAC failure during a request is the directory file damaged,
    with what to do, not "something went wrong"."""
    from app.directory import Directory, DirectoryUnavailable, EmbeddedDirectory
    from tests.conftest import TODAY
    from ui import refusals
    path, key = directory_copy
    directory = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    try:
        def damaged(d):
            raise sqlcipher3.DatabaseError("database disk image is malformed")
        failed = directory.run_on_engine(damaged).exception(timeout=30)
        assert isinstance(failed, DirectoryUnavailable) and failed.code == "corrupt"
        said = refusals.explain(failed)[0]
        assert "damaged" in said and "Nothing was deleted" in said
    finally:
        directory.close()
