-- Small writes must not cost a whole-tenant rebuild of the permission index (issue 10).
-- Devices leave the index (a device's access is its group's: a check reads the device's group), so
-- adding, moving or removing a device bumps nothing. The device-group tree and inventory roles
-- get their own counter, tree_epoch: when only it moved, the index rebuilds its tree part and
-- keeps the global part (users, roles, grants, groups), which is most of a tenant. A rename of a
-- device group changes no permission and bumps nothing.
ALTER TABLE tenants ADD COLUMN tree_epoch INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER devices_epoch_insert;
DROP TRIGGER devices_epoch_update;
DROP TRIGGER devices_epoch_delete;
DROP TRIGGER device_groups_epoch_insert;
DROP TRIGGER device_groups_epoch_update;
DROP TRIGGER device_groups_epoch_delete;
DROP TRIGGER inventory_role_permissions_epoch_insert;
DROP TRIGGER inventory_role_permissions_epoch_update;
DROP TRIGGER inventory_role_permissions_epoch_delete;
DROP TRIGGER user_inventory_roles_epoch_insert;
DROP TRIGGER user_inventory_roles_epoch_update;
DROP TRIGGER user_inventory_roles_epoch_delete;

CREATE TRIGGER device_groups_tree_epoch_insert AFTER INSERT ON device_groups
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER device_groups_tree_epoch_update AFTER UPDATE OF parent_id ON device_groups
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER device_groups_tree_epoch_delete AFTER DELETE ON device_groups
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_tree_epoch_insert AFTER INSERT ON inventory_role_permissions
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_tree_epoch_update AFTER UPDATE ON inventory_role_permissions
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER inventory_role_permissions_tree_epoch_delete AFTER DELETE ON inventory_role_permissions
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_tree_epoch_insert AFTER INSERT ON user_inventory_roles
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_tree_epoch_update AFTER UPDATE ON user_inventory_roles
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER user_inventory_roles_tree_epoch_delete AFTER DELETE ON user_inventory_roles
BEGIN
    UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = OLD.tenant_id;
END;
