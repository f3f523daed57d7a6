"""What closure hands on (R-CLOSE-3, -4, -5; R-AUDIT-3): the token manifest (PDF and CSV), envelope
labels, the local closure report and the audit archive, saved into a folder the LA team chooses.
The documents are made by ``app.closure.outputs`` on the work thread; this page only asks where."""
from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QLineEdit, QListWidget, QPushButton

from ...refusals import closure_words
from .common import Page

OUTPUTS = (("manifest", "Save the token &manifest (PDF and CSV)"), ("labels", "Save envelope &labels (PDF)"),
           ("report", "Save the closure &report (PDF)"), ("audit", "Save the &audit archive"))


def _outputs():
    try:
        return importlib.import_module("app.closure.outputs")
    except ImportError:
        return None


def make(kind: str, ctx, folder: Path) -> list[Path]:
    """Write one output into ``folder`` (on the work thread); the files written."""
    out = _outputs()
    folder.mkdir(parents=True, exist_ok=True)
    reg, today = ctx.register, ctx.clock()
    stamp = today.isoformat()
    if kind == "audit":  # R-AUDIT-3: one copy kept on this computer through destruction, one where asked
        if ctx.store is None:
            raise LookupError("closure.not_ready")
        from app.closure.destroy import archive_dir
        kept = ctx.store.export_audit(archive_dir(ctx.paths)) if ctx.paths is not None else None
        return [ctx.store.export_audit(folder), *([kept] if kept else [])]
    if out is None:
        raise LookupError("closure.not_ready")
    if kind == "manifest":
        pdf, csv = folder / f"token-manifest-{stamp}.pdf", folder / f"token-manifest-{stamp}.csv"
        out.manifest_pdf(reg, pdf, today)
        out.write_private(csv, out.manifest_csv(reg).encode("utf-8"))  # it names people: 0600
        return [pdf, csv]
    if kind == "labels":
        path = folder / f"envelope-labels-{stamp}.pdf"
        out.labels_pdf(reg, path)
        return [path]
    path = folder / f"closure-report-{stamp}.pdf"
    out.closure_report_pdf(reg, ctx.checklist, today, path, prepared_by=ctx.actor)
    return [path]


class OutputsPage(Page):
    key = "outputs"
    title = "Save the closure documents"
    intro = ("Save these before the local data is destroyed: the manifest goes in with the tokens, the "
             "labels on the envelopes, the report to the project lead, and the audit archive is kept for "
             "its retention period.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.folder = QLineEdit(str(Path.home() / "Signpost closure"))
        self.folder.setObjectName("outputsFolder")
        self.folder.setAccessibleName("Folder for the documents")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.choose_folder)
        label = QLabel("&Folder:")
        label.setBuddy(self.folder)
        grid = QGridLayout()
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.folder, 0, 1)
        grid.addWidget(browse, 0, 2)
        self.buttons = {}
        for r, (kind, text) in enumerate(OUTPUTS, start=1):
            b = QPushButton(text)
            b.setObjectName(f"output_{kind}")
            b.clicked.connect(lambda _=False, k=kind: self.save(k))
            grid.addWidget(b, r, 1)
            self.buttons[kind] = b
        self.saved = QListWidget()
        self.saved.setObjectName("savedOutputs")
        self.saved.setAccessibleName("Documents saved")
        self.column.addLayout(grid)
        self.column.addWidget(QLabel("Saved:"))
        self.column.addWidget(self.saved, 1)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        ready = _outputs() is not None
        for kind, b in self.buttons.items():
            b.setEnabled(self.ctx.store is not None if kind == "audit" else ready)
            b.setToolTip("" if b.isEnabled() else closure_words("closure.not_ready"))

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Folder for the closure documents", self.folder.text())
        if name:
            self.folder.setText(name)

    def save(self, kind: str) -> None:
        folder = Path(self.folder.text()).expanduser()
        self.say("")
        self.buttons[kind].setEnabled(False)
        self.ctx.submit(make, kind, self.ctx, folder, on_done=lambda paths: self._saved(kind, paths),
                        on_error=lambda exc: self._failed(kind, exc))

    def _saved(self, kind: str, paths: list[Path]) -> None:
        self.refresh()
        for p in paths:
            self.saved.addItem(str(p))
        self.say(f"Saved {', '.join(p.name for p in paths)}.", error=False)

    def _failed(self, kind: str, exc: BaseException) -> None:
        self.refresh()
        if isinstance(exc, LookupError) and exc.args and str(exc.args[0]).startswith("closure."):
            self.say(closure_words(exc.args[0]))
        else:
            self.failed(exc)
