"""The retention store's protocol (see ``app.directory.store``): what policy asks of the tables, nothing it decides."""
from __future__ import annotations

from typing import Protocol


class Retention(Protocol):
    """Not yet filled: the statements still live where the work does (issue 16 §1)."""
