"""Help → Check this workstation… and Help → About Signpost (issue 18 items 4 and 6).

The check runs ``signpost --check``'s checks in a child process (``python -m app.preflight``) on a worker,
so the GUI thread never waits and the app's own token module and keyring connection are not touched.
The report names nobody and can be copied for the service desk.
"""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import child
from app.version import version

from .announce import announce
from .bridge import Relay, watch

CHECK_TIMEOUT_S = 120


def _run_check() -> tuple[int, str]:  # on the dialog's worker
    done = subprocess.run(child.command("app.preflight"), env=child.environment(), capture_output=True, text=True,
                          timeout=CHECK_TIMEOUT_S, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout.strip() or done.stderr.strip()


class CheckDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkDialog")
        self.setWindowTitle("Check this workstation")
        self.summary = QLabel("Checking this workstation…")
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setObjectName("checkReport")
        self.report.setAccessibleName("Workstation check report")
        self.report.setReadOnly(True)
        self.report.setMinimumSize(640, 360)
        self.copy_button = QPushButton("&Copy report")
        self.copy_button.setObjectName("copyReport")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.relay = Relay(self)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="workstation-check")
        self.finished.connect(lambda _result: self._pool.shutdown(wait=False))
        watch(self.relay, self._pool.submit(_run_check), self._done, self._failed)

    def _done(self, outcome: tuple[int, str]) -> None:
        status, text = outcome
        self.report.setPlainText(text)
        self.copy_button.setEnabled(bool(text))
        if status == 0:
            self._tell("Every check passed.", error=False)
        else:
            failed = text.count("\nFAIL ")
            self._tell(f"{failed} check{'s' if failed != 1 else ''} failed: the report says what to do. Copy it for "
                       "your service desk if you need help." if failed else "The check could not finish: the "
                       "report says why.", error=True)

    def _failed(self, exc: BaseException) -> None:
        self._tell(f"The check could not run ({type(exc).__name__}). Run signpost --check in a terminal.", error=True)

    def _tell(self, text: str, error: bool) -> None:
        self.summary.setText(text)
        announce(self.summary, text, assertive=error)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.report.toPlainText())
        self._tell("The report is copied.", error=False)


def show_about(parent: QWidget) -> QMessageBox:
    """The About box, window-modal and not waited on; its version is pyproject.toml's (app.version)."""
    box = QMessageBox(QMessageBox.Information, "About Signpost",
                      f"Signpost {version()}\n\nWho else is working with a child, and how to reach them.",
                      QMessageBox.Close, parent)
    box.setObjectName("aboutBox")
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
    return box
