-- Assignment sets carry a version (SPEC rule 11): a user's global roles, a user's inventory
-- roles, a group's roles. A save states the version it was read at and a stale one is refused.
-- Triggers bump them, so no write path can forget it.
ALTER TABLE users ADD COLUMN roles_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN inventory_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE user_groups ADD COLUMN roles_version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION bump_user_roles_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE users SET roles_version = roles_version + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE users SET roles_version = roles_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_user_inventory_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE users SET inventory_version = inventory_version + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE users SET inventory_version = inventory_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION bump_group_roles_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = OLD.group_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE user_groups SET roles_version = roles_version + 1 WHERE id = NEW.group_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_roles_set_version AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION bump_user_roles_version();

CREATE TRIGGER user_inventory_set_version AFTER INSERT OR UPDATE OR DELETE ON user_inventory_roles
    FOR EACH ROW EXECUTE FUNCTION bump_user_inventory_version();

CREATE TRIGGER group_roles_set_version AFTER INSERT OR UPDATE OR DELETE ON group_roles
    FOR EACH ROW EXECUTE FUNCTION bump_group_roles_version();

-- A disabled user holds nothing: the permission index must see status changes too.
CREATE TRIGGER users_status_epoch AFTER UPDATE OF status ON users
    FOR EACH ROW EXECUTE FUNCTION bump_perm_epoch();
