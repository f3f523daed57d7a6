"""A directory copy to match against, and a way to add the children a test needs (as the generator does:
rows in the record tables, then the search index from ``app.search_index``)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest

from app import db, search_index
from app.feeds.matching.matcher import Matcher
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from app.feeds.records import Address, IncomingPerson
from app.model import Gender


@dataclass(frozen=True)
class Home:
    household_id: int
    line1: str
    town: str
    postcode: str

    @property
    def address(self) -> Address:
        return Address(self.line1, "", self.town, self.postcode)


class Kids:
    """Adds households and children to an open directory connection."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.next_directory_id = 9_100_000_000

    def home(self, postcode: str = "NE9 9ZZ", line1: str = "7 Quarry Lane", town: str = "Northbridge") -> Home:
        cur = self.conn.execute("INSERT INTO households (line1, line2, town, postcode, la_code) VALUES (?,?,?,?,?)",
                                (line1, "", town, postcode, "NBR"))
        return Home(cur.lastrowid, line1, town, postcode)

    def child(self, home: Home, given: str, family: str, dob: date, gender: str = "M",
              former: tuple[str, ...] = (), shielded: bool = False) -> int:
        self.next_directory_id += 1
        cur = self.conn.execute(
            "INSERT INTO children (directory_id, given_names, family_name, dob, gender, household_id, la_code, "
            "shielded_at) VALUES (?,?,?,?,?,?,?,?)",
            (self.next_directory_id, given, family, dob.toordinal(), gender, home.household_id, "NBR",
             "2026-11-01" if shielded else None))
        cid = cur.lastrowid
        self.conn.executemany("INSERT INTO other_names VALUES (?,?,?)", [(cid, given, f) for f in former])
        search_index.reindex_child(self.conn, cid)
        return cid


@pytest.fixture
def feed_conn(directory_copy):
    path, key = directory_copy
    conn = db.open_encrypted(path, key)
    yield conn
    conn.close()


@pytest.fixture
def kids(feed_conn) -> Kids:
    return Kids(feed_conn)


@pytest.fixture
def matcher(feed_conn) -> Matcher:
    return Matcher(SqlcipherFacts(feed_conn))


def person(given: str, family: str, dob: date, gender: str = "M", address: Address | None = None,
           **extra) -> IncomingPerson:
    return IncomingPerson("ROW-1", given, family, dob, Gender(gender), address, **extra)


def moved(p: IncomingPerson, **changes) -> IncomingPerson:
    return replace(p, **changes)
