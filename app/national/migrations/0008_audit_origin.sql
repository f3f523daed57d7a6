-- Issue 16 §4: each checkpoint names the log it is of (app.audit.Checkpoint.origin, C2SP tlog-checkpoint's
-- origin line), signed with it, so a training directory's checkpoint can never pass for the service's; those
-- signed before logs were named have none. The log's own name is in meta (audit_origin).
ALTER TABLE audit_checkpoints ADD COLUMN origin text NOT NULL DEFAULT '';
