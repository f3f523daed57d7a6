"""One behaviour suite for the directory interface, run against the embedded engine and against the
remote client over real HTTPS to the reference service: same calls, same assertions, same results
(issue 7). Refusals are checked by class and code; the words a person reads come from one map
(``ui.refusals``), and every refusal here must have words of its own there."""
from __future__ import annotations

from datetime import date

import pytest

from app.directory import AccessRefused, DirectoryClient, RateLimited, SearchRefused, SignedIn, SignInRefused
from app.merkle import verify_consistency
from app.model import AccessReason, Colleague, Match, Reason, Viewer, WithheldInvolvement
from app.refusals import Refusal
from app.search import Criteria
from app.token.signin import signin_message
from tests.conftest import PASSWORD, TODAY, SoftToken
from tests.contract.conftest import token_for
from ui.refusals import notice_words, words

WAIT_S = 30
REASON = Reason(AccessReason.PROVIDING_SERVICE)
MONITORING = Reason(AccessReason.LA_MONITORING)
NO_WORDS = words(Refusal("no.such.code"))  # the catch-all sentence for a code the map does not know


def done(future):
    return future.result(timeout=WAIT_S)


def refused(future, cls: type, code: str) -> Refusal:
    """The refusal a call ends with: exactly this class and code, with words of its own for a person."""
    exc = future.exception(timeout=WAIT_S)
    assert exc is not None, f"expected {cls.__name__}({code}), got {future.result()!r}"
    assert type(exc) is cls and exc.code == code, f"expected {cls.__name__}({code}), got {exc!r}"
    assert words(exc) != NO_WORDS, f"{code} has no words in ui/refusals.py"
    return exc


def sign_in(client: DirectoryClient, username: str, token: SoftToken | None = None, password: str = PASSWORD,
            purpose: str = "sign-in") -> SignedIn:
    """Through the interface: a challenge from the directory, signed by the token, then sign-in."""
    token = token or token_for(username)
    challenge = done(client.challenge())
    return client.sign_in(username, password, token.serial, challenge,
                          token.sign(signin_message(purpose, token.serial, challenge)))


def viewer(client: DirectoryClient, username: str, colleague: Colleague | None = None) -> Viewer:
    signed = done(sign_in(client, username))
    return Viewer(signed.user, colleague, signed.session)


def ids(outcome) -> list[str]:
    return [h.directory_id for h in outcome.hits]


def find(client, who: Viewer, did: str, reason: Reason = REASON):
    outcome = done(client.search(who, Criteria(directory_id=did), reason))
    assert ids(outcome) == [did]
    return outcome


# -- signing in (R-ROLE-4) ------------------------------------------------------------------------
def test_the_token_signs_the_user_in_and_the_status_says_which_directory(client):
    signed = done(sign_in(client, "alex.practitioner"))
    assert signed.user.username == "alex.practitioner" and signed.user.la_code == "NBR"
    assert signed.serial == token_for("alex.practitioner").serial
    assert signed.session and signed.wrap_public_der == token_for("alex.practitioner").public("wrap")
    status = client.status()
    assert status.online and status.last_contact is not None
    assert (status.kind, status.where) in (("training", "Training directory"), ("service", getattr(client, "url", "")))


def test_any_wrong_factor_gets_the_same_refusal(client):
    alex = token_for("alex.practitioner")
    refused(sign_in(client, "alex.practitioner", password="not the password"), SignInRefused, "sign_in.wrong_factor")
    refused(sign_in(client, "alex.practitioner", token=token_for("sam.cp")), SignInRefused, "sign_in.wrong_factor")
    impostor = SoftToken(alex.serial)  # the right serial, but not the enrolled key
    refused(sign_in(client, "alex.practitioner", token=impostor), SignInRefused, "sign_in.wrong_factor")
    refused(sign_in(client, "nobody.here", token=alex), SignInRefused, "sign_in.wrong_factor")
    refused(sign_in(client, "alex.practitioner", purpose="unlock"), SignInRefused, "sign_in.wrong_factor")


def test_a_challenge_signs_in_once(client):
    alex = token_for("alex.practitioner")
    challenge = done(client.challenge())
    signature = alex.sign(signin_message("sign-in", alex.serial, challenge))
    done(client.sign_in("alex.practitioner", PASSWORD, alex.serial, challenge, signature))
    refused(client.sign_in("alex.practitioner", PASSWORD, alex.serial, challenge, signature), SignInRefused,
            "sign_in.expired")


def test_failed_sign_ins_lock_the_account_until_the_la_team_unlocks_it(client):
    la = viewer(client, "jo.la")
    for _ in range(4):
        refused(sign_in(client, "alex.practitioner", password="wrong"), SignInRefused, "sign_in.wrong_factor")
    locked = refused(sign_in(client, "alex.practitioner", password="wrong"), SignInRefused, "sign_in.locked_out")
    assert locked.params == {"after": 5}
    refused(sign_in(client, "alex.practitioner"), SignInRefused, "sign_in.locked_out")  # even the right factors
    refused(client.unlock_account(la, "lee.lapsed"), AccessRefused, "access.unlock_not_allowed")  # another LA's user
    practitioner = viewer(client, "sam.cp")
    assert isinstance(client.unlock_account(practitioner, "alex.practitioner").exception(WAIT_S), AccessRefused)
    assert done(client.unlock_account(la, "alex.practitioner")) is None
    assert done(sign_in(client, "alex.practitioner")).user.username == "alex.practitioner"


# -- searching (R-SEARCH-1..4) --------------------------------------------------------------------------
def test_exact_search_finds_the_child_first_and_exact(client, facts):
    alex = viewer(client, "alex.practitioner")
    c = facts.plain
    outcome = done(client.search(alex, Criteria(family_name=c["family"], dob=c["dob"]), REASON))
    assert outcome.hits[0].directory_id == c["did"] and outcome.hits[0].exact
    assert outcome.hits[0].name.family_name == c["family"] and outcome.hits[0].dob == c["dob"]
    assert not outcome.refine and outcome.notice in ("", "looser_left_out")


def test_a_misspelt_name_still_finds_the_child_and_says_how(client, facts):
    alex = viewer(client, "alex.practitioner")
    c = facts.plain
    outcome = done(client.search(alex, Criteria(family_name=facts.misspelt, dob=c["dob"]), REASON))
    hit = next(h for h in outcome.hits if h.directory_id == c["did"])
    assert not hit.exact and set(hit.match) <= {Match.SPELLING, Match.SOUNDS_LIKE} and hit.match


def test_too_many_matches_ask_to_refine_rather_than_cut_the_list(client, facts):
    """R-SEARCH-3."""
    alex = viewer(client, "alex.practitioner")
    family, start, end = facts.crowded
    outcome = done(client.search(alex, Criteria(family_name=family, dob=start, dob_to=end), REASON))
    assert outcome.refine and outcome.hits == () and outcome.notice == "refine"
    assert "Add or narrow" in notice_words(outcome)


def test_no_match_says_what_was_searched(client):
    alex = viewer(client, "alex.practitioner")
    outcome = done(client.search(alex, Criteria(family_name="Qwxzyvrapt", dob=date(2015, 3, 9)), REASON))
    assert outcome.hits == () and not outcome.refine and outcome.notice == "no_match"
    assert outcome.params["searched"] == {"family_name": "Qwxzyvrapt", "dob": "2015-03-09"}
    assert "family name Qwxzyvrapt, born 09/03/2015" in notice_words(outcome)


def test_a_broad_or_oversized_search_is_refused_with_what_to_fix(client):
    """R-SEARCH-2 and bounded input."""
    alex = viewer(client, "alex.practitioner")
    broad = refused(client.search(alex, Criteria(family_name="Smith"), REASON), SearchRefused, "search.add_detail")
    assert broad.params == {"has_given": False}
    long = refused(client.search(alex, Criteria(family_name="X" * 61, dob=date(2015, 1, 1)), REASON),
                   SearchRefused, "search.too_long")
    assert long.field == "family_name" and long.params == {"limit": 60}


def test_every_request_needs_a_reason_the_role_may_give(client):
    """R-SEARCH-1, R-ROLE-3: monitoring is the LA team's reason alone."""
    alex = viewer(client, "alex.practitioner")
    criteria = Criteria(family_name="Smith", dob=date(2015, 1, 1))
    bad = refused(client.search(alex, criteria, MONITORING), AccessRefused, "access.reason_not_for_role")
    assert bad.field == "reason" and bad.params == {"reason": "la_monitoring"}
    refused(client.search(alex, criteria, Reason(AccessReason.OTHER, "")), AccessRefused,
            "access.reason_detail_missing")


def test_a_mediating_user_names_the_colleague_they_act_for(client):
    """R-ROLE-2: a registered colleague of the mediating user's LA, chosen by username (tests/contract/
    test_work_la.py has the register itself)."""
    signed = done(sign_in(client, "morgan.mediator"))
    criteria = Criteria(family_name="Smith", dob=date(2015, 1, 1))
    nobody = refused(client.search(Viewer(signed.user, None, signed.session), criteria, REASON), AccessRefused,
                     "access.colleague_required")  # "Choose the colleague you are acting for from your LA's list."
    assert nobody.field == "colleague"
    refused(client.search(Viewer(signed.user, Colleague(" ", "Elm Surgery"), signed.session), criteria, REASON),
            AccessRefused, "access.colleague_not_registered")
    acting = Viewer(signed.user, Colleague("Dr Ada Nwosu", "Elm Surgery", "ada.nwosu"), signed.session)
    assert done(client.search(acting, criteria, REASON)).notice in ("", "no_match", "looser_left_out")
    alex = viewer(client, "alex.practitioner", Colleague("Dr Ada Nwosu", "Elm Surgery"))
    refused(client.search(alex, criteria, REASON), AccessRefused, "access.colleague_not_allowed")


@pytest.mark.parametrize("search_limit", [3])
def test_a_burst_of_searches_is_refused_with_the_wait(client, search_limit):
    """R-SEARCH-6: a burst beyond the limit is refused, saying when the user can search again. The limit is the
    user's, not a session's (issue 14 §4): two sessions searching in turn share it, and a new one is refused too;
    another user is not held back."""
    sessions = (viewer(client, "alex.practitioner"), viewer(client, "alex.practitioner"))
    assert sessions[0].session != sessions[1].session
    criteria = Criteria(family_name="Qwxzyvrapt", dob=date(2015, 3, 9))
    for i in range(search_limit):
        done(client.search(sessions[i % 2], criteria, REASON))
    for alex in (*sessions, viewer(client, "alex.practitioner")):
        limited = refused(client.search(alex, criteria, REASON), RateLimited, "rate.searches")
        assert limited.params["count"] == search_limit and limited.params["window_s"] == 60
        assert 0 < limited.retry_after_s <= 60 and limited.params["wait_s"] == limited.retry_after_s
    done(client.search(viewer(client, "sam.cp"), criteria, REASON))


# -- opening records (R-SEARCH-3 anti-trawling, R-SHIELD-4, R-SENS-3) --------------------------------------
def test_a_record_opens_only_from_this_sessions_own_results(client, facts):
    did = facts.plain["did"]
    alex = viewer(client, "alex.practitioner")
    refused(client.view_record(alex, did, REASON), AccessRefused, "access.not_from_results")
    find(client, alex, did)
    view = done(client.view_record(alex, did, REASON))
    assert view.directory_id == did and view.name.family_name == facts.plain["family"] and not view.shield_applied
    other = viewer(client, "sam.cp")  # another session, which never searched for this child
    refused(client.view_record(other, did, REASON), AccessRefused, "access.not_from_results")
    again = viewer(client, "alex.practitioner")  # a new session of the same user starts with nothing
    refused(client.view_record(again, did, REASON), AccessRefused, "access.not_from_results")
    refused(client.view_record(alex, "not an id", REASON), AccessRefused, "access.not_from_results")


def test_a_shielded_record_never_carries_the_withheld_fields(client, facts):
    """R-SHIELD-1, R-SHIELD-4: withheld at the source, not hidden by the screen."""
    s = facts.shielded
    alex = viewer(client, "alex.practitioner")
    hit = find(client, alex, s["did"]).hits[0]
    assert hit.locality == ""
    view = done(client.view_record(alex, s["did"], REASON))
    assert view.shielded and view.shield_applied
    assert view.address is None and view.carers == () and view.setting is None and view.gp is None
    assert view.involvements == () and view.other_names == ()
    assert s["line1"] not in repr(view) and s["postcode"] not in repr(view)


def test_a_sensitive_service_is_an_unspecified_service(client, facts):
    """R-SENS-3: no organisation, practitioner, type or contact for most users."""
    x = facts.sensitive
    sam = viewer(client, "sam.cp")
    find(client, sam, x["did"])
    view = done(client.view_record(sam, x["did"], REASON))
    assert any(isinstance(i, WithheldInvolvement) for i in view.involvements)
    text = repr(view)
    assert x["organisation"] not in text and x["practitioner"] not in text
    assert not any(s in text for s in ("sexual_health", "camhs", "substance_misuse"))


def test_a_practitioner_shields_a_record_they_found(client, facts):
    """R-SHIELD-2: at once (the REQUEST_SHIELD work operation, with its ground); the same record then opens
    restricted for a practitioner. More in tests/contract/test_work_shields.py."""
    from app.directory.work import operations as ops
    from app.directory.work import types as t
    did = facts.plain["did"]
    sam = viewer(client, "sam.cp")
    ask = t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON)
    refused(client.perform(ops.REQUEST_SHIELD, sam, ask), AccessRefused, "access.shield_not_allowed")
    find(client, sam, did)
    assert done(client.perform(ops.REQUEST_SHIELD, sam, ask)) is True
    assert done(client.perform(ops.REQUEST_SHIELD, sam, ask)) is False
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    view = done(client.view_record(alex, did, REASON))
    assert view.shield_applied and view.address is None


# -- lock, unlock, sign out (R-LOCAL-2) -----------------------------------------------------------------
def test_lock_unlock_and_sign_out(client, facts):
    alex_token = token_for("alex.practitioner")
    signed = done(sign_in(client, "alex.practitioner"))
    alex = Viewer(signed.user, None, signed.session)
    criteria = Criteria(directory_id=facts.plain["did"])
    done(client.search(alex, criteria, REASON))
    assert done(client.lock(signed, "idle")) is None
    assert isinstance(client.search(alex, criteria, REASON).exception(WAIT_S), AccessRefused)

    def unlock_with(token: SoftToken, purpose: str = "unlock"):
        challenge = done(client.challenge())
        return client.unlock(signed, token.serial, challenge,
                             token.sign(signin_message(purpose, token.serial, challenge)))
    refused(unlock_with(token_for("sam.cp")), SignInRefused, "unlock.wrong_token")
    refused(unlock_with(alex_token, purpose="sign-in"), SignInRefused, "unlock.wrong_token")
    back = done(unlock_with(alex_token))
    assert back.user == signed.user
    alex = Viewer(back.user, None, back.session)
    assert ids(done(client.search(alex, criteria, REASON))) == [facts.plain["did"]]
    assert done(client.view_record(alex, facts.plain["did"], REASON)).directory_id == facts.plain["did"]
    assert done(client.sign_out(back)) is None
    refused(client.search(alex, criteria, REASON), AccessRefused, "access.session_ended")
    refused(client.view_record(alex, facts.plain["did"], REASON), AccessRefused, "access.session_ended")


def test_a_locked_session_is_refused_as_locked(client, kind, request):
    """R-LOCAL-2: the user is told to unlock, not to sign in again."""
    signed = done(sign_in(client, "alex.practitioner"))
    done(client.lock(signed, "idle"))
    refused(client.search(Viewer(signed.user, None, signed.session), Criteria(directory_id="123 456 7890"), REASON),
            AccessRefused, "access.session_locked")


# -- audit (R-AUDIT-1, R-AUDIT-2, R-ROLE-3) ---------------------------------------------------------------
def test_signed_checkpoints_and_a_consistency_proof_show_the_log_only_grew(client):
    key = done(client.audit_public_key())
    first = done(client.audit_checkpoint())
    assert first.verify(key) and first.size > 0
    alex = viewer(client, "alex.practitioner")
    done(client.search(alex, Criteria(family_name="Qwxzyvrapt", dob=date(2015, 3, 9)), REASON))
    second = done(client.audit_checkpoint())
    assert second.verify(key) and second.size >= first.size + 2  # the sign-in and the search
    proof = done(client.audit_consistency(first.size, second.size))
    assert verify_consistency(first.size, second.size, first.root, second.root, proof)
    assert not verify_consistency(first.size, second.size, bytes(32), second.root, proof)
    refused(client.audit_consistency(second.size, first.size), AccessRefused, "audit.bad_sizes")
    refused(client.audit_consistency(0, second.size + 1000), AccessRefused, "audit.bad_sizes")


def test_the_audit_trail_is_for_the_la_team_and_only_its_own_la(client):
    """R-LOCAL-3, R-ROLE-3."""
    alex = viewer(client, "alex.practitioner")
    assert isinstance(client.audit_entries(alex).exception(timeout=WAIT_S), AccessRefused)
    la = viewer(client, "jo.la")
    entries = done(client.audit_entries(la))
    assert entries and all("NBR" in e.las for e in entries)
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    actions = [(e.actor, e.action) for e in entries]
    assert ("alex.practitioner", "audit_read_refused") in actions and ("jo.la", "sign_in") in actions
    later = done(client.audit_entries(la, entries[-1].seq))
    assert all(e.seq > entries[-1].seq for e in later)


def test_other_roles_are_told_what_is_for_the_la_team_alone(client):
    alex = viewer(client, "alex.practitioner")
    refused(client.audit_entries(alex), AccessRefused, "access.audit_la_only")
    refused(client.unlock_account(alex, "sam.cp"), AccessRefused, "access.unlock_not_allowed")


def test_a_token_refusal_reported_by_the_client_is_audited(client):
    """R-AUDIT-1: what the token refused reaches the directory's audit."""
    serial = token_for("alex.practitioner").serial
    assert done(client.report_token_refusal("alex.practitioner", serial, "wrong_pin", "sign_in")) is None
    la = viewer(client, "jo.la")
    reported = [e for e in done(client.audit_entries(la)) if e.action == "token_refused"]
    assert reported and reported[-1].actor == "alex.practitioner"
    assert reported[-1].detail == {"kind": "wrong_pin", "during": "sign_in", "token": serial}


def test_an_audit_alert_from_a_client_reaches_the_la_team(client):
    """R-AUDIT-2: a client that found the log shrank tells the LA team, with what it found."""
    kept = {"size": 90, "root": "ab" * 32}
    now = {"size": 12, "root": "cd" * 32}
    assert done(client.report_audit_alert("alex.practitioner", kept, now, "audit.shrunk")) is None
    la = viewer(client, "jo.la")
    alert = [e for e in done(client.audit_entries(la)) if e.action == "security_alert"][-1]
    assert alert.detail["kept"] == kept and alert.detail["now"] == now and alert.detail["finding"] == "audit.shrunk"


def test_a_user_gets_their_own_sign_in_entry_with_a_proof_and_nobody_elses(client):
    """R-AUDIT-2 (issue 13 §1.2): the client checks the entry of its last sign-in is still in the log as
    written: the entry comes with its inclusion proof against the current checkpoint; another user's entry,
    or one past the log, is refused."""
    import json

    from app import merkle
    from app.audit import entry_leaf
    signed = done(sign_in(client, "alex.practitioner"))
    alex = Viewer(signed.user, None, signed.session)
    assert signed.audit_seq > 0
    cp = done(client.audit_checkpoint())
    got = done(client.audit_own_entry(alex, signed.audit_seq, cp.size))
    e = got.entry
    assert (e.seq, e.actor, e.action, got.size) == (signed.audit_seq, "alex.practitioner", "sign_in", cp.size)
    leaf = entry_leaf(e.seq, e.at, e.actor, e.on_behalf_of, e.action, e.reason,
                      json.dumps(e.detail, sort_keys=True, separators=(",", ":")), ",".join(e.las))
    assert merkle.verify_inclusion(e.seq - 1, cp.size, leaf, list(got.proof), cp.root)
    jo = done(sign_in(client, "jo.la"))
    refused(client.audit_own_entry(alex, jo.audit_seq, done(client.audit_checkpoint()).size), AccessRefused,
            "audit.not_yours")
    refused(client.audit_own_entry(alex, signed.audit_seq, cp.size + 10_000), AccessRefused, "audit.bad_sizes")


# -- the two side by side --------------------------------------------------------------------------------
def _answer(future):
    """What a call gave, comparable across implementations: the value, or the refusal's class and code."""
    exc = future.exception(timeout=WAIT_S)
    if exc is None:
        value = future.result()
        return (value, value.params) if hasattr(value, "notice") else value
    assert isinstance(exc, Refusal), repr(exc)
    return type(exc).__name__, exc.code, exc.field, exc.params


def _script(client, facts) -> list:
    """The same session of work, start to end; every answer kept."""
    alex = viewer(client, "alex.practitioner")
    sam = viewer(client, "sam.cp")
    c = facts.plain
    family, start, end = facts.crowded
    age = (TODAY - c["dob"]).days // 365
    out = []
    for who, criteria in [
            (alex, Criteria(family_name=c["family"], dob=c["dob"])),
            (alex, Criteria(family_name=facts.misspelt, dob=c["dob"])),
            (alex, Criteria(family_name=c["family"], given_name=c["given"].split()[0],
                            age_from=age - 1, age_to=age + 1)),
            (alex, Criteria(family_name=family, dob=start, dob_to=end)),
            (alex, Criteria(family_name="Qwxzyvrapt", dob=date(2015, 3, 9))),
            (alex, Criteria(family_name="Smith")),
            (alex, Criteria(directory_id=facts.shielded["did"])),
            (sam, Criteria(directory_id=facts.sensitive["did"])),
            (alex, Criteria(postcode=facts.shielded["postcode"]))]:
        out.append(_answer(client.search(who, criteria, REASON)))
    for who, did in [(alex, c["did"]), (alex, facts.shielded["did"]), (sam, facts.sensitive["did"]),
                     (sam, c["did"])]:
        out.append(_answer(client.view_record(who, did, REASON)))
    la = viewer(client, "jo.la")
    out.append([(e.actor, e.on_behalf_of, e.action, e.reason, e.detail, e.las)
                for e in done(client.audit_entries(la))])
    return out


def test_both_directories_give_the_same_answers(built_directory, tmp_path, service_tls):
    """Same calls, same results, compared answer by answer (and the audit trail they leave)."""
    from tests.contract.conftest import open_client
    answers = {}
    for kind in ("embedded", "remote"):
        with open_client(kind, built_directory, tmp_path / kind, service_tls) as (client, facts):
            answers[kind] = _script(client, facts)
    embedded, remote = answers["embedded"], answers["remote"]
    assert len(embedded) == len(remote)
    for i, (a, b) in enumerate(zip(embedded, remote)):
        assert a == b, f"answer {i} differs"
