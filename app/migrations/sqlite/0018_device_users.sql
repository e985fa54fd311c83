-- iot: a device user gets the template's devices role when created (seed 001). The role is
-- marked, not found by its name, which an administrator may change. In the tenants created
-- before the mark, it is iot's one built-in, special role for users.
ALTER TABLE roles ADD COLUMN for_devices INTEGER NOT NULL DEFAULT 0;
UPDATE roles SET for_devices = 1 WHERE built_in = 1 AND special = 1 AND audience = 'user';
-- The users list filtered to human or device users, in username order.
CREATE INDEX users_kind ON users (tenant_id, kind, lower(username));
