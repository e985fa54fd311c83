-- The guard (server::domain::guard) keeps each tenant's state in memory between writes and, after
-- a write, reloads only what the write touched. What was touched is written here by triggers, not
-- by application code, so no write path can forget to say it: a user ('u': the row, direct or
-- inventory roles, applications, memberships), a user group's roles or name ('g'), a role's row,
-- grants, applications or requirements ('r'), a space ('s'), the device-group tree ('t'), an
-- inventory role ('i'), the SSO settings or access mapping ('m', key 0). A guarded write reads and
-- deletes its own rows and bumps guard_version; rows found at the start of a guarded write were
-- written outside a guard (seeding, creating a tenant, a script), and the guard then reloads the
-- whole tenant.
CREATE TABLE guard_journal (
    seq BIGSERIAL PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    item BIGINT NOT NULL
);
CREATE INDEX guard_journal_tenant ON guard_journal (tenant_id, seq);
ALTER TABLE tenants ADD COLUMN guard_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION journal_user_id_of_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item)
    SELECT DISTINCT tenant_id, TG_ARGV[0], user_id FROM changed;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_group_id_of_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item)
    SELECT DISTINCT tenant_id, TG_ARGV[0], group_id FROM changed;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_role_id_of_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item)
    SELECT DISTINCT tenant_id, TG_ARGV[0], role_id FROM changed;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_id_of_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item)
    SELECT DISTINCT tenant_id, TG_ARGV[0], id FROM changed;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_id_of_row() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, TG_ARGV[0], NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_tenant_sso() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.id, 'm', 0);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION journal_mapping_of_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item)
    SELECT DISTINCT r.tenant_id, 'm', 0 FROM changed c JOIN access_mapping_rules r ON r.id = c.rule_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_roles_journal_ins AFTER INSERT ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_roles_journal_upd AFTER UPDATE ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_roles_journal_del AFTER DELETE ON user_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER group_members_journal_ins AFTER INSERT ON group_members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER group_members_journal_upd AFTER UPDATE ON group_members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER group_members_journal_del AFTER DELETE ON group_members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_inventory_roles_journal_ins AFTER INSERT ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_inventory_roles_journal_upd AFTER UPDATE ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_inventory_roles_journal_del AFTER DELETE ON user_inventory_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_applications_journal_ins AFTER INSERT ON user_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_applications_journal_upd AFTER UPDATE ON user_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER user_applications_journal_del AFTER DELETE ON user_applications REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_user_id_of_rows('u');
CREATE TRIGGER group_roles_journal_ins AFTER INSERT ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_group_id_of_rows('g');
CREATE TRIGGER group_roles_journal_upd AFTER UPDATE ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_group_id_of_rows('g');
CREATE TRIGGER group_roles_journal_del AFTER DELETE ON group_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_group_id_of_rows('g');
CREATE TRIGGER role_grants_journal_ins AFTER INSERT ON role_grants REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_grants_journal_upd AFTER UPDATE ON role_grants REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_grants_journal_del AFTER DELETE ON role_grants REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_applications_journal_ins AFTER INSERT ON role_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_applications_journal_upd AFTER UPDATE ON role_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_applications_journal_del AFTER DELETE ON role_applications REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_requires_journal_ins AFTER INSERT ON role_requires REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_requires_journal_upd AFTER UPDATE ON role_requires REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER role_requires_journal_del AFTER DELETE ON role_requires REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('r');
CREATE TRIGGER inventory_role_permissions_journal_ins AFTER INSERT ON inventory_role_permissions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('i');
CREATE TRIGGER inventory_role_permissions_journal_upd AFTER UPDATE ON inventory_role_permissions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('i');
CREATE TRIGGER inventory_role_permissions_journal_del AFTER DELETE ON inventory_role_permissions REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_role_id_of_rows('i');
CREATE TRIGGER users_journal_ins AFTER INSERT ON users REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('u');
CREATE TRIGGER users_journal_del AFTER DELETE ON users REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('u');
CREATE TRIGGER users_journal_upd AFTER UPDATE OF username, status, origin, is_partner_admin ON users
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('u');
CREATE TRIGGER roles_journal_ins AFTER INSERT ON roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('r');
CREATE TRIGGER roles_journal_del AFTER DELETE ON roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('r');
CREATE TRIGGER roles_journal_upd AFTER UPDATE OF name, description, audience, scope, built_in ON roles
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('r');
CREATE TRIGGER user_groups_journal_ins AFTER INSERT ON user_groups REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('g');
CREATE TRIGGER user_groups_journal_del AFTER DELETE ON user_groups REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('g');
CREATE TRIGGER user_groups_journal_upd AFTER UPDATE OF name ON user_groups
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('g');
CREATE TRIGGER spaces_journal_ins AFTER INSERT ON spaces REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('s');
CREATE TRIGGER spaces_journal_del AFTER DELETE ON spaces REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('s');
CREATE TRIGGER spaces_journal_upd AFTER UPDATE OF name ON spaces
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('s');
CREATE TRIGGER device_groups_journal_ins AFTER INSERT ON device_groups REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('t');
CREATE TRIGGER device_groups_journal_del AFTER DELETE ON device_groups REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('t');
CREATE TRIGGER device_groups_journal_upd AFTER UPDATE OF parent_id, name ON device_groups
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('t');
CREATE TRIGGER inventory_roles_journal_ins AFTER INSERT ON inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('i');
CREATE TRIGGER inventory_roles_journal_del AFTER DELETE ON inventory_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('i');
CREATE TRIGGER inventory_roles_journal_upd AFTER UPDATE OF name ON inventory_roles
    FOR EACH ROW EXECUTE FUNCTION journal_id_of_row('i');
CREATE TRIGGER tenants_journal_sso AFTER UPDATE OF sso_manual_changes, sso_role_mode ON tenants
    FOR EACH ROW EXECUTE FUNCTION journal_tenant_sso();
CREATE TRIGGER access_mapping_rules_journal_ins AFTER INSERT ON access_mapping_rules REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('m');
CREATE TRIGGER access_mapping_rules_journal_del AFTER DELETE ON access_mapping_rules REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_id_of_rows('m');
CREATE TRIGGER access_mapping_roles_journal_ins AFTER INSERT ON access_mapping_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_roles_journal_upd AFTER UPDATE ON access_mapping_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_roles_journal_del AFTER DELETE ON access_mapping_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_inventory_journal_ins AFTER INSERT ON access_mapping_inventory REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_inventory_journal_upd AFTER UPDATE ON access_mapping_inventory REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_inventory_journal_del AFTER DELETE ON access_mapping_inventory REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_applications_journal_ins AFTER INSERT ON access_mapping_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_applications_journal_upd AFTER UPDATE ON access_mapping_applications REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
CREATE TRIGGER access_mapping_applications_journal_del AFTER DELETE ON access_mapping_applications REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION journal_mapping_of_rows();
