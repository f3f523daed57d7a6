"""Unbounded or broken input gets a clear message, never a raw exception, and is not
stored verbatim (review hole 6); everything Signpost writes is private (hole 7, R-LOCAL-1)."""
from __future__ import annotations

import json
import shutil
import stat
from datetime import date

import pytest

from app import db, form_input
from app.directory import AccessRefused, Directory, SignInRefused
from app.search import Criteria, SearchRefused
from tests.conftest import PASSWORD, TODAY, SoftToken, token_sign_in


def test_a_five_thousand_digit_age_gets_a_message(today=TODAY):
    with pytest.raises(form_input.InputProblem, match="age range like 5-7") as exc:
        form_input.criteria(family_name="Smith", given_name="Poppy", ages="9" * 5000, today=today)
    assert exc.value.field == "ages"
    with pytest.raises(form_input.InputProblem, match="day/month/year"):
        form_input.criteria(family_name="Smith", dob="1" * 5000, today=today)
    with pytest.raises(form_input.InputProblem, match="too long"):
        form_input.criteria(family_name="S" * 1_000_000, dob="01/01/2015", today=today)
    with pytest.raises(form_input.InputProblem, match="cannot be searched"):
        form_input.criteria(family_name="Sm\udc80th", dob="01/01/2015", today=today)


@pytest.mark.parametrize("criteria, field", [
    (Criteria(family_name="S" * 1_000_000, dob=date(2015, 1, 1)), "family_name"),
    (Criteria(family_name="Smith", given_name="\ud800", age_from=5, age_to=7), "given_name"),
    (Criteria(family_name="Smith", given_name="Poppy", age_from=10**5000, age_to=7), "ages"),
    (Criteria(family_name="Smith", given_name="Poppy", age_from=-3, age_to=2), "ages"),
    (Criteria(directory_id=str(2**70)), "directory_id"),
    (Criteria(family_name="Smith", postcode="N" * 100_000), "postcode"),
])
def test_the_engine_bounds_every_field_itself(directory, practitioner, reason, criteria, field):
    """The engine, not only the form: a client may send anything."""
    with pytest.raises(SearchRefused) as exc:
        directory.search(practitioner, criteria, reason)
    assert exc.value.field == field
    row = directory.conn.execute("SELECT length(detail) FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert row[0] < 2000  # audited, but never a megabyte verbatim


def test_hostile_sign_in_input_is_refused_cleanly_and_bounded_in_the_audit(directory):
    token = SoftToken("T-IN").enrol(directory, "alex.practitioner")
    for username, password in (("alex\udc80", PASSWORD), ("a" * 1_000_000, PASSWORD),
                               ("alex.practitioner", "p" * 1_000_000), ("alex.practitioner", "\ud800")):
        with pytest.raises(SignInRefused, match="not right"):
            token_sign_in(directory, username, token, password)
        action, actor, size = directory.conn.execute(
            "SELECT action, actor, length(actor) + length(detail) FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        assert action == "sign_in_failed" and size < 200


def test_opening_an_absurd_id_is_a_refusal_not_a_crash(directory, practitioner, reason):
    for value in (2**70, str(2**70), -1, None, b"123", "123 456 7890" * 1000):
        with pytest.raises(AccessRefused):
            directory.view_record(practitioner, value, reason)
    detail = json.loads(directory.conn.execute("SELECT detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0])
    assert len(json.dumps(detail)) < 200


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_directory_and_its_sidecars_are_private(directory_copy, tmp_path):
    """Review hole 7: directory.db and its -wal/-shm were 0644."""
    src, key = directory_copy
    folder = tmp_path / "training"
    folder.mkdir(mode=0o755)
    path = folder / "directory.db"
    shutil.copy(src, path)
    path.chmod(0o644)
    d = Directory.open(path, key, clock=lambda: TODAY)
    try:
        token_sign_in(d, "alex.practitioner", SoftToken("T-M").enrol(d, "alex.practitioner"))  # writes: WAL in use
        sidecars = list(folder.iterdir())
        assert {p.name for p in sidecars} >= {"directory.db", "directory.db-wal", "directory.db-shm"}
        assert all(_mode(p) == 0o600 for p in sidecars), {p.name: oct(_mode(p)) for p in sidecars}
        assert _mode(folder) == 0o700
    finally:
        d.close()


def test_a_new_encrypted_file_and_its_folder_are_private(tmp_path):
    path = tmp_path / "cache" / "someone.db"
    conn = db.open_encrypted(path, db.new_key())
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    try:
        assert _mode(path.parent) == 0o700
        assert all(_mode(p) == 0o600 for p in path.parent.iterdir())
    finally:
        conn.close()
