"""The feeds benchmark (issue 17): a labelled synthetic feed drawn from the generated directory
(``app.feeds.synthetic``: typos, nicknames, moves, new family names, day/month swaps, missing identifiers,
twins and siblings, new children, births, deaths), truth known, through the whole intake: CSV written, read
and validated (``csv_format``), then matched (``matching.Matcher`` over the SQLCipher directory).

- ``feed_precision``: correct links / links made; ``feed_recall``: correct links / rows about a child the
  directory holds (a row held in quarantine beside a shielded child is not a link, so the training recipe's
  1.5% of shielded households cost recall by design; ``feed_recall_unshielded`` leaves those rows out);
  ``feed_review_share``: rows sent to the LA's review queue or held in quarantine / rows, of which
  ``feed_quarantine_share`` in quarantine; ``feed_false_links``; ``feed_rows_per_s``: rows through reading,
  validation and matching per second (one process); ``feed_by_error``: per error type, the share linked
  right, linked wrong, reviewed, new.
- ``splink_*``: Splink 5 on DuckDB with a standard model (``NameComparison`` on first name and surname with
  term frequencies, ``DateOfBirthComparison``, ``ExactMatch`` on sex and NHS number, ``PostcodeComparison``;
  u by random sampling, m by EM on two blocking rules, the prior from a deterministic rule), linking the same
  feed to the same children in the same run, each row's best pair taken: ``splink_precision`` /
  ``splink_recall`` at the threshold giving Splink its best F1, and ``splink_recall_at_our_precision`` at the
  lowest threshold where its precision reaches ours (``splink_precision_at_our_precision`` says what it
  reached).

The directory holds NHS numbers for ``KNOWN_IDENTIFIERS`` of its children (as earlier supply would have
recorded them: today's directory records none), and rows carry them 60% of the time.

``python -m tests.benchmarks.feeds [--children N] [--rows N] [--skip-splink]`` runs it alone; the last
stdout line is JSON. ``make bench`` runs it on its own directory (``figures``).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app import db, generator
from app.feeds import csv_format, formats, synthetic
from app.feeds.formats import FeedKind
from app.feeds.matching.matcher import Decision, Matcher, Outcome
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from tests.feeds.identifiers import DictIdentifiers

SEED = 17
KNOWN_IDENTIFIERS = 0.7


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def draw(conn, rows: int, today: date) -> tuple[list[synthetic.Labelled], dict[int, str]]:
    identifiers = synthetic.known_identifiers(conn, random.Random(SEED), KNOWN_IDENTIFIERS)
    return synthetic.Drawer(conn, SEED, today, identifiers).draw(rows), identifiers


def ours(conn, labelled: list[synthetic.Labelled], identifiers: dict[int, str],
         today: date) -> tuple[dict[str, Decision], float]:
    """Every row written as CSV by kind, then read, validated and matched; (decision by ref, seconds)."""
    bodies = {kind: formats.write_csv(kind, [x.record for x in labelled if x.kind is kind]) for kind in FeedKind
              if any(x.kind is kind for x in labelled)}
    matcher = Matcher(SqlcipherFacts(conn, DictIdentifiers(identifiers)))
    decisions: dict[str, Decision] = {}
    t0 = time.perf_counter()
    for kind, body in bodies.items():
        parsed = csv_format.read_csv(body, kind, today)
        if parsed.rejections:
            raise RuntimeError(f"the synthetic {kind.value} feed has rejected rows: {parsed.rejections[:3]}")
        for i, d in enumerate(matcher.match_all(parsed.records), start=1):
            decisions[d.ref] = d
            if i % 20_000 == 0:
                say(f"  matched {len(decisions):,}/{len(labelled):,}")
    return decisions, time.perf_counter() - t0


def _ref(x: synthetic.Labelled) -> str:
    return x.record.ref if isinstance(x.record, synthetic.IncomingPerson) else x.record.person.ref


def evaluate(labelled: list[synthetic.Labelled], decisions: dict[str, Decision], shielded: set[int]) -> dict:
    links = right = held = quarantined = 0
    by_error: dict[str, Counter] = {}
    for x in labelled:
        d = decisions[_ref(x)]
        tally = by_error.setdefault(x.error, Counter())
        tally["n"] += 1
        if d.outcome is Outcome.LINK:
            links += 1
            ok = d.child_id == x.truth
            right += ok
            tally["linked_right" if ok else "linked_wrong"] += 1
        elif d.outcome in (Outcome.REVIEW, Outcome.QUARANTINE):
            held += 1
            quarantined += d.outcome is Outcome.QUARANTINE
            tally["review"] += 1
        else:
            tally["new_right" if x.truth is None else "new_wrong"] += 1
    known = sum(x.truth is not None for x in labelled)
    plain = [x for x in labelled if x.truth is not None and x.truth not in shielded]
    plain_right = sum(decisions[_ref(x)].child_id == x.truth and decisions[_ref(x)].outcome is Outcome.LINK
                      for x in plain)
    return {"feed_rows": len(labelled), "feed_precision": round(right / max(1, links), 5),
            "feed_recall": round(right / max(1, known), 5), "feed_review_share": round(held / len(labelled), 5),
            "feed_quarantine_share": round(quarantined / len(labelled), 5),
            "feed_recall_unshielded": round(plain_right / max(1, len(plain)), 5), "feed_false_links": links - right,
            "feed_by_error": {e: {k: round(v / t["n"], 4) if k != "n" else v for k, v in sorted(t.items())}
                              for e, t in sorted(by_error.items())}}


# -- Splink, the peer -------------------------------------------------------------------------------------
def _children_table(conn, identifiers: dict[int, str]):
    import pyarrow as pa
    cols: dict[str, list] = {k: [] for k in ("unique_id", "first_name", "surname", "dob", "sex", "postcode",
                                             "nhs_number")}
    for cid, given, family, dob, gender, postcode in conn.execute(
            "SELECT c.id, c.given_names, c.family_name, c.dob, c.gender, h.postcode FROM children c "
            "JOIN households h ON h.id = c.household_id WHERE c.archived_on IS NULL"):
        for k, v in zip(cols, (str(cid), given.split(" ")[0].lower(), family.lower(),
                               date.fromordinal(dob).isoformat(), gender, postcode, identifiers.get(cid))):
            cols[k].append(v)
    return pa.table(cols)


def _feed_table(labelled: list[synthetic.Labelled]):
    import pyarrow as pa
    cols: dict[str, list] = {k: [] for k in ("unique_id", "first_name", "surname", "dob", "sex", "postcode",
                                             "nhs_number")}
    for x in labelled:
        p = x.record if isinstance(x.record, synthetic.IncomingPerson) else x.record.person
        for k, v in zip(cols, (p.ref, p.given_names.split(" ")[0].lower(), p.family_name.lower(), p.dob.isoformat(),
                               p.gender.value, p.postcode or None, p.identifier("nhs_number") or None)):
            cols[k].append(v)
    return pa.table(cols)


def splink_figures(conn, labelled: list[synthetic.Labelled], identifiers: dict[int, str],
                   our_precision: float) -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db_api = DuckDBAPI()
    feed = db_api.register(_feed_table(labelled), dataset_display_name="feed")
    children = db_api.register(_children_table(conn, identifiers), dataset_display_name="directory")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
                     cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                     cl.DateOfBirthComparison("dob", input_is_string=True), cl.ExactMatch("sex"),
                     cl.ExactMatch("nhs_number"), cl.PostcodeComparison("postcode")],
        blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname", "dob"),
                                                block_on("surname", "first_name"), block_on("postcode", "surname"),
                                                block_on("nhs_number")],
        retain_intermediate_calculation_columns=False, retain_matching_columns=False)
    t0 = time.perf_counter()
    linker = Linker([feed, children], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname", "dob")],
                                                                  recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "first_name"))
    pairs = linker.inference.predict(threshold_match_probability=0.01).as_duckdbpyrelation()
    best: dict[str, tuple[float, str]] = {}
    for left, right, prob, src_l in pairs.select("unique_id_l, unique_id_r, match_probability, source_dataset_l") \
            .fetchall():
        row, child = (left, right) if src_l == "feed" else (right, left)
        if row not in best or prob > best[row][0]:
            best[row] = (prob, child)
    seconds = time.perf_counter() - t0
    truth = {_ref(x): x.truth for x in labelled}
    known = sum(t is not None for t in truth.values())
    scored = sorted(((p, str(truth[row]) == child) for row, (p, child) in best.items()), reverse=True)
    curve = []  # (threshold, precision, recall) taking every row whose best pair scores at least the threshold
    right = 0
    for n, (p, ok) in enumerate(scored, start=1):
        right += ok
        curve.append((p, right / n, right / known))
    f1 = max(curve, key=lambda c: 0 if c[1] + c[2] == 0 else 2 * c[1] * c[2] / (c[1] + c[2]))
    reaching = [c for c in curve if c[1] >= our_precision]
    at_ours = max(reaching, key=lambda c: c[2]) if reaching else (1.0, 0.0, 0.0)
    return {"splink_precision": round(f1[1], 5), "splink_recall": round(f1[2], 5),
            "splink_best_f1_threshold": round(f1[0], 5),
            "splink_precision_at_our_precision": round(at_ours[1], 5),
            "splink_recall_at_our_precision": round(at_ours[2], 5), "splink_s": round(seconds, 1)}


def figures(path: Path, key: bytes, rows: int, say: Callable[[str], None] = say, splink: bool = True) -> dict:
    conn = db.open_encrypted(path, key)
    try:
        conn.execute("PRAGMA cache_size = -1048576")
        today = date.fromisoformat(conn.execute("SELECT value FROM meta WHERE key = 'reference_date'").fetchone()[0])
        say(f"drawing a labelled feed of {rows:,} rows…")
        labelled, identifiers = draw(conn, rows, today)
        say("reading, validating and matching it…")
        decisions, seconds = ours(conn, labelled, identifiers, today)
        shielded = {cid for (cid,) in conn.execute("SELECT id FROM children WHERE shielded_at IS NOT NULL")}
        result = evaluate(labelled, decisions, shielded)
        result["feed_rows_per_s"] = round(len(labelled) / seconds, 1)
        if splink:
            say("linking the same feed with Splink…")
            result.update(splink_figures(conn, labelled, identifiers, result["feed_precision"]))
        return result
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--skip-splink", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="signpost-feeds-") as tmp:
        path, key = Path(tmp) / "directory.db", db.new_key()
        say(f"generating {args.children:,} children…")
        generator.generate(path, key, children=args.children, today=date.today())
        result = {"children": args.children, **figures(path, key, args.rows, splink=not args.skip_splink)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
