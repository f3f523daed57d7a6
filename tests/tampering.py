"""What someone with the directory file (and, for some kinds, its key) does to its audit log: each kind of
tampering issue 13 lists under *Done when*, on a real SQLCipher file, with the append-only triggers dropped
first (they stop only an honest mistake). Shared by the engine's, the verifier's and the client's tests."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from app import audit, db, merkle
from app.directory import witness_path

COLS = "seq, at, actor, on_behalf_of, action, reason, detail, las"
GUARDED = ("audit", "audit_tree", "audit_checkpoints")


def unguarded(path: Path, key: bytes):
    """A raw connection to the file with the append-only triggers dropped."""
    conn = db.open_encrypted(path, key)
    for table in GUARDED:
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    return conn


def rows(conn) -> list[list]:
    return [list(r) for r in conn.execute(f"SELECT {COLS} FROM audit ORDER BY seq")]


def rewrite(conn, new_rows: list[list], *, signing_key: bytes | None = None, witness: Path | None = None) -> None:
    """What a careful tamperer does: every leaf hash and tree node recomputed; with the directory's own
    ``signing_key``, every checkpoint re-signed too (and the witness beside the file rewritten)."""
    conn.execute("DELETE FROM audit")
    conn.execute("DELETE FROM audit_tree")
    store, size = merkle.MemoryStore(), 0
    named = conn.execute("SELECT value FROM meta WHERE key = 'audit_origin'").fetchone()
    origin = named[0] if named else ""
    for seq, *rest in new_rows:
        leaf = audit.entry_leaf(seq, *rest)
        conn.execute(f"INSERT INTO audit ({COLS}, leaf) VALUES (?,?,?,?,?,?,?,?,?)", (seq, *rest, leaf))
        size = merkle.append(store, size, leaf)
        if signing_key is not None:  # signed as the log's own, under its name (issue 16 §4)
            conn.execute("DELETE FROM audit_checkpoints WHERE size = ?", (size,))
            cp = _sign(signing_key, size, merkle.root(store, size), rest[0], origin)
            conn.execute("INSERT INTO audit_checkpoints (size, root, at, signature, origin) VALUES (?,?,?,?,?)",
                         (cp.size, cp.root, cp.at, cp.signature, cp.origin))
    conn.executemany("INSERT INTO audit_tree VALUES (?,?,?)", [(lv, i, h) for (lv, i), h in store.nodes.items()])
    if signing_key is not None:
        conn.execute("DELETE FROM audit_checkpoints WHERE size > ?", (size,))
        if witness is not None:
            latest = conn.execute("SELECT size, root, at, signature, origin FROM audit_checkpoints ORDER BY size "
                                  "DESC LIMIT 1").fetchone()
            witness.write_text(json.dumps(audit.Checkpoint(latest[0], bytes(latest[1]), latest[2],
                                                           bytes(latest[3]), latest[4]).to_json()))


def _sign(signing_key: bytes, size: int, root: bytes, at: str, origin: str = "") -> audit.Checkpoint:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = Ed25519PrivateKey.from_private_bytes(signing_key)
    return audit.Checkpoint(size, root, at, key.sign(audit.checkpoint_message(size, root, at, origin)), origin)


def _renumber(new_rows: list[list]) -> list[list]:
    for i, r in enumerate(new_rows):
        r[0] = i + 1
    return new_rows


# Each kind: fn(path, key, signing_key) changes the file (and what lies beside it) in place.
def edit(path, key, signing):
    conn = unguarded(path, key)
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    conn.close()


def delete_in_the_middle(path, key, signing):
    conn = unguarded(path, key)
    conn.execute("DELETE FROM audit WHERE seq = 3")
    conn.close()


def cut_at_the_end(path, key, signing):
    """The last entries deleted, their tree nodes and checkpoints left (the raw IntegrityError of issue 13)."""
    conn = unguarded(path, key)
    conn.execute("DELETE FROM audit WHERE seq > (SELECT max(seq) - 2 FROM audit)")
    conn.close()


def cut_with_checkpoints(path, key, signing):
    """The last entries, their tree nodes and checkpoints deleted: only the witness beside the file remains."""
    conn = unguarded(path, key)
    n = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    rewrite(conn, rows(conn)[:-2])
    conn.execute("DELETE FROM audit_checkpoints WHERE size > ?", (n - 2,))
    conn.close()


def cut_with_witness(path, key, signing):
    """Entries, tree nodes and checkpoints cut off the end, and the witness beside the file deleted."""
    cut_with_checkpoints(path, key, signing)
    witness_path(path).unlink()


def insert_at_the_end(path, key, signing):
    conn = unguarded(path, key)
    new = rows(conn)
    new.append([len(new) + 1, new[-1][1], "jo.la", None, "view_record", "LA data quality or monitoring", "{}",
                "NBR"])
    rewrite(conn, new)
    conn.close()


def insert_in_the_middle(path, key, signing):
    conn = unguarded(path, key)
    new = rows(conn)
    forged = list(new[2])
    forged[2] = "mallory"
    new.insert(3, forged)
    rewrite(conn, _renumber(new))
    conn.close()


def swap(path, key, signing):
    """Two entries' contents swapped in place, their recorded hashes with them."""
    conn = unguarded(path, key)
    a, b = conn.execute("SELECT at, actor, on_behalf_of, action, reason, detail, las, leaf FROM audit "
                        "WHERE seq IN (2, 4) ORDER BY seq").fetchall()
    for seq, r in ((2, b), (4, a)):
        conn.execute("UPDATE audit SET at = ?, actor = ?, on_behalf_of = ?, action = ?, reason = ?, detail = ?, "
                     "las = ?, leaf = ? WHERE seq = ?", (*r, seq))
    conn.close()


def recompute(path, key, signing):
    """An entry edited with every stored hash recomputed (not re-signed: the checkpoints still hold)."""
    conn = unguarded(path, key)
    new = rows(conn)
    new[2][2] = "mallory"
    rewrite(conn, new)
    conn.close()


def re_sign(path, key, signing):
    """With the directory's own signing key: an entry edited, every hash recomputed, every checkpoint
    re-signed and the witness rewritten. Only a checkpoint held elsewhere can show this."""
    conn = unguarded(path, key)
    new = rows(conn)
    new[2][2] = "mallory"
    rewrite(conn, new, signing_key=signing, witness=witness_path(path))
    conn.close()


KINDS: dict[str, Callable] = {
    "edit": edit, "delete in the middle": delete_in_the_middle, "cut at the end": cut_at_the_end,
    "cut with its checkpoints": cut_with_checkpoints, "cut with the witness": cut_with_witness,
    "insert at the end": insert_at_the_end, "insert in the middle": insert_in_the_middle, "swap": swap,
    "recompute": recompute, "re-sign with the directory's own key": re_sign,
}


def keep(path: Path, where: Path) -> Path:
    """A copy of the file and its witness, to roll back to later."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, where / path.name)
    shutil.copy(witness_path(path), where / witness_path(path).name)
    return where


def roll_back(path: Path, kept: Path) -> None:
    """Put back the file and its witness as they were (the sidecars of the newer file go with it)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(kept / path.name, path)
    shutil.copy(kept / witness_path(path).name, witness_path(path))


def flip_a_page(path: Path) -> None:
    """One byte flipped in a page in the middle of the file."""
    offset = (path.stat().st_size // 4096 // 2) * 4096 + 200
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))
