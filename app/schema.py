"""The directory's tables and indexes.

Columns hold names, addresses, contact details, dates and codes only: there
is no free-text column for case information (R-REC-5).

Search indexes (R-SEARCH-4, R-SHIELD-5), built by ``app.search_index``:
- ``search_names`` holds one row per name a child can be found by (current
  name, each part of a hyphenated family name, former and alternative names),
  normalised, with the date of birth and the postcode. A shielded record has
  only its visible names there and no postcode, so neither a withheld name nor
  a postcode can ever reach it.
- ``name_vocab`` and ``name_deletes`` list every distinct indexed family and
  given name with its Metaphone key and its one-letter deletions, so that a
  misspelt or sound-alike name becomes a handful of exact index look-ups.
- ``audit`` is an RFC 6962 Merkle log (``app.audit``): ``audit_tree`` keeps its
  complete subtrees, ``audit_checkpoints`` the signed tree head after each entry.
- ``signin_failures`` counts consecutive failed sign-ins per username typed
  (R-ROLE-4 lock-out); ``record_opens`` the distinct children each user opened
  per day (R-SEARCH-6 budget).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import search_index

SCHEMA_VERSION = "4"

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE las (code TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '');
CREATE TABLE households (
    id INTEGER PRIMARY KEY, line1 TEXT NOT NULL, line2 TEXT NOT NULL, town TEXT NOT NULL,
    postcode TEXT NOT NULL, la_code TEXT NOT NULL);
CREATE TABLE carers (
    id INTEGER PRIMARY KEY, household_id INTEGER NOT NULL, given_names TEXT NOT NULL,
    family_name TEXT NOT NULL, relationship TEXT NOT NULL, phone TEXT NOT NULL,
    line1 TEXT, line2 TEXT, town TEXT, postcode TEXT);
CREATE TABLE settings (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, line1 TEXT NOT NULL,
    line2 TEXT NOT NULL, town TEXT NOT NULL, postcode TEXT NOT NULL, phone TEXT NOT NULL,
    la_code TEXT NOT NULL);
CREATE TABLE gp_practices (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, line1 TEXT NOT NULL, line2 TEXT NOT NULL,
    town TEXT NOT NULL, postcode TEXT NOT NULL, phone TEXT NOT NULL);
CREATE TABLE children (
    id INTEGER PRIMARY KEY, directory_id INTEGER NOT NULL, given_names TEXT NOT NULL,
    family_name TEXT NOT NULL, dob INTEGER NOT NULL, gender TEXT NOT NULL,
    household_id INTEGER NOT NULL, setting_id INTEGER, gp_id INTEGER, la_code TEXT NOT NULL,
    shielded_at TEXT,
    stay_to_age INTEGER, died_on INTEGER, left_england_on INTEGER,
    archived_on INTEGER, archived_why TEXT, destroy_on INTEGER);
CREATE TABLE other_names (
    child_id INTEGER NOT NULL, given_names TEXT NOT NULL, family_name TEXT NOT NULL);
CREATE TABLE involvements (
    id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL, service TEXT NOT NULL,
    organisation TEXT NOT NULL, practitioner TEXT NOT NULL, role TEXT NOT NULL,
    phone TEXT NOT NULL, email TEXT NOT NULL, started INTEGER NOT NULL, ended INTEGER,
    lead INTEGER NOT NULL DEFAULT 0, caf INTEGER NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL, consent_by TEXT, consent_on INTEGER, consent_override TEXT,
    version INTEGER NOT NULL DEFAULT 0, keep_contact_years INTEGER, contact_archive_on INTEGER,
    contact_archived INTEGER NOT NULL DEFAULT 0);
CREATE TABLE search_names (
    family TEXT NOT NULL, given TEXT NOT NULL, dob INTEGER NOT NULL, postcode TEXT,
    child_id INTEGER NOT NULL, kind INTEGER NOT NULL);
CREATE TABLE name_vocab (
    kind TEXT NOT NULL, name TEXT NOT NULL, metaphone TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID;
CREATE TABLE name_deletes (
    kind TEXT NOT NULL, del TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, del, name)) WITHOUT ROWID;
CREATE TABLE signin_failures (
    username TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_at TEXT);
CREATE TABLE record_opens (
    username TEXT NOT NULL, day INTEGER NOT NULL, child_id INTEGER NOT NULL,
    PRIMARY KEY (username, day, child_id)) WITHOUT ROWID;
CREATE TABLE users (
    username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
    la_code TEXT NOT NULL, organisation TEXT NOT NULL, password_hash TEXT NOT NULL,
    nominated INTEGER NOT NULL, trained INTEGER NOT NULL, check_date INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1, trained_on INTEGER, job_title TEXT NOT NULL DEFAULT '',
    token_serial TEXT, sign_public_der BLOB, wrap_public_der BLOB);
-- Issue 8: the directory at work.
CREATE TABLE shields (
    child_id INTEGER PRIMARY KEY, ground TEXT NOT NULL, requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL, review_due INTEGER NOT NULL, reviews INTEGER NOT NULL DEFAULT 0);
CREATE TABLE shield_reviews (
    id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL, reviewed_by TEXT NOT NULL, reviewed_at TEXT NOT NULL,
    decision TEXT NOT NULL, next_due INTEGER);
CREATE TABLE contact_requests (
    id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL, involvement_id INTEGER NOT NULL,
    requested_by TEXT NOT NULL, phone TEXT NOT NULL, email TEXT NOT NULL, requested_at TEXT NOT NULL,
    status TEXT NOT NULL, decided_by TEXT, decided_at TEXT, la_code TEXT NOT NULL);
CREATE TABLE notices (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
    child_id INTEGER NOT NULL, about_involvement INTEGER, about_request INTEGER, read INTEGER NOT NULL DEFAULT 0);
CREATE INDEX notices_user ON notices(username, id);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY, la_code TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
    child_id INTEGER, audit_seq INTEGER NOT NULL, acknowledged_by TEXT, acknowledged_at TEXT);
-- Writes done once per (user, idempotency key): a re-sent change answers what the first did.
CREATE TABLE done_requests (
    username TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, answer TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (username, key)) WITHOUT ROWID;
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, on_behalf_of TEXT,
    action TEXT NOT NULL, reason TEXT, detail TEXT NOT NULL, las TEXT NOT NULL DEFAULT '',
    leaf BLOB NOT NULL);
CREATE TABLE audit_tree (
    level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY, root BLOB NOT NULL, at TEXT NOT NULL, signature BLOB NOT NULL);
-- R-AUDIT-2: append-only.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""

# Built after the bulk load: sorting once is far faster than keeping them up to date.
INDEXES = (
    "CREATE UNIQUE INDEX children_directory_id ON children(directory_id)",
    "CREATE INDEX children_household ON children(household_id)",
    "CREATE INDEX other_names_child ON other_names(child_id)",
    "CREATE INDEX carers_household ON carers(household_id)",
    "CREATE INDEX involvements_child ON involvements(child_id)",
    "CREATE INDEX search_names_name ON search_names(family, given, dob)",
    "CREATE INDEX search_names_family_dob ON search_names(family, dob)",
    "CREATE INDEX search_names_dob ON search_names(dob, family, given, postcode, child_id, kind)",
    "CREATE INDEX search_names_postcode ON search_names(postcode, family) WHERE postcode IS NOT NULL",
    "CREATE INDEX search_names_family_postcode ON search_names(family, postcode) WHERE postcode IS NOT NULL",
    "CREATE INDEX search_names_child ON search_names(child_id)",
    "CREATE INDEX name_vocab_metaphone ON name_vocab(kind, metaphone)",
    "CREATE INDEX households_postcode ON households(postcode)",
)


def create_tables(conn) -> None:
    """The base tables (version 4) and every migration since: a fresh directory is an old one migrated."""
    conn.executescript(TABLES)
    migrate(conn)


# la-admin (issue 14 §2.3): the organisations a directory already knows, for its register: the educational settings,
# the GP practices of each LA's children, and the users' own organisations. Run by the migration that makes the
# register (a directory made before it) and by the generator once its rows are in (a fresh one, whose tables are
# still empty when the migrations run). Involvements' free-text organisations are not taken: they are what the
# register replaces. Part of the shipped migration ``la-admin-register``: never edit it; a later change is a new
# migration.
REGISTER_SEED = (
    "INSERT OR IGNORE INTO organisations (name, la_code, status) SELECT name, la_code, 'listed' FROM settings",
    "INSERT OR IGNORE INTO organisations (name, la_code, status) SELECT DISTINCT g.name, c.la_code, 'listed' "
    "FROM gp_practices g JOIN children c ON c.gp_id = g.id",
    "INSERT OR IGNORE INTO organisations (name, la_code, status) SELECT organisation, la_code, 'listed' "
    "FROM users WHERE organisation != ''",
)

# Changes to the schema after the base tables, in order. Each is applied once to every directory: to a fresh
# one right after its base tables (``create_tables``), to an existing one when it is opened
# (``Directory.open``), and recorded by name in ``schema_migrations``. A change to the schema is a new entry
# appended here, named ``<area>-<what>`` (never an edit of ``TABLES``, and never an edit of an entry that has
# shipped): its statements run in one transaction, so a directory is never left half-migrated. A statement is
# SQL, or a function of the connection for a change SQL cannot express (a re-index).
MIGRATIONS: tuple[tuple[str, tuple[str | Callable[[Any], None], ...]], ...] = (
    # Issue 13 §2: a kept answer names the request it answered (a fingerprint of the operation and body), the
    # child it is about (destroyed with it, R-RET-2) and when it expires (``Limits.stored_answer_hours``).
    # Answers kept before this expire a day after they were given.
    ("sec-sessions-stored-answers", (
        "ALTER TABLE done_requests ADD COLUMN fingerprint TEXT",
        "ALTER TABLE done_requests ADD COLUMN child_id INTEGER",
        "ALTER TABLE done_requests ADD COLUMN expires_at INTEGER",
        "UPDATE done_requests SET expires_at = CAST(strftime('%s', at) AS INTEGER) + 86400",
        "CREATE INDEX done_requests_expiry ON done_requests(expires_at)",
        "CREATE INDEX done_requests_child ON done_requests(child_id) WHERE child_id IS NOT NULL",
    )),
    # closure: how the LA team reaches each token holder (the chase list, R-CLOSE-3); and the LA's closure
    # register and checklist, kept by the directory so several officers at several desks work on one
    # (app.directory.work.closure: JSON of app.closure's Register and Checklist, changed one audited step at
    # a time; names, serials, dates and codes, never case information)
    ("closure-user-contact", (
        "ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT ''",
    )),
    ("closure-register", (
        "CREATE TABLE closure_records (la_code TEXT PRIMARY KEY, register TEXT NOT NULL, checklist TEXT NOT NULL, "
        "version INTEGER NOT NULL, changed_by TEXT NOT NULL, changed_where TEXT NOT NULL, changed_at TEXT NOT NULL)",
    )),
    # R-SHIELD-1/2 (issue 13 §3.1): the LA team's decision that a shielded child's sibling needs no shield of its
    # own, for that shield as set (app.siblings); until then the household's shared details are withheld. Placed
    # before search-name-forms, whose re-index reads it, so a directory lacking both gains them in that order.
    ("shields-sibling-decisions", (
        "CREATE TABLE sibling_decisions (sibling_id INTEGER NOT NULL, shielded_id INTEGER NOT NULL, "
        "shield_set_at TEXT NOT NULL, decision TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, "
        "PRIMARY KEY (sibling_id, shielded_id)) WITHOUT ROWID",
        "CREATE INDEX sibling_decisions_shielded ON sibling_decisions(shielded_id)")),
    # Issue 14 §3.8 (R-SEARCH-4): multi-word parts of hyphenated family names, and two-letter names found
    # through one error, in the index of a directory built before.
    ("search-name-forms", (search_index.index_name_forms,)),
    # la-admin: the LA team's shield queue reads its LA's shielded children through an index (issue 14 §3.3)
    ("la-admin-shield-queue", (
        "CREATE INDEX IF NOT EXISTS children_shielded_la ON children(la_code) WHERE shielded_at IS NOT NULL",)),
    # la-admin: the register of organisations and the LA teams' role titles (issue 14 §2.3, R-REC-5;
    # app.directory.work.register), seeded from what the directory already holds
    ("la-admin-register", (
        "CREATE TABLE organisations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, la_code TEXT NOT NULL, "
        "status TEXT NOT NULL, requested_by TEXT, requested_at TEXT, decided_by TEXT, decided_at TEXT)",
        "CREATE UNIQUE INDEX organisations_la_name ON organisations(la_code, name COLLATE NOCASE)",
        "CREATE INDEX organisations_name ON organisations(name COLLATE NOCASE, status)",
        "CREATE TABLE role_titles (id INTEGER PRIMARY KEY, service TEXT NOT NULL, title TEXT NOT NULL, "
        "la_code TEXT NOT NULL, status TEXT NOT NULL, requested_by TEXT, requested_at TEXT, decided_by TEXT, "
        "decided_at TEXT)",
        "CREATE UNIQUE INDEX role_titles_la_title ON role_titles(la_code, service, title COLLATE NOCASE)",
        *REGISTER_SEED)),
    # la-admin: the LA team gives access (issue 14 §2.1, R-ROLE-3/4): who nominated a new user, when, who made the
    # account, and whether its one-time password still has to be replaced at the next sign-in
    ("la-admin-accounts", (
        "ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE users ADD COLUMN nominated_by TEXT",
        "ALTER TABLE users ADD COLUMN nominated_on INTEGER",
        "ALTER TABLE users ADD COLUMN created_by TEXT")),
    # R-SENS-4 (issue 13 §3.3): how the LA team passed a contact request on (a code: signpost, phone, email)
    ("shields-contact-passed-on-by", ("ALTER TABLE contact_requests ADD COLUMN passed_on_by TEXT",)),
    # Issue 14 §3.3 (R-SHIELD-1/2): a child's brothers and sisters in a household where one of its carers lives
    # (app.siblings.household, read for every line of the LA's shield queue) are found by the carers' address,
    # not by reading every child
    ("shields-carers-address", ("CREATE INDEX IF NOT EXISTS carers_address ON carers(postcode, line1)",)),
    # Issue 16 §4: each checkpoint names the log it is of (``app.audit.Checkpoint.origin``), signed with it; those
    # signed before have none. The log's name is in meta (``audit_origin``), given when the log is opened.
    ("audit-origin", ("ALTER TABLE audit_checkpoints ADD COLUMN origin TEXT NOT NULL DEFAULT ''",)),
)


def migrate(conn) -> list[str]:
    """Apply the migrations this directory lacks, each in its own transaction; returns their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {name for (name,) in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                statement(conn) if callable(statement) else conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))", (name,))
            if own:
                conn.execute("COMMIT")
        except BaseException:
            if own:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def create_indexes(conn, progress=None) -> None:
    for i, ddl in enumerate(INDEXES):
        conn.execute(ddl)
        if progress:
            progress(i + 1, len(INDEXES))
    conn.execute("ANALYZE")
