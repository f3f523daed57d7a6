"""The token register and the return envelopes (R-CLOSE-3, R-CLOSE-4).

Every token the LA issued, partners' included: serial, holder, the holder's own
organisation and how to reach them (phone, e-mail), whom it is returned with
(``organisation``: the LA or one of its national partners), used or unused, the
verified reset (when, how: by the holder or the LA team, by whom), its state
and the envelope or box it went in.  An envelope is marked with one
organisation and whether its tokens were used; it never mixes used with unused
tokens nor two organisations (refused with a coded ``RegisterError``).  Before
it goes, its tokens are counted and each serial scanned or typed (``seal``:
a mismatch is refused) and its labels made; sending it then records the
recorded-delivery reference from the counter's receipt and the date;
``late(today)`` says what missed the return deadline.  ``chase_list()`` lists
the missing tokens with their holders' contact details.
Tokens issued outside the directory come in by ``import_csv``: bounded,
validated as a whole, errors numbered by line, a serial never counted twice.
The register round-trips through JSON for the encrypted closure store.  Qt-free.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from app.closure.flow import HOLDER, LA_TEAM, ResetState

COLLECTED, MISSING, LOST, DESTROYED = "collected", "missing", "lost", "destroyed"
RETURNED_BLOCKED, RETURNED = "returned_blocked", "returned"
STATES = (COLLECTED, MISSING, LOST, DESTROYED, RETURNED_BLOCKED, RETURNED)
IN_HAND = (COLLECTED, RETURNED_BLOCKED)  # may go in an envelope
ACCOUNTED = (LOST, DESTROYED)  # not coming back; not late, but reported
RESET_HOW = (HOLDER, LA_TEAM)

MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 5_000
MAX_ERRORS_SHOWN = 50
MAX_NAME = 100
MAX_ADDRESS_LINES = 6
MAX_PARTNERS = 40
CSV_COLUMNS = ("serial", "holder", "organisation", "used", "holder_organisation", "phone", "email")
_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")  # PKCS#11 serials: 16 printable characters
_ENVELOPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /_-]{0,31}$")
_DELIVERY_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_USED = {"yes": True, "used": True, "y": True, "true": True,
         "no": False, "unused": False, "n": False, "false": False, "": None, "unknown": None}


class RegisterError(ValueError):
    """A register change refused; ``code`` for callers, ``str`` for a person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class CsvImportError(RegisterError):
    """The whole import was refused; ``errors`` is ``[(line, message)]``, line 1 the header."""

    def __init__(self, errors: list[tuple[int, str]]):
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n… and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__("csv_invalid", "Nothing was imported; fix these lines and import again:\n"
                         + "\n".join(f"line {n}: {m}" for n, m in shown) + more)
        self.errors = errors


def serial_of(text: str) -> str:
    s = "".join(str(text).split()).upper()
    if not _SERIAL.match(s):
        raise RegisterError("serial_invalid",
                            f"'{text}' is not a token serial (letters, digits, '.', '_', '-', up to 32).")
    return s


def _text(text: str, what: str, limit: int, required: bool = True) -> str:
    t = " ".join(str(text).split())
    if required and not t:
        raise RegisterError(f"{what}_missing", f"Give the {what}.")
    if len(t) > limit or _CONTROL.search(t):
        raise RegisterError(f"{what}_invalid", f"The {what} must be plain text of at most {limit} characters.")
    return t


def _contact(value: str, kind: str) -> str:
    """A phone number or an e-mail address, bounded as the directory bounds them (blank allowed)."""
    from app.directory.work import checks
    from app.refusals import AccessRefused
    try:
        return checks.phone(value, required=False) if kind == "phone" else checks.email(value, required=False)
    except AccessRefused:
        what = "phone number" if kind == "phone" else "e-mail address"
        raise RegisterError(f"{kind}_invalid", f"'{value}' is not a usable {what}.") from None


@dataclass
class Token:
    serial: str
    holder: str
    organisation: str  # whom it is returned with: the LA or one of its national partners (R-CLOSE-4)
    used: bool | None = None  # None: not known yet, ask before it goes in an envelope
    holder_organisation: str = ""  # the holder's own organisation (R-CLOSE-3)
    phone: str = ""  # how to reach the holder, for the chase list and its letters
    email: str = ""
    username: str = ""  # the holder's Signpost username, when the directory issued the token
    state: str = MISSING  # issued and not yet in the LA team's hands
    reset_at: str | None = None  # ISO time the reset was verified
    reset_how: str | None = None  # HOLDER or LA_TEAM
    reset_by: str | None = None
    envelope: str | None = None

    @property
    def reset_verified(self) -> bool:
        return self.reset_at is not None


@dataclass
class Envelope:
    id: str
    organisation: str
    used: bool
    serials: list[str] = field(default_factory=list)
    delivery_ref: str | None = None  # recorded-delivery reference, from the counter's receipt after posting
    sent_on: str | None = None  # ISO date
    sealed_at: str | None = None  # ISO time its tokens were counted and each serial checked
    sealed_by: str | None = None
    labels_at: str | None = None  # ISO time its address label and inner slip were made for printing

    @property
    def count(self) -> int:
        return len(self.serials)

    @property
    def open(self) -> bool:
        return not self.sealed_at and not self.sent_on

    @property
    def label(self) -> str:
        return f"{self.organisation} — {'USED' if self.used else 'UNUSED'} tokens — {self.count}"


@dataclass(frozen=True)
class ChaseRow:
    serial: str
    holder: str
    holder_organisation: str
    phone: str
    email: str
    organisation: str  # whom it is returned with


@dataclass(frozen=True)
class Late:
    """What missed the return deadline as of one day (R-CLOSE-4)."""
    deadline: date
    envelopes_unsent: tuple[str, ...]  # filled but not sent, deadline passed
    envelopes_sent_late: tuple[str, ...]  # sent after the deadline
    tokens_not_returned: tuple[str, ...]  # neither sent nor lost/destroyed, deadline passed

    def __bool__(self) -> bool:
        return bool(self.envelopes_unsent or self.envelopes_sent_late or self.tokens_not_returned)


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]
    already_present: tuple[str, ...]  # in the register already with the same holder: not counted again
    repeated_in_file: tuple[str, ...]  # the same row twice in the file: counted once


@dataclass
class Register:
    la: str  # the LA's name, as printed ("Northbridge")
    return_deadline: date
    partners: list[str] = field(default_factory=list)  # national partners whose tokens the LA returns
    tokens: dict[str, Token] = field(default_factory=dict)
    envelopes: dict[str, Envelope] = field(default_factory=dict)
    la_code: str = ""
    sender: list[str] = field(default_factory=list)  # the LA's postal address: the labels' sender

    # -- who the register is for ---------------------------------------------
    def set_partners(self, names: list[str]) -> None:
        """The LA's national partners (R-CLOSE-3/4, from the directory's organisations or by hand).  Each
        token not yet in an envelope is returned with its holder's organisation when that is a partner,
        else with the LA.  A partner with an envelope cannot be taken off the list."""
        partners: list[str] = []
        for name in names:
            n = _text(name, "partner", MAX_NAME)
            if n == self.la:
                raise RegisterError("partner_is_la", f"{n} is the LA itself, not a national partner.")
            if n not in partners:
                partners.append(n)
        if len(partners) > MAX_PARTNERS:
            raise RegisterError("too_many_partners", f"List at most {MAX_PARTNERS} national partners.")
        for e in self.envelopes.values():
            if e.organisation != self.la and e.organisation not in partners:
                raise RegisterError("partner_has_envelopes",
                                    f"{e.organisation} has envelope {e.id}; take its tokens out and remove the "
                                    "envelope's partner only when it is empty.")
        self.partners = partners
        for t in self.tokens.values():
            if not t.envelope and t.holder_organisation:
                t.organisation = t.holder_organisation if t.holder_organisation in partners else self.la

    def set_sender(self, lines: list[str]) -> None:
        """The LA's postal address, printed as the sender on every outer label (R-CLOSE-4)."""
        kept = [_text(line, "address", MAX_NAME) for line in lines if str(line).strip()]
        if not 2 <= len(kept) <= MAX_ADDRESS_LINES:
            raise RegisterError("address_invalid", f"Give the LA's postal address in 2 to {MAX_ADDRESS_LINES} lines "
                                                   "(the team, the street, the town, the postcode).")
        self.sender = kept

    # -- tokens -------------------------------------------------------------
    def organisation(self, name: str) -> str:
        n = " ".join(str(name).split())
        if n != self.la and n not in self.partners:
            raise RegisterError("organisation_unknown",
                                f"'{name}' is neither {self.la} nor one of its national partners "
                                f"({', '.join(self.partners) or 'none listed'}).")
        return n

    def token(self, serial: str) -> Token:
        s = serial_of(serial)
        if s not in self.tokens:
            raise RegisterError("token_unknown", f"Token {s} is not in the register.")
        return self.tokens[s]

    def add_token(self, serial: str, holder: str, organisation: str, used: bool | None = None, *,
                  holder_organisation: str = "", phone: str = "", email: str = "", username: str = "") -> Token:
        t = Token(serial_of(serial), _text(holder, "holder", MAX_NAME), self.organisation(organisation), used,
                  _text(holder_organisation, "holder_organisation", MAX_NAME, required=False),
                  _contact(phone, "phone"), _contact(email, "email"), _text(username, "username", 64, required=False))
        if t.serial in self.tokens:
            raise RegisterError("serial_duplicate", f"Token {t.serial} is already in the register.")
        self.tokens[t.serial] = t
        return t

    def set_used(self, serial: str, used: bool) -> None:
        t = self.token(serial)
        if t.envelope:
            raise RegisterError("in_envelope", f"Token {t.serial} is in envelope {t.envelope}; take it out first.")
        t.used = bool(used)

    def set_state(self, serial: str, state: str) -> None:
        t = self.token(serial)
        if state not in STATES:
            raise RegisterError("state_unknown", f"State must be one of: {', '.join(STATES)}.")
        if state == RETURNED:
            raise RegisterError("state_by_sending", "A token is returned by sending its envelope.")
        if t.envelope and state not in IN_HAND:
            raise RegisterError("in_envelope", f"Token {t.serial} is in envelope {t.envelope}; take it out first.")
        t.state = state

    def record_reset(self, serial: str, how: str, by: str, at: datetime) -> None:
        """A reset verified by a login with the transport PIN (R-CLOSE-2): the token is in hand."""
        t = self.token(serial)
        if how not in RESET_HOW:
            raise RegisterError("reset_how_unknown", f"A reset is by {HOLDER} or {LA_TEAM}.")
        t.reset_at, t.reset_how = at.isoformat(timespec="seconds"), how
        t.reset_by = _text(by, "reset_by", MAX_NAME)
        if t.state in (MISSING, LOST, COLLECTED):
            t.state = COLLECTED

    def record_flow(self, state: ResetState, by: str, at: datetime) -> None:
        """What one reset flow ended with: "verified" records the reset, "returned_blocked" the
        state; any other ending (pulled, cancelled, failed) records nothing (R-CLOSE-2, R-CLOSE-3)."""
        if state.record == "verified":
            assert state.path is not None, "a verified reset went one way or the other"
            self.record_reset(state.serial, state.path, by, at)
        elif state.record == RETURNED_BLOCKED:
            self.token(state.serial)
            self.set_state(state.serial, RETURNED_BLOCKED)

    def chase_list(self) -> list[ChaseRow]:
        """Missing tokens with their holders to chase, by organisation then holder (R-CLOSE-3)."""
        rows = [ChaseRow(t.serial, t.holder, t.holder_organisation or t.organisation, t.phone, t.email,
                         t.organisation) for t in self.tokens.values() if t.state == MISSING]
        return sorted(rows, key=lambda r: (r.organisation != self.la, r.organisation, r.holder, r.serial))

    # -- envelopes ----------------------------------------------------------
    def new_envelope(self, envelope_id: str, organisation: str, used: bool) -> Envelope:
        eid = str(envelope_id).strip()
        if not _ENVELOPE.match(eid):
            raise RegisterError("envelope_id_invalid",
                                "An envelope id is up to 32 letters, digits, ' ', '/', '_' or '-'.")
        if eid in self.envelopes:
            raise RegisterError("envelope_duplicate", f"There is already an envelope {eid}.")
        e = Envelope(eid, self.organisation(organisation), bool(used))
        self.envelopes[eid] = e
        return e

    def envelope(self, envelope_id: str) -> Envelope:
        if envelope_id not in self.envelopes:
            raise RegisterError("envelope_unknown", f"There is no envelope {envelope_id}.")
        return self.envelopes[envelope_id]

    def envelope_stem(self, organisation: str) -> str:
        if organisation == self.la and self.la_code:
            return self.la_code.upper()
        parts = [w for w in organisation.split() if w[:1].isalnum()]
        stem = parts[0] if len(parts) == 1 else "".join(w[0] for w in parts)
        return "".join(c for c in stem if c.isalnum()).upper()[:8] or "ENV"

    def place(self, serial: str, size: int) -> str:
        """Put a token in hand into the open envelope for its organisation and use (the first with room),
        or a new one named ``<LA code or initials>-USED-<n>``; the envelope's id (R-CLOSE-4)."""
        t = self.token(serial)
        if t.envelope:
            return t.envelope
        if t.used is None:
            raise RegisterError("used_unknown", f"Say whether token {t.serial} was used before it goes in an envelope.")
        for e in sorted(self.envelopes.values(), key=lambda e: e.id):
            if e.open and e.organisation == t.organisation and e.used == t.used and e.count < size:
                self.put_in_envelope(t.serial, e.id)
                return e.id
        stem, n = f"{self.envelope_stem(t.organisation)}-{'USED' if t.used else 'UNUSED'}", 1
        while f"{stem}-{n}" in self.envelopes:
            n += 1
        self.new_envelope(f"{stem}-{n}", t.organisation, t.used)
        self.put_in_envelope(t.serial, f"{stem}-{n}")
        return f"{stem}-{n}"

    def _unsealed(self, e: Envelope) -> None:
        if e.sent_on:
            raise RegisterError("envelope_sent", f"Envelope {e.id} has been sent; start a new one.")
        if e.sealed_at:
            raise RegisterError("envelope_sealed", f"Envelope {e.id} is sealed; open it again first (its count is "
                                                   "checked again before it is sealed).")

    def put_in_envelope(self, serial: str, envelope_id: str) -> None:
        t, e = self.token(serial), self.envelope(envelope_id)
        self._unsealed(e)
        if t.envelope == e.id:
            return
        if t.envelope:
            raise RegisterError("already_in_envelope", f"Token {t.serial} is already in envelope {t.envelope}.")
        if t.state not in IN_HAND:
            raise RegisterError("token_not_in_hand", f"Token {t.serial} is recorded as {t.state}, not collected.")
        if t.state == COLLECTED and not t.reset_verified:
            raise RegisterError("not_reset", f"Token {t.serial} has no verified reset to the transport PIN yet.")
        if t.organisation != e.organisation:
            raise RegisterError("envelope_mixes_organisations",
                                f"Token {t.serial} belongs to {t.organisation}; envelope {e.id} is for "
                                f"{e.organisation}. Each envelope holds one organisation's tokens.")
        if t.used is None:
            raise RegisterError("used_unknown", f"Say whether token {t.serial} was used before it goes in an envelope.")
        if t.used != e.used:
            raise RegisterError("envelope_mixes_used",
                                f"Token {t.serial} is {'used' if t.used else 'unused'}; envelope {e.id} is for "
                                f"{'used' if e.used else 'unused'} tokens. Never mix them.")
        e.serials.append(t.serial)
        t.envelope = e.id

    def take_out(self, serial: str) -> None:
        t = self.token(serial)
        if not t.envelope:
            return
        e = self.envelope(t.envelope)
        self._unsealed(e)
        e.serials.remove(t.serial)
        t.envelope = None

    def seal(self, envelope_id: str, counted: int, scanned: list[str], by: str, at: datetime) -> None:
        """Before an envelope goes (R-CLOSE-3/4): the officer's count and each serial scanned or typed (a
        barcode reader types like a keyboard) must match the register exactly; a mismatch is refused and
        names the serials, nothing is changed."""
        e = self.envelope(envelope_id)
        self._unsealed(e)
        if not e.serials:
            raise RegisterError("envelope_empty", f"Envelope {e.id} is empty.")
        if isinstance(counted, bool) or not isinstance(counted, int) or counted != e.count:
            raise RegisterError("count_mismatch", f"You counted {counted}; the register has {e.count} in envelope "
                                                  f"{e.id}. Count the tokens again.")
        seen: list[str] = []
        for text in scanned:
            s = serial_of(text)
            if s in seen:
                raise RegisterError("serial_scanned_twice", f"Token {s} was scanned twice for envelope {e.id}.")
            seen.append(s)
        extra = [s for s in seen if s not in e.serials]
        missing = [s for s in e.serials if s not in seen]
        if extra or missing:
            parts = ([f"not in envelope {e.id} in the register: {', '.join(extra)}"] if extra else []) + \
                    ([f"in the register but not scanned: {', '.join(missing)}"] if missing else [])
            raise RegisterError("serials_mismatch", "The serials do not match the register (" + "; ".join(parts)
                                + "). Check the tokens in the envelope; nothing was sealed.")
        e.sealed_at, e.sealed_by = at.isoformat(timespec="seconds"), _text(by, "sealed_by", MAX_NAME)

    def unseal(self, envelope_id: str) -> None:
        """Open a sealed envelope again (not once sent); its labels are made again after its next count."""
        e = self.envelope(envelope_id)
        if e.sent_on:
            raise RegisterError("envelope_sent", f"Envelope {e.id} was sent on {e.sent_on}.")
        e.sealed_at = e.sealed_by = e.labels_at = None

    def labels_made(self, envelope_ids: list[str], at: datetime) -> None:
        """Its outer address label and inner slip were made for printing: only then may it be sent."""
        for eid in envelope_ids:
            e = self.envelope(eid)
            if not e.sealed_at:
                raise RegisterError("not_sealed", f"Count and seal envelope {e.id} before its labels are made.")
        for eid in envelope_ids:
            if not self.envelopes[eid].sent_on:
                self.envelopes[eid].labels_at = at.isoformat(timespec="seconds")

    def send(self, envelope_id: str, delivery_ref: str, sent_on: date) -> None:
        """Recorded delivery (R-CLOSE-4): the reference from the counter's receipt and the date, once the
        envelope was counted, sealed and its labels made; its tokens are returned."""
        e = self.envelope(envelope_id)
        if e.sent_on:
            raise RegisterError("envelope_sent", f"Envelope {e.id} was sent on {e.sent_on}.")
        if not e.serials:
            raise RegisterError("envelope_empty", f"Envelope {e.id} is empty.")
        if not e.sealed_at:
            raise RegisterError("not_sealed", f"Count the tokens in envelope {e.id} and scan each serial (Seal) "
                                              "before it is sent.")
        if not e.labels_at:
            raise RegisterError("labels_not_made", f"Print the labels of envelope {e.id} (Save the closure documents) "
                                                   "before it is posted.")
        ref = " ".join(str(delivery_ref).split()).upper()
        if not _DELIVERY_REF.match(ref):
            raise RegisterError("delivery_ref_invalid",
                                "Type the recorded-delivery reference from the receipt (4-40 letters and digits).")
        e.delivery_ref, e.sent_on = ref, sent_on.isoformat()
        for s in e.serials:
            if self.tokens[s].state == COLLECTED:
                self.tokens[s].state = RETURNED

    def late(self, today: date) -> Late:
        dl = self.return_deadline
        past = today > dl
        unsent = tuple(sorted(e.id for e in self.envelopes.values() if past and not e.sent_on and e.serials))
        sent_late = tuple(sorted(e.id for e in self.envelopes.values()
                                 if e.sent_on and date.fromisoformat(e.sent_on) > dl))
        sent = {s for e in self.envelopes.values() if e.sent_on for s in e.serials}
        tokens = tuple(sorted(t.serial for t in self.tokens.values()
                              if past and t.serial not in sent and t.state not in ACCOUNTED))
        return Late(dl, unsent, sent_late, tokens)

    # -- CSV import ---------------------------------------------------------
    def import_csv(self, text: str) -> ImportResult:
        """Tokens issued outside the directory; all or nothing, errors by line (R-CLOSE-3).

        Columns: serial, holder, organisation (the LA or the partner it is returned with), used (yes/no,
        blank if unknown), holder_organisation, phone, email (the last three may be blank).
        """
        if len(text.encode("utf-8")) > MAX_CSV_BYTES:
            raise CsvImportError([(0, f"the file is larger than {MAX_CSV_BYTES // 1_000_000} MB")])
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = next(reader, None)
        cols = [c.strip().lower() for c in header or []]
        missing = [c for c in CSV_COLUMNS[:3] if c not in cols]
        if missing:
            raise CsvImportError([(1, f"the header needs the columns {', '.join(CSV_COLUMNS)} "
                                      f"(missing: {', '.join(missing)})")])
        errors: list[tuple[int, str]] = []
        seen: dict[str, tuple[int, tuple]] = {}
        added, present, repeated = [], [], []
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(seen) + len(errors) >= MAX_CSV_ROWS:
                errors.append((line, f"more than {MAX_CSV_ROWS} rows; split the file"))
                break
            if len(row) > len(cols):
                errors.append((line, f"{len(row)} fields where the header has {len(cols)}"))
                continue
            rec = dict(zip(cols, row + [""] * (len(cols) - len(row))))
            try:
                serial = serial_of(rec["serial"])
                holder = _text(rec["holder"], "holder", MAX_NAME)
                org = self.organisation(rec["organisation"])
                used_text = rec.get("used", "").strip().lower()
                if used_text not in _USED:
                    raise RegisterError("used_invalid", f"used is '{rec['used']}'; write yes, no or leave it blank")
                own = _text(rec.get("holder_organisation", ""), "holder_organisation", MAX_NAME, required=False)
                phone, email = _contact(rec.get("phone", ""), "phone"), _contact(rec.get("email", ""), "email")
            except RegisterError as exc:
                errors.append((line, str(exc)))
                continue
            values = (holder, org, _USED[used_text], own or org, phone, email)
            if serial in seen:
                first_line, first = seen[serial]
                if first == values:
                    repeated.append(serial)
                else:
                    errors.append((line, f"token {serial} is also on line {first_line} with different details"))
                continue
            seen[serial] = (line, values)
            old = self.tokens.get(serial)
            if old is None:
                added.append(serial)
            elif (old.holder, old.organisation) == (holder, org):
                present.append(serial)
            else:
                errors.append((line, f"token {serial} is already registered to {old.holder} ({old.organisation})"))
        if errors:
            raise CsvImportError(errors)
        for s in added:
            holder, org, used, own, phone, email = seen[s][1]
            self.tokens[s] = Token(s, holder, org, used, own, phone, email)
        return ImportResult(tuple(added), tuple(present), tuple(repeated))

    # -- storage ------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"la": self.la, "return_deadline": self.return_deadline.isoformat(),
                           "partners": self.partners, "la_code": self.la_code, "sender": self.sender,
                           "tokens": [asdict(t) for t in self.tokens.values()],
                           "envelopes": [asdict(e) for e in self.envelopes.values()]}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Register:
        d = json.loads(text)
        r = cls(d["la"], date.fromisoformat(d["return_deadline"]), list(d["partners"]),
                la_code=d.get("la_code", ""), sender=list(d.get("sender", [])))
        r.tokens = {t["serial"]: Token(**_token_fields(t)) for t in d["tokens"]}
        r.envelopes = {e["id"]: Envelope(**e) for e in d["envelopes"]}
        for e in r.envelopes.values():
            for s in e.serials:
                if s not in r.tokens or r.tokens[s].envelope != e.id:
                    raise RegisterError("store_inconsistent", f"Envelope {e.id} and token {s} disagree.")
        for t in r.tokens.values():
            if t.state not in STATES or (t.envelope and t.serial not in r.envelope(t.envelope).serials):
                raise RegisterError("store_inconsistent", f"Token {t.serial} is not stored consistently.")
        return r


def _token_fields(t: dict) -> dict:
    """A stored token as ``Token``'s fields. A register kept before holders had their own organisation
    and contact fields kept one ``contact`` text: a phone number or e-mail address in it is kept as one."""
    t = dict(t)
    contact = t.pop("contact", None)
    kind = "email" if contact and "@" in contact else "phone"
    if contact and not t.get(kind):
        try:
            t[kind] = _contact(contact, kind)
        except RegisterError:
            pass  # e.g. "Signpost user alex.practitioner": the directory gives the contact again
    return t
