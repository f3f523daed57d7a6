"""The training guide window shows each sample child with what it shows and what to type."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QLabel

from app.model import Role, User
from app.training import TRAINING_PIN
from tests.conftest import PASSWORD
from ui.training_guide import CHILD_COLUMNS, GuideFacts, TrainingGuide


@dataclass(frozen=True)
class Entry:  # the shape of app.training_cast.CastEntry
    key: str
    directory_id: str
    given_names: str
    family_name: str
    dob: date
    la_name: str
    what: str
    try_search: str


def test_each_sample_child_with_what_it_shows_and_what_to_type(qtbot):
    entries = (Entry("shielded", "123 456 7890", "Poppy", "Smith", date(2015, 6, 8), "Northbridge",
                     "A shielded record", "Family name Smith, date of birth 08/06/2015"),
               Entry("twins", "223 456 7891", "Amir", "Khan", date(2018, 1, 2), "Ashcombe", "Twins",
                     "Family name Khan, date of birth 02/01/2018"))
    users = (User("jo.la", "Jo Patel", Role.LA_MANAGEMENT, "NBR", "Northbridge LA management team", True, True,
                  date(2026, 1, 1)),)
    guide = TrainingGuide(GuideFacts(entries, users))
    qtbot.addWidget(guide)
    table = guide.children
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows[0] == ["Poppy Smith", "123 456 7890", "08/06/2015", "Northbridge", "A shielded record",
                       "Family name Smith, date of birth 08/06/2015"]
    assert len(rows) == 2 and CHILD_COLUMNS[-1] == "What to type"
    assert [guide.users.item(0, c).text() for c in range(4)] == ["jo.la", "Jo Patel", "LA management team",
                                                                 "Northbridge LA management team"]
    texts = " ".join(label.text() for label in guide.findChildren(QLabel))
    assert "README" in texts and PASSWORD not in texts and TRAINING_PIN not in texts
