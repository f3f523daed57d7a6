-- What one service process keeps in its memory today (app/directory/engine.py, app/server/sessions.py,
-- app/server/guards.py), here so that any node answers any request and a restart or a failover signs nobody out
-- (issue 16 §2-3). The lock-outs (signin_failures), the daily budget of children opened (record_opens) and the
-- idempotency answers (done_requests) are directory tables already (0001).

-- Sessions. A row is keyed by a SHA-256 of the bearer, never the bearer itself: whoever reads the database
-- (a backup, a standby's disk) holds no session. An ended session stays, with when and why, for as long as a
-- session may live, so a request on it is audited as its holder's (issue 13 §1.5) and a session the directory
-- ended for its user (disabled, locked out, new token) is told apart from one that went idle.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    username text NOT NULL,
    signed_in jsonb NOT NULL,           -- the user as signed in: a request naming another role or LA is refused
    serial text NOT NULL,               -- the token signed in with
    created_at timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    locked boolean NOT NULL DEFAULT false,
    ended_at timestamptz,
    ended_why text,                     -- signed_out, idle, too_old, replaced, stopped (ended for the user)...
    CHECK ((ended_at IS NULL) = (ended_why IS NULL)));
CREATE INDEX sessions_live_by_user ON sessions (username, created_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- R-SEARCH-2/3: the children a session was given in results, the only ones it may open. A child destroyed by
-- retention (R-RET-2) leaves no grant behind.
CREATE TABLE session_grants (
    token_hash bytea NOT NULL REFERENCES sessions ON DELETE CASCADE,
    child_id bigint NOT NULL REFERENCES children ON DELETE CASCADE,
    PRIMARY KEY (token_hash, child_id));
CREATE INDEX session_grants_child ON session_grants (child_id);

-- UNLOGGED below: these rows are written on nearly every request, live for a minute or an hour, and are not
-- worth a WAL record each, nor a wait for the standby. An unlogged table is emptied after a crash and is not on
-- the standby, so a failover forgets them. That costs nothing that matters: a challenge lost mid-sign-in means
-- pressing Sign in again (a lost challenge can only refuse, never admit), and forgotten rate-limit counts give
-- each user at most one fresh window once per failover, while every search is still audited (R-SEARCH-6,
-- R-AUDIT-1). What must survive (sessions, grants, lock-outs, budgets, answers, the audit) is logged.

-- Single-use sign-in challenges (R-ROLE-4): DELETE ... RETURNING takes one once, whichever node asks.
CREATE UNLOGGED TABLE challenges (challenge bytea PRIMARY KEY, expires_at timestamptz NOT NULL);
CREATE INDEX challenges_expiry ON challenges (expires_at);

-- R-SEARCH-6: one row per search, per user, for the sliding minute and hour windows (limits.py); a node takes
-- pg_advisory_xact_lock on the user before counting, so two nodes cannot both let the limit's last search by.
CREATE UNLOGGED TABLE search_events (username text NOT NULL, at timestamptz NOT NULL);
CREATE INDEX search_events_user ON search_events (username, at);

-- The service's calls before sign-in, per client address (app/server/guards.py ClientLimiter).
CREATE UNLOGGED TABLE address_calls (address text NOT NULL, at timestamptz NOT NULL);
CREATE INDEX address_calls_address ON address_calls (address, at);
