-- The permission index (server::index) is kept per tenant in memory. Every write that can change
-- an effective permission bumps the tenant's perm_epoch in the same transaction, so every server
-- instance sees that its copy is stale and rebuilds it: exact after every commit, whichever
-- instance (or a script) wrote. Triggers, not application code, so no write path can forget it.
ALTER TABLE tenants ADD COLUMN perm_epoch BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_perm_epoch() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = OLD.tenant_id;
    ELSE
        UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_roles_epoch AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER group_roles_epoch AFTER INSERT OR UPDATE OR DELETE ON group_roles
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER group_members_epoch AFTER INSERT OR UPDATE OR DELETE ON group_members
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER role_grants_epoch AFTER INSERT OR UPDATE OR DELETE ON role_grants
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER device_groups_epoch AFTER INSERT OR UPDATE OR DELETE ON device_groups
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER devices_epoch AFTER INSERT OR UPDATE OR DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER inventory_role_permissions_epoch AFTER INSERT OR UPDATE OR DELETE ON inventory_role_permissions
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER user_inventory_roles_epoch AFTER INSERT OR UPDATE OR DELETE ON user_inventory_roles
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();

CREATE TRIGGER users_epoch AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();
