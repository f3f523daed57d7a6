"""What closure prints and sends (R-CLOSE-3, R-CLOSE-4, R-CLOSE-5), Qt-free.

* the return manifest, CSV and PDF: every envelope (organisation, used or
  unused, count, serials, recorded-delivery reference and date) and every
  token not coming back in one (missing, lost, destroyed), with the return
  deadline and what is late;
* labels, PDF: one per envelope (organisation, USED/UNUSED, count, serials,
  deadline) and one per box (an organisation's envelopes);
* the local service closure report, PDF: the tokens summed up and the
  checklist (owner, due, status, who/when, evidence notes; overdue marked).

PDFs are made with fpdf2 in DejaVu Sans (any name prints); files are written
0600 (they name people).  Only names, serials, dates and codes appear -- never
case information (R-REC-5).
"""
from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

from fpdf import FPDF

from app.closure.plan import DONE, NOT_APPLICABLE, Checklist
from app.closure.register import DESTROYED, LOST, MISSING, RETURNED_BLOCKED, Register

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian: fonts-dejavu-core
MANIFEST_COLUMNS = ("envelope", "organisation", "used", "serial", "holder", "state", "reset_verified_at",
                    "reset_how", "reset_by", "delivery_ref", "sent_on")
STATUS_WORDS = {"to_do": "to do", DONE: "done", NOT_APPLICABLE: "not applicable"}


def _used(value: bool | None) -> str:
    return "used" if value else ("unused" if value is False else "unknown")


def manifest_rows(register: Register) -> list[dict]:
    """Tokens in envelopes (by envelope, then serial), then those not in one (by state, serial)."""
    rows = []
    for e in sorted(register.envelopes.values(), key=lambda e: e.id):
        for s in sorted(e.serials):
            t = register.tokens[s]
            rows.append(_row(t, e.id, e.delivery_ref, e.sent_on))
    rest = sorted((t for t in register.tokens.values() if not t.envelope), key=lambda t: (t.state, t.serial))
    rows += [_row(t, "", None, None) for t in rest]
    return rows


def _row(t, envelope: str, ref: str | None, sent: str | None) -> dict:
    return {"envelope": envelope, "organisation": t.organisation, "used": _used(t.used), "serial": t.serial,
            "holder": t.holder, "state": t.state, "reset_verified_at": t.reset_at or "",
            "reset_how": t.reset_how or "", "reset_by": t.reset_by or "", "delivery_ref": ref or "",
            "sent_on": sent or ""}


def manifest_csv(register: Register) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in manifest_rows(register):
        # a cell starting with = + - @ is read as a formula by spreadsheets: quote it
        w.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@" else v) for k, v in r.items()})
    return out.getvalue()


def write_private(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


class _Pdf(FPDF):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__(format="A4")
        self.doc_title, self.subtitle = title, subtitle
        if (FONT_DIR / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.face = "Body"
        else:  # pragma: no cover - the Debian package is a dependency
            self.face = "Helvetica"
        self.set_title(title)
        self.set_creator("Signpost")
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def header(self) -> None:
        self.set_font(self.face, "B", 14)
        self.cell(0, 8, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "", 9)
        self.cell(0, 5, self.subtitle, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.face, "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.face, "B", 11)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "", 9)

    def line_text(self, text: str, size: int = 9, bold: bool = False) -> None:
        self.set_font(self.face, "B" if bold else "", size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")

    def grid(self, header: tuple[str, ...], rows: list[tuple], widths: tuple[int, ...] | None = None) -> None:
        self.set_font(self.face, "", 8)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            table.row([str(h) for h in header])
            for r in rows:
                table.row(["" if c is None else str(c) for c in r])
        self.set_font(self.face, "", 9)

    def save(self, path: Path) -> Path:
        return write_private(path, bytes(self.output()))


def _who(register: Register) -> str:
    partners = f"; national partners: {', '.join(register.partners)}" if register.partners else ""
    return f"Local authority {register.la}{partners}"


def manifest_pdf(register: Register, path: Path, today: date) -> Path:
    pdf = _Pdf(f"Token return manifest — {register.la}",
               f"{_who(register)}. Return deadline {register.return_deadline.isoformat()}. "
               f"Made {today.isoformat()}.")
    for e in sorted(register.envelopes.values(), key=lambda e: e.id):
        sent = f"sent {e.sent_on} by recorded delivery, ref {e.delivery_ref}" if e.sent_on else "NOT SENT YET"
        pdf.heading(f"Envelope {e.id}: {e.organisation} — {'USED' if e.used else 'UNUSED'} tokens — "
                    f"{e.count} token{'s' if e.count != 1 else ''} — {sent}")
        pdf.grid(("Serial", "Holder", "State", "Reset verified", "How", "By"),
                 [(s, register.tokens[s].holder, register.tokens[s].state, register.tokens[s].reset_at,
                   register.tokens[s].reset_how, register.tokens[s].reset_by) for s in sorted(e.serials)],
                 (30, 45, 30, 40, 20, 25))
    rest = sorted((t for t in register.tokens.values() if not t.envelope), key=lambda t: (t.state, t.serial))
    if rest:
        pdf.heading(f"Not in an envelope: {len(rest)}")
        pdf.grid(("Serial", "Holder", "Organisation", "Used", "State"),
                 [(t.serial, t.holder, t.organisation, _used(t.used), t.state) for t in rest], (35, 50, 40, 25, 40))
    _totals(pdf, register, today)
    return pdf.save(path)


def _totals(pdf: _Pdf, register: Register, today: date) -> None:
    ts = list(register.tokens.values())
    in_env = sum(1 for t in ts if t.envelope)
    pdf.heading("Totals")
    pdf.line_text(f"Tokens issued: {len(ts)}. In envelopes: {in_env}. Reset verified: "
                  f"{sum(1 for t in ts if t.reset_verified)}. Returned blocked: "
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
        pdf.heading(f"LATE (return deadline {late.deadline.isoformat()} has passed)")
        if late.envelopes_unsent:
            pdf.line_text("Envelopes not sent: " + ", ".join(late.envelopes_unsent))
        if late.envelopes_sent_late:
            pdf.line_text("Envelopes sent after the deadline: " + ", ".join(late.envelopes_sent_late))
        if late.tokens_not_returned:
            pdf.line_text("Tokens not returned: " + ", ".join(late.tokens_not_returned))


def labels_pdf(register: Register, path: Path) -> Path:
    """One label per envelope, then one per box (an organisation's envelopes)."""
    pdf = _Pdf(f"Return labels — {register.la}", f"Return by {register.return_deadline.isoformat()}.")
    first = True
    for e in sorted(register.envelopes.values(), key=lambda e: e.id):
        if not first:
            pdf.add_page()
        first = False
        pdf.line_text(f"ENVELOPE {e.id}", 20, bold=True)
        pdf.line_text(e.organisation, 18, bold=True)
        pdf.line_text(f"{'USED' if e.used else 'UNUSED'} TOKENS", 18, bold=True)
        pdf.line_text(f"Count: {e.count}", 14)
        pdf.line_text(f"From {register.la}. Return by {register.return_deadline.isoformat()}.", 11)
        if e.delivery_ref:
            pdf.line_text(f"Recorded delivery {e.delivery_ref}, sent {e.sent_on}", 11)
        pdf.line_text("Serials: " + ", ".join(sorted(e.serials)), 10)
    for org in [register.la, *register.partners]:
        envs = sorted((e for e in register.envelopes.values() if e.organisation == org), key=lambda e: e.id)
        if not envs:
            continue
        pdf.add_page()
        pdf.line_text(f"BOX — {org}", 20, bold=True)
        pdf.line_text(f"Envelopes: {len(envs)}; tokens: {sum(e.count for e in envs)}", 14)
        for e in envs:
            pdf.line_text(f"{e.id}: {'USED' if e.used else 'UNUSED'}, {e.count} tokens", 12)
    return pdf.save(path)


def closure_report_pdf(register: Register, checklist: Checklist, today: date, path: Path,
                       prepared_by: str = "") -> Path:
    """The local service closure report: the tokens summed up and the checklist (R-CLOSE-5)."""
    pdf = _Pdf(f"Local service closure report — {register.la}",
               f"{_who(register)}. Switch-off {checklist.switch_off.isoformat()}. Report of {today.isoformat()}"
               + (f", prepared by {prepared_by}." if prepared_by else "."))
    ts = list(register.tokens.values())
    pdf.heading("Tokens")
    by = {"holder": 0, "la_team": 0}
    for t in ts:
        if t.reset_how in by:
            by[t.reset_how] += 1
    pdf.line_text(f"Resets verified by the holder: {by['holder']}; by the LA team (security officer PIN): "
                  f"{by['la_team']}.")
    sent = [e for e in register.envelopes.values() if e.sent_on]
    pdf.line_text(f"Envelopes: {len(register.envelopes)}, of which sent: {len(sent)} "
                  f"({sum(e.count for e in sent)} tokens).")
    _totals(pdf, register, today)
    rows = checklist.rows(today)
    pdf.heading(f"Checklist: {sum(1 for r in rows if r.status == DONE)} of {len(rows)} done, "
                f"{sum(1 for r in rows if r.overdue)} overdue")
    pdf.grid(("Item", "Owner", "Due", "Status", "Done by / when", "Evidence"),
             [(r.title, r.owner, r.due.isoformat(), ("OVERDUE" if r.overdue else STATUS_WORDS[r.status]),
               f"{r.marked_by or ''} {(r.marked_at or '')[:10]}".strip(), r.notes) for r in rows],
             (52, 24, 20, 20, 30, 44))
    return pdf.save(path)
