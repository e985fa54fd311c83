-- Inventory roles: ordered (category, fragment type, level) rows; assigned to a user on a
-- device group, they apply to the group and everything below it (SPEC rules 2 and 3).
CREATE TABLE inventory_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX inventory_roles_tenant_name ON inventory_roles (tenant_id, lower(name));

CREATE TABLE inventory_role_permissions (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES inventory_roles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    category TEXT NOT NULL,
    fragment_type TEXT NOT NULL DEFAULT '*',
    level TEXT NOT NULL,
    PRIMARY KEY (role_id, position)
);

CREATE TABLE user_inventory_roles (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES inventory_roles(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id, group_id)
);
CREATE INDEX user_inventory_roles_group ON user_inventory_roles (tenant_id, group_id);
