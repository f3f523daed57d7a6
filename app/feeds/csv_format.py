"""Reading a CSV feed: UTF-8, one header row naming columns of the kind's format (``formats.COLUMNS``).

The header decides for the whole batch: a column outside the format, or a required one missing, refuses the
batch (``feed.unknown_columns``, ``feed.missing_columns``) with the names to fix, since every row would carry
it; nothing outside the format is ever read into a record (R-REC-5). Then each row is validated on its own.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl

from . import formats
from .formats import FeedKind
from .records import Parsed
from .refusals import FeedRefused

MAX_ROWS = 1_000_000


def read_csv(data: bytes, kind: FeedKind, today: date) -> Parsed:
    """The batch's valid rows as records, and every rejected row with its reasons."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedRefused("feed.not_utf8", byte=exc.start) from None
    if not text.strip():
        raise FeedRefused("feed.empty")
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, has_header=True, n_rows=MAX_ROWS + 1)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise FeedRefused("feed.unreadable_csv", detail=type(exc).__name__) from None
    header = next(csv.reader(io.StringIO(text)))  # as sent (polars renames a repeated name)
    if len(set(header)) != len(header):
        raise FeedRefused("feed.duplicate_columns")
    if unknown := formats.unknown_columns(kind, header):
        raise FeedRefused("feed.unknown_columns", columns=unknown)
    if missing := formats.missing_columns(kind, header):
        raise FeedRefused("feed.missing_columns", columns=missing)
    if frame.height > MAX_ROWS:
        raise FeedRefused("feed.too_many_rows", limit=MAX_ROWS)
    good, rejections = formats.validate(kind, frame, today)
    records = tuple((row["_row"], formats.to_record(kind, row)) for row in good.iter_rows(named=True))
    return Parsed(records, tuple(rejections), frame.height)
