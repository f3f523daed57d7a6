"""Build the training directory's name pools from Faker and sources.json.

Run from the repository root after changing sources.json or nicknames.json:

    .venv/bin/python resources/names/build_pools.py

Writes family.tsv, given_F.tsv, given_M.tsv, adult_F.tsv and adult_M.tsv: one
name a line, then its share per million people, most common first. The
generator reads only these files, so a Faker upgrade never changes a
directory built from the same seed.

How the shares are made (realistic, Zipf-like):
- Family names: the en_GB list carries real percentages (Smith 1.15%, the
  top 500 about 40% of people); sources.json adds a few known shares. The
  rest (about 60%) is spread over every other name, Faker's lists from many
  locales interleaved by each locale's share plus English compounds
  (Ashworth) and patronymics (Dickson), with shares falling as a power of
  rank, continuing from the 500th name.
- Given names: the popular children's names of sources.json (the first
  ``popular_first`` of them on top) and every formal name of nicknames.json
  (so nickname searches meet real children: William, Margaret, ...) form the
  head, shares falling as 1/(rank + offset); the rest follows as a power tail.
Spellings stay as written (O'Brien, accents); letters a plain ASCII fold would
lose (ł, ø, ß, ı, ...) are written the way English records write them.
"""
from __future__ import annotations

import importlib
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from app import names  # noqa: E402

_SPECIAL = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss",
                          "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
                          "œ": "oe", "Œ": "Oe", "’": "'", "ʻ": "'", "ʼ": "'", "`": "'"})
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
                     ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
                      "i", "ye", "yi", "g"]))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
                  ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s",
                   "s", "t", "y", "f", "ch", "ps", "o", "a", "e", "i", "i", "o", "y", "o", "i", "y", "i", "y"]))
_ALLOWED = re.compile(r"[^\W\d_]+(?:['\- ][^\W\d_]+)*")


def _transliterate(name: str) -> str:
    out = []
    for ch in name:
        low = ch.lower()
        sub = _CYRILLIC.get(low, _GREEK.get(low))
        if sub is None:
            out.append(ch)
        else:
            out.append(sub.capitalize() if ch != low else sub)
    return "".join(out)


def clean(name: str) -> str | None:
    """The display spelling, or None for a name unfit for an English record."""
    name = _transliterate(unicodedata.normalize("NFC", name.strip())).translate(_SPECIAL)
    if not _ALLOWED.fullmatch(name) or not name[0].isupper() or not 2 <= len(name) <= 24:
        return None
    if any(ord(c) > 0x24F for c in name):  # Latin only
        return None
    if any(len(names.normalise(p)) < 2 for p in re.split(r"[\s-]+", name)):
        return None
    # every letter must survive the ASCII fold the search keys use
    if len(names.normalise(name)) != sum(c.isalpha() for c in name):
        return None
    return name


def _provider(locale: str):
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _as_list(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k, _ in sorted(value.items(), key=lambda kv: -kv[1])]
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _locale_family(locale: str) -> list[str]:
    p = _provider(locale)
    for attr in ("last_names_male", "male_last_names"):
        males = _as_list(getattr(p, attr, None))
        if males:
            return males + _as_list(getattr(p, "unisex_last_names", None))
    return _as_list(getattr(p, "last_names", None))


def _locale_given(locale: str, sex: str) -> list[str]:
    p = _provider(locale)
    return _as_list(getattr(p, "first_names_female" if sex == "F" else "first_names_male", None))


def interleave(lists: dict[str, tuple[float, list[str]]]) -> list[str]:
    """Merge lists so a list with twice the share is twice as dense near the top.

    Each list is shuffled with a fixed seed first (many Faker lists are
    alphabetical, which would favour names beginning with A).
    """
    keyed = []
    for label, (share, items) in lists.items():
        items = list(items)
        if share <= 0:
            continue
        random.Random(f"pool:{label}").shuffle(items)
        keyed += [((i + 1) / share, label, i, name) for i, name in enumerate(items)]
    return [name for *_, name in sorted(keyed)]


def dedupe(names_in_order) -> list[str]:
    seen, out = set(), []
    for raw in names_in_order:
        name = clean(raw)
        if name is None:
            continue
        key = names.normalise(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def power_tail(first_share: float, start_rank: int, count: int, mass: float) -> list[float]:
    """Shares first_share * (start_rank / r) ** s for r = start_rank+1 .. start_rank+count, summing to mass."""
    def total(s: float) -> float:
        return sum(first_share * (start_rank / r) ** s for r in range(start_rank + 1, start_rank + count + 1))
    lo, hi = 0.01, 4.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) > mass else (lo, mid)
    s = (lo + hi) / 2
    return [first_share * (start_rank / r) ** s for r in range(start_rank + 1, start_rank + count + 1)]


def family_pool(src: dict) -> list[tuple[str, float]]:
    from faker.providers.person.en_GB import Provider as GB
    head = dict(GB.last_names)
    tail_from = min(head.values()) * 10_000, len(head)  # the 500th name's share, per million
    head.update(src["head_percent_extra"])
    head_names = dedupe(head)
    head_share = [head[n] * 10_000 for n in head_names]  # per cent -> per million
    lists = {loc: (share, _locale_family(loc)) for loc, share in src["locales"].items()}
    comp = src["english_compounds"]
    lists["compounds"] = (comp["share"], [a + b for a in comp["first"] for b in comp["second"]
                                           if not (a[-1] == b[0] and a[-1] not in "lsr")])
    givens = [n for loc in ("en_GB", "en_IE") for n in _locale_given(loc, "M")]
    pat = src["patronymic"]
    lists["patronymic"] = (pat["share"], [g + suf for g in givens if g[-1] not in "sxz" for suf in pat["suffixes"]]
                           + [f"Fitz{g.lower()}" for g in givens[:60]])
    seen = {names.normalise(n) for n in head_names}
    tail = [n for n in dedupe(interleave(lists)) if names.normalise(n) not in seen]
    rest = 1_000_000 - sum(head_share)
    rows = list(zip(head_names, head_share)) + list(zip(tail, power_tail(*tail_from, len(tail), rest)))
    return sorted(rows, key=lambda row: -row[1])


def formal_gender(formal: list[str], overrides: dict[str, str]) -> dict[str, str]:
    from faker.providers.person.en import Provider as EN
    female, male = set(EN.first_names_female), set(EN.first_names_male)
    out = {}
    for n in formal:
        if n in overrides:
            out[n] = overrides[n]
        elif (n in female) != (n in male):
            out[n] = "F" if n in female else "M"
        else:
            out[n] = "F" if n.endswith(("a", "ine", "ette", "elle", "ie", "y")) else "M"
    return out


def given_pool(src: dict, sex: str, formal: list[str]) -> list[tuple[str, float]]:
    popular = list(src["children_popular"][sex])
    gender = formal_gender(formal, src["formal_gender"])
    extra = [n for n in formal if gender[n] == sex and n not in popular]
    head: list[str] = popular[:src["popular_first"]]
    popular = popular[src["popular_first"]:]
    while popular or extra:  # then two popular names, then a formal name with nicknames
        for _ in range(2):
            if popular:
                head.append(popular.pop(0))
        if extra:
            head.append(extra.pop(0))
    head = dedupe(head)
    off = src["head_offset"]
    raw = [1 / (r + off) for r in range(1, len(head) + 1)]
    scale = src["head_percent"] * 10_000 / sum(raw)
    head_share = [w * scale for w in raw]
    lists = {loc: (share, _locale_given(loc, sex)) for loc, share in src["locales"].items()}
    seen = {names.normalise(n) for n in head}
    tail = [n for n in dedupe(interleave(lists)) if names.normalise(n) not in seen]
    rest = 1_000_000 - sum(head_share)
    return list(zip(head, head_share)) + list(zip(tail, power_tail(head_share[-1], len(head), len(tail), rest)))


def adult_pool(src: dict, sex: str) -> list[tuple[str, float]]:
    lists = {loc: (1.0, _locale_given(loc, sex)) for loc in src["locales"]}
    pool = dedupe(interleave(lists))
    return [(n, 1_000_000 / len(pool)) for n in pool]


def write(path: Path, rows: list[tuple[str, float]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for name, share in rows:
            fh.write(f"{name}\t{share:.4g}\n")
    print(f"{path.name}: {len(rows)} names, top {rows[0][0]} {rows[0][1] / 1e4:.2f}%")


def main() -> None:
    src = json.loads((HERE / "sources.json").read_text(encoding="utf-8"))
    formal = list(json.loads((ROOT / "resources" / "nicknames.json").read_text(encoding="utf-8"))["formal"])
    write(HERE / "family.tsv", family_pool(src["family"]))
    for sex in "FM":
        write(HERE / f"given_{sex}.tsv", given_pool(src["given"], sex, formal))
        write(HERE / f"adult_{sex}.tsv", adult_pool(src["adult"], sex))


if __name__ == "__main__":
    main()
