"""Filling the token register from the directory (R-CLOSE-3).

The directory's ``token_register`` work operation (LA team only, own LA) gives
every enrolled token with its holder, the holder's own organisation, phone and
e-mail, and whether the holder ever signed in with it.  ``merge_issued`` adds
the tokens the register does not hold yet -- a token already there is never
added twice, and what the LA team recorded about it (state, reset, envelope)
is kept; the holder's organisation and contact details are the directory's
latest, and a "used" the directory learnt since (a first sign-in) is taken
while the token is not yet in an envelope.  A holder whose organisation is one
of the LA's national partners returns the token with that partner.  Partners'
tokens issued outside the directory come in by ``Register.import_csv``.
Qt-free; the directory merges its own users' tokens into the register it
keeps (``app.directory.work.closure``).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.closure.register import Register, serial_of


@dataclass(frozen=True)
class FillResult:
    added: tuple[str, ...]
    already: tuple[str, ...]
    used_learnt: tuple[str, ...]


def merge_issued(register: Register, issued) -> FillResult:
    """Merge ``issued`` (``IssuedToken``s) into ``register`` in memory, as the module says."""
    added, already, learnt = [], [], []
    for it in issued:
        s = serial_of(it.serial)
        org = it.organisation if it.organisation in register.partners else register.la
        old = register.tokens.get(s)
        if old is None:
            register.add_token(s, it.holder, org, used=it.used, holder_organisation=it.organisation,
                               phone=it.phone, email=it.email, username=it.username)
            added.append(s)
            continue
        already.append(s)
        old.holder_organisation, old.phone, old.email, old.username = it.organisation, it.phone, it.email, it.username
        if not old.envelope:
            old.organisation = org
        if it.used is True and old.used is not True and not old.envelope:
            old.used = True
            learnt.append(s)
    return FillResult(tuple(added), tuple(already), tuple(learnt))
