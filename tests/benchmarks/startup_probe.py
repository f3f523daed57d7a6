"""Start-up probes, each run as a child process that prints one line and exits.

``bare``: a plain PySide6 window; prints "shown" once it is on screen.

``app``: Signpost's real start-up (``ui.app.run``, with ``SIGNPOST_HOME`` set
by the caller); prints "shown" once the sign-in window is on screen, then
"ready" once it can sign someone in:
the key store opened, the directory opened with the key from it
(``SignInWindow.set_ready``) and the security tokens listed in the window's
token picker. Prints "failed: <message>" if the window reports a failure.
It hooks the two methods from outside, so the app needs no benchmark code.
"""
import os
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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from ui.signin_window import SignInWindow
    from ui.token_picker import TokenPicker
    windows: list[SignInWindow] = []
    said: set[str] = set()
    init, set_ready, add_token = SignInWindow.__init__, SignInWindow.set_ready, TokenPicker.add_token

    def say(what: str) -> None:
        if what not in said:
            said.add(what)
            print(what, flush=True)

    def check() -> None:
        if any(w._ready and w.tokens.tokens() for w in windows):
            say("shown")
            say("ready")
            os._exit(0)

    def show_hook(self, event):
        QWidget.showEvent(self, event)
        QTimer.singleShot(0, lambda: say("shown"))

    def init_hook(self, *a, **kw):
        init(self, *a, **kw)
        windows.append(self)

    def ready_hook(self, *a, **kw):
        set_ready(self, *a, **kw)
        check()

    def failed_hook(self, message, *a, **kw):
        print(f"failed: {message}", flush=True)
        os._exit(1)

    def token_hook(self, *a, **kw):
        add_token(self, *a, **kw)
        check()

    SignInWindow.__init__, SignInWindow.set_ready, SignInWindow.set_failed = init_hook, ready_hook, failed_hook
    SignInWindow.showEvent = show_hook
    TokenPicker.add_token = token_hook
    from ui.app import run
    run(sys.argv)


if __name__ == "__main__":
    {"bare": bare, "app": app}[sys.argv[1]]()
