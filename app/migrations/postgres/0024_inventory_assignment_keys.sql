-- A user's inventory role is an inventory role of the user's own tenant, on a device group of that
-- tenant, by the database's keys: (tenant_id, user_id), (tenant_id, role_id) and (tenant_id,
-- group_id) are foreign keys into users, inventory_roles and device_groups. Before, each named its
-- row by id alone, as user_roles and group_roles did until 0022 (SQLite) / 0023 (PostgreSQL).
DELETE FROM user_inventory_roles ui
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = ui.user_id AND u.tenant_id = ui.tenant_id)
   OR NOT EXISTS (SELECT 1 FROM inventory_roles r WHERE r.id = ui.role_id AND r.tenant_id = ui.tenant_id)
   OR NOT EXISTS (SELECT 1 FROM device_groups g WHERE g.id = ui.group_id AND g.tenant_id = ui.tenant_id);

CREATE UNIQUE INDEX inventory_roles_tenant_key ON inventory_roles (tenant_id, id);
CREATE UNIQUE INDEX device_groups_tenant_key ON device_groups (tenant_id, id);

ALTER TABLE user_inventory_roles
    DROP CONSTRAINT user_inventory_roles_tenant_id_fkey,
    DROP CONSTRAINT user_inventory_roles_user_id_fkey,
    DROP CONSTRAINT user_inventory_roles_role_id_fkey,
    DROP CONSTRAINT user_inventory_roles_group_id_fkey,
    ADD CONSTRAINT user_inventory_roles_user FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT user_inventory_roles_role FOREIGN KEY (tenant_id, role_id)
        REFERENCES inventory_roles (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT user_inventory_roles_group FOREIGN KEY (tenant_id, group_id)
        REFERENCES device_groups (tenant_id, id) ON DELETE CASCADE;
