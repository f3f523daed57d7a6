"""An append-only Merkle tree with RFC 6962 hashing, for the audit log (R-AUDIT-2).

- leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``;
- the tree head ``MTH(D[0:n])`` as RFC 6962 §2.1 defines it, for any size n;
- consistency proofs between two sizes (§2.1.2) and inclusion proofs (§2.1.1),
  with their verification as RFC 9162 §2.1.3.2 / §2.1.4.2 give it.

Storage is a ``NodeStore``: it keeps the hash of every *complete, aligned*
subtree (level ``l``, index ``i`` covering leaves ``[i·2^l, (i+1)·2^l)``), which
``append`` maintains in amortised O(1). Any ``MTH(D[a:b])`` a proof needs is then
made of O(log n) stored nodes, so heads and proofs cost O(log n), not O(n).
"""
from __future__ import annotations

import hashlib
from typing import Protocol


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class NodeStore(Protocol):
    def get(self, level: int, index: int) -> bytes: ...

    def put(self, level: int, index: int, value: bytes) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def put(self, level: int, index: int, value: bytes) -> None:
        self.nodes[(level, index)] = value


def append(store: NodeStore, size: int, leaf: bytes) -> int:
    """Add leaf number ``size`` (its leaf hash), completing any subtrees it closes. Returns the new size."""
    store.put(0, size, leaf)
    level, index, value = 0, size, leaf
    while index % 2 == 1:
        value = node_hash(store.get(level, index - 1), value)
        level, index = level + 1, index // 2
        store.put(level, index, value)
    return size + 1


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def subtree(store: NodeStore, lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) for a range RFC 6962's proofs use (lo aligned to the largest power of two ≤ hi-lo)."""
    n = hi - lo
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and lo % n == 0:
        return store.get(n.bit_length() - 1, lo // n)
    k = _split(n)
    return node_hash(subtree(store, lo, lo + k), subtree(store, lo + k, hi))


def root(store: NodeStore, size: int) -> bytes:
    return subtree(store, 0, size)


def consistency_proof(store: NodeStore, old: int, new: int) -> list[bytes]:
    """PROOF(old, D[0:new]) of RFC 6962 §2.1.2."""
    if not 0 <= old <= new:
        raise ValueError("a consistency proof needs 0 <= old <= new")
    if old == 0 or old == new:
        return []
    return _subproof(store, old, 0, new, True)


def _subproof(store: NodeStore, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [subtree(store, lo, hi)]
    k = _split(n)
    if m <= k:
        return _subproof(store, m, lo, lo + k, complete) + [subtree(store, lo + k, hi)]
    return _subproof(store, m - k, lo + k, hi, False) + [subtree(store, lo, lo + k)]


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree of size ``new`` extends the one of size ``old``?"""
    if old < 0 or new < old:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the first node of the path
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    return _path(store, index, 0, size)


def _path(store: NodeStore, m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return _path(store, m, lo, lo + k) + [subtree(store, lo + k, hi)]
    return _path(store, m - k, lo + k, hi) + [subtree(store, lo, lo + k)]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root
