"""No test leaves a thread running or a traceback behind (issue 14 1.8).

Around every test: an exception that ends a thread (``threading.excepthook``), one Python could only ignore
(``sys.unraisablehook``, e.g. in a finaliser), or an error logged with its traceback, fails the test; so does
a thread the test started that is still running a few seconds after its fixtures were torn down. At the end
of the run, a thread still running fails the run. So a background thread that outlives its session (the
outbox's "cannot schedule new futures after shutdown" printed after the green line) turns the run red.

A test that means it marks it: ``@pytest.mark.allows(logged=("app.server.problems",))`` for a traceback it
provokes on purpose and checks, ``threads=("asyncio-portal",)`` for a thread a wider-scoped fixture owns.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
import traceback

import pytest

GRACE_S = 5.0  # a thread told to stop may take this long to end


class _Tracebacks(logging.Handler):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__(logging.ERROR)
        self.allowed = allowed
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and not record.name.startswith(self.allowed or ("\0",)):
            self.seen.append(f"logged by {record.name}: {record.getMessage()}\n"
                             + "".join(traceback.format_exception(*record.exc_info)))


def _running(before: set[int], allowed: tuple[str, ...] = ()) -> list[threading.Thread]:
    """Threads not in ``before`` still running after the grace period (Qt's own threads, and those whose
    names start with ``allowed``, excepted)."""
    deadline = time.monotonic() + GRACE_S
    while True:
        left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()
                and not isinstance(t, threading._DummyThread) and not (allowed and t.name.startswith(allowed))]
        if not left or time.monotonic() >= deadline:
            return left
        for t in left:
            t.join(timeout=0.05)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "allows(logged=(), threads=()): loggers whose tracebacks and thread-name "
                                       "prefixes a test expects (tests/leaks.py)")


@pytest.fixture(autouse=True)
def leaves_nothing_behind(request):
    marker = request.node.get_closest_marker("allows")
    logged_ok = tuple(marker.kwargs.get("logged", ())) if marker else ()
    threads_ok = tuple(marker.kwargs.get("threads", ())) if marker else ()
    before = {t.ident for t in threading.enumerate() if t.ident is not None}
    problems: list[str] = []

    def in_thread(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        problems.append(f"in thread {name}:\n"
                        + "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))

    def unraisable(u) -> None:
        problems.append(f"ignored in {u.object!r}: {u.err_msg or ''}\n"
                        + "".join(traceback.format_exception(u.exc_type, u.exc_value, u.exc_traceback)))

    hooks = threading.excepthook, sys.unraisablehook
    threading.excepthook, sys.unraisablehook = in_thread, unraisable
    logged = _Tracebacks(logged_ok)
    logging.getLogger().addHandler(logged)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(logged)
        threading.excepthook, sys.unraisablehook = hooks
    left = _running(before, threads_ok)
    problems += logged.seen
    if left:
        problems.append("threads still running after the test: " + ", ".join(sorted(t.name for t in left)))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    left = _running({threading.main_thread().ident or 0})
    if left and exitstatus == 0:
        names = ", ".join(sorted(t.name for t in left))
        print(f"\nthreads still running at the end of the run: {names}", file=sys.stderr)
        session.exitstatus = 1
