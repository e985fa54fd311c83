-- The permission index (server::index) is kept per tenant in memory. Every write that can change
-- an effective permission bumps the tenant's perm_epoch in the same transaction, so every server
-- instance sees that its copy is stale and rebuilds it: exact after every commit, whichever
-- instance (or a script) wrote. Triggers, not application code, so no write path can forget it.
ALTER TABLE tenants ADD COLUMN perm_epoch INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER user_roles_epoch_insert AFTER INSERT ON user_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_roles_epoch_update AFTER UPDATE ON user_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_roles_epoch_delete AFTER DELETE ON user_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER group_roles_epoch_insert AFTER INSERT ON group_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER group_roles_epoch_update AFTER UPDATE ON group_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER group_roles_epoch_delete AFTER DELETE ON group_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER group_members_epoch_insert AFTER INSERT ON group_members
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER group_members_epoch_update AFTER UPDATE ON group_members
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER group_members_epoch_delete AFTER DELETE ON group_members
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER role_grants_epoch_insert AFTER INSERT ON role_grants
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER role_grants_epoch_update AFTER UPDATE ON role_grants
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER role_grants_epoch_delete AFTER DELETE ON role_grants
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER device_groups_epoch_insert AFTER INSERT ON device_groups
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER device_groups_epoch_update AFTER UPDATE ON device_groups
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER device_groups_epoch_delete AFTER DELETE ON device_groups
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER devices_epoch_insert AFTER INSERT ON devices
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER devices_epoch_update AFTER UPDATE ON devices
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER devices_epoch_delete AFTER DELETE ON devices
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_epoch_insert AFTER INSERT ON inventory_role_permissions
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_epoch_update AFTER UPDATE ON inventory_role_permissions
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_epoch_delete AFTER DELETE ON inventory_role_permissions
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_epoch_insert AFTER INSERT ON user_inventory_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_epoch_update AFTER UPDATE ON user_inventory_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_epoch_delete AFTER DELETE ON user_inventory_roles
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER users_epoch_delete AFTER DELETE ON users
BEGIN
    UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
END;
