"""The words a person reads when the directory says no, or has something to say
about a search: one map, from the codes the directory sends (``app.refusals``,
``app.search.Outcome.notice``) to sentences that say what happened and what to do.

The embedded engine and the HTTPS service send the same codes, so the screens
read the same words whichever directory they talk to. No Qt here: the map is
plain data, tested directly.
"""
from __future__ import annotations

from datetime import date

from app.model import AccessReason
from app.refusals import Refusal
from app.search import Outcome

FIELD_NAMES = {
    "family_name": "family name", "given_name": "given name", "postcode": "postcode",
    "directory_id": "directory id", "dob": "date of birth", "dob_to": "end of the date range", "ages": "age range",
    "colleague": "colleague", "reason": "reason",
    # work operations
    "organisation": "organisation", "role": "role", "phone": "phone number", "email": "e-mail address",
    "start": "start date", "end": "end date", "consent": "consent", "name": "name", "on": "date",
    "period": "period",
    # shields and brokered contact (issue 8)
    "ground": "ground for the shield", "outcome": "decision", "warning_seen": "warning",
    "involvement_id": "service", "request_id": "request",
    "how": "how you passed it on",  # shields branch: brokered contact (R-SENS-4)
    "siblings": "brothers and sisters",  # shields branch: a shield reaches the household (R-SHIELD-1/2)
    "directory_ids": "offline copies",  # shields branch: offline copies checked against shields (R-SHIELD-2)
    # own involvements (issue 8 items 1, 2, 5)
    "service": "service", "keep_contact": "how long to keep the contact details",
    "lead_professional": "lead professional", "version": "version", "notice_id": "notice",
    "fact": "what to record",  # retention (issue 8 item 8)
    # LA management (issue 8 items 6, 7)
    "username": "user", "action": "change", "serial": "token serial", "sign_public_der": "signing key",
    "wrap_public_der": "key-wrapping key", "alert_id": "alert",
    # la-admin (issue 14 §2)
    "entry_id": "request", "kind": "kind of entry", "pattern": "pattern",
    "display_name": "name", "nominated_by": "who nominated them", "nominated_on": "nomination date",
    "trained_on": "training date", "check_date": "check date", "current": "current password",
    "new": "new password",
}


def _wait(seconds) -> str:
    s = max(1, int(seconds))
    if s < 90:
        return f"{s} second{'s' if s != 1 else ''}"
    m = (s + 59) // 60
    if m < 120:
        return f"{m} minute{'s' if m != 1 else ''}"
    h = (m + 59) // 60
    return f"{h} hour{'s' if h != 1 else ''}"


def _day(iso: str) -> str:
    try:
        return f"{date.fromisoformat(iso):%d %B %Y}".lstrip("0")
    except (TypeError, ValueError):
        return str(iso)


def _reason(value: str) -> str:
    try:
        return AccessReason(value).label
    except ValueError:
        return "That reason"


WORDS = {
    # searching (R-SEARCH-2, R-SEARCH-7, input bounds)
    "search.not_text": "The {field_name} is not text.",
    "search.too_long": "The {field_name} is too long: keep it under {limit} characters.",
    "search.unusable_characters": "The {field_name} contains characters that cannot be searched: retype it.",
    "search.date_format": "Enter the date as day/month/year, for example 08/06/2015.",
    "search.ages_out_of_range": "Ages must be whole years between 0 and 25.",
    "search.postcode_format": "Enter a postcode like NE1 4XY, or just its first part (NE1 or NE1 4).",
    "search.dob_range_needs_start": "Give the start of the date of birth range as well as its end.",
    "search.dob_in_future": "The date of birth is in the future: check it.",
    "search.dob_range_too_wide": "Narrow the date of birth range to {max_years} years or less.",
    "search.ages_need_both_ends": "Give both ends of the age range (for example 5 to 7).",
    "search.ages_too_wide": "Narrow the age range to {max_years} years or less.",
    "search.postcode_only_for_la": "Searching by postcode alone is for the LA management team. Add the child's "
                                   "family name.",
    "search.postcode_only_needs_full": "For a postcode-only search give the full postcode (for example NE1 4XY).",
    "search.family_name_required": "Enter the child's family name (or a directory id on its own).",
    "search.id_invalid": "That directory id is not valid: check its ten digits.",
    # sign-in and unlock (R-ROLE-4)
    "sign_in.wrong_factor": "Sign-in failed: the username, password or security token is not right. Check them, "
                            "and that the token is your own.",
    "sign_in.expired": "The sign-in took too long and has expired. Try again.",
    "sign_in.locked_out": "This account is locked after {after} failed sign-ins in a row. Ask your LA team to "
                          "unlock it.",
    "sign_in.disabled": "This account is disabled. Contact your LA team.",
    "unlock.expired": "Unlocking took too long and has expired. Try again.",
    "unlock.wrong_token": "This security token could not unlock the session. Use the token you signed in with.",
    "account.not_nominated": "Your account has not been nominated for access. Contact your LA team.",
    "account.not_trained": "Your training has not been recorded yet. Complete the training, then ask your LA team "
                           "to record it.",
    "account.no_check": "No enhanced criminal-records check is recorded for you. Contact your LA team.",
    "account.check_expired": "Your enhanced criminal-records check expired on {expired_on_day}. Access is blocked "
                             "until it is renewed: contact your LA team.",
    # requests (R-SEARCH-1, R-ROLE-2, anti-trawling)
    "access.session_ended": "Your session has ended. Sign in again.",
    "access.session_locked": "Your session is locked. Unlock it with your token first.",
    "access.colleague_required": "Choose the colleague you are acting for from your LA's list.",  # R-ROLE-2
    "access.colleague_too_long": "Name the colleague you are acting for, and their organisation (up to {limit} "
                                 "characters each).",
    "access.colleague_not_allowed": "Only a mediating user acts on behalf of a colleague.",
    "access.reason_required": "Choose a reason from the list.",
    "access.reason_not_for_role": "“{reason_label}” is not a reason your role can give. Choose another.",
    "access.reason_detail_missing": "Give a short detail for the reason 'Other'.",
    "access.reason_detail_too_long": "Keep the reason detail under 200 characters.",
    "access.not_from_results": "Open a record from your own search results: search for the child first.",
    "access.shield_not_allowed": "Only a practitioner or the LA team can request a shield, from a record they found.",
    "access.unlock_not_allowed": "Only the LA management team can unlock its own LA's users.",
    "access.audit_la_only": "The audit trail is for the LA management team.",
    "access.not_training": "This is not the training directory, so there is no training guide.",
    "audit.bad_sizes": "The audit log has no checkpoint of that size.",
    "record.gone": "That record is no longer in the directory. Search again.",
    # work operations: shared (app/directory/work/checks.py, Directory.perform)
    "input.required": "Fill in the {field_name}.",
    "input.too_long": "The {field_name} is too long: keep it under {limit} characters.",
    "input.unusable": "The {field_name} contains characters that cannot be stored: retype it.",
    "input.one_line": "The {field_name} must be on one line.",
    "input.phone": "The {field_name} is not a phone number: use digits, spaces and an optional leading +.",
    "input.email": "The {field_name} is not an e-mail address.",
    "input.date_in_future": "The {field_name} cannot be in the future.",
    "input.date_too_early": "The {field_name} cannot be before {earliest}.",
    "request.invalid": "The directory could not read this request. Update Signpost, or tell your LA team.",
    "request.bad_key": "This change could not be sent safely. Try again.",
    "request.key_reused": "This change clashed with another one sent from this workstation. Try again.",
    "access.la_team_only": "Only the LA management team can do that.",
    # LA management and mediated colleagues (issue 8 items 6, 7: app/directory/work/usage.py, la_users.py;
    # R-ROLE-2/3/4, R-AUDIT-2, R-LOCAL-3)
    "access.colleague_not_registered": "Choose the colleague you are acting for from your LA's list. If they are "
                                       "not on it, ask your LA team to register them.",
    "account.colleague_no_access": "A registered colleague has no access of their own: a mediating user searches "
                                   "for them.",
    "access.not_your_la": "That is not one of your LA's. The LA team sees and changes only its own LA's users, "
                          "alerts and audit.",
    "access.mediating_only": "Only a mediating user, or the LA team, sees the list of registered colleagues.",
    "la_users.colleague_no_access": "A registered colleague has no access of their own: they can only be disabled "
                                    "or enabled.",
    "la_users.not_yourself": "You cannot change your own account, renew your own check or give yourself a token "
                             "or a password: ask someone else in your LA team.",
    "la_users.check_too_old": "A check made on that date expired on {expired_on_day}: record the date of a check "
                              "made in the last three years.",
    "la_users.bad_key": "The token's {field_name} is not one Signpost can use: enrol the token again.",
    "la_users.token_in_use": "That token is already enrolled for another user: each token has one holder.",
    "la_users.colleague_exists": "That colleague is already registered, with that organisation.",
    "usage.period_too_long": "Choose a period of at most {days} days.",
    # retention and the offline outbox (issue 8 items 8, 9: app/directory/work/retention.py, app/outbox.py)
    "retention.not_found": "There is no record of your LA with that directory id. Check the id.",
    "retention.archived": "That record has already left the live directory: open it from the archive.",
    "retention.not_archived": "That record is still in the live directory: search for it in the usual way.",
    "retention.ground_required": "Choose the ground: a serious case review or a child-death investigation.",
    "outbox.not_sent": "Signpost could not send this change. It is kept on this computer: resolve or discard it.",
    # own involvements and notices (issue 8 items 1, 2, 5: app/directory/work/involvements.py, notices.py)
    "involvement.practitioners_only": "Only practitioners record, change or end their own involvements with a "
                                      "child.",
    "involvement.contact_required": "Give a phone number or an e-mail address, so others can contact you.",
    "involvement.already_recorded": "You have already recorded that you are working with this child for this "
                                    "service and organisation.",
    "involvement.not_yours": "You can change only involvements you recorded yourself.",
    "involvement.ended": "That involvement has ended, so it can no longer be changed.",
    "involvement.conflict": "That involvement was changed elsewhere since you last saw it. Open the record again "
                            "to see the change, then make yours.",
    "involvement.consent_required": "A sensitive service needs either who consented and when, or a child "
                                    "protection reason for recording it without consent (one of them, not both).",
    "involvement.lead_taken": "{practitioner} at {organisation} is already the lead professional for this child. "
                              "Agree a change with them; they clear it first.",
    "involvement.lead_taken_withheld": "Another practitioner is already the lead professional for this child. "
                                       "Ask your LA team to put you in touch with them.",
    "notice.not_yours": "That notice is not in your inbox.",
    # shields and brokered contact (issue 8: app/directory/work/shields.py, contact.py; R-SHIELD-3/6, R-SENS-4)
    "shield.override_not_allowed": "Only a user in a child-protection role can override a shield.",
    "shield.warning_not_seen": "Read the warning first: every shield override is investigated and your LA team "
                               "is told at once.",
    "shield.not_shielded": "This record is not shielded: open it in the usual way.",
    "shield.not_reviewable": "That record has no shield for your LA team to review. Refresh the review list.",
    "contact.not_withheld": "You can see this practitioner's contact details on the record: contact them "
                            "directly.",
    "contact.mediated_not_allowed": "A mediating user cannot ask for brokered contact. Your colleague can call "
                                    "the LA team on the number shown on the record.",
    "contact.not_found": "That contact request is not one for your LA team. Refresh the list.",
    "contact.already_decided": "That contact request has already been passed on or declined. Refresh the list.",
    # -- shields branch (issue 13 §3, issue 14 §1): brokered contact that reaches someone (R-SENS-4)
    "shield.siblings_la_team_only": "Only the child's LA team can shield a brother or sister in the same step. Ask "
                                    "them to review the household.",
    "shield.not_a_sibling": "That child does not share this child's household. Refresh the list and try again.",
    "shield.siblings_need_keep": "Decide about the brothers and sisters when you keep the shield: lifting it shows "
                                 "their address again anyway.",
    "shield.sibling_shielded": "That brother or sister is shielded already: review their own shield.",
    "contact.how_required": "Nobody it is for can be told in Signpost. Pass the request on yourself, by phone or "
                            "e-mail, using the practitioner's details shown, then record how you did.",
    # rate limits (R-SEARCH-6)
    "rate.searches": "You have made {count} searches in the last {window}, the most allowed. You can search again "
                     "in {wait}.",
    "rate.requests": "This workstation has sent {count} requests to the directory in the last {window}, the most "
                     "allowed. Try again in {wait}.",
    "rate.children_opened": "You have opened {count} different children's records today, the most allowed in one "
                            "day. Records you opened today still open; you can open others in {wait} (after "
                            "midnight UTC). If you need more, ask your LA team.",
    # closure: the LA's register kept by the directory (branch closure: app/directory/work/closure.py, R-CLOSE-3)
    "closure.step_refused": "The directory did not record this closure change: the register there says no "
                            "(another desk may have changed it first). The register now shows what the directory "
                            "holds; check it and make the change again if it is still needed.",
    "closure.step_invalid": "This version of Signpost sent a closure change the directory cannot read. Nothing was "
                            "changed; tell your helpdesk.",
    "closure.step_in_future": "This workstation's clock is ahead of the directory's, so the closure change was not "
                              "recorded. Ask IT to set the clock right, then make the change again.",
    "closure.not_set_up": "Closure is not set up in the directory yet: open Closure again to set it up.",
    "closure.already_set_up": "Closure is already set up in the directory for your LA: open Closure again to work on "
                              "that register.",
    # sec-audit: the audit log's own check, and this client's check at sign-in (issue 13 §1.2, §1.3; R-AUDIT-2)
    "audit.log_broken": "Security alert: the directory's audit log {finding_words}. Nothing can be done in the "
                        "directory until it has been checked, so nothing was. Every LA team has been alerted; tell "
                        "yours now.",
    "audit.not_yours": "That audit entry is not one of yours.",
    "audit.bad_signature": "Security alert: the directory showed an audit checkpoint its own key did not sign. "
                           "Your LA team has been told; tell them too, and carry on only if they say so.",
    "audit.key_changed": "Security alert: the key that signs the directory's audit log has changed since you last "
                         "signed in. Your LA team has been told; tell them too, and carry on only if they say so.",
    "audit.other_log": "Security alert: the directory showed the checkpoint of another audit log than the one you "
                       "saw when you last signed in (a training directory's, or a copy's). Your LA team has been "
                       "told; tell them too, and carry on only if they say so.",
    "audit.shrunk": "Security alert: the directory's audit log has shrunk from {kept} to {now} entries since you "
                    "last signed in. Your LA team has been told; tell them too, and carry on only if they say so.",
    "audit.rewritten": "Security alert: the directory's audit log was rewritten since you last signed in: it no "
                       "longer holds the entries you saw. Your LA team has been told; tell them too, and carry on "
                       "only if they say so.",
    "audit.own_entry": "Security alert: your own sign-in recorded in the directory's audit log (entry {entry}) is "
                       "gone or was altered. Your LA team has been told; tell them too, and carry on only if they "
                       "say so.",
    "audit.unproven": "Security alert: the directory could not prove its audit log still holds what you saw. Your "
                      "LA team has been told; tell them too, and carry on only if they say so.",
    "audit.memory_altered": "Security alert: this computer's record of the directory's audit log was altered. Your "
                            "LA team has been told; tell them too. Signpost keeps a new record from now on.",
    "audit.memory_missing": "Security alert: this computer's record of the directory's audit log is missing, though "
                            "you have signed in here before (it was deleted, or your keyring was reset). Your LA "
                            "team has been told; tell them too. Signpost keeps a new record from now on.",
    "audit.archive_unknown_key": "Security alert: the audit archive the directory sent is signed by an unknown "
                                 "key (fingerprint {fingerprint}), not the one this computer knows as the "
                                 "directory's, so it was not saved as verified. Tell your helpdesk.",
    "audit.memory_unconfirmed": "Security alert: this computer's record of the directory's audit log could not be "
                                "confirmed, because your token no longer opens the key that protects it (it was "
                                "re-enrolled or replaced). Your LA team has been told; if they did not change your "
                                "token, tell them at once. Signpost keeps a new record from now on.",
    # la-admin: retention, the register of organisations and roles, giving access (issue 14 §2)
    "retention.consent_too_young": "Consent to stay in the directory is the young person's own, given from their "
                                   "16th birthday ({from_words}). Record it with the date they gave it, on or "
                                   "after then.",
    "register.unknown_organisation": "That organisation is not in the directory's register. Choose it from the "
                                     "list; if it is missing, ask your LA team to add it (Other…).",
    "register.unknown_role": "That role is not one of the roles for this service. Choose it from the list; if it "
                             "is missing, ask your LA team to add it (Other…).",
    "register.already_listed": "That is already in the list: choose it there.",
    "register.already_asked": "Your LA team has already been asked to add that. It appears in the list once they "
                              "have.",
    "register.not_waiting": "That request has already been decided, or is not one for your LA team. Refresh the "
                            "list.",
    "account.password_change_required": "Choose your own password first: the one you were given works only until "
                                        "you do.",
    "la_users.role_not_given": "Choose the user's role: practitioner, practitioner in a child-protection role, "
                               "mediating user, or LA management team.",
    "la_users.user_exists": "That person already has an account in your LA, with that organisation.",
    "password.too_short": "Your new password needs at least {min} characters: a few words you will remember make "
                          "a good one.",
    "password.too_long": "That password is too long: at most {limit} characters.",
    "password.same_as_current": "Choose a new password, not the one you have now.",
    "password.contains_username": "Your new password must not contain your username.",
    "password.wrong_current": "The current password is not right. Type the password you signed in with.",
    # offline: the outbox's changes from an earlier session (offline branch: app/outbox.py, app/found.py)
    "outbox.not_found_again": "The directory no longer finds this child by their directory id (the record may "
                              "have left the directory), so the change was not sent. Search for the child: if "
                              "you find them, send it again; if not, discard it.",
}

# sec-audit: what the directory's own check found ("audit.log_broken", params["finding"]: app.audit.FINDINGS)
AUDIT_FINDING_WORDS = {
    "missing": "has entries missing from it",
    "altered": "has an entry that was altered after it was written",
    "not_covered": "has entries the directory never signed",
    "cut_off": "has had entries cut off its end",
    "rewritten": "was rewritten",
    "bad_signature": "carries a checkpoint its own key did not sign",
    "key_changed": "is signed with another key than the one it began with",
    "witness_missing": "has lost the checkpoint kept beside it",
    "tree_broken": "no longer fits its hash tree",
    "other_log": "is compared with the checkpoint of another log",
}

ADD_DETAIL = {
    True: "Add a date of birth, a postcode, or an age range with the given name.",
    False: "Add a date of birth, a postcode, or a given name with an age range.",
}


def words(refusal: Refusal) -> str:
    """What to tell the person, for any refusal the directory sends."""
    p = dict(refusal.params)
    if refusal.code == "search.add_detail":
        return ADD_DETAIL[bool(p.get("has_given"))]
    p.setdefault("field_name", FIELD_NAMES.get(refusal.field, "detail"))
    if "wait_s" in p:
        p["wait"] = _wait(p["wait_s"])
    if "window_s" in p:
        p["window"] = "minute" if int(p["window_s"]) <= 60 else "hour"
    if "expired_on" in p:
        p["expired_on_day"] = _day(p["expired_on"])
    if "from_day" in p:
        p["from_words"] = _day(p["from_day"])
    if "reason" in p:
        p["reason_label"] = _reason(p["reason"])
    if refusal.code == "audit.log_broken":  # sec-audit
        p["finding_words"] = AUDIT_FINDING_WORDS.get(str(p.get("finding")), "failed its check")
    template = WORDS.get(refusal.code)
    if template is None:
        return "The directory refused this request. Try again; if it keeps happening, contact your helpdesk."
    try:
        return template.format(**p)
    except (KeyError, ValueError, IndexError):
        return template.split("{")[0].rstrip(" (") + "."


def describe(searched: dict) -> str:
    """What was searched, in words ("family name Smith, born 12/03/2015")."""
    s = searched or {}
    parts = []
    if s.get("directory_id"):
        parts.append(f"directory id {s['directory_id']}")
    if s.get("family_name"):
        parts.append(f"family name {s['family_name']}")
    if s.get("given_name"):
        parts.append(f"given name {s['given_name']}")
    dob, dob_to = _date(s.get("dob")), _date(s.get("dob_to"))
    if dob and dob_to:
        parts.append(f"born {dob} to {dob_to}")
    elif dob:
        parts.append(f"born {dob}")
    if s.get("age_from") is not None and s.get("age_to") is not None:
        lo, hi = sorted((s["age_from"], s["age_to"]))
        parts.append(f"aged {lo}" if lo == hi else f"aged {lo} to {hi}")
    if s.get("postcode"):
        parts.append(f"postcode {str(s['postcode']).strip().upper()}")
    return ", ".join(parts)


def _date(iso) -> str:
    try:
        return f"{date.fromisoformat(iso):%d/%m/%Y}" if iso else ""
    except (TypeError, ValueError):
        return ""


_HINTS = {
    "id": "Check the digits, or search by name instead.",
    "exact_dob": "Check the date of birth, or search with a date-of-birth range or the postcode instead.",
    "given_age": "Check the ages or the dates, or search with the exact date of birth or the postcode instead.",
    "range": "Check the dates, or add the given name.",
    "postcode": "Check the postcode, or give just its first part (for example NE11), or search with the date of "
                "birth instead.",
}


def notice_words(outcome: Outcome) -> str:
    """What to say beside a search's hits (no match, refine, looser matches left out)."""
    p = outcome.params or {}
    what = describe(p.get("searched", {}))
    if outcome.notice == "refine":
        return (f"More than {p.get('cap', 25)} children match {what}. Add or narrow a detail: an exact date of "
                "birth, a fuller postcode, or a given name.")
    if outcome.notice == "looser_left_out":
        n = p.get("shown", len(outcome.hits))
        return (f"Showing the {n} closest {'match' if n == 1 else 'matches'}; more children match less closely "
                "and were left out. Add a detail to see them.")
    if outcome.notice == "no_match":
        hint = p.get("hint", "")
        if hint == "id":
            return f"No child has {what}. {_HINTS['id']}"
        if hint == "postcode_only":
            postcode = str(p.get('searched', {}).get('postcode', '')).upper()
            return f"No child is recorded at {postcode}. Check the postcode."
        tried = "similar spellings and sound-alike names"
        if hint == "exact_dob":
            tried += ", the day and month swapped and a day either side"
        return f"No child matches {what} (also tried {tried}). {_HINTS.get(hint, _HINTS['postcode'])}"
    return ""


UNAVAILABLE = {
    "offline": "The directory cannot be reached (no connection, or it did not answer in time). Check the network "
               "and try again; records you opened recently can still be read as offline copies.",
    "certificate": "The directory's security certificate could not be verified, so Signpost did not connect. "
                   "Do not carry on: tell your helpdesk.",
    "server_error": "The directory had a problem answering. Try again in a moment; if it keeps failing, contact "
                    "your helpdesk.",
    "malformed": "The directory sent a reply Signpost could not read, so nothing was shown. Try again; if it keeps "
                 "happening, contact your helpdesk.",
    "service_closed": "The directory service has closed. Only the closure tasks are available now.",
    "disk_full": "The disk is full, so the directory cannot record this request. Free some disk space and try again.",
    # sec-audit: a page of the directory file damaged while it is open (issue 13 §4.2)
    "corrupt": "The directory file is damaged: part of it no longer matches what was written, so this could not be "
               "done. Nothing was deleted. Restart Signpost: it checks the file and says what to do.",
}


def explain(exc: BaseException) -> tuple[str, str]:
    """(words, field to correct) for anything a directory, token, keyring or cache call can raise:
    the one place a failure becomes a sentence."""
    from app.directory.interface import DirectoryUnavailable
    from app.keystore import KeystoreError
    from app.localcache import CacheError
    from app.token.errors import TokenError
    from app.training import DirectoryProblem
    if isinstance(exc, Refusal):
        return words(exc), exc.field
    if isinstance(exc, DirectoryUnavailable):
        return UNAVAILABLE.get(exc.code, UNAVAILABLE["server_error"]), ""
    if isinstance(exc, TokenError):
        return exc.message, "pin"
    if isinstance(exc, KeystoreError):
        return f"Your keyring could not be used: {exc}", "pin"
    if isinstance(exc, CacheError):
        return f"Your local data could not be opened: {exc}", "pin"
    if isinstance(exc, DirectoryProblem):  # sec-audit: a training directory that will not open (issue 13 §4.2)
        return str(exc), ""
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:
        return UNAVAILABLE["disk_full"], ""
    return "Something went wrong. Try again; if it keeps happening, sign out and in again or contact your helpdesk.", ""


# Wherever this map is loaded (the app, once its first window is up; the tests), a refusal's str() and an
# outcome's message are these words: logs and assertions read what the person read.
Refusal.render = words
Outcome.render = notice_words


# closure (issue 9: the closure wizard, ui/wizards/closure) ------------------------------------------
CLOSURE_WORDS = {
    "closure.tokens_unavailable": "Token resets cannot start: the security token service is not running. Restart "
                                  "Signpost with the token reader connected.",
    "closure.reset_busy": "A token is being reset already. Finish or cancel it first.",
    "closure.no_token_chosen": "Choose a token from the register first.",
    "closure.only_closure_tasks": "The service has been switched off. Only the closure tasks are available.",
    "closure.not_la_team": "Closure is for the LA management team.",
    "closure.destroy_confirm_mismatch": "Type DESTROY in capitals to confirm.",
    "closure.file_unreadable": "The file could not be read: {why}.",
    # offline: closure reached with the directory out of reach, the switch-off's time, a practitioner's token reset
    # before hand-in (offline branch: ui/closure_launch.py, ui/hand_in_token.py; R-CLOSE-1, R-CLOSE-2)
    "closure.switched_off_at": "The service was switched off at {when}. Only the closure tasks are available.",
    "closure.hand_in_note": "The service was switched off at {when}. Reset your security token's PIN to the "
                            "transport PIN {pin}, then hand the token to your LA team.",
    "closure.hand_in_note_now": "The service has been switched off. Reset your security token's PIN to the "
                                "transport PIN {pin}, then hand the token to your LA team.",
    "closure.hand_in_token": "The service was switched off at {when}, so Signpost cannot be used any more. Before "
                             "you hand your security token to your LA team, reset its PIN to the transport PIN "
                             "{pin}: type your current PIN here and press Reset.",
    "closure.hand_in_token_now": "The service has been switched off, so Signpost cannot be used any more. Before "
                                 "you hand your security token to your LA team, reset its PIN to the transport PIN "
                                 "{pin}: type your current PIN here and press Reset.",
    "closure.unreachable": "The directory cannot be reached, so only the closure tasks you prepared on this "
                           "workstation are open, after your token checked your PIN. Searching and records wait "
                           "until the directory answers: close this window, then sign in again.",
}


def closure_words(code: str, **params) -> str:
    try:
        return CLOSURE_WORDS[code].format(**params)
    except KeyError:
        return CLOSURE_WORDS.get(code, "Something went wrong in closure. Try again.")


def closure_explain(exc: BaseException) -> str:
    """The closure core refuses with coded errors whose message already says what to do
    (RegisterError, PlanError, the store's StoreError); everything else as elsewhere."""
    from app.closure.plan import PlanError
    from app.closure.register import RegisterError
    if isinstance(exc, (RegisterError, PlanError)) or type(exc).__name__ == "StoreError":
        return str(exc)
    if isinstance(exc, OSError) and getattr(exc, "errno", None) != 28:
        return closure_words("closure.file_unreadable", why=getattr(exc, "strerror", None) or str(exc))
    return explain(exc)[0]
