"""Trusted identifiers held in a dict: the ``IdentifierIndex`` the tests and the feeds benchmark use for
numbers "recorded by earlier supply" (today's directory holds none: ``facts.NO_IDENTIFIERS``)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.feeds.records import NHS_NUMBER


class DictIdentifiers:
    def __init__(self, by_child: Mapping[int, str], scheme: str = NHS_NUMBER) -> None:
        self.scheme = scheme
        self.by_child = dict(by_child)
        self.by_value: dict[str, list[int]] = {}
        for cid, value in self.by_child.items():
            self.by_value.setdefault(value, []).append(cid)

    def children_holding(self, scheme: str, value: str) -> list[int]:
        return list(self.by_value.get(value, ())) if scheme == self.scheme else []

    def held_by(self, child_ids: Iterable[int]) -> Mapping[int, frozenset[tuple[str, str]]]:
        return {cid: frozenset({(self.scheme, self.by_child[cid])}) for cid in child_ids if cid in self.by_child}
