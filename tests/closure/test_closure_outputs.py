"""Manifest (CSV, PDF), labels and the closure report, read back as text (R-CLOSE-3..5)."""
from __future__ import annotations

import csv
import io
import stat
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from app.closure.outputs import closure_report_pdf, labels_pdf, manifest_csv, manifest_pdf
from app.closure.plan import DONE, Checklist, Plan
from app.closure.register import LOST, Register

AT = datetime(2026, 8, 7, 10, tzinfo=UTC)


def text_of(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


@pytest.fixture
def reg() -> Register:
    r = Register("NBR", date(2026, 8, 13), ["NSPCC"])
    r.add_token("SP-0001", "Alex Practitioner", "NBR", used=True, contact="alex@nbr.example")
    r.add_token("SP-0002", "Sam Cp", "NBR", used=False)
    r.add_token("SP-0003", "Morgan Mediator", "NSPCC", used=True)
    r.add_token("SP-0004", "Jo La", "NBR", used=True, contact="01234 567890")
    r.add_token("SP-0005", "Lee Lost", "NBR", used=True)
    for s, how in (("SP-0001", "holder"), ("SP-0002", "la_team"), ("SP-0003", "la_team")):
        r.record_reset(s, how, "jo.la", AT)
    r.set_state("SP-0005", LOST)
    r.new_envelope("E001", "NBR", True)
    r.new_envelope("E002", "NBR", False)
    r.new_envelope("E003", "NSPCC", True)
    r.put_in_envelope("SP-0001", "E001")
    r.put_in_envelope("SP-0002", "E002")
    r.put_in_envelope("SP-0003", "E003")
    r.send("E001", "RD 1234 5678 GB", date(2026, 8, 10))
    return r


def test_manifest_csv_lists_every_token_once_with_envelope_and_delivery(reg):
    rows = list(csv.DictReader(io.StringIO(manifest_csv(reg))))
    assert [r["serial"] for r in rows] == ["SP-0001", "SP-0002", "SP-0003", "SP-0005", "SP-0004"]
    first = rows[0]
    assert (first["envelope"], first["organisation"], first["used"], first["delivery_ref"], first["sent_on"],
            first["state"], first["reset_how"]) == ("E001", "NBR", "used", "RD 1234 5678 GB", "2026-08-10",
                                                   "returned", "holder")
    assert rows[2]["organisation"] == "NSPCC" and rows[1]["used"] == "unused"
    assert (rows[3]["envelope"], rows[3]["state"]) == ("", "lost")


def test_manifest_csv_defuses_spreadsheet_formulas():
    r = Register("NBR", date(2026, 8, 13))
    r.add_token("SP-9", "=HYPERLINK(1)", "NBR")
    assert "'=HYPERLINK(1)" in manifest_csv(r)


def test_manifest_pdf_reads_back_with_envelopes_counts_and_what_is_late(reg, tmp_path):
    out = manifest_pdf(reg, tmp_path / "manifest.pdf", today=date(2026, 8, 14))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = text_of(out)
    for s in ("SP-0001", "SP-0002", "SP-0003", "SP-0004", "SP-0005"):
        assert s in text
    assert "Envelope E001: NBR — USED tokens — 1 token — sent 2026-08-10 by recorded delivery, ref RD 1234 5678 GB" \
        in " ".join(text.split())
    assert "Envelope E002: NBR — UNUSED tokens" in text and "NOT SENT YET" in text
    assert "Envelope E003: NSPCC — USED tokens" in text
    assert "Return deadline 2026-08-13" in text and "national partners: NSPCC" in text
    flat = " ".join(text.split())
    assert "Tokens issued: 5. In envelopes: 3." in flat and "Lost: 1." in flat
    assert "LATE" in text and "Envelopes not sent: E002, E003" in flat
    assert "Tokens not returned: SP-0002, SP-0003, SP-0004" in flat


def test_labels_say_organisation_used_or_not_count_and_serials(reg, tmp_path):
    pages = PdfReader(str(labels_pdf(reg, tmp_path / "labels.pdf"))).pages
    texts = [" ".join(p.extract_text().split()) for p in pages]
    assert len(texts) == 5  # three envelopes, two boxes
    assert "ENVELOPE E002" in texts[1] and "UNUSED TOKENS" in texts[1] and "Count: 1" in texts[1]
    assert "SP-0002" in texts[1] and "Return by 2026-08-13" in texts[1]
    assert "BOX — NBR" in texts[3] and "Envelopes: 2; tokens: 2" in texts[3]
    assert "BOX — NSPCC" in texts[4]


def test_closure_report_sums_tokens_and_the_checklist_with_overdue(reg, tmp_path):
    cl = Checklist(Plan.default(), date(2026, 8, 6))
    cl.mark("return_tokens", DONE, "jo.la", AT, notes="Receipts filed in closure folder 3")
    text = " ".join(text_of(closure_report_pdf(reg, cl, date(2026, 9, 1), tmp_path / "report.pdf",
                                                 prepared_by="jo.la")).split())
    assert "Resets verified by the holder: 1; by the LA team (security officer PIN): 2." in text
    assert "Envelopes: 3, of which sent: 1 (1 tokens)." in text
    n = len(cl.plan.items)
    overdue = len(cl.overdue(date(2026, 9, 1)))
    assert f"Checklist: 1 of {n} done, {overdue} overdue" in text
    assert "OVERDUE" in text and "Receipts filed in closure folder 3" in text and "2026-08-07" in text
