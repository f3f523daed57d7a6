"""Archive access and retention facts (R-RET-1, R-RET-2, R-ROLE-3).

An archived record opens only with a ground from the fixed list (serious case review, child-death
investigation), by its directory id, for the team's own LA; it is shown with when it left the live
directory, why, and when it will be destroyed. A retention fact (consent to stay to 19 or 25, a death,
leaving England) is recorded against a live record with its date."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.directory.work import operations as ops
from app.directory.work import types as t
from ui.record_view import RecordPane

from .common import LaScreen, buddy, button, chosen, date_edit, day_of, heading, set_day
from .words import ARCHIVE_GROUNDS, LEFT_LIVE_WHY, RETENTION_FACTS, day


def _id_edit(name: str, accessible: str) -> QLineEdit:
    e = QLineEdit()
    e.setObjectName(name)
    e.setAccessibleName(accessible)
    e.setPlaceholderText("123 456 7890")
    e.setMaxLength(20)
    return e


class ArchiveAccess(LaScreen):
    title = "Archive and retention"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laArchive")
        # -- open an archived record
        self.archive_id = _id_edit("archiveDirectoryId", "Directory id of the archived record")
        self.ground = QComboBox()
        self.ground.setObjectName("archiveGround")
        self.ground.setAccessibleName("Ground for opening the archive")
        self.ground.addItem("Choose the ground…", None)
        for g, words in ARCHIVE_GROUNDS.items():
            self.ground.addItem(words, g)
        self.open_button = button("&Open archived record", "openArchived")
        self.open_button.clicked.connect(self.open_archived)
        self.archive_id.returnPressed.connect(self.open_archived)
        self.left_live = QLabel()
        self.left_live.setObjectName("archivedWhen")
        self.left_live.setWordWrap(True)
        self.record = RecordPane(clock=lambda: self.ctx.clock())
        self.record.browser.setPlaceholderText("An archived record opens here.")
        opened = QGroupBox("Open an archived record")
        g1 = QGridLayout(opened)
        g1.addWidget(buddy("Directory &id", self.archive_id), 0, 0)
        g1.addWidget(self.archive_id, 0, 1)
        g1.addWidget(buddy("&Ground", self.ground), 0, 2)
        g1.addWidget(self.ground, 0, 3)
        g1.addWidget(self.open_button, 0, 4)
        g1.addWidget(self.left_live, 1, 0, 1, 5)
        g1.addWidget(self.record, 2, 0, 1, 5)
        g1.setColumnStretch(5, 1)
        # -- record a retention fact
        self.fact_id = _id_edit("retentionDirectoryId", "Directory id of the record")
        self.fact = QComboBox()
        self.fact.setObjectName("retentionFact")
        self.fact.setAccessibleName("Retention fact")
        self.fact.addItem("Choose what to record…", None)
        for f, words in RETENTION_FACTS.items():
            self.fact.addItem(words, f)
        self.fact_on = date_edit("retentionDate", "Date of the consent, death or leaving", self.today())
        self.fact_button = button("Record &fact", "recordRetentionFact")
        self.fact_button.clicked.connect(self.record_fact)
        facts = QGroupBox("Record a retention fact")
        g2 = QGridLayout(facts)
        g2.addWidget(buddy("Directory i&d", self.fact_id), 0, 0)
        g2.addWidget(self.fact_id, 0, 1)
        g2.addWidget(buddy("&What", self.fact), 0, 2)
        g2.addWidget(self.fact, 0, 3)
        g2.addWidget(buddy("Da&te", self.fact_on), 1, 0)  # a second row: the box fits a 1024-pixel screen
        g2.addWidget(self.fact_on, 1, 1)
        g2.addWidget(self.fact_button, 1, 3)
        g2.setColumnStretch(4, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Archive and retention"))
        layout.addWidget(QLabel("Records leave the live directory at 18 (19 or 25 with consent), a year after a "
                                "death, or three years after leaving England, and are kept in the archive for six "
                                "years. The archive opens only for a serious case review or a child-death "
                                "investigation, and every opening is audited."))
        layout.itemAt(1).widget().setWordWrap(True)
        layout.addWidget(opened, 1)
        layout.addWidget(facts)
        layout.addWidget(self.message)

    def open_archived(self) -> None:
        did, ground = self.archive_id.text().strip(), chosen(self.ground, t.ArchiveGround)  # rule R-RET-2
        if not did:
            self.say("Enter the archived record's directory id.", field=self.archive_id)
            return
        if ground is None:
            self.say("Choose the ground for opening the archive: a serious case review or a child-death "
                     "investigation.", field=self.ground)
            return
        self.say("")
        self.record.show_loading()
        self.left_live.clear()
        self.ask(ops.OPEN_ARCHIVED, t.ArchivedRecordRequest(did, ground), self._opened,
                 lambda exc: (self.record.clear(), self.failed(exc)))

    def _opened(self, archived: t.ArchivedRecord) -> None:
        why = LEFT_LIVE_WHY.get(archived.why, archived.why)
        self.left_live.setText(f"ARCHIVED RECORD: left the live directory on {day(archived.left_live_on)} ({why}); "
                               f"it will be destroyed on {day(archived.destroy_on)}. This opening is audited.")
        self.record.show_record(archived.record)

    def record_fact(self) -> None:
        did, fact = self.fact_id.text().strip(), chosen(self.fact, t.RetentionFact)  # rule R-RET-1
        if not did:
            self.say("Enter the record's directory id.", field=self.fact_id)
            return
        if fact is None:
            self.say("Choose what to record.", field=self.fact)
            return
        on = day_of(self.fact_on)
        self.ask(ops.RECORD_RETENTION_FACT, t.RetentionChange(did, fact, on),
                 lambda _none: self.say(f"Recorded for {did}: {RETENTION_FACTS[fact].removesuffix(' on')} "
                                        f"({day(on)}). The record leaves the live directory when that rule says."))

    def reset(self) -> None:
        super().reset()
        for e in (self.archive_id, self.fact_id):
            e.clear()
        self.ground.setCurrentIndex(0)
        self.fact.setCurrentIndex(0)
        set_day(self.fact_on, self.today())
        self.left_live.clear()
        self.record.clear()
        self.record.browser.setPlaceholderText("An archived record opens here.")
