"""The closure register's source: every token issued to an LA's users (R-CLOSE-3)."""
from __future__ import annotations

import json

from ...model import Viewer
from . import types as t


def issued(d, la: str) -> tuple[t.IssuedToken, ...]:
    """The LA's users' enrolled tokens, each marked used if its holder ever signed in with it (from the
    audit's sign-in entries), with the last sign-in and how to reach the holder."""
    last: dict[str, str] = {}
    for at, detail in d.conn.execute(
            "SELECT at, detail FROM audit WHERE action = 'sign_in' AND (',' || las || ',') LIKE ? ORDER BY seq",
            (f"%,{la},%",)):
        serial = json.loads(detail).get("token")
        if isinstance(serial, str):
            last[serial] = at
    return tuple(t.IssuedToken(serial, username, name, org, la, serial in last, last.get(serial, ""), phone, email)
                 for serial, username, name, org, phone, email in d.store.accounts.tokens_of_la(la))


def register(d, viewer: Viewer, _: t.Nothing) -> tuple[t.IssuedToken, ...]:
    """The LA team's own users' enrolled tokens (``issued``). Partners' tokens issued outside the directory
    come from the register's CSV import instead. A closure task: the LA team keeps it after the switch-off."""
    d.la_team_request(viewer, "token_register", "access.la_team_only", closure=True)
    la = viewer.user.la_code
    out = issued(d, la)
    d.audit.record(viewer.user.username, "token_register_read", viewer=viewer, detail={"tokens": len(out)},
                   las=(la,))
    return out
