"""The two ways to reach the directory, as fixtures for one behaviour suite.

``client`` is parametrised: ``embedded`` (``EmbeddedDirectory`` on a fresh copy
of the test directory) and ``remote`` (``RemoteDirectory`` over real HTTPS on
127.0.0.1 to the reference service, ``app.server.create_app``, on its own fresh
copy). Both copies are prepared the same way before either opens: the users'
software tokens are enrolled and, where a test asks, a limit is set. What a test
needs to know about the data (``facts``) is read from the copy first, so tests
never reach into either directory while it runs.
"""
from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app import directory_id
from app.directory import Directory, EmbeddedDirectory
from app.directory.remote import RemoteDirectory
from app.search import CAP
from tests.conftest import TODAY, SoftToken
from tests.contract.service import RunningService

USERS = ("alex.practitioner", "sam.cp", "morgan.mediator", "jo.la", "pat.la")  # pat.la: another LA's team
_TOKENS: dict[str, SoftToken] = {}


def token_for(username: str) -> SoftToken:
    return _TOKENS.get(username) or _TOKENS.setdefault(username, SoftToken(f"contract-{username}"))


@dataclass(frozen=True)
class Facts:
    """Children in the test directory that the behaviours need, by directory id."""

    plain: dict  # an unshielded child: did, given, family, dob, la
    misspelt: str  # its family name with one letter dropped
    crowded: tuple[str, date, date]  # a family name and a two-year range with more than CAP children
    shielded: dict  # did, la, and the address a practitioner must never receive
    sensitive: dict  # did, and the organisation / practitioner of a sensitive service (R-SENS-3)


def _facts(d: Directory) -> Facts:
    conn = d.conn
    cid, did, given, family, dob, la = conn.execute(
        "SELECT id, directory_id, given_names, family_name, dob, la_code FROM children WHERE shielded_at IS NULL "
        "AND length(family_name) >= 6 AND family_name GLOB '[A-Z][a-z]*' ORDER BY id LIMIT 1").fetchone()
    plain = dict(did=directory_id.fmt(did), given=given, family=family, dob=date.fromordinal(dob), la=la)
    counts: Counter = Counter()
    for fam, dob_ord in conn.execute("SELECT family_name, dob FROM children"):
        counts[(fam, date.fromordinal(dob_ord).year)] += 1
    crowded = None
    for (fam, year), _ in counts.most_common(20):
        start, end = date(year, 1, 1), date(year + 1, 12, 31)
        if counts[(fam, year)] + counts[(fam, year + 1)] > CAP:
            crowded = (fam, start, end)
            break
    assert crowded, "the test directory should have a family name with more than CAP children in two years"
    sdid, line1, postcode, sla = conn.execute(
        "SELECT c.directory_id, h.line1, h.postcode, c.la_code FROM children c "
        "JOIN households h ON h.id = c.household_id "
        "WHERE c.shielded_at IS NOT NULL ORDER BY c.id LIMIT 1").fetchone()
    xdid, org, who = conn.execute(
        "SELECT c.directory_id, i.organisation, i.practitioner FROM involvements i JOIN children c "
        "ON c.id = i.child_id WHERE i.service IN ('sexual_health', 'camhs', 'substance_misuse') "
        "AND c.shielded_at IS NULL AND coalesce(i.recorded_by, '') != 'sam.cp' ORDER BY c.id LIMIT 1").fetchone()
    return Facts(plain, family[:3] + family[4:], crowded,
                 dict(did=directory_id.fmt(sdid), line1=line1, postcode=postcode, la=sla),
                 dict(did=directory_id.fmt(xdid), organisation=org, practitioner=who))


@pytest.fixture
def search_limit() -> int | None:
    """Searches per minute for this test's directory (None: the directory's own). Parametrise to change."""
    return None


def prepare(built: tuple[Path, bytes], folder: Path, search_limit: int | None) -> tuple[Path, bytes, Facts]:
    """A fresh copy of the test directory with every test user's token enrolled."""
    src, key = built
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "directory.db"
    shutil.copy(src, path)
    d = Directory.open(path, key, clock=lambda: TODAY)
    try:
        for user in USERS:
            token_for(user).enrol(d, user)
        if search_limit is not None:
            d.set_limit("searches_per_minute", search_limit, by="test")
        facts = _facts(d)
    finally:
        d.close()
    return path, key, facts


@pytest.fixture(scope="session")
def service_tls(tmp_path_factory):
    """The service's own training CA and loopback certificate (``app.server.tls``), made once."""
    from app.server import tls
    return tls.ensure(tmp_path_factory.mktemp("service-tls"))


@contextlib.contextmanager
def open_client(kind: str, built, folder: Path, tls, search_limit: int | None = None) -> Iterator[tuple]:
    """(client, facts) for ``kind`` on a fresh prepared copy."""
    path, key, facts = prepare(built, folder, search_limit)

    def engine() -> Directory:
        return Directory.open(path, key, clock=lambda: TODAY)

    if kind == "embedded":
        client = EmbeddedDirectory(engine)
        try:
            yield client, facts
        finally:
            client.close()
        return
    service = RunningService(engine, tls).start()
    client = RemoteDirectory(service.url, str(tls.ca))
    client.service = service  # for tests that stop it
    try:
        yield client, facts
    finally:
        client.close()
        service.stop()


@pytest.fixture(params=["embedded", "remote"])
def world(request, built_directory, tmp_path, service_tls, search_limit):
    """(client, facts) for one implementation of the directory interface."""
    with open_client(request.param, built_directory, tmp_path / request.param, service_tls, search_limit) as got:
        yield got


@pytest.fixture
def client(world):
    return world[0]


@pytest.fixture
def kind(request) -> str:
    """Which implementation this run of a test talks to: "embedded" or "remote"."""
    return request.node.callspec.params["world"]


@pytest.fixture
def facts(world) -> Facts:
    return world[1]
