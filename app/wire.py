"""The directory's objects as JSON, for the HTTPS service and its client.

One codec for every frozen dataclass that crosses the directory interface
(``app.model``, ``app.search``, ``app.audit``, ``app.directory.work.types``): dates as ISO 8601 strings,
enums as their values, bytes as base64, tuples as lists, and a ``"type"`` tag
where a field may hold one of several classes (an involvement, or a withheld
one). Decoding is strict: a reply that does not fit the type raises
``WireError``, which the client reports as a malformed reply, never as data.
"""
from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from datetime import date
from functools import cache

from . import audit, model, search


class WireError(ValueError):
    """A value does not fit the type it should have."""


TAGGED = {"Involvement": model.Involvement, "WithheldInvolvement": model.WithheldInvolvement}


def encode(value):
    """Any directory object as plain JSON-ready data."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if dataclasses.is_dataclass(value):
        out = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if type(value).__name__ in TAGGED:
            out["type"] = type(value).__name__
        return out
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise WireError(f"cannot send a {type(value).__name__}")


@cache
def _hints(cls) -> dict:
    from .directory.work import types as work  # the work operations' objects (imported late: no cycle)
    return typing.get_type_hints(cls, vars(model) | vars(search) | vars(audit) | vars(work))


def decode(tp, data):
    """``data`` (from JSON) as an instance of ``tp``; ``WireError`` if it does not fit."""
    origin = typing.get_origin(tp)
    if tp is typing.Any:
        return data
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if data is None and type(None) in options:
            return None
        if isinstance(data, dict) and "type" in data:
            cls = TAGGED.get(data["type"])
            if cls is None or cls not in options:
                raise WireError(f"unexpected type tag {data.get('type')!r}")
            return decode(cls, data)
        for option in options:
            if option is type(None):
                continue
            try:
                return decode(option, data)
            except WireError:
                continue
        raise WireError(f"{data!r} fits none of {options}")
    if origin in (tuple, list):
        args = typing.get_args(tp)
        if not isinstance(data, list):
            raise WireError(f"expected a list, got {type(data).__name__}")
        item = args[0] if args else typing.Any
        items = [decode(item, d) for d in data]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(data, dict):
            raise WireError("expected an object")
        return dict(data)
    if tp is type(None):
        if data is not None:
            raise WireError("expected nothing")
        return None
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            if not isinstance(data, dict):
                raise WireError(f"expected an object for {tp.__name__}")
            hints = _hints(tp)
            unknown = set(data) - {f.name for f in dataclasses.fields(tp)} - {"type"}
            if unknown:
                raise WireError(f"{tp.__name__} has no field {sorted(unknown)[0]!r}")
            kwargs = {}
            for f in dataclasses.fields(tp):
                if f.name in data:
                    kwargs[f.name] = decode(hints[f.name], data[f.name])
                elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise WireError(f"{tp.__name__} is missing {f.name}")
            try:
                return tp(**kwargs)
            except (TypeError, ValueError) as exc:
                raise WireError(f"bad {tp.__name__}: {exc}") from None
        if issubclass(tp, enum.Enum):
            try:
                return tp(data)
            except ValueError:
                raise WireError(f"{data!r} is not a {tp.__name__}") from None
        if tp is date:
            try:
                return date.fromisoformat(data)
            except (TypeError, ValueError):
                raise WireError(f"{data!r} is not a date") from None
        if tp is bytes:
            try:
                return base64.b64decode(data, validate=True)
            except (TypeError, ValueError):
                raise WireError("not base64") from None
        if tp is dict:
            if not isinstance(data, dict):
                raise WireError("expected an object")
            return dict(data)
        if tp is bool:
            if not isinstance(data, bool):
                raise WireError("expected true or false")
            return data
        if tp is int:
            if not isinstance(data, int) or isinstance(data, bool):
                raise WireError("expected a whole number")
            return data
        if tp is float:
            if not isinstance(data, (int, float)) or isinstance(data, bool):
                raise WireError("expected a number")
            return float(data)
        if tp is str:
            if not isinstance(data, str):
                raise WireError("expected text")
            return data
    raise WireError(f"cannot read a {tp}")
