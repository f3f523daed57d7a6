-- What the service nodes may do (issue 16 §2, §7). They connect as signpost_service (app/national/roles.py),
-- which owns nothing and may not change the schema: it reads and writes the directory's tables, may only add
-- to the audit (INSERT and SELECT, never UPDATE, DELETE or TRUNCATE), and takes audit numbers only through
-- audit_sequence_next(). Migrations run as the owner, signpost_owner, whose credentials the nodes never hold.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO signpost_service;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO signpost_service;
-- tables a later migration adds are the service's to read and write too; one that must be append-only says so
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO signpost_service;

REVOKE UPDATE, DELETE, TRUNCATE ON audit, audit_tree, audit_checkpoints FROM signpost_service;
REVOKE ALL ON audit_head FROM signpost_service;
GRANT SELECT ON audit_head TO signpost_service;
GRANT EXECUTE ON FUNCTION audit_sequence_next() TO signpost_service;

-- The record of migrations is the owner's alone.
REVOKE ALL ON schema_migrations FROM signpost_service;
GRANT SELECT ON schema_migrations TO signpost_service;
