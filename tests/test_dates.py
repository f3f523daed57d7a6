"""One home for the 29-February rule (issue 14 §5): every date some years on, and every "has reached an age by",
goes through app/dates.py, with one answer -- 29 February's anniversary in a year without one is 1 March."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from app import dates, search, training_cast
from app.directory import check_expiry
from app.directory.work import involvements
from app.directory.work import types as t
from app.model import Role

APP = Path(__file__).resolve().parents[1] / "app"


def test_no_date_is_moved_by_years_outside_app_dates():
    """The rule was written seven times with two answers (28 February and 1 March); now once."""
    written = [f"{p.relative_to(APP)}:{n}" for p in APP.rglob("*.py") if p.name != "dates.py"
               for n, line in enumerate(p.read_text().splitlines(), 1)
               if re.search(r"replace\(year=|day=28\b|date\([^)]*, 2, 28\)", line)]
    assert not written, written


def test_a_check_made_on_29_february_lasts_to_1_march_like_every_anniversary():
    """R-ROLE-4's three-year check and R-RET-3's archive dates give 29 February the same anniversary."""
    assert check_expiry(date(2024, 2, 29)) == date(2027, 3, 1) == dates.anniversary(date(2024, 2, 29), 3)
    assert involvements.archive_date(date(2028, 2, 29), t.KeepContact.ONE_YEAR) == date(2029, 3, 1)
    assert check_expiry(date(2024, 2, 28)) == date(2027, 2, 28)


def test_the_age_range_on_29_february_finds_exactly_the_children_who_have_reached_the_age():
    """R-SEARCH: on 29 February 2028, aged 3 to 3 is born 1 March 2024 .. 28 February 2025 (a child born on
    1 March 2025 is 3 only on 1 March 2028), the same boundary the retention sweep uses."""
    criteria = search.Criteria(family_name="Smith", given_name="Poppy", age_from=3, age_to=3)
    p = search.plan(criteria, Role.PRACTITIONER, date(2028, 2, 29))
    assert p.dob_range == (date(2024, 3, 1).toordinal(), date(2025, 2, 28).toordinal())
    for born in (date(2024, 3, 1), date(2025, 2, 28)):
        assert dates.anniversary(born, 3) <= date(2028, 2, 29) < dates.anniversary(born, 4)
    assert dates.anniversary(date(2025, 3, 1), 3) > date(2028, 2, 29)
    assert dates.latest_reaching(date(2028, 2, 29), 18) == date(2010, 2, 28)
    assert training_cast.turning_18_dob(date(2028, 2, 29), 10) == date(2010, 3, 10)
