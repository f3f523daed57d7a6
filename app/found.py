"""The children this directory session was given in its results, as the client knows them.

The directory opens a record, or takes a change about a child, only when this session's own results held
that child (no trawling by id: R-SEARCH-2/3). Its list lives with the directory's session, so it is gone
after a new sign-in, after a service restart, and in a new process. A change kept in the offline outbox
(R-LOCAL-1) or a record reopened from "Recently opened" may come from an earlier session: before it is
sent, the client searches again by the child's directory id alone, with the reason the person gave, so
the directory checks the search afresh (shields, retention, limits) and audits it as any search.

Re-searching is chosen over a grant the directory would issue at the original search and accept later:
it adds no new kind of credential to keep on a workstation or to replay, needs nothing new from the
directory interface, and asks nothing a person could not ask by typing the id themselves.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

from . import directory_id as ids
from .directory.interface import DirectoryClient
from .model import Reason, Viewer
from .search import Criteria, Outcome

SEARCH_TIMEOUT_S = 60


def same_id(text: str) -> str:
    """A directory id in one form ("900 000 0017"), however it was typed; "" if it is not one."""
    value = ids.parse(str(text))
    return ids.fmt(value) if value is not None else ""


class Found:
    """Directory ids this session's results held (thread-safe: the GUI, session and outbox threads add)."""

    def __init__(self, directory_ids: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._ids = {same_id(d) for d in directory_ids} - {""}

    def __contains__(self, directory_id: object) -> bool:
        with self._lock:
            return isinstance(directory_id, str) and same_id(directory_id) in self._ids

    def add(self, outcome: Outcome) -> None:
        """What a search of this session returned."""
        with self._lock:
            self._ids.update(same_id(h.directory_id) for h in outcome.hits)
            self._ids.discard("")

    def forget(self) -> None:
        """A new directory session: it has been given nothing yet."""
        with self._lock:
            self._ids.clear()


def find_again(directory: DirectoryClient, viewer: Viewer, directory_id: str, reason: Reason,
               found: Found) -> bool:
    """Search by ``directory_id`` alone, as ``viewer`` with ``reason``; True if the directory returned that
    child (and this session may now act on it). Raises what the search raises (unreachable, refused)."""
    outcome = directory.search(viewer, Criteria(directory_id=directory_id), reason).result(timeout=SEARCH_TIMEOUT_S)
    found.add(outcome)
    return directory_id in found
