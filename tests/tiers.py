"""The fast tier (`make test-fast`): every test is marked ``slow`` that needs what makes the suite slow or
the machine special -- SoftHSM tokens, a keyring (Secret Service), a Qt window, a server or another process,
PostgreSQL -- so that ``pytest -m "not slow"`` runs in about a minute and a half while working (issue 14 §5).

Marked here, from what a test asks for (its fixtures, transitively) and where it lives, so a new test is put in
the right tier without anyone remembering to mark it. `make test` runs both tiers; CI runs `make test`.

Nearly every engine test signs someone in, and each sign-in is one Argon2id verification at the product's cost
(64 MiB, 3 passes: about half a second of a core by design, R-ROLE-4). In the fast tier only, the passwords are
hashed with Argon2id at its cheapest (8 MiB, 1 pass), so the engine's rules are exercised in seconds; the whole
suite, which CI runs, keeps the product's cost.
"""
from __future__ import annotations

from pathlib import Path

import pytest

# Folders whose every test drives a window, a token, a keyring, a server or a cluster.
SLOW_FOLDERS = {"ui", "a11y", "token", "keystore", "closure", "server", "remote", "national", "packaging",
                "benchmarks"}
# Fixtures that start SoftHSM, a keyring, Qt, a service or PostgreSQL (the contract's client includes the service).
SLOW_FIXTURES = {
    "softhsm", "new_token", "alice", "softhsm_module", "bare_token", "service", "soft_tokens",  # SoftHSM
    "secret_service", "keyring_home", "training_home",  # a keyring
    "qtbot", "qapp",  # Qt
    "make_service", "service_tls", "tls", "other_tls", "client",  # an HTTPS service
    "pg_root", "primary", "pair", "pg_server",  # PostgreSQL
}
# Files outside those folders whose tests run real processes (kill -9, restarts, the admin command, rebuilds).
SLOW_FILES = {"test_outbox_kill.py", "test_admin.py", "test_training_rebuild.py", "test_gate.py",
              "test_withheld_property.py", "test_search_cost.py", "test_generator.py"}
TESTS = Path(__file__).resolve().parent


def _fast(config: pytest.Config) -> bool:
    return config.option.markexpr == "not slow"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: needs SoftHSM, a keyring, Qt, a server, another process or "
                                       "PostgreSQL; left out of `make test-fast`")
    if _fast(config):
        from argon2 import PasswordHasher

        from app import passwords
        passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m "not slow"`` the slow folders are not even imported (Qt, schemathesis, PostgreSQL drivers)."""
    if _fast(config) and collection_path.is_dir() and collection_path.parent == TESTS \
            and collection_path.name in SLOW_FOLDERS:
        return True
    if _fast(config) and collection_path.parent == TESTS and collection_path.name in SLOW_FILES:
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.path)).resolve().relative_to(TESTS).parts
        if (where[0] in SLOW_FOLDERS or where[-1] in SLOW_FILES
                or SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)
