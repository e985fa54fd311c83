-- Every tenant has `Default Space`; space-bound roles are assigned per space (SPEC section 2).
CREATE TABLE spaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX spaces_tenant_name ON spaces (tenant_id, lower(name));

INSERT INTO spaces (tenant_id, name, is_default, created_at)
SELECT id, 'Default Space', 1, created_at FROM tenants;

-- A role that requires others (SPEC rule 5: Device Actions requires Device Read Only).
CREATE TABLE role_requires (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    required_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, required_id)
);

CREATE INDEX user_roles_space ON user_roles (tenant_id, space_id);
CREATE INDEX group_roles_space ON group_roles (tenant_id, space_id);
CREATE INDEX group_members_user ON group_members (user_id);
