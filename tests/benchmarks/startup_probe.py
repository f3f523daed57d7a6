"""Start-up probes: run as a child process, print 'shown' once the first
window is on screen, and exit. ``bare`` is a plain PySide6 window; ``app``
is Signpost's own start-up up to the sign-in window."""
import sys


def bare() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel
    qt = QApplication(sys.argv)
    w = QLabel("bare")
    w.show()
    QTimer.singleShot(0, lambda: (print("shown", flush=True), qt.quit()))
    qt.exec()


def app() -> None:
    import os
    os.environ["SIGNPOST_EXIT_AFTER_SHOW"] = "1"
    from ui.app import run
    run(sys.argv)


if __name__ == "__main__":
    {"bare": bare, "app": app}[sys.argv[1]]()
