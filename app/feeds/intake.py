"""A batch from a verified source, read in its format and checked row by row against what the source may supply.

``read`` is what the write path (and the batch report) starts from: the records that may go on to matching,
and every rejection — a row that fails the format, and a row carrying something its source may not supply
(``sources.permitted``). The batch itself was verified first (``envelope.verify``).
"""
from __future__ import annotations

from datetime import date

from .csv_format import read_csv
from .fhir_format import read_bundle
from .formats import FeedKind
from .records import Parsed
from .refusals import FeedRefused
from .sources import RegisteredSource, check_kind, permitted

READERS = {"csv": read_csv, "fhir": read_bundle}


def read(source: RegisteredSource, kind: FeedKind, fmt: str, body: bytes, today: date) -> Parsed:
    check_kind(source, kind)
    if fmt not in READERS:
        raise FeedRefused("feed.format_unknown", format=fmt)
    parsed = READERS[fmt](body, kind, today)
    kept, rejections = [], list(parsed.rejections)
    for row, record in parsed.records:
        problems = permitted(source, row, record)
        if problems:
            rejections += problems
        else:
            kept.append((row, record))
    return Parsed(tuple(kept), tuple(sorted(rejections, key=lambda r: (r.row, r.field))), parsed.received)
