"""LA management and mediated colleagues on both implementations (issue 8 items 6, 7): the LA team manages its
own users and tokens, registers colleagues, reads its alerts, usage and a verifiable audit archive; nothing of
another LA is ever shown or changed (R-ROLE-2, R-ROLE-3, R-ROLE-4, R-AUDIT-2, R-LOCAL-3)."""
from __future__ import annotations

from datetime import date, timedelta

from app import audit_archive
from app.directory import AccessRefused, SignInRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Colleague, Viewer
from app.search import Criteria
from tests.conftest import TODAY, SoftToken
from tests.contract.test_directory_contract import REASON, done, find, refused, sign_in, viewer

NBR_COLLEAGUE = Colleague("Dr Ann Lee", "Northbridge CAMHS", "ann.lee")
TODAY_REAL = date.today()  # audit entries carry the real time, so a report's period is about today


def _audit(client, la):
    return done(client.audit_entries(la))


# -- mediated colleagues (R-ROLE-2) -----------------------------------------------------------------
def test_a_mediating_user_chooses_from_the_las_registered_colleagues(client):
    morgan = viewer(client, "morgan.mediator")
    listed = done(client.perform(ops.COLLEAGUES, morgan, t.Nothing()))
    names = {c.username: c for c in listed}
    assert {"ann.lee", "priya.shah", "ada.nwosu"} <= set(names)
    assert "ruth.bell" not in names  # another LA's colleague (R-ROLE-3)
    assert names["ann.lee"] == t.RegisteredColleague("ann.lee", "Dr Ann Lee", "Consultant psychiatrist",
                                                     "Northbridge CAMHS")


def test_only_a_registered_colleague_of_the_own_la_can_be_acted_for(client):
    """R-ROLE-2: the colleague is chosen from the register, never typed in."""
    signed = done(sign_in(client, "morgan.mediator"))
    criteria = Criteria(family_name="Smith", dob=date(2015, 1, 1))
    typed = Viewer(signed.user, Colleague("Dr Made Up", "Nowhere Surgery"), signed.session)
    assert refused(client.search(typed, criteria, REASON), AccessRefused,
                   "access.colleague_not_registered").field == "colleague"
    elsewhere = Viewer(signed.user, Colleague("Ruth Bell", "Ashcombe School Nursing", "ruth.bell"), signed.session)
    refused(client.search(elsewhere, criteria, REASON), AccessRefused, "access.colleague_not_registered")
    named_user = Viewer(signed.user, Colleague("Alex Morgan", "Hub", "alex.practitioner"), signed.session)
    refused(client.search(named_user, criteria, REASON), AccessRefused, "access.colleague_not_registered")
    acting = Viewer(signed.user, NBR_COLLEAGUE, signed.session)
    assert done(client.search(acting, criteria, REASON)).notice in ("", "no_match", "looser_left_out")


def test_the_audit_records_the_registers_name_not_what_the_client_sent(client):
    """R-ROLE-2, R-AUDIT-1: both people recorded, the colleague as the LA team registered them."""
    signed = done(sign_in(client, "morgan.mediator"))
    fibbing = Viewer(signed.user, Colleague("Somebody Else", "Another Org", "ann.lee"), signed.session)
    done(client.search(fibbing, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON))
    la = viewer(client, "jo.la")
    search = [e for e in _audit(client, la) if e.actor == "morgan.mediator" and e.action == "search"][-1]
    assert search.on_behalf_of == "Dr Ann Lee (Northbridge CAMHS)"


def test_the_la_team_registers_a_colleague_and_the_mediator_can_then_act_for_them(client):
    la = viewer(client, "jo.la")
    surgery = "Northbridge Family Hub"  # R-REC-5: an organisation from the register
    made = done(client.perform(ops.REGISTER_COLLEAGUE, la, t.NewColleague("Dr Kofi Mensah", "GP", surgery)))
    assert made.name == "Dr Kofi Mensah" and made.organisation == surgery and made.username
    refused(client.perform(ops.REGISTER_COLLEAGUE, la, t.NewColleague("Dr Kofi Mensah", "GP", surgery)),
            AccessRefused, "la_users.colleague_exists")
    refused(client.perform(ops.REGISTER_COLLEAGUE, la, t.NewColleague("Dr K\nM", "GP", "Riverside")),
            AccessRefused, "input.one_line")
    signed = done(sign_in(client, "morgan.mediator"))
    acting = Viewer(signed.user, Colleague(made.name, made.organisation, made.username), signed.session)
    done(client.search(acting, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON))
    # Disabled: no longer on the list, no longer acted for (R-ROLE-2)
    done(client.perform(ops.CHANGE_USER, la, t.UserChange(made.username, t.UserAction.DISABLE)))
    listed = done(client.perform(ops.COLLEAGUES, Viewer(signed.user, None, signed.session), t.Nothing()))
    assert made.username not in {c.username for c in listed}
    refused(client.search(acting, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON), AccessRefused,
            "access.colleague_not_registered")


def test_a_practitioner_cannot_register_or_list_colleagues(client):
    alex = viewer(client, "alex.practitioner")
    refused(client.perform(ops.REGISTER_COLLEAGUE, alex, t.NewColleague("Dr A B", "GP", "Surgery")),
            AccessRefused, "access.la_team_only")
    refused(client.perform(ops.COLLEAGUES, alex, t.Nothing()), AccessRefused, "access.mediating_only")


def test_a_registered_colleague_cannot_sign_in(client):
    """R-ROLE-2: a registered colleague has no password and no token of their own."""
    token = SoftToken("colleague-token")
    refused(sign_in(client, "ann.lee", token=token), SignInRefused, "sign_in.wrong_factor")


# -- the LA's users (R-ROLE-3, R-ROLE-4) -----------------------------------------------------------------
def test_the_la_team_lists_only_its_own_users_with_check_expiry_lock_out_and_token(client):
    la = viewer(client, "jo.la")
    users = {u.username: u for u in done(client.perform(ops.LA_USERS, la, t.Nothing()))}
    assert {"alex.practitioner", "sam.cp", "morgan.mediator", "jo.la", "ann.lee"} <= set(users)
    assert "lee.lapsed" not in users and "kim.untrained" not in users and "ruth.bell" not in users  # R-ROLE-3
    alex = users["alex.practitioner"]
    assert alex.check_expires == alex.check_date.replace(year=alex.check_date.year + 3)  # R-ROLE-4
    assert alex.token_serial.startswith("contract-") and alex.enabled and not alex.locked_out


def test_another_las_user_is_never_changed_and_the_refusal_is_audited(client):
    la = viewer(client, "jo.la")
    for request, op in ((t.UserChange("lee.lapsed", t.UserAction.RENEW_CHECK, TODAY), ops.CHANGE_USER),
                        (t.UserChange("nobody.at.all", t.UserAction.UNLOCK), ops.CHANGE_USER),
                        (t.TokenEnrolment("lee.lapsed", "X1", b"k", b"k"), ops.ENROL_TOKEN)):
        assert refused(client.perform(op, la, request), AccessRefused, "access.not_your_la").field == "username"
    entries = _audit(client, la)
    assert sum(e.action in ("change_user_refused", "enrol_token_refused") and e.detail.get("user") == "lee.lapsed"
               for e in entries) == 2


def test_renewing_a_check_lets_an_expired_user_in_again(client):
    """R-ROLE-4: an expired check blocks sign-in with a clear message; the LA team renews it."""
    la = viewer(client, "jo.la")
    old = TODAY - timedelta(days=3 * 366)
    changed = done(client.perform(ops.CHANGE_USER, la, t.UserChange("alex.practitioner", t.UserAction.RENEW_CHECK,
                                                                     TODAY - timedelta(days=10))))
    assert changed.check_date == TODAY - timedelta(days=10)
    refused(client.perform(ops.CHANGE_USER, la, t.UserChange("alex.practitioner", t.UserAction.RENEW_CHECK, old)),
            AccessRefused, "la_users.check_too_old")
    refused(client.perform(ops.CHANGE_USER, la, t.UserChange("alex.practitioner", t.UserAction.RENEW_CHECK,
                                                             TODAY + timedelta(days=1))),
            AccessRefused, "input.date_in_future")
    entries = _audit(client, la)
    assert any(e.action == "user_changed" and e.detail == {"user": "alex.practitioner", "action": "renew_check",
                                                          "on": (TODAY - timedelta(days=10)).isoformat()}
               for e in entries)


def test_disabling_a_user_ends_their_session_at_once_and_enabling_lets_them_back(client):
    la = viewer(client, "jo.la")
    alex = viewer(client, "alex.practitioner")
    done(client.perform(ops.CHANGE_USER, la, t.UserChange("alex.practitioner", t.UserAction.DISABLE)))
    refused(client.search(alex, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON), AccessRefused,
            "access.session_ended")
    refused(sign_in(client, "alex.practitioner"), SignInRefused, "sign_in.disabled")
    refused(client.perform(ops.CHANGE_USER, la, t.UserChange("jo.la", t.UserAction.DISABLE)), AccessRefused,
            "la_users.not_yourself")
    assert done(client.perform(ops.CHANGE_USER, la, t.UserChange("alex.practitioner", t.UserAction.ENABLE))).enabled
    done(sign_in(client, "alex.practitioner"))


def test_a_locked_out_user_is_shown_locked_the_team_is_alerted_and_can_unlock(client):
    """R-ROLE-4 lock-out: alerted in the LA team's inbox; unlocking lets the user in again."""
    for _ in range(10):
        exc = sign_in(client, "sam.cp", password="wrong").exception(timeout=30)
        if exc.code == "sign_in.locked_out":
            break
    la = viewer(client, "jo.la")
    sam = {u.username: u for u in done(client.perform(ops.LA_USERS, la, t.Nothing()))}["sam.cp"]
    assert sam.locked_out
    alerts = done(client.perform(ops.ALERTS, la, t.Nothing()))
    locked = [a for a in alerts if a.kind is t.AlertKind.ACCOUNT_LOCKED and a.actor == "sam.cp"]
    assert locked and not locked[0].acknowledged_by
    assert not done(client.perform(ops.CHANGE_USER, la, t.UserChange("sam.cp", t.UserAction.UNLOCK))).locked_out
    done(sign_in(client, "sam.cp"))
    assert done(client.perform(ops.ACKNOWLEDGE_ALERT, la, t.AlertRef(locked[0].alert_id))) is None
    again = {a.alert_id: a for a in done(client.perform(ops.ALERTS, la, t.Nothing()))}
    assert again[locked[0].alert_id].acknowledged_by == "jo.la"


def test_a_replaced_token_stops_working_at_once(client):
    la = viewer(client, "jo.la")
    alex = viewer(client, "alex.practitioner")
    new = SoftToken("contract-replacement-alex")
    got = done(client.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment("alex.practitioner", new.serial,
                                                                    new.public("sign"), new.public("wrap"))))
    assert got.token_serial == new.serial
    refused(client.search(alex, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON), AccessRefused,
            "access.session_ended")
    refused(sign_in(client, "alex.practitioner"), SignInRefused, "sign_in.wrong_factor")  # the old token
    done(sign_in(client, "alex.practitioner", token=new))
    refused(client.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment("sam.cp", new.serial, new.public("sign"),
                                                                 new.public("wrap"))),
            AccessRefused, "la_users.token_in_use")
    refused(client.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment("sam.cp", "S-2", b"not a key", new.public("wrap"))),
            AccessRefused, "la_users.bad_key")


def test_a_practitioner_cannot_manage_users(client):
    alex = viewer(client, "alex.practitioner")
    for op, request in ((ops.LA_USERS, t.Nothing()), (ops.CHANGE_USER, t.UserChange("sam.cp", t.UserAction.UNLOCK)),
                        (ops.ALERTS, t.Nothing()), (ops.AUDIT_ARCHIVE, t.ArchiveQuery(TODAY_REAL, TODAY_REAL)),
                        (ops.USAGE_REPORT, t.UsageQuery(TODAY_REAL, TODAY_REAL))):
        refused(client.perform(op, alex, request), AccessRefused, "access.la_team_only")


# -- alerts, usage, archive (R-AUDIT-2, R-SHIELD-6, R-LOCAL-3) -----------------------------------------------
def test_a_security_alert_reaches_the_users_la_team(client):
    la = viewer(client, "jo.la")
    done(client.report_audit_alert("alex.practitioner", {"size": 5, "root": "00"}, {"size": 3, "root": "11"}))
    alerts = done(client.perform(ops.ALERTS, la, t.Nothing()))
    assert alerts[0].kind is t.AlertKind.SECURITY_ALERT and alerts[0].actor == "alex.practitioner"
    assert alerts == tuple(sorted(alerts, key=lambda a: a.alert_id, reverse=True))  # newest first


def test_an_alert_of_another_la_cannot_be_acknowledged(client):
    la = viewer(client, "jo.la")
    refused(client.perform(ops.ACKNOWLEDGE_ALERT, la, t.AlertRef(999_999)), AccessRefused, "access.not_your_la")


def test_the_usage_report_counts_each_own_user_and_shows_no_other_la(client, facts):
    la = viewer(client, "jo.la")
    alex = viewer(client, "alex.practitioner")
    find(client, alex, facts.plain["did"])
    done(client.view_record(alex, facts.plain["did"], REASON))
    done(client.search(alex, Criteria(family_name="Qwxzyvrapt", dob=date(2015, 3, 9)), REASON))
    got = done(client.perform(ops.USAGE_REPORT, la, t.UsageQuery(TODAY_REAL - timedelta(days=1), TODAY_REAL)))
    rows = {r.username: r for r in got.rows}
    assert rows["alex.practitioner"].sign_ins >= 1 and rows["alex.practitioner"].searches == 2
    assert rows["alex.practitioner"].views == 1
    assert "lee.lapsed" not in rows and "ann.lee" not in rows and got.la_code == "NBR"
    one = done(client.perform(ops.USAGE_REPORT, la, t.UsageQuery(TODAY_REAL, TODAY_REAL, "alex.practitioner")))
    assert [r.username for r in one.rows] == ["alex.practitioner"]
    refused(client.perform(ops.USAGE_REPORT, la, t.UsageQuery(TODAY_REAL, TODAY_REAL, "lee.lapsed")), AccessRefused,
            "access.not_your_la")
    refused(client.perform(ops.USAGE_REPORT, la, t.UsageQuery(TODAY_REAL - timedelta(days=400), TODAY_REAL)),
            AccessRefused, "usage.period_too_long")


def test_the_audit_archive_verifies_and_holds_only_the_las_entries(client, tmp_path):
    """R-AUDIT-2/3, R-LOCAL-3: exported for the LA team, verifiable on its own, and the export is audited."""
    la = viewer(client, "jo.la")
    archive = done(client.perform(ops.AUDIT_ARCHIVE, la, t.ArchiveQuery(TODAY_REAL - timedelta(days=1), TODAY_REAL)))
    assert archive.entries and all("NBR" in e.las for e in archive.entries) and archive.la_code == "NBR"
    assert audit_archive.verify(archive, done(client.audit_public_key())).ok
    kept = audit_archive.read(audit_archive.write(tmp_path / "archive" / "nbr.json", archive))
    assert audit_archive.verify(kept, done(client.audit_public_key())).ok and kept == archive
    assert (tmp_path / "archive" / "nbr.json").stat().st_mode & 0o777 == 0o600
    assert any(e.action == "audit_archive_exported" for e in _audit(client, la))
