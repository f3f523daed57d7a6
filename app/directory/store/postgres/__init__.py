"""The national directory's store on PostgreSQL (issue 16 §2-3), over the tables of ``app.national.migrations``.

Only the sessions kind is here so far (``PostgresSessions``): what a service node kept in its memory, so that any
node answers any request. The other kinds are later work; until then the engine runs on ``SqliteStore``.
"""
from __future__ import annotations

from .sessions import PostgresSessions

__all__ = ["PostgresSessions"]
