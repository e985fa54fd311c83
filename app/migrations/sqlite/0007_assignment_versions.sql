-- Assignment sets carry a version (SPEC rule 11): a user's global roles, a user's inventory
-- roles, a group's roles. A save states the version it was read at and a stale one is refused.
-- Triggers bump them, so no write path can forget it.
ALTER TABLE users ADD COLUMN roles_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN inventory_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE user_groups ADD COLUMN roles_version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER user_roles_set_version_insert AFTER INSERT ON user_roles
BEGIN
    UPDATE users SET roles_version = roles_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER user_roles_set_version_delete AFTER DELETE ON user_roles
BEGIN
    UPDATE users SET roles_version = roles_version + 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER user_roles_set_version_update AFTER UPDATE ON user_roles
BEGIN
    UPDATE users SET roles_version = roles_version + 1 WHERE id = OLD.user_id;
    UPDATE users SET roles_version = roles_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER user_inventory_roles_set_version_insert AFTER INSERT ON user_inventory_roles
BEGIN
    UPDATE users SET inventory_version = inventory_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER user_inventory_roles_set_version_delete AFTER DELETE ON user_inventory_roles
BEGIN
    UPDATE users SET inventory_version = inventory_version + 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER user_inventory_roles_set_version_update AFTER UPDATE ON user_inventory_roles
BEGIN
    UPDATE users SET inventory_version = inventory_version + 1 WHERE id = OLD.user_id;
    UPDATE users SET inventory_version = inventory_version + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER group_roles_set_version_insert AFTER INSERT ON group_roles
BEGIN
    UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = NEW.group_id;
END;

CREATE TRIGGER group_roles_set_version_delete AFTER DELETE ON group_roles
BEGIN
    UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = OLD.group_id;
END;

CREATE TRIGGER group_roles_set_version_update AFTER UPDATE ON group_roles
BEGIN
    UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = OLD.group_id;
    UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = NEW.group_id;
END;

-- A disabled user holds nothing: the permission index must see status changes too.
CREATE TRIGGER users_status_epoch AFTER UPDATE OF status ON users
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;
