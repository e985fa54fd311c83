-- Counting a role's holders (the role editor, the roles page) read every holder's row through an
-- index of role ids alone: at 50,000 holders about 130 ms. With the holder in the index the count
-- is read from the index alone.
DROP INDEX user_roles_role;
CREATE INDEX user_roles_role ON user_roles (role_id, user_id);
DROP INDEX group_roles_role;
CREATE INDEX group_roles_role ON group_roles (role_id, group_id);
-- Every grant of one tenant (assignable roles) without reading other tenants' grants.
CREATE INDEX role_grants_tenant ON role_grants (tenant_id, role_id, perm_type, level);
