-- Small writes must not cost a whole-tenant rebuild of the permission index (issue 10).
-- Devices leave the index (a device's access is its group's: a check reads the device's group), so
-- adding, moving or removing a device bumps nothing. The device-group tree and inventory roles
-- get their own counter, tree_epoch: when only it moved, the index rebuilds its tree part and
-- keeps the global part (users, roles, grants, groups), which is most of a tenant. A rename of a
-- device group changes no permission and bumps nothing.
ALTER TABLE tenants ADD COLUMN tree_epoch BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_tree_epoch() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = OLD.tenant_id;
    ELSE
        UPDATE tenants SET tree_epoch = tree_epoch + 1 WHERE id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER devices_epoch ON devices;
DROP TRIGGER device_groups_epoch ON device_groups;
DROP TRIGGER inventory_role_permissions_epoch ON inventory_role_permissions;
DROP TRIGGER user_inventory_roles_epoch ON user_inventory_roles;

CREATE TRIGGER device_groups_tree_epoch AFTER INSERT OR DELETE OR UPDATE OF parent_id ON device_groups
    FOR EACH ROW EXECUTE FUNCTION bump_tree_epoch();

CREATE TRIGGER inventory_role_permissions_tree_epoch AFTER INSERT OR UPDATE OR DELETE ON inventory_role_permissions
    FOR EACH ROW EXECUTE FUNCTION bump_tree_epoch();

CREATE TRIGGER user_inventory_roles_tree_epoch AFTER INSERT OR UPDATE OR DELETE ON user_inventory_roles
    FOR EACH ROW EXECUTE FUNCTION bump_tree_epoch();
