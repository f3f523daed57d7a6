"""Finding the PKCS#11 module, and what the user is told when there is none."""
from __future__ import annotations

import pytest

from app.token import module
from app.token.errors import TokenError, TokenErrorKind
from app.token.service import TokenService


def _assert_actionable(err: TokenError) -> None:
    assert err.kind is TokenErrorKind.NO_MODULE
    for hint in ("opensc", "softhsm2", "SIGNPOST_PKCS11_MODULE", "Settings"):
        assert hint in err.message


def test_no_module_anywhere_says_what_to_install(monkeypatch):
    monkeypatch.delenv(module.ENV_MODULE, raising=False)
    monkeypatch.setattr(module, "KNOWN_MODULES", ("/nonexistent/opensc-pkcs11.so",))
    svc = TokenService()
    try:
        with pytest.raises(TokenError) as err:
            svc.start().result(10)
        _assert_actionable(err.value)
        with pytest.raises(TokenError):  # later calls fail too, they do not hang
            svc.tokens().result(10)
    finally:
        svc.shutdown()


def test_configured_module_that_is_not_pkcs11_is_reported(tmp_path):
    bogus = tmp_path / "not-a-module.so"
    bogus.write_text("hello")
    svc = TokenService(str(bogus))
    try:
        with pytest.raises(TokenError) as err:
            svc.start().result(10)
        _assert_actionable(err.value)
        assert str(bogus) in err.value.message
    finally:
        svc.shutdown()


def test_module_search_order(monkeypatch, tmp_path, softhsm_module):
    missing = str(tmp_path / "missing.so")
    monkeypatch.setenv(module.ENV_MODULE, missing)
    assert module.find_module(softhsm_module) == softhsm_module  # the setting wins
    with pytest.raises(TokenError) as err:  # env next, and a wrong path is not skipped
        module.find_module()
    _assert_actionable(err.value)
    assert missing in err.value.message
    monkeypatch.delenv(module.ENV_MODULE)
    monkeypatch.setattr(module, "KNOWN_MODULES", ("/nonexistent/x.so", softhsm_module))
    assert module.find_module() == softhsm_module
