from datetime import date

import pytest

from app import form_input

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("text, expected", [
    ("08/06/2015", date(2015, 6, 8)), ("8.6.15", date(2015, 6, 8)), ("2015-06-08", date(2015, 6, 8)),
    ("8-6-99", date(1999, 6, 8)), ("", None),
])
def test_dates_as_people_type_them(text, expected):
    assert form_input.parse_date(text, "dob", TODAY) == expected


@pytest.mark.parametrize("text, says", [("31/02/2015", "does not exist"), ("last tuesday", "day/month/year")])
def test_bad_dates_say_what_to_fix(text, says):
    with pytest.raises(form_input.InputProblem, match=says) as e:
        form_input.parse_date(text, "dob", TODAY)
    assert e.value.field == "dob"


def test_age_ranges():
    assert form_input.parse_ages("5-7") == (5, 7)
    assert form_input.parse_ages("5 to 7") == (5, 7)
    assert form_input.parse_ages("6") == (6, 6)
    with pytest.raises(form_input.InputProblem):
        form_input.parse_ages("five")
