"""Sessions that end because of what happens to the account (issue 13 §2 item 4), on both implementations:
a lock-out ends the account's open sessions at once, as the LA team disabling it does (R-ROLE-4)."""
from __future__ import annotations

from app.directory import AccessRefused, SignInRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.contract.test_directory_contract import REASON, done, find, refused, sign_in, viewer


def test_a_lock_out_ends_the_accounts_open_sessions(client, facts):
    """Someone guessing alex's password locks the account: alex's session, open at another desk, stops at its
    next request (not at its next sign-in), and the lock-out says how many sessions it ended (R-AUDIT-1)."""
    alex = viewer(client, "alex.practitioner")
    find(client, alex, facts.plain["did"])
    for _ in range(4):
        refused(sign_in(client, "alex.practitioner", password="guess"), SignInRefused, "sign_in.wrong_factor")
    refused(sign_in(client, "alex.practitioner", password="guess"), SignInRefused, "sign_in.locked_out")
    refused(client.view_record(alex, facts.plain["did"], REASON), AccessRefused, "access.session_ended")
    refused(client.perform(ops.INBOX, alex, t.Nothing()), AccessRefused, "access.session_ended")
    la = viewer(client, "jo.la")
    (locked,) = [e for e in done(client.audit_entries(la)) if e.action == "account_locked_out"]
    assert locked.actor == "alex.practitioner" and locked.detail["sessions_ended"] == 1
