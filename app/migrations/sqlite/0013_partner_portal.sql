-- The partner portal (`/partner`, issue 12, SPEC sections 1 and 3 rule 7): partner
-- organisations, their administrators (principals of their own, with their own sessions), the
-- tenants each partner serves, and in each served tenant the user that stands for a partner
-- administrator (flagged is_partner_admin, linked by partner_admin_id).
CREATE TABLE partners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE partner_admins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX partner_admins_username ON partner_admins (lower(username));
CREATE INDEX partner_admins_partner ON partner_admins (partner_id);

CREATE TABLE partner_tenants (
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    PRIMARY KEY (partner_id, tenant_id)
);
CREATE INDEX partner_tenants_tenant ON partner_tenants (tenant_id);

-- Portal sessions: never valid in the tenant console (its sessions are another table).
CREATE TABLE partner_sessions (
    id_hash TEXT PRIMARY KEY,
    admin_id INTEGER NOT NULL REFERENCES partner_admins(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX partner_sessions_admin ON partner_sessions (admin_id);

ALTER TABLE users ADD COLUMN partner_admin_id INTEGER REFERENCES partner_admins(id);
CREATE INDEX users_partner_admin ON users (partner_admin_id);
