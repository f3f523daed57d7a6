"""JSON Schemas of the answers, derived from the dataclasses the way ``app.wire`` encodes them.

So the OpenAPI document says exactly what ``wire.encode`` sends: dates as ISO
strings, enums as their values, bytes as base64, tuples as arrays, and the
``type`` tag on an involvement or a withheld one.
"""
from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date

from .. import wire


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def schema_for(tp, components: dict) -> dict:
    """The schema of ``tp``; dataclasses and enums go into ``components`` and are referred to."""
    origin = typing.get_origin(tp)
    if tp is typing.Any:
        return {}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = [schema_for(a, components) for a in options]
        one = inner[0] if len(inner) == 1 else {"anyOf": inner}
        return {"anyOf": [one, {"type": "null"}]} if type(None) in typing.get_args(tp) else one
    if origin in (tuple, list):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return {"type": "array", "items": schema_for(args[0], components) if args else {}}
    if origin is dict or tp is dict:
        return {"type": "object"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if tp.__name__ not in components:
            components[tp.__name__] = {"type": "string", "enum": [m.value for m in tp], "title": tp.__name__}
        return _ref(tp.__name__)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp.__name__ not in components:
            components[tp.__name__] = {}  # reserved first: a dataclass may refer to itself
            hints = wire._hints(tp)
            props, required = {}, []
            for f in dataclasses.fields(tp):
                props[f.name] = schema_for(hints[f.name], components)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    required.append(f.name)
            if tp.__name__ in wire.TAGGED:
                props["type"] = {"type": "string", "enum": [tp.__name__]}
                required.append("type")
            components[tp.__name__] = {"type": "object", "title": tp.__name__, "properties": props,
                                       "required": required}
        return _ref(tp.__name__)
    simple = {bool: {"type": "boolean"}, int: {"type": "integer"}, float: {"type": "number"},
              str: {"type": "string"}, bytes: {"type": "string", "format": "byte"},
              date: {"type": "string", "format": "date"}, type(None): {"type": "null"}}
    if tp in simple:
        return dict(simple[tp])
    raise TypeError(f"no schema for {tp!r}")
