"""Audit archive export (R-AUDIT-2, R-AUDIT-3, R-LOCAL-3): the LA team chooses a period and a file; the
directory gives its LA's entries with their proofs against the signed checkpoint; the file is written
readable by its owner only (0600), read back from disk and verified on its own, and the result shown.
Only the LA management team's window has this screen, and the directory refuses anyone else. The file is
clear JSON holding personal data (the criteria of every search: children's names, postcodes), so the
screen says so, refuses Signpost's own data folder, and records each file it wrote (its path, never its
content) for closure's last step to list, keep or remove (``app.closure.exports``)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app import audit, audit_archive
from app.closure import exports
from app.directory.work import operations as ops
from app.directory.work import types as t
from ui.bridge import watch

from .common import LaScreen, buddy, button, date_edit, day_of, flag_label, heading, set_day
from .words import day

WHAT = ("The archive holds every audit entry about your LA in the period, each with its proof that it is in "
        "the log the directory signed. Keep it as your retention rules require. It is not encrypted and holds "
        "personal data: the criteria of every search (children's names and postcodes, a shielded child's name "
        "among them), names and directory ids. Save it only where your LA keeps such records (an encrypted "
        "drive, a records system), never in Signpost's own data folder; it is readable only by you. Closure "
        "lists every archive saved here for you to keep or remove.")


def _save_and_verify(path: Path, archive, paths=None) -> tuple[Path, object, int]:
    """On a worker thread: write (0600), note it for closure, read back what is on disk, verify that against the
    key the session vouched for (the directory's, as this client pinned it: issue 13 §1.4), not the file's."""
    audit_archive.write(path, archive)
    if paths is not None:
        exports.record(paths, path, "directory_audit")
    verdict = audit_archive.verify(audit_archive.read(path), bytes.fromhex(archive.public_key))
    return path, verdict, path.stat().st_mode & 0o777


class AuditExport(LaScreen):
    title = "Audit export"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("laAuditExport")
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="audit-export")
        self.destroyed.connect(lambda *_: self._worker.shutdown(wait=False))
        today = self.today()
        self.start = date_edit("archiveFrom", "Archive from", today.replace(day=1))
        self.end = date_edit("archiveTo", "Archive to", today)
        self.file = QLineEdit()
        self.file.setObjectName("archiveFile")
        self.file.setAccessibleName("Archive file")
        self.file.setPlaceholderText("Choose where to save the archive")
        self.choose_button = button("Ch&oose file…", "chooseArchiveFile")
        self.choose_button.clicked.connect(self.choose)
        self.export_button = button("E&xport and verify", "exportArchive")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.result = QLabel()
        self.result.setObjectName("archiveResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(self.result.textInteractionFlags())
        about = QLabel(WHAT)
        about.setWordWrap(True)
        form = QGridLayout()
        form.addWidget(buddy("&From", self.start), 0, 0)
        form.addWidget(self.start, 0, 1)
        form.addWidget(buddy("&To", self.end), 0, 2)
        form.addWidget(self.end, 0, 3)
        form.addWidget(buddy("F&ile", self.file), 1, 0)
        form.addWidget(self.file, 1, 1, 1, 3)
        form.addWidget(self.choose_button, 1, 4)
        form.addWidget(self.export_button, 2, 1)
        form.setColumnStretch(5, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit archive export"))
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.result)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def refresh(self) -> None:
        super().refresh()  # nothing to read until asked

    def choose(self) -> None:
        start, end = day_of(self.start), day_of(self.end)
        suggested = self.file.text() or str(Path.home() / f"signpost-audit-{start:%Y%m%d}-{end:%Y%m%d}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save the audit archive", suggested, "Audit archive (*.json)")
        if path:
            self.file.setText(path if path.endswith(".json") else path + ".json")

    def export(self) -> None:
        start, end = day_of(self.start), day_of(self.end)
        if end < start:
            self.say("The period ends before it starts: check the dates.", error=True)
            return
        if not self.file.text().strip():
            self.choose()
            if not self.file.text().strip():
                return
        path = Path(self.file.text().strip()).expanduser()
        paths = getattr(self.ctx, "paths", None)
        if paths is not None and exports.inside_data(paths, path):
            self.say("Choose a place outside Signpost's own data folder: the archive holds personal data, and "
                     "everything in that folder is destroyed at closure.", error=True)
            return
        self.say("")
        self.result.clear()
        flag_label(self.result, False)
        self.export_button.setEnabled(False)
        self.result.setText(f"Asking the directory for the audit entries from {day(start)} to {day(end)}…")
        self.ask(ops.AUDIT_ARCHIVE, t.ArchiveQuery(start, end), lambda a: self._got(path, a), self._failed)

    def _got(self, path: Path, archive) -> None:
        self.result.setText(f"Saving {len(archive.entries):,} entries and checking the file…")
        generation = self._generation

        def saved(out) -> None:
            if generation == self._generation:
                self._saved(archive, *out)

        def broken(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed(exc)
        watch(self.ctx.relay, self._worker.submit(_save_and_verify, path, archive, getattr(self.ctx, "paths", None)),
              saved, broken)

    def _saved(self, archive, path: Path, verdict, mode: int) -> None:
        self.export_button.setEnabled(True)
        size = archive.checkpoint.get("size", "?") if isinstance(archive.checkpoint, dict) else "?"
        fingerprint = audit.fingerprint(bytes.fromhex(archive.public_key))
        private = "readable only by you" if mode == 0o600 else f"file permissions {mode:o}: restrict them"
        if verdict.ok:
            cut = (f" {verdict.redacted:,} of them name another LA's child's sensitive service, which is withheld "
                   "from your team: each is proven to be in the log, but what it withholds is not in the archive."
                   if verdict.redacted else "")
            self.result.setText(
                f"VERIFIED. Saved {verdict.entries:,} audit entries about {archive.la_code} to {path} ({private}). "
                f"Every entry is in the log the directory signed (checkpoint of {size} entries, key "
                f"{fingerprint}).{cut} The file holds personal data: keep it where your LA keeps such records.")
            flag_label(self.result, False)
        else:
            self.result.setText(f"NOT VERIFIED. The file {path} was saved but does not check out: {verdict.problem} "
                                "Export it again; if it fails again, tell your helpdesk.")
            flag_label(self.result, True)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.result.clear()
        if isinstance(exc, OSError) and getattr(exc, "errno", None) != 28:
            self.say(f"The archive could not be saved there ({exc.strerror or exc}). Choose another file.", error=True)
            return
        self.failed(exc)

    def reset(self) -> None:
        super().reset()
        self._worker.shutdown(wait=False)  # its thread ends after any save in flight (answer dropped): none left
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="audit-export")  # a thread only once used
        self.result.clear()
        self.file.clear()
        today = self.today()
        set_day(self.start, today.replace(day=1))
        set_day(self.end, today)
        self.export_button.setEnabled(True)
