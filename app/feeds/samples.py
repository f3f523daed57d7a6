"""Sample feeds for a training room (issue 17 item 9), generated on demand from the training directory.

They are drawn from the directory they will be imported into (its children's dates of birth move with the
day it was built, so files shipped ready-made would match nothing), with the errors real feeds carry
(``synthetic``), a few rows a source gets wrong on purpose, and a signed envelope for each, so a training
room can rehearse the whole intake. ``write_samples`` writes, into a folder:

- ``sources.json``: the five training sources as an LA team would register them, with their public keys;
- ``school-census.csv`` (Moor Primary, ``children``): pupils with parents and carers; a misspelt name, a
  nickname, a move; one row with a note where a name goes (R-REC-5), one with a postcode that is not one,
  one born tomorrow;
- ``gp-registrations.json`` (Moor Surgery, FHIR R4 ``children``): registrations, one of them a shielded
  sample child at her withheld address (held in quarantine, R-SHIELD-1), one Patient with an extension;
- ``births.csv`` and ``deaths.csv`` (the registration service): newborns with parents; registered deaths;
- ``social-care-involvements.csv`` (Northbridge children's social care, ``involvements``): current
  involvements, one of a service the source is not registered for;
- ``<file>.envelope.json`` beside each: its signed envelope (valid for ``envelope.MAX_AGE``).

The signing keys live only while the files are written: a new set of samples has new keys.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.model import Gender, ServiceType

from . import envelope, fhir_format, formats, synthetic
from .formats import FeedKind
from .records import Address, IncomingInvolvement, IncomingPerson, IncomingSetting
from .sources import RegisteredSource, SourceKind, SourceRegistry, Supply

SHIELDED_SAMPLE = 9000000017  # Lowenna (app.training_cast)
S = ServiceType


@dataclass(frozen=True)
class Sample:
    file: str
    source: str
    kind: FeedKind
    format: str


SAMPLES = (Sample("school-census.csv", "school-100001", FeedKind.CHILDREN, "csv"),
           Sample("gp-registrations.json", "gp-B82001", FeedKind.CHILDREN, "fhir"),
           Sample("births.csv", "registration-nbr", FeedKind.BIRTHS, "csv"),
           Sample("deaths.csv", "registration-nbr", FeedKind.DEATHS, "csv"),
           Sample("social-care-involvements.csv", "ics-nbr", FeedKind.INVOLVEMENTS, "csv"))
CHILD_MIX: dict[str, float] = {"exact": 10, "typo": 3, "nickname": 2, "moved": 2, "dob_swapped": 1,
                               "new_family_name": 1, "twin": 1, "sibling": 1, "new_child": 2, "new_twin": 1}


def sources(keys: dict[str, Ed25519PrivateKey]) -> SourceRegistry:
    def pub(source_id: str) -> tuple[bytes, ...]:
        return (keys[source_id].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),)

    return SourceRegistry([
        RegisteredSource("school-100001", SourceKind.SCHOOL, "Moor Primary School", "NBR",
                         Supply(frozenset({FeedKind.CHILDREN}), carers=True), pub("school-100001")),
        RegisteredSource("gp-B82001", SourceKind.GP_PRACTICE, "Moor Surgery", "NBR",
                         Supply(frozenset({FeedKind.CHILDREN}), carers=True), pub("gp-B82001")),
        RegisteredSource("registration-nbr", SourceKind.REGISTRATION_SERVICE, "Northbridge Register Office",
                         "NBR", Supply(frozenset({FeedKind.BIRTHS, FeedKind.DEATHS}), carers=True),
                         pub("registration-nbr")),
        RegisteredSource("ics-nbr", SourceKind.CASE_MANAGEMENT, "Northbridge Children's Social Care", "NBR",
                         Supply(frozenset({FeedKind.INVOLVEMENTS}), services=frozenset({S.SOCIAL_CARE})),
                         pub("ics-nbr")),
    ])


def _census(drawer: synthetic.Drawer, rows: int) -> bytes:
    people = [replace(x.record, setting_code="100001") for x in drawer.draw(rows, CHILD_MIX)
              if isinstance(x.record, IncomingPerson)]
    body = formats.write_csv(FeedKind.CHILDREN, people)
    wrong = [replace(people[0], ref="S-NOTE", given_names="Tom (see safeguarding notes)"),
             replace(people[1], ref="S-POSTCODE", address=Address("3 Moor Lane", "", "Northbridge", "NBX")),
             replace(people[2], ref="S-FUTURE", dob=drawer.today + timedelta(days=1))]
    extra = formats.write_csv(FeedKind.CHILDREN, wrong).split(b"\n", 1)[1]
    return body + extra


def _registrations(conn, drawer: synthetic.Drawer, rows: int) -> bytes:
    people = [x.record for x in drawer.draw(rows, CHILD_MIX) if isinstance(x.record, IncomingPerson)]
    given, family, dob, gender, line1, town, postcode = conn.execute(
        "SELECT c.given_names, c.family_name, c.dob, c.gender, h.line1, h.town, h.postcode FROM children c "
        "JOIN households h ON h.id = c.household_id WHERE c.directory_id = ?", (SHIELDED_SAMPLE,)).fetchone()
    shielded = IncomingPerson("GP-SHIELDED", given, family, date.fromordinal(dob), Gender(gender),
                              Address(line1, "", town, postcode))
    practice = IncomingSetting("B82001", None, "Moor Surgery", Address("1 Moor Road", "", "Northbridge", "NE1 1AA"),
                               "0191 498 0100")
    bundle = json.loads(fhir_format.to_bundle([*people, shielded], practice))
    patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    bundle["entry"].append({"resource": {**patient["resource"], "id": "GP-EXTENSION",
                                         "extension": [{"url": "https://example.org/flag", "valueString": "x"}]}})
    return json.dumps(bundle, indent=1).encode()


def _involvements(drawer: synthetic.Drawer, rows: int) -> bytes:
    rng = drawer.rng
    records = []
    for n, x in enumerate(drawer.draw(rows, {"exact": 3, "typo": 1})):
        person = x.record
        assert isinstance(person, IncomingPerson)
        service = S.YOUTH_JUSTICE if n == 0 else S.SOCIAL_CARE
        started = max(person.dob, drawer.today - timedelta(days=rng.randrange(10, 700)))
        records.append(IncomingInvolvement(
            replace(person, carers=()), service, "Northbridge Children's Social Care", "Sam Hill",
            "Social Worker", "0191 498 0200", "sam.hill@csc.northbridge.example", started, lead=n % 3 == 0))
    return formats.write_csv(FeedKind.INVOLVEMENTS, records)


def write_samples(conn, folder: Path, today: date, seed: int = 2026, rows: int = 60,
                  now: datetime | None = None) -> SourceRegistry:
    """Write the sample feeds, their envelopes and ``sources.json`` into ``folder``; returns the sources."""
    folder.mkdir(parents=True, exist_ok=True)
    drawer = synthetic.Drawer(conn, seed, today)
    keys = {s: Ed25519PrivateKey.generate() for s in {x.source for x in SAMPLES}}
    bodies = {
        "school-census.csv": _census(drawer, rows),
        "gp-registrations.json": _registrations(conn, drawer, rows),
        "births.csv": formats.write_csv(FeedKind.BIRTHS, [x.record for x in drawer.draw(rows // 4, {"birth": 1})]),
        "deaths.csv": formats.write_csv(FeedKind.DEATHS, [x.record for x in drawer.draw(rows // 6, {"death": 1})]),
        "social-care-involvements.csv": _involvements(drawer, rows // 2),
    }
    stamp = (now or datetime.now(UTC)).replace(microsecond=0)
    for sample in SAMPLES:
        body = bodies[sample.file]
        (folder / sample.file).write_bytes(body)
        signed = envelope.sign(keys[sample.source], sample.source, sample.kind, sample.format, body, sent_at=stamp)
        (folder / f"{sample.file}.envelope.json").write_text(signed.envelope())
    registry = sources(keys)
    (folder / "sources.json").write_text(registry.dumps())
    return registry
