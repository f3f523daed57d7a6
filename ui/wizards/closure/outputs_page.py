"""What closure hands on (R-CLOSE-3..5; R-AUDIT-3; R-LOCAL-3): the token manifest (PDF and CSV), a manifest
for inside each sealed envelope, its labels on a standard label sheet (an address label and an inner slip),
a chase letter for each token still with its holder, the local closure report, the closure audit archive,
and the LA's directory audit archive, exported from the directory and verified (Destroy refuses until it
is). Saved into a folder the LA team chooses, outside Signpost's own data folder; each file names people,
so each is recorded for the last step to list, keep or remove. The documents are made by
``app.closure.outputs`` on the work thread; this page only asks where."""
from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QLineEdit, QListWidget, QPushButton

from app.closure import exports, outputs
from app.closure.plan import Checklist
from app.closure.register import Register

from .common import Page

OUTPUTS = (("manifest", "Save the token &manifest (PDF and CSV)"),
           ("envelope_manifests", "Save the &envelope manifests (PDF, one to go inside each)"),
           ("labels", "Print the &labels (PDF, 99.1 × 67.7 mm label sheets)"),
           ("chase_letters", "Save the c&hase letters (PDF)"),
           ("report", "Save the closure &report (PDF)"),
           ("closure_audit", "Save the closure &audit archive"),
           ("directory_audit", "Export the LA's &directory audit archive and verify it"))
SEALED_FIRST = "Seal an envelope first (count its tokens and scan each serial): these are made for sealed envelopes."


def sealed(register: Register) -> list[str]:
    return sorted(e.id for e in register.envelopes.values() if e.sealed_at and not e.sent_on)


def make(kind: str, ctx, folder: Path, register: Register, checklist: Checklist) -> tuple[list[Path], dict]:
    """Write one output into ``folder`` (on the work thread): the files written, and what to record."""
    now = ctx.now()
    stamp = now.date().isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "closure_audit":  # R-AUDIT-3: one copy kept on this computer through destruction, one where asked
        from app.closure.destroy import archive_dir
        kept = ctx.store.export_audit(archive_dir(ctx.paths)) if ctx.paths is not None else None
        return [ctx.store.export_audit(folder), *([kept] if kept else [])], {}
    if kind == "directory_audit":
        return _directory_audit(ctx, folder, stamp)
    if kind == "manifest":
        pdf, csv = folder / f"token-manifest-{stamp}.pdf", folder / f"token-manifest-{stamp}.csv"
        outputs.manifest_pdf(register, pdf, now)
        outputs.write_private(csv, outputs.manifest_csv(register).encode("utf-8"))  # it names people: 0600
        return [pdf, csv], {}
    if kind in ("envelope_manifests", "labels"):
        ids = sealed(register)
        if not ids:
            raise LookupError(SEALED_FIRST)
        path = folder / f"{'envelope-manifests' if kind == 'envelope_manifests' else 'envelope-labels'}-{stamp}.pdf"
        if kind == "labels":
            outputs.labels_pdf(register, checklist.plan, path, ids)
            return [path], {"labels_made": ids}
        outputs.envelope_manifests_pdf(register, path, now, ids)
        return [path], {}
    if kind == "chase_letters":
        path = folder / f"chase-letters-{stamp}.pdf"
        outputs.chase_letters_pdf(register, path, now.date(), transport_pin=checklist.plan.transport_pin,
                                  la_contact=ctx.facts.get("la_contact"))
        return [path], {}
    path = folder / f"closure-report-{stamp}.pdf"
    outputs.closure_report_pdf(register, checklist, now, path, prepared_by=ctx.actor)
    return [path], {}


def _directory_audit(ctx, folder: Path, stamp: str) -> tuple[list[Path], dict]:
    """R-AUDIT-3: every entry about the LA from the directory, written, read back from disk and verified."""
    from app import audit_archive
    from app.audit import fingerprint
    from app.directory.work import operations as ops
    from app.directory.work import types as t
    if ctx.directory is None:
        raise LookupError("The directory cannot be reached from here, so its audit cannot be exported. Export it "
                          "while the directory answers (before the switch-off), from a desk signed in to it.")
    archive = ctx.directory.perform(ops.CLOSURE_AUDIT_ARCHIVE, ctx.viewer, t.Nothing()).result(120)
    trusted = getattr(ctx, "audit_key", None)  # the directory's key as the session pinned it (issue 13 §1.4)
    if trusted is None or bytes.fromhex(archive.public_key) != trusted:
        raise LookupError(f"The directory's audit archive is signed by an unknown key (fingerprint "
                          f"{fingerprint(bytes.fromhex(archive.public_key))}), not the one this computer knows as "
                          "the directory's, so it was not saved. Tell your helpdesk.")
    path = folder / f"directory-audit-{archive.la_code}-{stamp}.json"
    audit_archive.write(path, archive)
    verdict = audit_archive.verify(audit_archive.read(path), trusted)
    if not verdict.ok:
        raise LookupError(f"The archive was saved to {path} but does not verify: {verdict.problem} Export it again; "
                          "if it fails again, tell your helpdesk.")
    key = hashlib.sha256(bytes.fromhex(archive.public_key)).hexdigest()
    return [path], {"audit_exported": {"entries": verdict.entries, "checkpoint": int(archive.checkpoint["size"]),
                                       "key": key, "verified": True}}


class OutputsPage(Page):
    key = "outputs"
    title = "Save the closure documents"
    intro = ("Save these before the local data is destroyed: the manifest for your records, a manifest inside "
             "each sealed envelope, its labels on it, chase letters to holders who still have a token, the report "
             "to the project lead, and the two audit archives kept for their retention period. Every file names "
             "people: keep them only as your records rules say. The last step lists each for you to keep or "
             "remove.")

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.folder = QLineEdit(str(Path.home() / "Signpost closure"))
        self.folder.setObjectName("outputsFolder")
        self.folder.setAccessibleName("Folder for the documents")
        browse = QPushButton("Bro&wse…")
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
        self.audit_state = QLabel()
        self.audit_state.setObjectName("directoryAuditState")
        self.audit_state.setWordWrap(True)
        self.saved = QListWidget()
        self.saved.setObjectName("savedOutputs")
        self.saved.setAccessibleName("Documents saved")
        self.column.addLayout(grid)
        self.column.addWidget(self.audit_state)
        self.column.addWidget(QLabel("Saved:"))
        self.column.addWidget(self.saved, 1)
        self.finish_layout()
        self.refresh()

    def refresh(self) -> None:
        self.buttons["closure_audit"].setEnabled(self.ctx.store is not None)
        done = self.ctx.checklist.audit_export
        self.audit_state.setText(f"The LA's directory audit archive was exported and verified by {done['by']}." if done
                                 else "The LA's directory audit archive is not exported yet: Destroy waits for it.")

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Folder for the closure documents", self.folder.text())
        if name:
            self.folder.setText(name)

    def save(self, kind: str) -> None:
        folder = Path(self.folder.text()).expanduser()
        if self.ctx.paths is not None and exports.inside_data(self.ctx.paths, folder):
            self.say("Choose a folder outside Signpost's own data folder: everything in it is destroyed at the last "
                     "step, and nobody would look for these files there.")
            return
        self.say("")
        self.buttons[kind].setEnabled(False)
        register, checklist = Register.from_json(self.ctx.register.to_json()), Checklist.from_json(
            self.ctx.checklist.to_json())
        self.ctx.submit(self._made, kind, folder, register, checklist, on_done=lambda out: self._saved(kind, *out),
                        on_error=lambda exc: self._failed(kind, exc))

    def _made(self, kind: str, folder: Path, register: Register, checklist: Checklist):
        """On the work thread: the files, each recorded for the last step (its path and kind, never its content)."""
        paths, then = make(kind, self.ctx, folder, register, checklist)
        if self.ctx.paths is not None:
            for p in paths:
                if not exports.inside_data(self.ctx.paths, p):
                    exports.record(self.ctx.paths, p, "manifest_csv" if p.suffix == ".csv" else kind)
        return paths, then

    def _saved(self, kind: str, paths: list[Path], then: dict) -> None:
        self.buttons[kind].setEnabled(True)
        for p in paths:
            self.saved.addItem(str(p))
        said = f"Saved {', '.join(p.name for p in paths)}."
        refusal = None
        if "labels_made" in then:
            refusal = self.ctx.do("labels_made", envelopes=then["labels_made"])
            said += f" Labels made for {', '.join(then['labels_made'])}: print them, stick them on, post the envelopes."
        if "audit_exported" in then:
            refusal = self.ctx.do("audit_exported", **then["audit_exported"])
            said += (f" VERIFIED: {then['audit_exported']['entries']:,} entries about the LA, in the log the "
                     "directory signed. Keep the file for its retention period: it holds personal data.")
        self.refresh()
        self.say(f"{said} But: {refusal}" if refusal else said, error=bool(refusal))

    def _failed(self, kind: str, exc: BaseException) -> None:
        self.buttons[kind].setEnabled(True)
        self.refresh()
        if isinstance(exc, LookupError) and exc.args:
            self.say(str(exc.args[0]))
        else:
            self.failed(exc)
