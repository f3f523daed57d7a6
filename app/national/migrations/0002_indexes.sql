-- Indexes, foreign keys and the invariants that must hold whatever runs at once on however many service nodes.
-- A bulk load drops the secondary indexes and the foreign keys, copies, and makes them again from these very
-- definitions (app/national/load.py): sorting once is far faster than keeping them up to date row by row.

-- The invariants (issue 16 §2). Under READ COMMITTED, two transactions that each check first and then write
-- both see "nobody yet" and both write; only a constraint stops the second (tests/national/test_invariants.py).
-- R-REC-4: at most one current lead professional per child.
CREATE UNIQUE INDEX involvements_one_current_lead ON involvements (child_id) WHERE lead AND ended IS NULL;
-- R-ROLE-4, R-CLOSE-3: a user holds one enrolled token (one users.token_serial), and a token one holder.
CREATE UNIQUE INDEX users_one_holder_per_token ON users (token_serial) WHERE token_serial IS NOT NULL;
-- Issue 13 §2: an idempotency key is done once per user: done_requests' primary key (username, key).
-- R-REC-1: a directory id names one child, never reused.
CREATE UNIQUE INDEX children_directory_id ON children (directory_id);

-- What the embedded directory indexes (app/schema.py INDEXES and its migrations).
CREATE INDEX children_household ON children (household_id);
CREATE INDEX other_names_child ON other_names (child_id);
CREATE INDEX carers_household ON carers (household_id);
CREATE INDEX involvements_child ON involvements (child_id);
CREATE INDEX search_names_name ON search_names (family, given, dob);
CREATE INDEX search_names_family_dob ON search_names (family, dob);
CREATE INDEX search_names_dob ON search_names (dob, family, given, postcode, child_id, kind);
CREATE INDEX search_names_postcode ON search_names (postcode, family) WHERE postcode IS NOT NULL;
CREATE INDEX search_names_family_postcode ON search_names (family, postcode) WHERE postcode IS NOT NULL;
CREATE INDEX search_names_child ON search_names (child_id);
CREATE INDEX name_vocab_metaphone ON name_vocab (kind, metaphone);
CREATE INDEX households_postcode ON households (postcode);
CREATE INDEX notices_user ON notices (username, id);
CREATE INDEX done_requests_expiry ON done_requests (expires_at);
CREATE INDEX done_requests_child ON done_requests (child_id) WHERE child_id IS NOT NULL;
-- The retention sweep's (app/directory/work/retention.py INDEXES): each holds only rows a sweep may still need.
CREATE INDEX children_live_dob ON children (dob) WHERE archived_on IS NULL;
CREATE INDEX children_died ON children (died_on) WHERE died_on IS NOT NULL AND archived_on IS NULL;
CREATE INDEX children_left_england ON children (left_england_on) WHERE left_england_on IS NOT NULL AND archived_on IS NULL;
CREATE INDEX children_destroy ON children (destroy_on) WHERE destroy_on IS NOT NULL;
CREATE INDEX involvements_contact_archive ON involvements (contact_archive_on)
    WHERE NOT contact_archived AND contact_archive_on IS NOT NULL;
CREATE INDEX notices_child ON notices (child_id);
CREATE INDEX contact_requests_child ON contact_requests (child_id);
CREATE INDEX shield_reviews_child ON shield_reviews (child_id);
CREATE INDEX record_opens_child ON record_opens (child_id);
CREATE INDEX alerts_child ON alerts (child_id) WHERE child_id IS NOT NULL;

-- Foreign keys. R-RET-2: a destroyed child leaves no row behind; with these, a table the sweep forgot to clear
-- is an error instead of an orphan kept for ever. (The sweep deletes dependants first, then the child, then an
-- emptied household: the order these need.)
ALTER TABLE carers ADD CONSTRAINT carers_household_fk FOREIGN KEY (household_id) REFERENCES households;
ALTER TABLE children ADD CONSTRAINT children_household_fk FOREIGN KEY (household_id) REFERENCES households;
ALTER TABLE children ADD CONSTRAINT children_setting_fk FOREIGN KEY (setting_id) REFERENCES settings;
ALTER TABLE children ADD CONSTRAINT children_gp_fk FOREIGN KEY (gp_id) REFERENCES gp_practices;
ALTER TABLE other_names ADD CONSTRAINT other_names_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE involvements ADD CONSTRAINT involvements_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE search_names ADD CONSTRAINT search_names_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE shields ADD CONSTRAINT shields_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE shield_reviews ADD CONSTRAINT shield_reviews_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE contact_requests ADD CONSTRAINT contact_requests_child_fk FOREIGN KEY (child_id) REFERENCES children;
-- checked at commit: the sweep deletes a child's involvements before the contact requests about them
ALTER TABLE contact_requests ADD CONSTRAINT contact_requests_involvement_fk
    FOREIGN KEY (involvement_id) REFERENCES involvements DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE notices ADD CONSTRAINT notices_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE record_opens ADD CONSTRAINT record_opens_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE done_requests ADD CONSTRAINT done_requests_child_fk FOREIGN KEY (child_id) REFERENCES children;
ALTER TABLE alerts ADD CONSTRAINT alerts_child_fk FOREIGN KEY (child_id) REFERENCES children;
