"""What closure prints and sends (R-CLOSE-3, R-CLOSE-4, R-CLOSE-5), Qt-free.

* the return manifest, CSV and PDF: every envelope (organisation, used or unused, count, serials,
  recorded-delivery reference and date) and every token not coming back in one (missing, lost,
  destroyed), with the return deadline and what is late;
* a manifest per envelope, PDF, one page each: it goes inside that envelope;
* labels on a standard label sheet (the closure plan's: 99.1 × 67.7 mm, 8 to an A4 sheet): for each
  sealed envelope an outer address label (the return address from the plan, the LA's own address as
  sender) and an inner slip marked with the LA or national partner, USED or UNUSED, the count and the
  serials -- never the recorded-delivery reference, which exists only once the counter issued the receipt;
* a chase letter per missing token's holder, PDF, one page each;
* the local service closure report, PDF: the envelopes with their references, the tokens not returned
  with their holders, the checklist, a lessons-learned section and a sign-off (seed 000: due 30 September).

PDFs are made with fpdf2 in DejaVu Sans, serials in DejaVu Sans Mono in a column wide enough that a
serial never wraps; codes print as the words the wizard shows (``app.closure.words``), times in
Europe/London with the zone.  Files are written 0600 (they name people).  Only names, serials, dates,
contact details and closure administration appear -- never case information (R-REC-5).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.closure import words
from app.closure.plan import DONE, Checklist, LabelSheet, Plan
from app.closure.register import DESTROYED, LOST, MISSING, RETURNED_BLOCKED, Envelope, Register, RegisterError
from app.private_files import write_private

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian: fonts-dejavu-core
MANIFEST_COLUMNS = ("envelope", "returned_with", "used", "serial", "holder", "holder_organisation", "state",
                    "reset_verified_at", "reset_how", "reset_by", "delivery_ref", "sent_on")
NOT_RETURNED = (MISSING, LOST, DESTROYED)
PAD = 3.5  # mm inside a label's edge
LESSONS = ("Good practice to keep", "Key achievements", "Barriers and challenges")


# -- the manifest as CSV ----------------------------------------------------------------------------------
def manifest_rows(register: Register) -> list[dict]:
    """Tokens in envelopes (by envelope, then serial), then those not in one (by state, serial)."""
    rows = []
    for e in sorted(register.envelopes.values(), key=lambda e: e.id):
        rows += [_row(register.tokens[s], e) for s in sorted(e.serials)]
    rest = sorted((t for t in register.tokens.values() if not t.envelope), key=lambda t: (t.state, t.serial))
    return rows + [_row(t, None) for t in rest]


def _row(t, e: Envelope | None) -> dict:
    return {"envelope": e.id if e else "", "returned_with": t.organisation, "used": words.used(t.used),
            "serial": t.serial, "holder": t.holder, "holder_organisation": t.holder_organisation,
            "state": words.state(t.state), "reset_verified_at": words.when(t.reset_at),
            "reset_how": words.how(t.reset_how), "reset_by": t.reset_by or "",
            "delivery_ref": (e.delivery_ref or "") if e else "", "sent_on": words.day(e.sent_on) if e else ""}


def manifest_csv(register: Register) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in manifest_rows(register):
        # a cell starting with = + - @ is read as a formula by spreadsheets: quote it
        w.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@" else v) for k, v in r.items()})
    return out.getvalue()


# -- the PDF machinery ------------------------------------------------------------------------------------
class _Pdf(FPDF):
    def __init__(self, title: str, subtitle: str, header: bool = True) -> None:
        super().__init__(format="A4")
        self.doc_title, self.subtitle, self.with_header = title, subtitle, header
        self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("Mono", "", str(FONT_DIR / "DejaVuSansMono.ttf"))
        self.add_font("Mono", "B", str(FONT_DIR / "DejaVuSansMono-Bold.ttf"))
        self.set_title(title)
        self.set_creator("Signpost")
        self.set_auto_page_break(header, margin=15)
        self.set_margins(10, 10, 10)

    def header(self) -> None:
        if not self.with_header:
            return
        self.set_font("Body", "B", 14)
        self.multi_cell(0, 7, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Body", "", 9)
        self.multi_cell(0, 4.5, self.subtitle, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self) -> None:
        if not self.with_header:
            return
        self.set_y(-12)
        self.set_font("Body", "", 8)
        self.cell(0, 5, f"{self.doc_title} — page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Body", "B", 11)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Body", "", 9)

    def line_text(self, text: str, size: float = 9, bold: bool = False) -> None:
        self.set_font("Body", "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def serial_width(self, serials: Iterable[str], size: float = 8) -> float:
        """A column just wide enough for the longest serial in the mono font: a serial never wraps."""
        self.set_font("Mono", "", size)
        return max([self.get_string_width(s) for s in serials] + [self.get_string_width("Serial")]) + 3

    def grid(self, header: tuple[str, ...], rows: list[tuple], widths: list[float], mono: tuple[int, ...] = ()) -> None:
        """A table; ``widths`` in mm (scaled to the page's width); the ``mono`` columns in the mono font."""
        self.set_font("Body", "", 8)
        scale = self.epw / sum(widths)
        mono_face = FontFace(family="Mono", size_pt=8)
        with self.table(col_widths=[w * scale for w in widths], text_align="LEFT", line_height=4.5,
                        headings_style=FontFace(family="Body", emphasis="BOLD", size_pt=8)) as table:
            table.row([str(h) for h in header])
            for r in rows:
                row = table.row()
                for i, c in enumerate(r):
                    row.cell("" if c is None else str(c), style=mono_face if i in mono else None)
        self.set_font("Body", "", 9)

    def save(self, path: Path) -> Path:
        return write_private(path, bytes(self.output()))


def _who(register: Register) -> str:
    n = len(register.partners)
    partners = f", with its national partner{'s' if n > 1 else ''} {', '.join(register.partners)}" if n else ""
    return f"{register.la}{partners}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _envelope_words(e: Envelope) -> str:
    return f"{e.organisation} — {'USED' if e.used else 'UNUSED'} tokens — {_count(e.count, 'token')}"


# -- the return manifest ----------------------------------------------------------------------------------
def manifest_pdf(register: Register, path: Path, now: datetime) -> Path:
    pdf = _Pdf(f"Token return manifest — {register.la}",
               f"{_who(register)}. Return deadline {words.day(register.return_deadline)}. "
               f"Made {words.when(now)}.")
    pdf.add_page()
    serial_w = pdf.serial_width(register.tokens)
    for e in sorted(register.envelopes.values(), key=lambda e: e.id):
        sent = (f"sent {words.day(e.sent_on)} by recorded delivery, reference {e.delivery_ref}" if e.sent_on
                else "not sent yet")
        pdf.heading(f"Envelope {e.id}: {_envelope_words(e)} — {sent}")
        pdf.grid(("Serial", "Holder", "Organisation", "State", "Reset verified", "By"),
                 [(s, t.holder, t.holder_organisation, words.state(t.state),
                   f"{words.when(t.reset_at)} {words.how(t.reset_how)}".strip(), t.reset_by)
                  for s in sorted(e.serials) for t in [register.tokens[s]]],
                 [serial_w, 34, 40, 24, 44, 22], mono=(0,))
    rest = sorted((t for t in register.tokens.values() if not t.envelope), key=lambda t: (t.state, t.serial))
    if rest:
        pdf.heading(f"Not in an envelope: {len(rest)}")
        pdf.grid(("Serial", "Holder", "Organisation", "Returned with", "Used", "State"),
                 [(t.serial, t.holder, t.holder_organisation, t.organisation, words.used(t.used), words.state(t.state))
                  for t in rest], [serial_w, 38, 42, 32, 18, 28], mono=(0,))
    _totals(pdf, register, now.date())
    return pdf.save(path)


def _totals(pdf: _Pdf, register: Register, today: date) -> None:
    ts = list(register.tokens.values())
    pdf.heading("Totals")
    pdf.line_text(f"Tokens issued: {len(ts)}. In envelopes: {sum(1 for t in ts if t.envelope)}. Reset verified: "
                  f"{sum(1 for t in ts if t.reset_verified)}. To return as blocked: "
                  f"{sum(1 for t in ts if t.state == RETURNED_BLOCKED)}. Missing: "
                  f"{sum(1 for t in ts if t.state == MISSING)}. Lost: {sum(1 for t in ts if t.state == LOST)}. "
                  f"Destroyed: {sum(1 for t in ts if t.state == DESTROYED)}.")
    for org in [register.la, *register.partners]:
        for used in (True, False):
            n = sum(1 for t in ts if t.envelope and t.organisation == org and t.used is used)
            if n:
                pdf.line_text(f"{org}, {'used' if used else 'unused'}: {n} in envelopes")
    late = register.late(today)
    if late:
        pdf.heading(f"Late: the return deadline ({words.day(late.deadline)}) has passed")
        if late.envelopes_unsent:
            pdf.line_text("Envelopes not sent: " + ", ".join(late.envelopes_unsent))
        if late.envelopes_sent_late:
            pdf.line_text("Envelopes sent after the deadline: " + ", ".join(late.envelopes_sent_late))
        if late.tokens_not_returned:
            pdf.line_text("Tokens not returned: " + ", ".join(late.tokens_not_returned))


# -- a manifest inside each envelope ------------------------------------------------------------------------
def envelope_manifests_pdf(register: Register, path: Path, now: datetime, envelope_ids: list[str]) -> Path:
    """One page per envelope, to go inside it: what it holds, whom from, and a line for who checked it."""
    pdf = _Pdf(f"Envelope manifests — {register.la}", f"Made {words.when(now)}. One page goes inside each envelope.")
    for eid in envelope_ids:
        e = register.envelope(eid)
        pdf.add_page()
        pdf.heading(f"Envelope {e.id}: {_envelope_words(e)}")
        pdf.line_text(f"From {register.la}" + (f" for {e.organisation}" if e.organisation != register.la else "")
                      + f". Return deadline {words.day(register.return_deadline)}.")
        if e.sealed_at:
            pdf.line_text(f"Counted and each serial checked by {e.sealed_by} on {words.when(e.sealed_at)}.")
        pdf.ln(2)
        pdf.grid(("Serial", "Holder", "Organisation", "Reset verified"),
                 [(s, t.holder, t.holder_organisation, f"{words.when(t.reset_at)} {words.how(t.reset_how)}".strip()
                   if t.reset_verified else words.state(t.state))
                  for s in sorted(e.serials) for t in [register.tokens[s]]],
                 [pdf.serial_width(e.serials), 45, 50, 55], mono=(0,))
        pdf.ln(6)
        pdf.line_text("Checked and sealed by (name, signature, date): ______________________________________________")
    return pdf.save(path)


# -- labels on a label sheet --------------------------------------------------------------------------------
def labels_pdf(register: Register, plan: Plan, path: Path, envelope_ids: list[str]) -> Path:
    """For each envelope, an outer address label then its inner slip, filling the plan's label sheet row by
    row (one PDF page per sheet).  Refused without the LA's own address (the sender)."""
    if not register.sender:
        raise RegisterError("sender_missing", "Give your LA's postal address (LA, partners and addresses) before "
                                              "the labels are made: it is the sender on every label.")
    sheet = plan.label_sheet
    assert sheet is not None
    pdf = _Pdf(f"Return labels — {register.la}", "", header=False)
    pdf.set_margins(0, 0, 0)
    n = 0
    for eid in envelope_ids:
        e = register.envelope(eid)
        for draw in (_outer, _inner):
            if n % sheet.per_sheet == 0:
                pdf.add_page(format=(sheet.page_width, sheet.page_height))
            x, y = sheet.position(n)
            draw(pdf, register, plan, e, x, y, sheet)
            n += 1
    return pdf.save(path)


def _block(pdf: _Pdf, x: float, y: float, w: float, lines: list[str], size: float, bold: bool = False,
           family: str = "Body") -> float:
    """Lines of text from (x, y) within width ``w``, each shrunk to fit on one line; the y below them."""
    for text in lines:
        s = size
        pdf.set_font(family, "B" if bold else "", s)
        while s > 5 and pdf.get_string_width(text) > w:
            s -= 0.5
            pdf.set_font(family, "B" if bold else "", s)
        pdf.set_xy(x, y)
        pdf.cell(w, s * 0.45, text)
        y += s * 0.45
    return y


def _outer(pdf: _Pdf, register: Register, plan: Plan, e: Envelope, x: float, y: float, sheet: LabelSheet) -> None:
    """The address label: recorded delivery, the return address large, the LA's own small (sizes shrink to fit)."""
    w = sheet.width - 2 * PAD
    sender = [register.la, *register.sender]
    for to_size in (10.5, 9.5, 8.5, 7.5, 6.5):
        from_size = min(7.0, to_size)
        height = 2 * PAD + 7 * 0.45 + 3 + 8 * 0.45 + (len(plan.return_address) * to_size
                                                      + len(sender) * from_size + 7) * 0.45
        if height <= sheet.height:
            break
    top = _block(pdf, x + PAD, y + PAD, w, [f"ROYAL MAIL RECORDED DELIVERY · envelope {e.id}"], 7, bold=True)
    top = _block(pdf, x + PAD, top + 1.5, w, ["To:"], 8)
    top = _block(pdf, x + PAD + 4, top, w - 4, plan.return_address, to_size, bold=True)
    top = _block(pdf, x + PAD, top + 1.5, w, ["From:"], 7)
    _block(pdf, x + PAD + 4, top, w - 4, sender, from_size)


def _inner(pdf: _Pdf, register: Register, plan: Plan, e: Envelope, x: float, y: float, sheet: LabelSheet) -> None:
    w = sheet.width - 2 * PAD
    top = _block(pdf, x + PAD, y + PAD, w, [e.organisation, f"{'USED' if e.used else 'UNUSED'} TOKENS"], 13, bold=True)
    top = _block(pdf, x + PAD, top + 1, w, [f"{_count(e.count, 'token')} · envelope {e.id}",
                                            f"From {register.la} · return by {words.day(register.return_deadline)}"],
                 7.5)
    room = y + sheet.height - PAD - (top + 1.5)
    pdf.set_font("Mono", "", 6.5)
    col = max((pdf.get_string_width(s) for s in e.serials), default=10) + 2.5
    per_row = max(1, int(w // col))
    rows = -(-len(e.serials) // per_row)
    if rows * 2.8 > room:
        _block(pdf, x + PAD, top + 1.5, w, [f"Serials: {_count(e.count, 'token')}, listed on the manifest inside"],
               7)
        return
    for i, serial in enumerate(sorted(e.serials)):
        pdf.set_xy(x + PAD + (i % per_row) * col, top + 1.5 + (i // per_row) * 2.8)
        pdf.cell(col, 2.8, serial)


# -- chase letters -----------------------------------------------------------------------------------------
def chase_letters_pdf(register: Register, path: Path, today: date, *, transport_pin: str,
                      la_contact: dict | None = None) -> Path:
    """One letter per token still with its holder (R-CLOSE-2/3): reset to the transport PIN, then return."""
    rows = register.chase_list()
    if not rows:
        raise RegisterError("nobody_to_chase", "Every token is accounted for: there is nobody to chase.")
    contact = la_contact or {}
    reach = " or ".join(x for x in (contact.get("phone"), contact.get("email")) if x) or "the address above"
    pdf = _Pdf(f"Chase letters — {register.la}", "", header=False)
    pdf.set_auto_page_break(True, margin=15)
    for r in rows:
        pdf.add_page()
        pdf.set_xy(120, 15)
        pdf.set_font("Body", "", 9)
        pdf.multi_cell(80, 4.5, "\n".join([register.la, *register.sender]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(120, pdf.get_y() + 3)
        pdf.cell(80, 5, words.day(today), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.get_y() + 6)
        pdf.multi_cell(0, 5, "\n".join(x for x in (r.holder, r.holder_organisation, r.phone, r.email) if x),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font("Body", "B", 11)
        pdf.multi_cell(0, 6, f"Return your Signpost security token {r.serial}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Body", "", 10)
        pdf.multi_cell(0, 5.5, (
            f"Dear {r.holder},\n\n"
            f"Signpost has closed, and every security token must go back by {words.day(register.return_deadline)}. "
            f"Our register shows that token {r.serial} is still with you.\n\n"
            f"Please reset its PIN to the transport PIN {transport_pin} before you return it: Signpost offers the "
            f"reset when it tells you the service has closed. If you cannot, bring the token to the LA team with "
            f"its current PIN and we will reset it with you. If it is lost or was destroyed, tell us, so that we "
            f"can record it.\n\n"
            f"If you have any questions, contact us on {reach}.\n\n"
            f"Yours sincerely,\n\n\n{register.la} LA management team"), new_x="LMARGIN", new_y="NEXT")
    return pdf.save(path)


# -- the local service closure report ----------------------------------------------------------------------
def closure_report_pdf(register: Register, checklist: Checklist, now: datetime, path: Path,
                       prepared_by: str = "") -> Path:
    """The local service closure report (R-CLOSE-5, seed 000): tokens, envelopes with their references, the
    tokens not returned with their holders, the checklist, lessons learned and a sign-off."""
    today = now.date()
    due = next((checklist.due(i.key) for i in checklist.plan.items if i.key == "closure_report"), None)
    pdf = _Pdf(f"Local service closure report — {register.la}",
               f"{_who(register)}. Switch-off {words.day(checklist.switch_off)}. Report made {words.when(now)}"
               + (f" by {prepared_by}" if prepared_by else "") + "."
               + (f" Due to the Department by {words.day(due)}." if due else ""))
    pdf.add_page()
    ts = list(register.tokens.values())
    pdf.heading("Tokens")
    by = {"holder": 0, "la_team": 0}
    for t in ts:
        if t.reset_how in by:
            by[t.reset_how] += 1
    pdf.line_text(f"Resets verified by the holder: {by['holder']}; by the LA team (security officer PIN): "
                  f"{by['la_team']}.")
    _totals(pdf, register, today)
    envs = sorted(register.envelopes.values(), key=lambda e: e.id)
    sent = [e for e in envs if e.sent_on]
    pdf.heading(f"Envelopes: {len(envs)}, of which sent: {len(sent)} ({_count(sum(e.count for e in sent), 'token')})")
    if envs:
        late = register.late(today)
        pdf.grid(("Envelope", "Organisation", "Tokens", "Count", "Recorded delivery", "Sent", "Late"),
                 [(e.id, e.organisation, "Used" if e.used else "Unused", e.count, e.delivery_ref or "not sent",
                   words.day(e.sent_on), "late" if e.id in late.envelopes_sent_late + late.envelopes_unsent else "")
                  for e in envs], [30, 42, 18, 14, 40, 26, 14], mono=(0, 4))
    gone = sorted((t for t in ts if t.state in NOT_RETURNED), key=lambda t: (t.state, t.holder, t.serial))
    pdf.heading(f"Tokens not returned: {len(gone)}")
    if gone:
        pdf.grid(("Serial", "State", "Holder", "Organisation", "Phone", "E-mail"),
                 [(t.serial, words.state(t.state), t.holder, t.holder_organisation, t.phone, t.email) for t in gone],
                 [pdf.serial_width(t.serial for t in gone), 20, 32, 40, 26, 48], mono=(0,))
    rows = checklist.rows(today)
    pdf.heading(f"Checklist: {sum(1 for r in rows if r.status == DONE)} of {len(rows)} done, "
                f"{sum(1 for r in rows if r.overdue)} overdue")
    pdf.grid(("Item", "Owner", "Due", "Status", "Done by, when", "Evidence"),
             [(r.title, words.owner(r.owner), words.day(r.due), "OVERDUE" if r.overdue else words.status(r.status),
               f"{r.marked_by or ''} {words.when(r.marked_at)}".strip(), r.notes) for r in rows],
             [44, 28, 22, 18, 34, 44])
    pdf.heading("The LA's directory audit archive (kept for retention)")
    export = checklist.audit_export
    pdf.line_text(f"Exported and verified by {export['by']} on {words.when(export['at'])}: {export['entries']:,} "
                  f"entries, checkpoint of {export['checkpoint']:,}, key {export['key'][:16]}." if export
                  else "Not exported yet.")
    pdf.heading("Lessons learned")
    pdf.line_text("A local lessons-learned report captures good practice, key achievements, and the barriers and "
                  "challenges particular to the LA (seed 000). Write them here, or attach the report.")
    for title in LESSONS:
        pdf.line_text(title, 9, bold=True)
        for _ in range(4):
            pdf.ln(6)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(2)
    pdf.heading("Sign-off")
    for label in ("Name", "Role", "Signature", "Date"):
        pdf.ln(7)
        pdf.line_text(f"{label}: ______________________________________________")
    return pdf.save(path)
