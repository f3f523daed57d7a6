"""HL7 FHIR R4 feeds (issue 17 item 2): a Bundle of Patient, RelatedPerson and Organization parsed and
validated with fhir.resources, held to the same rules as the CSV, nothing outside the record accepted
(R-REC-5)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from app.feeds.csv_format import read_csv
from app.feeds.fhir_format import read_bundle
from app.feeds.formats import FeedKind
from app.feeds.refusals import FeedRefused

TODAY = date(2026, 11, 21)
NHS = "https://fhir.nhs.uk/Id/nhs-number"


def patient(pid: str = "p1", **extra) -> dict:
    body = {"resourceType": "Patient", "id": pid, "identifier": [{"system": NHS, "value": "9434765919"}],
            "name": [{"use": "official", "family": "Smith", "given": ["Amelia", "Rose"]},
                     {"use": "maiden", "family": "Brown"}],
            "gender": "female", "birthDate": "2015-03-02",
            "address": [{"use": "home", "line": ["1 High Street"], "city": "Leeds", "postalCode": "LS1 4AB"},
                        {"use": "home", "postalCode": "LS2 9ZZ", "period": {"end": "2024-01-01"}}],
            "generalPractitioner": [{"reference": "urn:uuid:gp1"}]}
    body.update(extra)
    return body


GP = {"resourceType": "Organization", "id": "gp1", "name": "Moor Surgery",
      "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B82001"}]}
MOTHER = {"resourceType": "RelatedPerson", "id": "r1", "patient": {"reference": "Patient/p1"},
          "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                        "code": "MTH"}]}],
          "name": [{"family": "Smith", "given": ["Jane"]}], "telecom": [{"system": "phone", "value": "07700 900123"}]}


def bundle(*resources: dict, **extra) -> bytes:
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries, **extra}).encode()


def test_a_bundle_maps_onto_the_same_record_as_the_csv():
    parsed = read_bundle(bundle(GP, patient(), MOTHER), FeedKind.CHILDREN, TODAY)
    assert parsed.rejections == ()
    [(entry, child)] = parsed.records
    assert entry == 2  # the Patient's place in the Bundle
    same = read_csv(b"record_ref,nhs_number,given_names,family_name,former_family_name,date_of_birth,gender,"
                    b"address_line1,town,postcode,previous_postcode,gp_practice_code,carer1_given_names,"
                    b"carer1_family_name,carer1_relationship,carer1_phone\n"
                    b"p1,9434765919,Amelia Rose,Smith,Brown,2015-03-02,F,1 High Street,Leeds,LS1 4AB,LS2 9ZZ,B82001,"
                    b"Jane,Smith,mother,07700 900123\n", FeedKind.CHILDREN, TODAY)
    assert child == same.records[0][1]


@pytest.mark.parametrize("extra, path", [
    ({"text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">worried</div>"}},
     "Patient.text"),
    ({"extension": [{"url": "https://example.org/concern", "valueString": "known to police"}]}, "Patient.extension"),
    ({"_birthDate": {"extension": [{"url": "https://example.org/x", "valueString": "approx"}]}}, "Patient._birthDate"),
    ({"maritalStatus": {"text": "x"}}, "Patient.maritalStatus"),
    ({"telecom": [{"system": "phone", "value": "07700 900999"}]}, "Patient.telecom"),
])
def test_an_element_outside_the_record_rejects_that_entry_and_the_rest_goes_on(extra, path):
    """rule R-REC-5: extensions, narrative and any element Signpost does not record are rejected, not stored."""
    other = patient("p2")
    parsed = read_bundle(bundle(patient(**extra), other), FeedKind.CHILDREN, TODAY)
    assert [(r.row, r.field, r.problem) for r in parsed.rejections] == [(1, path, "fhir_element_not_accepted")]
    assert [c.ref for _, c in parsed.records] == ["p2"]


def test_an_element_beside_the_resource_in_its_entry_rejects_that_entry_and_the_rest_goes_on():
    """rule R-REC-5: an entry carries its resource (fullUrl, request) and nothing else: no note beside it."""
    data = json.loads(bundle(patient(), patient("p2")))
    data["entry"][0]["extension"] = [{"url": "https://example.org/concern", "valueString": "known to police"}]
    parsed = read_bundle(json.dumps(data).encode(), FeedKind.CHILDREN, TODAY)
    assert [(r.row, r.field, r.problem) for r in parsed.rejections] == [(1, "entry.extension",
                                                                         "fhir_element_not_accepted")]
    assert [c.ref for _, c in parsed.records] == ["p2"]


def test_a_nested_extension_is_found_too():
    named = patient(name=[{"use": "official", "family": "Smith", "given": ["Amelia"],
                           "extension": [{"url": "x", "valueString": "note"}]}])
    parsed = read_bundle(bundle(named), FeedKind.CHILDREN, TODAY)
    assert [r.field for r in parsed.rejections] == ["Patient.name[0].extension"]


def test_an_invalid_resource_is_rejected_by_the_fhir_models():
    parsed = read_bundle(bundle(patient(birthDate="2015-02-30"), patient("p2", gender=7)), FeedKind.CHILDREN, TODAY)
    assert {(r.row, r.field, r.problem) for r in parsed.rejections} == {
        (1, "Patient.birthDate", "fhir_invalid"), (2, "Patient.gender", "fhir_invalid")}


def test_fhir_values_meet_the_same_field_rules_as_csv():
    parsed = read_bundle(bundle(patient(identifier=[{"system": NHS, "value": "9434765918"}],
                                        name=[{"family": "Smith", "given": ["Concerns: see file"]}])),
                         FeedKind.CHILDREN, TODAY)
    assert {(r.field, r.problem) for r in parsed.rejections} == {("nhs_number", "invalid_nhs_number"),
                                                                 ("given_names", "invalid_given_names")}


def test_other_resources_and_orphan_carers_are_rejected():
    orphan = dict(MOTHER, id="r9", patient={"reference": "Patient/nobody"})
    parsed = read_bundle(bundle(patient(), {"resourceType": "Observation", "id": "o1", "status": "final",
                                            "code": {"text": "x"}}, orphan), FeedKind.CHILDREN, TODAY)
    assert {(r.row, r.problem) for r in parsed.rejections} == {(2, "fhir_resource_not_accepted"),
                                                               (3, "fhir_unknown_patient")}
    assert len(parsed.records) == 1


def test_a_deaths_bundle_takes_the_date_of_death():
    parsed = read_bundle(bundle(patient(deceasedDateTime="2026-10-01T09:30:00Z")), FeedKind.DEATHS, TODAY)
    [(_, death)] = parsed.records
    assert death.died_on == date(2026, 10, 1) and death.person.family_name == "Smith"


@pytest.mark.parametrize("data, code", [
    (b"{not json", "feed.not_json"), (b'{"resourceType": "Patient"}', "feed.not_a_bundle"),
    (b'{"resourceType": "Bundle", "type": "searchset", "entry": []}', "feed.bundle_type"),
    (b'{"resourceType": "Bundle", "type": "collection", "entry": [], "signature": {}}', "feed.unknown_elements"),
    (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "feed.empty")])
def test_a_bundle_that_is_not_one_is_refused(data, code):
    with pytest.raises(FeedRefused) as refused:
        read_bundle(data, FeedKind.CHILDREN, TODAY)
    assert refused.value.code == code
