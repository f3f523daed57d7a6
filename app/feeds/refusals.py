"""Why a whole batch is refused (before any row is looked at), as codes like the directory's own refusals.

A refusal names what was wrong with the batch itself: who sent it (an unregistered or suspended source, a
signature that does not verify, a body altered after signing), its form (not UTF-8, not a CSV or a Bundle,
a column outside the format: R-REC-5) or what its source may supply. Rows that are merely wrong are not
refused this way: they are rejected one by one (``records.Rejection``) and the rest of the batch goes on.
The service route will audit every refusal with the source and batch it names (issue 17 item 1).
"""
from __future__ import annotations

from app.refusals import Refusal


class FeedRefused(Refusal):
    kind = "feed"
