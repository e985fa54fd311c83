CREATE TABLE roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT 'user',
    scope TEXT NOT NULL DEFAULT 'cross-space',
    built_in INTEGER NOT NULL DEFAULT 0,
    special INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX roles_tenant_name ON roles (tenant_id, lower(name));

CREATE TABLE role_grants (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    perm_type TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (role_id, perm_type, level)
);

CREATE TABLE role_applications (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    application TEXT NOT NULL,
    PRIMARY KEY (role_id, application)
);

-- space_id 0 means tenant-wide; spaces arrive with the mdm template.
CREATE TABLE user_roles (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    space_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role_id, space_id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE group_roles (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    space_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, role_id, space_id)
);
CREATE INDEX group_roles_role ON group_roles (role_id);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    actor_id INTEGER,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_tenant_at ON audit_events (tenant_id, at);
