"""The directory on its own thread.

The SQLCipher connection is created, used and closed on one dedicated thread;
callers get futures, so the GUI never waits on the database.
"""
from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .executor import SerialExecutor

if TYPE_CHECKING:
    from .directory import Directory

T = TypeVar("T")


class DirectoryService:
    def __init__(self, open_directory: "Callable[[], Directory]") -> None:
        self._executor = SerialExecutor("directory")
        self._directory: Directory | None = None
        self.opened: Future[None] = self._executor.submit(self._open, open_directory)

    def _open(self, open_directory: "Callable[[], Directory]") -> None:
        self._directory = open_directory()

    def run(self, method: Callable[..., T], *args: Any) -> "Future[T]":
        """Call ``method(directory, *args)`` on the directory thread, e.g.
        ``service.run(Directory.search, viewer, criteria, reason)``."""
        return self._executor.submit(self._call, method, args)

    def _call(self, method: Callable[..., T], args: tuple) -> T:
        if self._directory is None:
            self.opened.result()  # re-raises why it did not open
            raise RuntimeError("the directory is closed")
        return method(self._directory, *args)

    def close(self) -> None:
        def _close() -> None:
            if self._directory is not None:
                self._directory.close()
                self._directory = None
        try:
            self._executor.submit(_close).result(timeout=10)
        finally:
            self._executor.shutdown(wait=False)
