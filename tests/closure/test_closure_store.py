"""The encrypted closure store: SQLCipher keyed from the key store, one transaction per step with
its audit entry, SO PINs never in clear (R-CLOSE-3, R-LOCAL-1, R-AUDIT-1)."""
from __future__ import annotations

import logging
import stat

import pytest

from app.closure.store import KEY_ITEM, ClosureStore, StoreError, store_path


def test_store_is_encrypted_private_and_reopens_with_its_key(store, home, keystore):
    reg = store.register()
    reg.add_token("SP-0001", "Alex Practitioner", "NBR", used=True)
    store.save("jo.la", "token_added", register=reg, detail={"serial": "SP-0001"})
    store.close()
    path = store_path(home)
    raw = path.read_bytes()
    assert b"SQLite format 3" not in raw and b"SP-0001" not in raw  # R-LOCAL-1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = ClosureStore.open(home, keystore)
    try:
        assert again.register().token("SP-0001").holder == "Alex Practitioner"
        assert [e.action for e in again.audit_entries()] == ["closure_setup", "token_added"]
        assert again.verify_audit().ok
    finally:
        again.close()


def test_a_store_whose_key_is_gone_is_not_silently_rebuilt(store, home, keystore):
    store.close()
    keystore.delete_now(KEY_ITEM)
    with pytest.raises(StoreError) as e:
        ClosureStore.open(home, keystore)
    assert e.value.code == "key_missing"
    assert store_path(home).stat().st_size > 0  # the register is still there


def test_a_failed_step_writes_neither_the_change_nor_its_audit(store):
    reg = store.register()
    reg.add_token("SP-0002", "Sam Cp", "NBR")
    with pytest.raises(TypeError):
        store.write("jo.la", "token_added", register=reg, detail={"bad": object()})
    assert store.register().tokens == {}
    assert [e.action for e in store.audit_entries()] == ["closure_setup"]
    assert store.verify_audit().ok


def test_so_pins_import_keeps_them_encrypted_never_logs_them_and_forgets_the_file(
        store, tmp_path, caplog):
    f = tmp_path / "la-protected-list.csv"
    f.write_text("serial,so_pin\nSP-0001,Secr3t-SO-1\nsp-0002 , Secr3t-SO-2\n")
    caplog.set_level(logging.DEBUG)
    result = store.import_so_pins(f, "jo.la")
    assert (result.added, result.replaced, result.serials) == (2, 0, ("SP-0001", "SP-0002"))
    assert store.so_pin("SP-0002") == "Secr3t-SO-2"
    assert "Secr3t" not in caplog.text
    entries = store.audit_entries()
    assert entries[-1].action == "so_pins_imported"
    dump = repr(entries)
    assert "Secr3t" not in dump and "la-protected-list" not in dump and str(tmp_path) not in dump
    store.close()
    for p in store.path.parent.iterdir():
        assert b"Secr3t" not in p.read_bytes()


def test_a_bad_so_pin_list_imports_nothing_and_never_echoes_a_pin(store, tmp_path):
    f = tmp_path / "list.csv"
    f.write_text("serial,so_pin\nSP-0001,GoodPin-1\nSP-0002,ab\nnot a serial!,Other-PIN-9\n")
    with pytest.raises(StoreError) as e:
        store.import_so_pins(f, "jo.la")
    assert "line 3" in str(e.value) and "line 4" in str(e.value)
    assert "GoodPin" not in str(e.value) and "Other-PIN" not in str(e.value)
    assert store.so_pin_count() == 0
    (tmp_path / "h.csv").write_text("token,pin\nSP-1,abcd\n")
    with pytest.raises(StoreError, match="serial,so_pin"):
        store.import_so_pins(tmp_path / "h.csv", "jo.la")


def test_the_audit_is_append_only_and_exported_for_retention(store, tmp_path):
    store.record("jo.la", "step_done", {"serial": "SP-9"})
    with pytest.raises(Exception, match="append-only"):
        store._conn.execute("DELETE FROM audit WHERE seq = 1")
    out = store.export_audit(tmp_path / "archive")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    import json
    body = json.loads(out.read_text())
    assert [e["action"] for e in body["entries"]] == ["closure_setup", "step_done"]
    assert len(body["checkpoints"]) == 2 and body["public_key"] == store.public_key.hex()
