"""Closure tests run against real SoftHSM tokens (tests/softhsm_fixtures.py).

``resetter`` gives a started ``TokenReset`` (the closure's own token thread),
shut down after the test; ``steps`` records its progress calls.
"""
from __future__ import annotations

import pytest

from app.closure.reset import TokenReset
from tests.softhsm_fixtures import SOFTHSM_MODULE, SoftHSM


@pytest.fixture(scope="session", autouse=True)
def _softhsm_for_every_closure_test(softhsm: SoftHSM) -> SoftHSM:
    return softhsm


@pytest.fixture
def resetter():
    started: list[TokenReset] = []

    def make(progress=None) -> TokenReset:
        tr = TokenReset(SOFTHSM_MODULE, progress=progress)
        started.append(tr)
        tr.start().result(timeout=10)
        return tr

    yield make
    for tr in started:
        tr.shutdown()


class ScriptedPrompts:
    """Answers the flow from a script; fails the test on an unexpected question."""

    def __init__(self, pins: list[str | None], confirms: list[bool]) -> None:
        self.pins, self.confirms = list(pins), list(confirms)
        self.asked: list[str] = []
        self.told: list[str] = []

    def ask_pin(self, purpose: str) -> str | None:
        self.asked.append(f"pin: {purpose}")
        assert self.pins, f"unexpected PIN prompt: {purpose}"
        return self.pins.pop(0)

    def confirm(self, question: str) -> bool:
        self.asked.append(f"confirm: {question}")
        assert self.confirms, f"unexpected question: {question}"
        return self.confirms.pop(0)

    def tell(self, message: str) -> None:
        self.told.append(message)
