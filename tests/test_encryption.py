"""R-LOCAL-1: everything on disk is SQLCipher with a raw 256-bit key."""
from __future__ import annotations

import pytest

from app import db


def test_directory_file_holds_no_clear_text(built_directory):
    path, key = built_directory
    conn = db.open_encrypted(path, key)
    family = conn.execute("SELECT family_name FROM children LIMIT 1").fetchone()[0]
    conn.close()
    raw = path.read_bytes()
    assert family.encode() not in raw
    assert b"SQLite format 3" not in raw[:16]
    assert key not in raw and key.hex().encode() not in raw


def test_wrong_key_is_refused(built_directory):
    path, _ = built_directory
    with pytest.raises(db.WrongKeyOrCorrupt):
        db.open_encrypted(path, db.new_key())


def test_a_key_that_is_not_256_bits_is_refused(tmp_path):
    with pytest.raises(ValueError):
        db.open_encrypted(tmp_path / "x.db", b"short")


def test_a_sqlite_without_encryption_is_refused(tmp_path, monkeypatch):
    """The cipher_version check: a plain SQLite answers nothing and must not write a file."""
    import sqlite3
    monkeypatch.setattr(db.sqlcipher3, "connect", lambda *a, **k: sqlite3.connect(":memory:", **{
        x: y for x, y in k.items() if x in ("check_same_thread", "isolation_level")}))
    with pytest.raises(db.EncryptionUnavailable, match="cannot encrypt"):
        db.open_encrypted(tmp_path / "clear.db", db.new_key())
    assert not (tmp_path / "clear.db").exists()
