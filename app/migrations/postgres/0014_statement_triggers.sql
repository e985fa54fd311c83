-- Epoch and version triggers fire once per statement, not once per row. Row triggers updated the
-- same tenants row once for every row written: within one transaction PostgreSQL keeps every
-- version of that row and each update walks the chain, so a write of n rows cost O(n^2)
-- (seeding 500,000 assignments, or removing a role held by 50,000 users, never finished).
-- A statement trigger reads the rows it wrote from its transition table and updates each
-- tenant, user or group once. SQLite updates a row in place, so its row triggers stay.

CREATE FUNCTION bump_perm_epoch_of_rows() RETURNS trigger AS $$
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1
     WHERE id IN (SELECT DISTINCT tenant_id FROM changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_tree_epoch_of_rows() RETURNS trigger AS $$
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1
     WHERE id IN (SELECT DISTINCT tenant_id FROM changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_user_roles_version_of_rows() RETURNS trigger AS $$
BEGIN
    UPDATE users SET roles_version = roles_version + 1
     WHERE id IN (SELECT DISTINCT user_id FROM changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_user_inventory_version_of_rows() RETURNS trigger AS $$
BEGIN
    UPDATE users SET inventory_version = inventory_version + 1
     WHERE id IN (SELECT DISTINCT user_id FROM changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_group_roles_version_of_rows() RETURNS trigger AS $$
BEGIN
    UPDATE user_groups SET roles_version = roles_version + 1
     WHERE id IN (SELECT DISTINCT group_id FROM changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- An update changes neither tenant_id nor the user or group: its new rows name them all.
DROP TRIGGER user_roles_epoch ON user_roles;
CREATE TRIGGER user_roles_epoch_ins AFTER INSERT ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER user_roles_epoch_upd AFTER UPDATE ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER user_roles_epoch_del AFTER DELETE ON user_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();

DROP TRIGGER group_roles_epoch ON group_roles;
CREATE TRIGGER group_roles_epoch_ins AFTER INSERT ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER group_roles_epoch_upd AFTER UPDATE ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER group_roles_epoch_del AFTER DELETE ON group_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();

DROP TRIGGER group_members_epoch ON group_members;
CREATE TRIGGER group_members_epoch_ins AFTER INSERT ON group_members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER group_members_epoch_upd AFTER UPDATE ON group_members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER group_members_epoch_del AFTER DELETE ON group_members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();

DROP TRIGGER role_grants_epoch ON role_grants;
CREATE TRIGGER role_grants_epoch_ins AFTER INSERT ON role_grants REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER role_grants_epoch_upd AFTER UPDATE ON role_grants REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();
CREATE TRIGGER role_grants_epoch_del AFTER DELETE ON role_grants REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();

DROP TRIGGER users_epoch ON users;
CREATE TRIGGER users_epoch_del AFTER DELETE ON users REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_perm_epoch_of_rows();

-- A moved device group keeps its row trigger: a column list cannot have a transition table, and
-- moves are one row at a time.
DROP TRIGGER device_groups_tree_epoch ON device_groups;
CREATE TRIGGER device_groups_tree_epoch_ins AFTER INSERT ON device_groups REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER device_groups_tree_epoch_del AFTER DELETE ON device_groups REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER device_groups_tree_epoch_move AFTER UPDATE OF parent_id ON device_groups
    FOR EACH ROW EXECUTE FUNCTION bump_tree_epoch();

DROP TRIGGER inventory_role_permissions_tree_epoch ON inventory_role_permissions;
CREATE TRIGGER inventory_role_permissions_tree_epoch_ins AFTER INSERT ON inventory_role_permissions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER inventory_role_permissions_tree_epoch_upd AFTER UPDATE ON inventory_role_permissions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER inventory_role_permissions_tree_epoch_del AFTER DELETE ON inventory_role_permissions REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();

DROP TRIGGER user_inventory_roles_tree_epoch ON user_inventory_roles;
CREATE TRIGGER user_inventory_roles_tree_epoch_ins AFTER INSERT ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER user_inventory_roles_tree_epoch_upd AFTER UPDATE ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();
CREATE TRIGGER user_inventory_roles_tree_epoch_del AFTER DELETE ON user_inventory_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tree_epoch_of_rows();

DROP TRIGGER user_roles_set_version ON user_roles;
CREATE TRIGGER user_roles_version_ins AFTER INSERT ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_roles_version_of_rows();
CREATE TRIGGER user_roles_version_upd AFTER UPDATE ON user_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_roles_version_of_rows();
CREATE TRIGGER user_roles_version_del AFTER DELETE ON user_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_roles_version_of_rows();

DROP TRIGGER user_inventory_set_version ON user_inventory_roles;
CREATE TRIGGER user_inventory_version_ins AFTER INSERT ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_inventory_version_of_rows();
CREATE TRIGGER user_inventory_version_upd AFTER UPDATE ON user_inventory_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_inventory_version_of_rows();
CREATE TRIGGER user_inventory_version_del AFTER DELETE ON user_inventory_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_user_inventory_version_of_rows();

DROP TRIGGER group_roles_set_version ON group_roles;
CREATE TRIGGER group_roles_version_ins AFTER INSERT ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_group_roles_version_of_rows();
CREATE TRIGGER group_roles_version_upd AFTER UPDATE ON group_roles REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_group_roles_version_of_rows();
CREATE TRIGGER group_roles_version_del AFTER DELETE ON group_roles REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_group_roles_version_of_rows();
