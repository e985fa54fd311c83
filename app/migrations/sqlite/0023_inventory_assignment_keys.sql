-- A user's inventory role is an inventory role of the user's own tenant, on a device group of that
-- tenant, by the database's keys: (tenant_id, user_id), (tenant_id, role_id) and (tenant_id,
-- group_id) are foreign keys into users, inventory_roles and device_groups. Before, each named its
-- row by id alone, as user_roles and group_roles did until 0022 (SQLite) / 0023 (PostgreSQL).
-- SQLite cannot change a table's keys: the table is built again, with its index and triggers
-- (0005, 0007, 0009, 0016); no other trigger or view names it.
CREATE UNIQUE INDEX inventory_roles_tenant_key ON inventory_roles (tenant_id, id);
CREATE UNIQUE INDEX device_groups_tenant_key ON device_groups (tenant_id, id);

CREATE TABLE user_inventory_roles_keyed (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    role_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, role_id, group_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES inventory_roles (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, group_id) REFERENCES device_groups (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO user_inventory_roles_keyed (tenant_id, user_id, role_id, group_id)
SELECT ui.tenant_id, ui.user_id, ui.role_id, ui.group_id
FROM user_inventory_roles ui
JOIN users u ON u.id = ui.user_id AND u.tenant_id = ui.tenant_id
JOIN inventory_roles r ON r.id = ui.role_id AND r.tenant_id = ui.tenant_id
JOIN device_groups g ON g.id = ui.group_id AND g.tenant_id = ui.tenant_id;
DROP TABLE user_inventory_roles;
ALTER TABLE user_inventory_roles_keyed RENAME TO user_inventory_roles;

CREATE INDEX user_inventory_roles_group ON user_inventory_roles (tenant_id, group_id);

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

CREATE TRIGGER user_inventory_roles_journal_ins AFTER INSERT ON user_inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id);
END;

CREATE TRIGGER user_inventory_roles_journal_upd AFTER UPDATE ON user_inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id), (OLD.tenant_id, 'u', OLD.user_id);
END;

CREATE TRIGGER user_inventory_roles_journal_del AFTER DELETE ON user_inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'u', OLD.user_id);
END;
