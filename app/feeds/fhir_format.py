"""Reading an HL7 FHIR R4 feed: a Bundle of ``Patient``, ``RelatedPerson`` and ``Organization`` resources.

Each resource is parsed and validated by ``fhir.resources`` (its R4B models: for these three resources R4B
is R4 unchanged), then mapped onto the same fields as the CSV format and validated by the same schema
(``formats.validate``), so a FHIR batch and a CSV batch are held to one set of rules.

Only the elements Signpost records are accepted (``ALLOWED``): an extension, a narrative (``text``), a
contained resource, a note or any other element outside the list rejects that entry, naming the element,
and is never stored (R-REC-5). A bad entry is rejected with its reasons; the rest of the Bundle goes on.

How a Bundle maps (``docs/feeds.md`` has the full table):
- ``Patient`` is a row: ``id`` is the source's reference; identifiers by system (NHS number, UPN); the
  ``official`` name (or the first name without ``old``/``maiden`` use), an ``old``/``maiden`` family name as
  the former one; ``gender``; ``birthDate``; the ``home`` address without an ended period is the current
  one, the most recently ended the previous postcode; ``deceasedDateTime`` the date of death (deaths feed);
  ``generalPractitioner`` / ``managingOrganization`` reference Organizations whose ODS code / URN they take.
- ``RelatedPerson`` is a parent or carer of the Patient it references (at most two).
- ``Organization`` is a setting (settings feed) or the GP practice or school a Patient references.
Rejections name the Patient's entry (Bundle entries count from 1) for everything about that child.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson
from pydantic import ValidationError

from . import formats
from .formats import CARER_FIELDS, CARER_SLOTS, REF, FeedKind
from .records import NHS_NUMBER, UPN, IncomingPerson, IncomingSetting, Parsed, Rejection
from .refusals import FeedRefused

SYSTEMS = {
    "https://fhir.nhs.uk/Id/nhs-number": NHS_NUMBER,
    "https://fhir.hl7.org.uk/Id/dfe-upn": UPN,
}
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
URN_SYSTEM = "https://fhir.hl7.org.uk/Id/urn-school-number"
SETTING_KIND_SYSTEM = "https://signpost.example/fhir/CodeSystem/setting-kind"
# HL7 v3 RoleCode (the RelatedPerson.relationship value set) -> the directory's relationships.
RELATIONSHIP_CODES = {"MTH": "mother", "FTH": "father", "STPPRN": "step_parent", "STPMTH": "step_parent",
                      "STPFTH": "step_parent", "GRPRN": "grandparent", "GRMTH": "grandparent",
                      "GRFTH": "grandparent", "PRNFOST": "foster_carer", "GUARD": "guardian"}
GENDERS = {"female": "F", "male": "M", "other": "X", "unknown": "U"}
MAX_ENTRIES = 100_000

_S = None  # a primitive (or a list of primitives)
_PERIOD = {"start": _S, "end": _S}
_IDENTIFIER = {"system": _S, "value": _S, "use": _S}
_NAME = {"use": _S, "family": _S, "given": _S, "period": _PERIOD}
_ADDRESS = {"use": _S, "type": _S, "line": _S, "city": _S, "postalCode": _S, "country": _S, "period": _PERIOD}
_TELECOM = {"system": _S, "value": _S, "use": _S}
_CODING = {"coding": {"system": _S, "code": _S, "display": _S}}
_META = {"profile": _S, "lastUpdated": _S, "versionId": _S}
_REFERENCE = {"reference": _S}
ALLOWED: dict[str, dict] = {
    "Patient": {"resourceType": _S, "id": _S, "meta": _META, "identifier": _IDENTIFIER, "active": _S,
                "name": _NAME, "gender": _S, "birthDate": _S, "deceasedDateTime": _S, "address": _ADDRESS,
                "generalPractitioner": _REFERENCE, "managingOrganization": _REFERENCE},
    "RelatedPerson": {"resourceType": _S, "id": _S, "meta": _META, "patient": _REFERENCE,
                      "relationship": _CODING, "name": _NAME, "telecom": _TELECOM},
    "Organization": {"resourceType": _S, "id": _S, "meta": _META, "identifier": _IDENTIFIER, "name": _S,
                     "type": _CODING, "telecom": _TELECOM, "address": _ADDRESS},
}
MODELS: dict[str, Any] = {"Patient": Patient, "RelatedPerson": RelatedPerson, "Organization": Organization}
_BUNDLE_KEYS = {"resourceType", "id", "meta", "type", "timestamp", "identifier", "entry"}
_ENTRY_KEYS = {"fullUrl", "resource", "request"}


def outside(value: Any, spec: dict | None, path: str) -> list[str]:
    """The paths of every element of ``value`` that ``spec`` does not allow."""
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in outside(item, spec, f"{path}[{i}]")]
    if spec is None:
        return [path] if isinstance(value, dict) else []
    if not isinstance(value, dict):
        return [path]
    return [p for k, v in value.items()
            for p in ([f"{path}.{k}"] if k not in spec else outside(v, spec[k], f"{path}.{k}"))]


def _load(data: bytes) -> list:
    try:
        bundle = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FeedRefused("feed.not_json") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FeedRefused("feed.not_a_bundle")
    if bundle.get("type") not in ("collection", "batch", "transaction"):
        raise FeedRefused("feed.bundle_type", expected=["collection", "batch", "transaction"])
    if extra := sorted(set(bundle) - _BUNDLE_KEYS):
        raise FeedRefused("feed.unknown_elements", elements=[f"Bundle.{k}" for k in extra])
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not entries:
        raise FeedRefused("feed.empty")
    if len(entries) > MAX_ENTRIES:
        raise FeedRefused("feed.too_many_rows", limit=MAX_ENTRIES)
    return entries


def _rejection(row: int, field: str, problem: str, ref: str = "") -> Rejection:
    return Rejection(row, field, problem, formats.problems()[problem], ref)


def _resource(n: int, entry: Any) -> tuple[dict | None, list[Rejection]]:
    """An entry's resource once structurally sound (allowed elements only, valid for fhir.resources)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        return None, [_rejection(n, "entry", "fhir_invalid")]
    if extra := sorted(set(entry) - _ENTRY_KEYS):
        return None, [_rejection(n, f"entry.{k}", "fhir_element_not_accepted") for k in extra]
    resource = entry["resource"]
    kind = resource.get("resourceType")
    ref = str(resource.get("id") or "")
    if kind not in ALLOWED:
        return None, [_rejection(n, "resourceType", "fhir_resource_not_accepted", ref)]
    if paths := outside(resource, ALLOWED[kind], kind):
        return None, [_rejection(n, p, "fhir_element_not_accepted", ref) for p in paths]
    try:
        MODELS[kind].model_validate(resource)
    except ValidationError as exc:
        return None, [_rejection(n, ".".join([kind, *map(str, e["loc"])]), "fhir_invalid", ref)
                      for e in exc.errors()]
    return resource, []


def _current_name(names: list[dict]) -> dict:
    usable = [x for x in names if x.get("use") not in ("old", "maiden")]
    return next((x for x in usable if x.get("use") == "official"), usable[0] if usable else {})


def _name_fields(names: list[dict]) -> dict:
    name = _current_name(names)
    former = next((x.get("family") for x in names if x.get("use") in ("old", "maiden") and x.get("family")), None)
    return {"given_names": " ".join(name.get("given") or []) or None, "family_name": name.get("family"),
            "former_family_name": former}


def _address_fields(addresses: list[dict]) -> dict:
    current = [a for a in addresses if not (a.get("period") or {}).get("end") and a.get("use") in (None, "home")]
    ended = sorted((a for a in addresses if (a.get("period") or {}).get("end")),
                   key=lambda a: a["period"]["end"], reverse=True)
    out: dict[str, str | None] = {"previous_postcode": ended[0].get("postalCode") if ended else None}
    if current:
        lines = current[0].get("line") or []
        out.update(address_line1=lines[0] if lines else None, address_line2=lines[1] if len(lines) > 1 else None,
                   town=current[0].get("city"), postcode=current[0].get("postalCode"))
    return out


def _code(identifiers: list[dict], system: str) -> str | None:
    return next((i.get("value") for i in identifiers if i.get("system") == system), None)


def _phone(telecom: list[dict]) -> str | None:
    return next((t.get("value") for t in telecom if t.get("system") == "phone"), None)


def _local(reference: dict | None) -> str:
    """A reference's target as the Bundle names it: "Patient/p1" -> "p1", "urn:uuid:x" -> "urn:uuid:x"."""
    ref = (reference or {}).get("reference") or ""
    return ref.split("/", 1)[1] if ref.startswith(("Patient/", "Organization/")) else ref


def _patient_row(patient: dict, organisations: dict[str, dict]) -> dict:
    row: dict[str, str | None] = {REF: patient.get("id")}
    identifiers = patient.get("identifier") or []
    for system, column in SYSTEMS.items():
        row[column] = _code(identifiers, system)
    row.update(_name_fields(patient.get("name") or []))
    row["gender"] = GENDERS.get(patient.get("gender") or "", patient.get("gender"))
    row["date_of_birth"] = patient.get("birthDate")
    row.update(_address_fields(patient.get("address") or []))
    if died := patient.get("deceasedDateTime"):
        row["date_of_death"] = died[:10]
    gps = patient.get("generalPractitioner") or []
    if gps and (gp := organisations.get(_local(gps[0]))):
        row["gp_practice_code"] = _code(gp.get("identifier") or [], ODS_SYSTEM)
    if (school := organisations.get(_local(patient.get("managingOrganization")))) is not None:
        row["setting_code"] = _code(school.get("identifier") or [], URN_SYSTEM)
    return row


def _carer_fields(n: int, person: dict) -> dict:
    codes = [c.get("code") for r in person.get("relationship") or [] for c in r.get("coding") or []]
    relationship = next((RELATIONSHIP_CODES[c] for c in codes if c in RELATIONSHIP_CODES), codes[0] if codes else None)
    name = _name_fields(person.get("name") or [])
    values = {"given_names": name["given_names"], "family_name": name["family_name"],
              "relationship": relationship, "phone": _phone(person.get("telecom") or [])}
    return {f"carer{n}_{k}": values[k] for k in CARER_FIELDS}


def _setting_row(org: dict) -> dict:
    identifiers = org.get("identifier") or []
    kinds = [c.get("code") for t in org.get("type") or [] for c in t.get("coding") or []
             if c.get("system") == SETTING_KIND_SYSTEM]
    row = {"setting_code": _code(identifiers, URN_SYSTEM) or _code(identifiers, ODS_SYSTEM),
           "kind": kinds[0] if kinds else None, "name": org.get("name"), "phone": _phone(org.get("telecom") or [])}
    row.update({k: v for k, v in _address_fields(org.get("address") or []).items() if k != "previous_postcode"})
    return row


def read_bundle(data: bytes, kind: FeedKind, today: date) -> Parsed:
    """The Bundle's valid entries as records, and every rejected entry with its reasons."""
    if kind is FeedKind.INVOLVEMENTS:
        raise FeedRefused("feed.format_not_for_kind", kind=kind.value)  # involvements come as CSV
    entries = _load(data)
    rejections: list[Rejection] = []
    resources: dict[int, dict] = {}
    for n, entry in enumerate(entries, start=1):
        resource, problems = _resource(n, entry)
        rejections += problems
        if resource is not None:
            resources[n] = resource
    by_url = {str(entries[n - 1].get("fullUrl") or ""): r for n, r in resources.items()}
    organisations = {**{r["id"]: r for r in resources.values() if r["resourceType"] == "Organization" and "id" in r},
                     **{u: r for u, r in by_url.items() if u and r["resourceType"] == "Organization"}}
    rows: dict[int, dict] = {}
    if kind is FeedKind.SETTINGS:
        rows = {n: _setting_row(r) for n, r in resources.items() if r["resourceType"] == "Organization"}
    else:
        rows = {n: _patient_row(r, organisations) for n, r in resources.items() if r["resourceType"] == "Patient"}
        rejections += _attach_carers(entries, resources, rows)
    return _validated(kind, rows, rejections, today, len(entries))


def _attach_carers(entries: list, resources: dict[int, dict], rows: dict[int, dict]) -> list[Rejection]:
    patient_entry = {}
    for n, r in resources.items():
        if r["resourceType"] == "Patient":
            patient_entry[r.get("id")] = n
            if url := entries[n - 1].get("fullUrl"):
                patient_entry[url] = n
    out, slots = [], dict.fromkeys(rows, 0)
    for n, r in resources.items():
        if r["resourceType"] != "RelatedPerson":
            continue
        target = patient_entry.get(_local(r.get("patient")))
        if target is None:
            out.append(_rejection(n, "RelatedPerson.patient", "fhir_unknown_patient", str(r.get("id") or "")))
        elif slots[target] >= len(CARER_SLOTS):
            out.append(_rejection(target, "RelatedPerson", "too_many_carers", rows[target][REF] or ""))
        else:
            slots[target] += 1
            rows[target].update(_carer_fields(CARER_SLOTS[slots[target] - 1], r))
    return out


def _validated(kind: FeedKind, rows: dict[int, dict], rejections: list[Rejection], today: date,
               received: int) -> Parsed:
    names = [c.name for c in formats.COLUMNS[kind]]
    order = sorted(rows)
    frame = pl.DataFrame({c: [rows[n].get(c) for n in order] for c in names}, schema=dict.fromkeys(names, pl.Utf8))
    good, found = formats.validate(kind, frame, today)
    entry_of = dict(enumerate(order, start=1))  # the frame's row -> the Bundle's entry
    rejections += [Rejection(entry_of[r.row], r.field, r.problem, r.expected, r.ref) for r in found]
    held_back = {r.row for r in rejections}
    records = tuple((entry_of[row["_row"]], formats.to_record(kind, row)) for row in good.iter_rows(named=True)
                    if entry_of[row["_row"]] not in held_back)
    return Parsed(records, tuple(sorted(rejections, key=lambda r: (r.row, r.field))), received)



def to_bundle(people: list[IncomingPerson], gp_practice: IncomingSetting | None = None) -> bytes:
    """People as a FHIR R4 collection Bundle (the inverse of ``read_bundle``; sources' side, samples, tests):
    each a Patient, its carers RelatedPersons, and the GP practice an Organization its Patients reference."""
    entries: list[dict] = []
    if gp_practice is not None:
        entries.append({"fullUrl": "urn:uuid:gp", "resource": {
            "resourceType": "Organization", "id": "gp", "name": gp_practice.name,
            "identifier": [{"system": ODS_SYSTEM, "value": gp_practice.code}]}})
    codes = {v: k for k, v in reversed(RELATIONSHIP_CODES.items())}
    for p in people:
        patient: dict[str, Any] = {
            "resourceType": "Patient", "id": p.ref,
            "identifier": [{"system": s, "value": p.identifier(c)} for s, c in SYSTEMS.items() if p.identifier(c)],
            "name": [{"use": "official", "family": p.family_name, "given": p.given_names.split()},
                     *({"use": "old", "family": f} for f in p.former_family_names)],
            "gender": {v: k for k, v in GENDERS.items()}[p.gender.value], "birthDate": p.dob.isoformat()}
        if p.address:
            patient["address"] = [{"use": "home", "line": [x for x in (p.address.line1, p.address.line2) if x],
                                   "city": p.address.town, "postalCode": p.address.postcode},
                                  *({"use": "home", "postalCode": pc, "period": {"end": "2026-01-01"}}
                                    for pc in p.previous_postcodes)]
        if gp_practice is not None:
            patient["generalPractitioner"] = [{"reference": "urn:uuid:gp"}]
        if not patient["identifier"]:
            del patient["identifier"]
        entries.append({"fullUrl": f"urn:uuid:{p.ref}", "resource": patient})
        for n, carer in enumerate(p.carers):
            related: dict[str, Any] = {
                "resourceType": "RelatedPerson", "id": f"{p.ref}-c{n + 1}",
                "patient": {"reference": f"urn:uuid:{p.ref}"},
                "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                              "code": codes[carer.relationship]}]}],
                "name": [{"family": carer.family_name, "given": carer.given_names.split()}]}
            if carer.phone:
                related["telecom"] = [{"system": "phone", "value": carer.phone}]
            entries.append({"resource": related})
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}, indent=1).encode()
