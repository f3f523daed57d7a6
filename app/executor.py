"""One dedicated thread per resource.

Token (PKCS#11), keyring and directory database work each run on their own
single thread: the resource is only ever touched from that thread, calls are
serialised in submission order, and callers get a ``concurrent.futures.Future``.
The GUI bridges those futures to Qt signals (``ui/bridge.py``); plain tests
call ``.result(timeout=...)``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class SerialExecutor:
    """A single worker thread that owns a resource."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._ident: int | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=name, initializer=self._remember
        )

    def _remember(self) -> None:
        self._ident = threading.get_ident()

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._pool.submit(fn, *args, **kwargs)

    def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        """Run on the owning thread and wait (for non-GUI callers only)."""
        if self.on_thread():
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result(timeout=timeout)

    def on_thread(self) -> bool:
        return self._ident == threading.get_ident()

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)
