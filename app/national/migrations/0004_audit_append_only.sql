-- R-AUDIT-2: the audit is append-only, and its sequence has no gaps, enforced by the database itself, for every
-- role that writes to it (the service's, and the owner's too: these are triggers, not only grants, 0005).
-- Every function names its tables with their schema and fixes its search_path, temporary schema last: a caller's
-- own temporary "audit_head" can never stand in for the real one.

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the audit is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_tree_append_only BEFORE UPDATE OR DELETE ON audit_tree
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_tree_append_only_truncate BEFORE TRUNCATE ON audit_tree
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- One gap-free sequence (issue 16 §4), assigned in the transaction of the change it records: the one row of
-- audit_head is the log's size. ``audit_sequence_next()`` moves it on by one and returns the new entry's seq;
-- the row stays locked until the transaction ends, so appends queue in order and a rolled-back transaction
-- gives its number back (a sequence object would leave a gap). Take it last, just before COMMIT: appends are
-- serial from that moment to the commit's return (with a synchronous standby, its remote_apply).
CREATE TABLE audit_head (one boolean PRIMARY KEY DEFAULT true CHECK (one), size bigint NOT NULL CHECK (size >= 0));
INSERT INTO audit_head (size) SELECT coalesce(max(seq), 0) FROM audit;

-- The head only ever moves on by one, and is never removed.
CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.size <> OLD.size + 1 THEN
        RAISE EXCEPTION 'the audit head only moves on by one entry at a time (%)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_head_by_one BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_guard();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- An entry is written only at the number just taken ...
CREATE FUNCTION audit_entry_in_sequence() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT size FROM public.audit_head) THEN
        RAISE EXCEPTION 'audit entry % is out of sequence: take its number with audit_sequence_next()', NEW.seq
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_in_sequence BEFORE INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_entry_in_sequence();

-- ... and a number taken is written before the transaction commits (checked at COMMIT), so there is no gap.
CREATE FUNCTION audit_number_used() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.audit WHERE seq = NEW.size) THEN
        RAISE EXCEPTION 'audit number % was taken but no entry was written at it', NEW.size
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_head_used AFTER UPDATE ON audit_head
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_number_used();

-- Runs as the owner (SECURITY DEFINER), so the service may take a number without any right to write the head.
CREATE FUNCTION audit_sequence_next() RETURNS bigint LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp AS $$ UPDATE public.audit_head SET size = size + 1 RETURNING size $$;
REVOKE ALL ON FUNCTION audit_sequence_next() FROM PUBLIC;
