-- The audit log page and access-denied requests (issue 12, SPEC rule 12).
--
-- Refusals of server functions: who, when, what was attempted, on what, which permission was
-- missing. Written outside the refused transaction. Bounded at write time (see
-- db::access_denied::record): at most 60 records per user per hour and 10,000 per tenant per day,
-- so a flood of refusals grows this table by at most 10,000 rows a day per tenant.
CREATE TABLE access_denied (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id INTEGER,
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    attempted TEXT NOT NULL,
    target TEXT NOT NULL,
    missing TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_denied_tenant_at ON access_denied (tenant_id, at);
CREATE INDEX access_denied_user_at ON access_denied (tenant_id, user_id, at);

-- Filters of the audit log page (newest first by id within a tenant).
CREATE INDEX audit_events_tenant_id ON audit_events (tenant_id, id);
CREATE INDEX audit_events_tenant_actor ON audit_events (tenant_id, actor_id, id);
CREATE INDEX audit_events_tenant_action ON audit_events (tenant_id, action, id);

-- Both logs are append-only: no statement may change or remove a record.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER access_denied_no_update BEFORE UPDATE ON access_denied
BEGIN
    SELECT RAISE(ABORT, 'access-denied records are append-only');
END;
CREATE TRIGGER access_denied_no_delete BEFORE DELETE ON access_denied
BEGIN
    SELECT RAISE(ABORT, 'access-denied records are append-only');
END;
