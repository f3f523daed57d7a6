"""``audit verify`` holds the log to every checkpoint it can get and says which (issue 13 §1.1; R-AUDIT-2), on a
real training directory file in a real keyring: the ones stored, the witness beside the file (which a
non-empty log must have), a checkpoint kept elsewhere (``--against FILE``) and the one this verifier kept
itself after its last clean run, in the keyring, which a copy of the data folder does not carry."""
from __future__ import annotations

import pytest

from app import admin, audit_verify, training
from app.directory import witness_path
from tests import tampering
from tests.conftest import TODAY, SoftToken, token_sign_in


def _use(paths, store, times: int = 4) -> None:
    """Sign-ins and refusals through the directory as the app opens it: real, signed entries."""
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        token = SoftToken("VERIFY-1").enrol(d, "alex.practitioner")
        for _ in range(times):
            token_sign_in(d, "alex.practitioner", token)
            d.report_token_refusal("alex.practitioner", "VERIFY-1", "wrong_pin")
    finally:
        d.close()


def _verify(paths, store, capsys, *against) -> tuple[int, str, str]:
    argv = ["verify"] + [a for f in against for a in ("--against", str(f))]
    code = admin.audit_command(argv, store=store, paths=paths)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def home(training_home):
    paths, store, key = training_home
    _use(paths, store)
    yield paths, store, key
    store.delete_now(audit_verify.VERIFIER_ITEM)


def test_an_intact_log_says_what_it_was_compared_against_and_what_only_a_checkpoint_elsewhere_shows(home, capsys):
    paths, store, _ = home
    code, out, err = _verify(paths, store, capsys)
    assert code == 0, err
    assert "Compared against:" in out and "the witness beside the directory" in out
    assert "the latest checkpoint stored in the directory" in out and "root " in out
    assert "re-signed with the directory's own key is caught only by a checkpoint held elsewhere" in out
    code, out, _ = _verify(paths, store, capsys)  # the second run also holds it to what the first kept
    assert code == 0 and "kept by this verifier in the keyring" in out


def test_a_log_cut_short_with_its_checkpoints_and_witness_is_not_a_fresh_start(home, capsys):
    """Issue 13 §1.1: the last entries, their checkpoints and the witness deleted used to give exit 0,
    "intact" (a missing witness was read as "none yet")."""
    paths, store, key = home
    tampering.cut_with_witness(paths.training_directory, key, None)
    code, out, err = _verify(paths, store, capsys)
    assert code == 1 and "witness" in err and "is missing" in err


def test_a_log_rolled_back_with_its_witness_fails_against_the_checkpoint_this_verifier_kept(home, capsys, tmp_path):
    """The file and the witness beside it put back as they were: only a checkpoint kept elsewhere shows it,
    here the one the verifier kept in the keyring after its last clean run."""
    paths, store, key = home
    then = tampering.keep(paths.training_directory, tmp_path / "then")
    _use(paths, store, times=2)
    assert _verify(paths, store, capsys)[0] == 0  # the verifier keeps the longer log's checkpoint
    tampering.roll_back(paths.training_directory, then)
    code, out, err = _verify(paths, store, capsys)
    assert code == 1 and "cut off" in err and "kept by this verifier in the keyring" in err


def test_a_rewrite_re_signed_with_the_directorys_own_key_fails_against_a_checkpoint_held_elsewhere(
        home, capsys, tmp_path):
    """With the signing key (and the keyring, so the verifier's own record is gone too), a rewrite passes
    every check the directory's files can give; a checkpoint written out earlier and kept elsewhere is what
    catches it, and the output says it was compared against that file."""
    paths, store, key = home
    kept = tmp_path / "elsewhere" / "checkpoint.json"
    kept.parent.mkdir()
    assert admin.audit_command(["checkpoint", "--out", str(kept)], store=store, paths=paths) == 0
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    capsys.readouterr()
    tampering.re_sign(paths.training_directory, key, training.signing_key(store))
    store.delete_now(audit_verify.VERIFIER_ITEM)
    code, out, err = _verify(paths, store, capsys)
    assert code == 0  # nothing the directory's own files hold can show it ...
    store.delete_now(audit_verify.VERIFIER_ITEM)
    code, out, err = _verify(paths, store, capsys, kept)
    assert code == 1 and "rewritten" in err and f"--against {kept}" in out + err  # ... the file kept elsewhere does


def test_a_missing_witness_alone_is_a_finding(home, capsys):
    paths, store, _ = home
    witness_path(paths.training_directory).unlink()
    code, _, err = _verify(paths, store, capsys)
    assert code == 1 and "witness" in err


def test_an_unreadable_checkpoint_file_cannot_be_checked_against(home, capsys, tmp_path):
    paths, store, _ = home
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    code, _, err = _verify(paths, store, capsys, bad)
    assert code == 2 and "holds no checkpoint" in err
