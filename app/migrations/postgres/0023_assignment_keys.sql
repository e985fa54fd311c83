-- A user's or a group's role is a role of its own tenant, by the database's keys: in user_roles
-- (tenant_id, user_id) is a foreign key into users, in group_roles (tenant_id, group_id) one into
-- user_groups, and in both (tenant_id, role_id) one into roles. Before, each named its row by id
-- alone, and only the application kept a tenant's principals from holding another tenant's roles.
-- It is also one check fewer for every assignment written (the tenant's own key goes: deleting a
-- tenant deletes its users, groups and roles, and these); the wizard writes 200 for 100 users.
DELETE FROM user_roles ur
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = ur.user_id AND u.tenant_id = ur.tenant_id)
   OR NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = ur.role_id AND r.tenant_id = ur.tenant_id);

CREATE UNIQUE INDEX users_tenant_key ON users (tenant_id, id);
CREATE UNIQUE INDEX roles_tenant_key ON roles (tenant_id, id);

ALTER TABLE user_roles
    DROP CONSTRAINT user_roles_tenant_id_fkey,
    DROP CONSTRAINT user_roles_user_id_fkey,
    DROP CONSTRAINT user_roles_role_id_fkey,
    ADD CONSTRAINT user_roles_user FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT user_roles_role FOREIGN KEY (tenant_id, role_id)
        REFERENCES roles (tenant_id, id) ON DELETE CASCADE;

-- The same for a group's roles: a role of the group's own tenant.
DELETE FROM group_roles gr
WHERE NOT EXISTS (SELECT 1 FROM user_groups g WHERE g.id = gr.group_id AND g.tenant_id = gr.tenant_id)
   OR NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = gr.role_id AND r.tenant_id = gr.tenant_id);

ALTER TABLE group_roles
    DROP CONSTRAINT group_roles_tenant_id_fkey,
    DROP CONSTRAINT group_roles_group_id_fkey,
    DROP CONSTRAINT group_roles_role_id_fkey,
    ADD CONSTRAINT group_roles_group FOREIGN KEY (tenant_id, group_id)
        REFERENCES user_groups (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT group_roles_role FOREIGN KEY (tenant_id, role_id)
        REFERENCES roles (tenant_id, id) ON DELETE CASCADE;
