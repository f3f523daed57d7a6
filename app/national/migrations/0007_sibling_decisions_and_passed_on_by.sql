-- shields (issue 13 §3.1, §3.3), level with the embedded directory's migrations shields-sibling-decisions and
-- shields-contact-passed-on-by (app/schema.py MIGRATIONS), in 0001's types.

-- R-SHIELD-1/2: the LA team's decision that a shielded child's brother or sister needs no shield of its own, for
-- that shield as it was set (app/siblings.py): shield_set_at is the shielded child's children.shielded_at then, of
-- the same type, so a shield lifted and set again holds the sibling again until decided. One decision per sibling
-- per shield (the primary key): two LA officers deciding through two nodes at once make one row (the engine
-- upserts). Not append-only: it is the directory's current state, changed by a new decision, removed when the
-- shield is lifted or the child destroyed (R-RET-2); each decision is in the audit, which is the log.
CREATE TABLE sibling_decisions (
    sibling_id bigint NOT NULL, shielded_id bigint NOT NULL, shield_set_at timestamptz NOT NULL,
    decision text NOT NULL CHECK (decision IN ('not_needed')), decided_by text NOT NULL,
    decided_at timestamptz NOT NULL, PRIMARY KEY (sibling_id, shielded_id));
CREATE INDEX sibling_decisions_shielded ON sibling_decisions (shielded_id);
-- the brothers and sisters in a household where one of a child's carers lives, found by the carers' address
-- (level with the embedded migration shields-carers-address)
CREATE INDEX carers_address ON carers (postcode, line1);
-- R-RET-2, as 0002's: a destroyed child leaves no decision behind (the sweep deletes them before the child).
ALTER TABLE sibling_decisions ADD CONSTRAINT sibling_decisions_sibling_fk
    FOREIGN KEY (sibling_id) REFERENCES children;
ALTER TABLE sibling_decisions ADD CONSTRAINT sibling_decisions_shielded_fk
    FOREIGN KEY (shielded_id) REFERENCES children;

-- R-SENS-4: how the LA team passed a contact request on, a fixed choice (app/directory/work/types.py PassedOnBy),
-- never free text; empty until it is passed on.
ALTER TABLE contact_requests ADD COLUMN passed_on_by text CHECK (passed_on_by IN ('signpost', 'phone', 'email'));

-- The service reads and writes the decisions (0005's default privileges give it these already; said here too, so
-- the grant does not depend on which role ran this).
GRANT SELECT, INSERT, UPDATE, DELETE ON sibling_decisions TO signpost_service;
