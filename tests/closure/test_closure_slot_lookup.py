"""A reset step looks at the token's own slot, not at every slot (R-CLOSE-2: batch of 100 tokens).

The batch used to poll every slot at every reset step, so each token cost more the more tokens
were plugged in (~90 ms each with 20, ~190 ms with 100).  These tests count the PKCS#11 reads a
token's reset and verify make, and check that a token inserted a moment ago, a pulled token and a
re-inserted one are still handled -- all on the one token thread."""
from __future__ import annotations

import threading

import pytest

from app.closure.reset import ResetOutcome, TokenReset
from tests.softhsm_fixtures import SO_PIN, SOFTHSM_MODULE

T = 15


@pytest.fixture
def quiet_resetter():
    """A TokenReset whose own poll ticker stays out of the way (one poll a minute)."""
    started: list[TokenReset] = []

    def make() -> TokenReset:
        tr = TokenReset(SOFTHSM_MODULE, poll_interval=60.0)
        started.append(tr)
        tr.start().result(T)
        return tr

    yield make
    for tr in started:
        tr.shutdown()


class Counter:
    """Counts full slot polls and C_GetTokenInfo reads on the service (and the threads they ran on)."""

    def __init__(self, svc) -> None:
        self.polls = self.infos = 0
        self.threads: set[str] = set()
        poll, info = svc._poll, svc._raw.token_info

        def counted_poll():
            self.polls += 1
            self.threads.add(threading.current_thread().name)
            return poll()

        def counted_info(slot_id):
            self.infos += 1
            self.threads.add(threading.current_thread().name)
            return info(slot_id)
        svc._poll, svc._raw.token_info = counted_poll, counted_info

    def take(self) -> tuple[int, int]:
        out, (self.polls, self.infos) = (self.polls, self.infos), (0, 0)
        return out


def _reset_and_verify(tr: TokenReset, serial: str) -> None:
    assert tr.la_reset(serial, SO_PIN, "1234").result(T).outcome is ResetOutcome.RESET
    assert tr.verify(serial, "1234").result(T).outcome is ResetOutcome.VERIFIED


def test_a_reset_step_reads_only_its_own_token_however_many_are_plugged_in(quiet_resetter, new_token):
    first = new_token(pin="lookup-pin-1")
    tr = quiet_resetter()
    counter = Counter(tr.service)
    _reset_and_verify(tr, first.serial)
    polls, reads_few = counter.take()
    assert polls == 0  # the slot it was seen in, no full poll

    more = [new_token(pin=f"lookup-pin-{i}") for i in range(2, 8)]  # six more plugged in
    assert {t.serial for t in more} <= {i.serial for i in tr.service.tokens().result(T)}
    counter.take()
    _reset_and_verify(tr, more[0].serial)
    polls, reads_many = counter.take()
    assert polls == 0 and reads_many == reads_few  # flat: not one read more per extra token
    assert counter.threads == {n for n in counter.threads if n.startswith("signpost-token")}


def test_a_token_inserted_a_moment_ago_is_found_without_waiting_for_the_poll(quiet_resetter, new_token):
    tr = quiet_resetter()
    tok = new_token(pin="lookup-late-1")  # after the service's last poll: not known yet
    _reset_and_verify(tr, tok.serial)


def test_a_pulled_token_is_reported_pulled_and_removed_then_resumes_when_back(
        quiet_resetter, new_token, softhsm):
    tok = new_token(pin="lookup-pull-1")
    tr = quiet_resetter()
    events: list[tuple[str, str]] = []
    tr.service.subscribe(lambda ev: events.append((ev.kind, ev.token.serial)))
    assert tr.la_reset(tok.serial, SO_PIN, "1234").result(T).outcome is ResetOutcome.RESET
    pulled = softhsm.pull(tok.serial)
    r = tr.verify(tok.serial, "1234").result(T)
    assert r.outcome is ResetOutcome.TOKEN_PULLED and "nothing was recorded" in r.message
    assert ("removed", tok.serial) in events  # the service's view is updated, not left stale
    softhsm.insert(pulled)
    assert tr.verify(tok.serial, "1234").result(T).outcome is ResetOutcome.VERIFIED
    assert events[-1] == ("arrived", tok.serial)
