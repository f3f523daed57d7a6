"""A shield reaches the household (R-SHIELD-1, R-SHIELD-2, issue 13 §3.1; seed 003 5.2 names siblings).

Children of one household share its address and its carers, and often a school or a GP. Shielding one child
while a brother's or sister's record still shows the family's address and the carers' phones gives the family
away. So, from the moment a child is shielded, each of the household's other children is *held*: the shared
details (address, carers, and any setting or GP practice it shares with the shielded child) are withheld from
everyone but the child's LA team, at the source (``records.build``), and the held child has no postcode in the
search index (R-SHIELD-5: a search by the family's postcode must not find them either).

The same carers can live apart: a brother living with their father lists their mother, at the shielded child's
address, as a carer who lives elsewhere. A child whose household lists a carer at a shielded child's address is
held too; what is withheld on their record is that carer (the shielded household's address and phone), and any
setting or GP it shares with the shielded child; their own address stays, and so does their postcode in the
search index (it leads to their home, not the shielded child's).

The hold lasts until the LA team decides about each sibling: shield them too (they are then shielded in their
own right), or no shield needed (recorded in ``sibling_decisions`` against each shield in the household that
holds the sibling then, as that shield was set, ``shielded_at``: a shield lifted and set again, or a new one in
the household, is a new shield and holds again until decided). A
lifted shield holds no one. The hold is derived from the shields and the decisions, never stored as a flag, so
a shield set when the directory was built holds its siblings exactly as one requested today.

Qt-free; every function runs inside the caller's transaction. The statements are the store's (``shields`` and
``records``, issue 16 §1); ``held_sql`` and ``shares_a_shielded_home`` are the search index's, which is not behind
the store seam yet, and ``UNDECIDED`` is the one home of the rule both use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .directory.store import Store

# One SQL home for "a shielded child {s} whose shield holds child {c}": in its household, or living at the address
# of one of {c}'s household's carers; and no decision about {c} for that shield as set.
UNDECIDED = ("NOT EXISTS (SELECT 1 FROM sibling_decisions x WHERE x.sibling_id = {c}.id AND x.shielded_id = s.id "
             "AND x.shield_set_at = s.shielded_at)")
_SAME_HOUSEHOLD = ("SELECT s.id FROM children s WHERE s.household_id = {c}.household_id AND s.id != {c}.id "
                   "AND s.shielded_at IS NOT NULL AND " + UNDECIDED)
_CARER_LIVES_THERE = ("SELECT s.id FROM carers k JOIN households hs ON hs.postcode = k.postcode AND hs.line1 = k.line1 "
                      "JOIN children s ON s.household_id = hs.id WHERE k.household_id = {c}.household_id "
                      "AND k.postcode IS NOT NULL AND s.household_id != {c}.household_id "
                      "AND s.shielded_at IS NOT NULL AND " + UNDECIDED)
NOT_NEEDED = "not_needed"


def held_sql(alias: str, home: bool = False) -> str:
    """A SQL condition true when the child row ``alias`` is held (see the module docstring); with ``home``, only
    by a shield in its own household, whose address it shares (what the search index and results withhold)."""
    if home:
        return f"EXISTS ({_SAME_HOUSEHOLD.format(c=alias)})"
    return f"(EXISTS ({_SAME_HOUSEHOLD.format(c=alias)}) OR EXISTS ({_CARER_LIVES_THERE.format(c=alias)}))"


def shares_a_shielded_home(conn, child_id: int) -> bool:
    """Held by a shield in its own household: its address is the shielded child's (R-SHIELD-5)."""
    return conn.execute(f"SELECT 1 FROM children c WHERE c.id = ? AND c.shielded_at IS NULL "
                        f"AND {held_sql('c', home=True)}", (child_id,)).fetchone() is not None


def held_by(store: Store, child_id: int) -> list[int]:
    """The shielded children whose shield still holds ``child_id``'s shared details (no decision about it yet)."""
    return store.shields.held_by(child_id)


def is_held(store: Store, child_id: int) -> bool:
    return bool(held_by(store, child_id))


def withheld_carers(store: Store, child_id: int, holders: list[int]) -> tuple[bool, set[tuple[str, str]]]:
    """What of ``child_id``'s household the holders' shields withhold: (its own address and every carer, when a
    holder shares the household; else the (line1, postcode) of the holders' homes, whose carers are withheld)."""
    return store.records.shares_household(child_id, holders), store.records.homes_of(holders)


def shared_places(store: Store, child_id: int, holders: list[int]) -> tuple[set[int], set[int]]:
    """(setting ids, GP practice ids) ``child_id`` shares with the shielded siblings holding it."""
    if not holders:
        return set(), set()
    rows = store.records.places_of(holders)
    return {s for s, _ in rows if s is not None}, {g for _, g in rows if g is not None}


def household(store: Store, child_id: int) -> list[int]:
    """The child's brothers and sisters as far as the directory can tell: the other children of its household,
    and those of a household where one of its carers lives or that lists one of its carers living here."""
    return store.records.household(child_id)


def household_of(store: Store, child_id: int) -> int | None:
    return store.records.household_of(child_id)


def decide_not_needed(store: Store, sibling_id: int, shielded_id: int, by: str, at: str) -> None:
    """The LA team decided ``sibling_id`` needs no shield of its own for ``shielded_id``'s shield as now set."""
    store.shields.decide_not_needed(sibling_id, shielded_id, by, at)
