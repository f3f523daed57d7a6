"""The default closure plan and the LA's checklist (R-CLOSE-5, R-CLOSE-2, R-CLOSE-4)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.closure.plan import DONE, NOT_APPLICABLE, TODO, Checklist, Plan, PlanError

SEED_SWITCH_OFF = date(2010, 8, 6)
AT = datetime(2010, 8, 2, 10, 30)


def checklist(switch_off=SEED_SWITCH_OFF) -> Checklist:
    return Checklist(Plan.default(), switch_off)


def test_default_plan_holds_seed_000_local_activities_with_their_deadlines():
    """R-CLOSE-5: each local activity of seed 000 annex A is in the plan, due on the seed's date."""
    c = checklist()
    due = {r.key: r.due for r in c.rows(SEED_SWITCH_OFF)}
    assert due["monitor_usage"] == date(2010, 8, 6)
    assert due["stop_local_data_feeds"] == date(2010, 8, 5)
    assert due["notify_partners_users_suppliers"] == date(2010, 7, 30)
    assert due["return_tokens"] == date(2010, 8, 13)
    assert due["download_documents"] == date(2010, 8, 13)
    assert due["archive_documentation"] == due["update_websites"] == due["update_privacy_notices"] \
        == date(2010, 8, 31)
    assert due["final_financial_return"] == due["closure_report"] == date(2010, 9, 30)
    assert {"brief_helpdesks", "revoke_data_sharing", "close_actions_risks"} <= set(due)
    # every item whose date the seed gives lands on that date
    for item in c.plan.items:
        if item.seed_date:
            assert c.due(item.key).isoformat() == item.seed_date, item.key
        assert item.owner


def test_plan_gives_transport_pin_and_return_deadline_one_week_after_switch_off():
    """R-CLOSE-2 transport PIN 1234; R-CLOSE-4 return deadline (seed 000: 13 August)."""
    p = Plan.default()
    assert p.transport_pin == "1234"
    assert p.return_deadline(SEED_SWITCH_OFF) == date(2010, 8, 13)
    assert p.return_deadline(date(2027, 3, 1)) == date(2027, 3, 8)


def test_deadlines_follow_any_switch_off_date():
    """R-CLOSE-5: offsets, not fixed dates, so a closure in another year gets its own deadlines."""
    c = checklist(date(2027, 2, 26))
    assert c.due("stop_local_data_feeds") == date(2027, 2, 25)
    assert c.due("return_tokens") == date(2027, 3, 5)


def test_overdue_items_come_first_and_done_or_not_applicable_items_are_not_overdue():
    """R-CLOSE-5: overdue items stand out: listed first, earliest first."""
    c = checklist()
    today = date(2010, 8, 6)  # notify (30 Jul) and stop feeds (5 Aug) are past
    c.mark("stop_local_data_feeds", DONE, "it.lead", AT, notes="IT ticket 4411 closed")
    rows = c.rows(today)
    assert [r.key for r in c.overdue(today)] == ["notify_partners_users_suppliers", "reminder_notices"]
    assert [r.key for r in rows[:2]] == ["notify_partners_users_suppliers", "reminder_notices"]
    assert not any(r.overdue for r in rows[2:])
    c.mark("reminder_notices", NOT_APPLICABLE, "la.lead", AT)
    assert [r.key for r in c.overdue(today)] == ["notify_partners_users_suppliers"]
    assert c.overdue(date(2010, 7, 29)) == []


def test_marking_done_records_who_and_when_and_reopening_clears_it():
    """R-CLOSE-5: who marked an item done and when; evidence notes kept."""
    c = checklist()
    c.mark("brief_helpdesks", DONE, "la.lead", AT, notes="Briefing sent 2 Aug; slides on team drive")
    row = next(r for r in c.rows(AT.date()) if r.key == "brief_helpdesks")
    assert (row.status, row.marked_by, row.marked_at) == (DONE, "la.lead", "2010-08-02T10:30:00")
    assert row.notes.startswith("Briefing sent")
    c.mark("brief_helpdesks", TODO, "la.lead", AT)
    row = next(r for r in c.rows(AT.date()) if r.key == "brief_helpdesks")
    assert (row.status, row.marked_by, row.marked_at) == (TODO, None, None)
    with pytest.raises(PlanError) as e:
        c.mark("brief_helpdesks", DONE, "  ", AT)
    assert e.value.code == "marked_by_missing"
    with pytest.raises(PlanError) as e:
        c.mark("brief_helpdesks", "finished", "la.lead", AT)
    assert e.value.code == "status_unknown"


def test_evidence_notes_are_bounded_short_text():
    """R-CLOSE-5: notes are closure administration, so they are short and plain."""
    c = checklist()
    with pytest.raises(PlanError) as e:
        c.set_notes("update_websites", "x" * 501)
    assert e.value.code == "notes_too_long" and "500" in str(e.value)
    with pytest.raises(PlanError) as e:
        c.set_notes("update_websites", "pages\x00removed")
    assert e.value.code == "notes_invalid"
    c.set_notes("update_websites", "Pages removed:\nclosure notice linked")
    assert c.entries["update_websites"].notes == "Pages removed:\nclosure notice linked"


def test_la_edits_its_own_plan_with_validation():
    """R-CLOSE-5: an LA can add, remove, rename an item and change its deadline."""
    c = checklist()
    c.add_item("tell_schools", "Tell schools the service has closed", "communications", 3)
    assert c.due("tell_schools") == date(2010, 8, 9)
    c.rename_item("tell_schools", "  Write to   all schools ")
    assert c.plan.item("tell_schools").title == "Write to all schools"
    c.set_offset("tell_schools", -2)
    assert c.due("tell_schools") == date(2010, 8, 4)
    c.remove_item("tell_schools")
    assert "tell_schools" not in c.entries
    refusals = [
        (lambda: c.add_item("return_tokens", "Again", "la_team", 1), "key_duplicate"),
        (lambda: c.add_item("Bad Key!", "T", "la_team", 1), "key_invalid"),
        (lambda: c.add_item("ok_key", "", "la_team", 1), "title_empty"),
        (lambda: c.add_item("ok_key", "T" * 121, "la_team", 1), "title_too_long"),
        (lambda: c.add_item("ok_key", "T", "the_mayor", 1), "owner_unknown"),
        (lambda: c.set_offset("return_tokens", 400), "offset_out_of_range"),
        (lambda: c.set_offset("return_tokens", 1.5), "offset_invalid"),
        (lambda: c.remove_item("no_such_item"), "item_unknown"),
    ]
    for act, code in refusals:
        with pytest.raises(PlanError) as e:
            act()
        assert e.value.code == code
    assert "ok_key" not in c.entries


def test_bad_transport_pin_in_a_plan_is_refused():
    """R-CLOSE-2: the plan's transport PIN is digits a token accepts."""
    d = Plan.default().to_dict()
    d["transport_pin"] = "12a4"
    with pytest.raises(PlanError) as e:
        Plan.from_dict(d)
    assert e.value.code == "transport_pin_invalid"


def test_checklist_round_trips_through_json_with_edits_and_progress():
    """R-CLOSE-5: a later session resumes the same checklist from the closure store."""
    c = checklist(date(2027, 2, 26))
    c.add_item("tell_schools", "Tell schools", "communications", 3)
    c.set_offset("return_tokens", 10)
    c.mark("monitor_usage", DONE, "la.lead", AT, notes="Audit reports checked daily")
    again = Checklist.from_json(c.to_json())
    assert again.to_json() == c.to_json()
    assert again.rows(date(2027, 3, 20)) == c.rows(date(2027, 3, 20))
    assert again.due("return_tokens") == date(2027, 3, 8)
