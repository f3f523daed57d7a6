"""RFC 6962 Merkle tree (R-AUDIT-2): heads and proofs against the RFC's own recursive definitions."""
from __future__ import annotations

import pytest

from app import merkle


def _mth(leaves):  # RFC 6962 §2.1, literally
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = merkle._split(len(leaves))
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _tree(n):
    store, leaves = merkle.MemoryStore(), [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]
    size = 0
    for leaf in leaves:
        size = merkle.append(store, size, leaf)
    return store, leaves


def test_known_answer():
    """RFC 6962 leaf and node prefixes: a two-leaf head computed by hand."""
    import hashlib
    a, b = hashlib.sha256(b"\x00a").digest(), hashlib.sha256(b"\x00b").digest()
    store, size = merkle.MemoryStore(), 0
    for leaf in (merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")):
        size = merkle.append(store, size, leaf)
    assert merkle.root(store, 2) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.root(merkle.MemoryStore(), 0) == hashlib.sha256(b"").digest()


def test_heads_and_proofs_for_every_size_pair():
    store, leaves = _tree(40)
    for new in range(1, 41):
        head = merkle.root(store, new)
        assert head == _mth(leaves[:new])
        for old in range(0, new + 1):
            old_head = merkle.root(store, old)
            proof = merkle.consistency_proof(store, old, new)
            assert merkle.verify_consistency(old, new, old_head, head, proof), (old, new)
        for i in range(new):
            assert merkle.verify_inclusion(i, new, leaves[i], merkle.inclusion_proof(store, i, new), head)


@pytest.mark.parametrize("old, new", [(3, 7), (4, 8), (6, 19), (16, 33), (1, 2)])
def test_a_forked_or_shrunk_log_fails_consistency(old, new):
    store, leaves = _tree(new)
    forked_old = _mth([*leaves[:old - 1], merkle.leaf_hash(b"rewritten")])  # one entry before `old` differs
    head, old_head = merkle.root(store, new), merkle.root(store, old)
    proof = merkle.consistency_proof(store, old, new)
    assert merkle.verify_consistency(old, new, old_head, head, proof)
    assert not merkle.verify_consistency(old, new, forked_old, head, proof)  # forked
    assert not merkle.verify_consistency(new, old, head, old_head, proof)  # shrank
    if proof:
        assert not merkle.verify_consistency(old, new, old_head, head, [bytes(32)] + proof[1:])  # forged proof
