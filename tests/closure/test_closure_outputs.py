"""What closure prints, read back from the PDFs (pypdf) and, for labels, measured on the sheet
(R-CLOSE-3..5; issue 15 §3.1-3.3, §3.6, §3.8)."""
from __future__ import annotations

import csv
import io
import stat
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from app.closure.outputs import (
    chase_letters_pdf,
    closure_report_pdf,
    envelope_manifests_pdf,
    labels_pdf,
    manifest_csv,
    manifest_pdf,
)
from app.closure.plan import DONE, Checklist, Plan
from app.closure.register import LOST, Register, RegisterError

AT = datetime(2026, 8, 7, 10, tzinfo=UTC)  # 11:00 in London (BST)
NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
LONG = ["6590A357E2DE6673", "7781B468F3EF7784", "8892C579A4FA8895"]  # 16 characters, as PKCS#11 serials are
MM = 72 / 25.4  # points per millimetre


def text_of(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


@pytest.fixture
def reg() -> Register:
    r = Register("Northbridge", date(2026, 8, 13), ["NSPCC"], la_code="NBR")
    r.sender = ["Children's Services, closure team", "Town Hall, 1 Market Street", "Northbridge", "NE1 4XX"]
    r.add_token(LONG[0], "Alex Morgan", "Northbridge", used=True, holder_organisation="Northbridge Family Hub",
                email="alex.morgan@northbridge-family-hub.example")
    r.add_token(LONG[1], "Sam Okoro", "Northbridge", used=False,
                holder_organisation="Northbridge Children's Social Care")
    r.add_token(LONG[2], "Morgan Reid", "NSPCC", used=True, holder_organisation="NSPCC")
    r.add_token("SP-0004", "Jo Patel", "Northbridge", used=True, holder_organisation="Northbridge LA management team",
                phone="07700 900104", email="jo.patel@northbridge.example")
    r.add_token("SP-0005", "Lee Carter", "Northbridge", used=True, holder_organisation="Northbridge Youth Service",
                phone="07700 900105")
    for s, how in ((LONG[0], "holder"), (LONG[1], "la_team"), (LONG[2], "la_team")):
        r.record_reset(s, how, "jo.la", AT)
    r.set_state("SP-0005", LOST)
    for s in LONG:
        r.place(s, 50)
    e = r.envelope("NBR-USED-1")
    r.seal(e.id, 1, list(e.serials), "jo.la", AT)
    r.labels_made([e.id], AT)
    r.send(e.id, "RD 1234 5678 GB", date(2026, 8, 10))
    return r


def test_manifest_csv_lists_every_token_once_in_words(reg):
    rows = list(csv.DictReader(io.StringIO(manifest_csv(reg))))
    assert [r["serial"] for r in rows] == [LONG[1], LONG[0], LONG[2], "SP-0005", "SP-0004"]
    first = rows[1]
    assert (first["envelope"], first["returned_with"], first["used"], first["delivery_ref"], first["sent_on"],
            first["state"], first["reset_how"], first["holder_organisation"]) == (
        "NBR-USED-1", "Northbridge", "Used", "RD 1234 5678 GB", "10 Aug 2026", "Returned", "by the holder",
        "Northbridge Family Hub")
    assert first["reset_verified_at"] == "7 Aug 2026 11:00 BST"
    assert rows[2]["returned_with"] == "NSPCC" and rows[0]["used"] == "Unused" and rows[3]["state"] == "Lost"


def test_manifest_csv_defuses_spreadsheet_formulas():
    r = Register("Northbridge", date(2026, 8, 13))
    r.add_token("SP-9", "=HYPERLINK(1)", "Northbridge")
    assert "'=HYPERLINK(1)" in manifest_csv(r)


def test_the_manifest_prints_whole_serials_words_the_las_name_and_london_times(reg, tmp_path):
    """15 §3.2: a 16-character serial is never broken across lines; words, not codes; the LA's name; times in
    Europe/London with the zone."""
    out = manifest_pdf(reg, tmp_path / "manifest.pdf", NOW)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = text_of(out)
    lines = text.splitlines()
    for serial in [*LONG, "SP-0004", "SP-0005"]:
        assert any(serial in line for line in lines), serial
        for line in lines:  # a part of a serial on a line of its own is a serial broken in two
            assert serial in line or not any(line.strip() == serial[:n] for n in range(4, len(serial))), (serial, line)
    for code in ("la_team", "returned_blocked", "communications", "to_do", "holder,"):
        assert code not in text, code
    flat = " ".join(text.split())
    assert "Token return manifest — Northbridge" in flat and "LA management team —" not in flat
    assert "Envelope NBR-USED-1: Northbridge — USED tokens — 1 token — sent 10 Aug 2026 by recorded delivery, " \
           "reference RD 1234 5678 GB" in flat
    assert "7 Aug 2026 11:00 BST by the holder" in flat and "by the LA team" in flat
    assert "Made 14 Aug 2026 10:30 BST" in flat and "Return deadline 13 Aug 2026" in flat
    assert "Tokens issued: 5. In envelopes: 3." in flat and "Lost: 1." in flat
    assert "Envelopes not sent: NBR-UNUSED-1, NSPCC-USED-1" in flat


def _texts_with_positions(page) -> list[tuple[str, float, float]]:
    """(text, x mm, y mm from the top) of each piece of text on a page."""
    found: list[tuple[str, float, float]] = []
    height = float(page.mediabox.height)

    def seen(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, (height - y) / MM))
    page.extract_text(visitor_text=seen)
    return found


def test_labels_are_address_labels_and_inner_slips_on_a_standard_sheet_without_the_reference(reg, tmp_path):
    """15 §3.1, R-CLOSE-4: for each envelope an outer label (the plan's return address; the LA's own as sender)
    and an inner slip (LA or partner, USED/UNUSED, count, serials, never the recorded-delivery reference), each
    inside its own 99.1 x 67.7 mm label of an 8-to-an-A4 sheet."""
    plan = Plan.default()
    sheet = plan.label_sheet
    for eid in ("NBR-UNUSED-1", "NSPCC-USED-1"):
        e = reg.envelope(eid)
        reg.seal(eid, e.count, list(e.serials), "jo.la", AT)
    ids = ["NBR-USED-1", "NBR-UNUSED-1", "NSPCC-USED-1"] * 2  # 12 labels: a second sheet
    pages = PdfReader(str(labels_pdf(reg, plan, tmp_path / "labels.pdf", ids))).pages
    assert len(pages) == 2
    for page in pages:
        assert (round(float(page.mediabox.width) / MM, 1), round(float(page.mediabox.height) / MM, 1)) == (210, 297)
    placed: dict[int, list[str]] = {}
    for p, page in enumerate(pages):
        for text, x, y in _texts_with_positions(page):
            inside = [n for n in range(sheet.per_sheet)
                      if sheet.position(n)[0] <= x <= sheet.position(n)[0] + sheet.width
                      and sheet.position(n)[1] <= y <= sheet.position(n)[1] + sheet.height]
            assert len(inside) == 1, (text, x, y)  # every piece of text sits on exactly one label
            placed.setdefault(p * sheet.per_sheet + inside[0], []).append(text)
    assert sorted(placed) == list(range(12))
    outer, inner = " ".join(placed[0]), " ".join(placed[1])
    assert "RECORDED DELIVERY" in outer and "NBR-USED-1" in outer
    for line in plan.return_address:
        assert line in outer
    assert "IISaM Central Service Management" in outer and "SW1P 3BT" in outer
    assert "Town Hall, 1 Market Street" in outer and "NE1 4XX" in outer  # the sender: the LA's own address
    assert "Northbridge" in inner and "USED TOKENS" in inner and "1 token" in inner and LONG[0] in inner
    partner = " ".join(placed[5])
    assert partner.startswith("NSPCC") and "USED TOKENS" in partner and LONG[2] in partner
    assert "UNUSED TOKENS" in " ".join(placed[3])
    everything = " ".join(" ".join(v) for v in placed.values())
    assert "RD 1234 5678 GB" not in everything and "1234 5678" not in everything  # known only after posting


def test_labels_need_the_las_own_address(reg, tmp_path):
    reg.sender = []
    with pytest.raises(RegisterError) as e:
        labels_pdf(reg, Plan.default(), tmp_path / "labels.pdf", ["NBR-USED-1"])
    assert e.value.code == "sender_missing" and not (tmp_path / "labels.pdf").exists()


def test_a_manifest_per_envelope_goes_inside_it(reg, tmp_path):
    """15 §3.6: one page per envelope: its serials, holders and who checked it."""
    pages = PdfReader(str(envelope_manifests_pdf(reg, tmp_path / "m.pdf", NOW, ["NBR-USED-1", "NSPCC-USED-1"]))).pages
    assert len(pages) == 2
    first, second = (" ".join(p.extract_text().split()) for p in pages)
    assert "Envelope NBR-USED-1: Northbridge — USED tokens — 1 token" in first and LONG[0] in first
    assert LONG[2] not in first and LONG[2] in second and "for NSPCC" in second
    assert "Counted and each serial checked by jo.la on 7 Aug 2026 11:00 BST" in first


def test_a_chase_letter_per_missing_holder_says_how_to_reach_them_and_what_to_do(reg, tmp_path):
    """15 §3.3, R-CLOSE-2/3: the holder's name, organisation, phone and e-mail; reset to the transport PIN and
    return by the deadline; the LA team's contact."""
    pages = PdfReader(str(chase_letters_pdf(reg, tmp_path / "chase.pdf", date(2026, 8, 11), transport_pin="1234",
                                            la_contact={"phone": "01632 960000"}))).pages
    assert len(pages) == 1  # SP-0004 is missing; SP-0005 is lost: not chased
    letter = " ".join(pages[0].extract_text().split())
    for text in ("Jo Patel", "Northbridge LA management team", "07700 900104", "jo.patel@northbridge.example",
                 "SP-0004", "transport PIN 1234", "13 Aug 2026", "01632 960000", "Town Hall, 1 Market Street"):
        assert text in letter, text


def test_the_closure_report_has_envelopes_with_references_tokens_not_returned_lessons_and_a_sign_off(reg, tmp_path):
    """15 §3.8, R-CLOSE-5 (seed 000: a local lessons-learned report; the closure report due 30 September)."""
    cl = Checklist(Plan.default(), date(2026, 8, 6))
    cl.mark("return_tokens", DONE, "jo.la", AT, notes="Receipts filed in closure folder 3")
    raw = text_of(closure_report_pdf(reg, cl, datetime(2026, 9, 1, 9, tzinfo=UTC), tmp_path / "report.pdf",
                                     prepared_by="jo.la"))
    assert any("Communications" in line for line in raw.splitlines())  # the Owner column is never broken mid-word
    text = " ".join(raw.split())
    assert "Due to the Department by 30 Sep 2026" in text
    assert "Resets verified by the holder: 1; by the LA team (security officer PIN): 2." in text
    assert "Envelopes: 3, of which sent: 1 (1 token)" in text and "RD 1234 5678 GB" in text
    assert "Tokens not returned: 2" in text
    for holder in ("Jo Patel", "Lee Carter"):
        assert holder in text
    assert "07700 900105" in text and "Missing" in text and "Lost" in text
    n, overdue = len(cl.plan.items), len(cl.overdue(date(2026, 9, 1)))
    assert f"Checklist: 1 of {n} done, {overdue} overdue" in text
    assert "OVERDUE" in text and "Receipts filed in closure folder 3" in text and "7 Aug 2026 11:00 BST" in text
    assert "Lessons learned" in text and "Barriers and challenges" in text and "Sign-off" in text
    assert "Not exported yet." in text
