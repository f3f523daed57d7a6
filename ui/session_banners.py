"""What the window says, above its screens, about its link to the directory (issue 15 2.2, 2.4, 2.5): the
directory not answering (why, since when, what still works), the session the directory ended (with the way
back, Sign in again), and the directory's own time limits on the session coming near."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.directory.interface import DirectoryStatus

from . import refusals
from .announce import announce

SESSION_ENDED = ("Your session with the directory has ended: the service may have restarted, or the session "
                 "reached its time limit. Sign in again to carry on here; nothing on this computer is lost, and "
                 "changes waiting are sent once you have.")


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.hide()
    return label


class SessionBanners(QWidget):
    sign_in_again_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = QWidget()  # the directory ended the session: the way back, in place
        self.session.setObjectName("sessionEnded")
        self.session_words = QLabel(SESSION_ENDED)
        self.session_words.setWordWrap(True)
        self.sign_in_again = QPushButton("Sign in again…")
        self.sign_in_again.setObjectName("signInAgainButton")
        self.sign_in_again.clicked.connect(lambda _c=False: self.sign_in_again_requested.emit())
        self.session_words.setBuddy(self.sign_in_again)
        row = QHBoxLayout(self.session)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.session_words, 1)
        row.addWidget(self.sign_in_again)
        self.session.hide()
        self.directory = _label("directoryBanner")  # the directory does not answer
        self.service_warning = _label("serviceWarning")  # the directory's own limits on the session are near
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.session)
        column.addWidget(self.directory)
        column.addWidget(self.service_warning)

    def show_status(self, st: DirectoryStatus) -> None:
        """While the directory does not answer: why, since when, and what still works (the words of
        ``ui.refusals.UNAVAILABLE``); nothing once it answers."""
        words = refusals.UNAVAILABLE.get(st.problem, "") if not st.online else ""
        since = f"Since {datetime.fromtimestamp(st.since):%H:%M}: " if st.since else ""
        self.directory.setText(since + words if words else "")
        self.directory.setVisible(bool(words))

    def session_ended(self) -> bool:
        """Say the session ended (once); True the first time."""
        if not self.session.isHidden():
            return False
        self.session.show()
        self.sign_in_again.setFocus()
        announce(self.session_words, SESSION_ENDED, assertive=True)  # issue 18 item 5: said at once, once
        return True

    def signed_in_again(self) -> None:
        self.session.hide()
        self.hide_service_warning()

    def show_service_warning(self, text: str) -> None:
        if self.service_warning.isHidden():  # said once, politely: a countdown is not read each second
            announce(self.service_warning, text)
        self.service_warning.setText(text)
        self.service_warning.show()

    def hide_service_warning(self) -> None:
        self.service_warning.hide()
        self.service_warning.clear()
