-- A user's or a group's role is a role of its own tenant, by the database's keys: in user_roles
-- (tenant_id, user_id) is a foreign key into users, in group_roles (tenant_id, group_id) one into
-- user_groups, and in both (tenant_id, role_id) one into roles. Before, each named its row by id
-- alone, and only the application kept a tenant's principals from holding another tenant's roles.
-- SQLite cannot change a table's keys: each table is built again, with its indexes and triggers
-- (0002, 0003, 0006, 0007, 0015, 0016); no other trigger or view names them.
CREATE UNIQUE INDEX users_tenant_key ON users (tenant_id, id);
CREATE UNIQUE INDEX roles_tenant_key ON roles (tenant_id, id);

CREATE TABLE user_roles_keyed (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    role_id INTEGER NOT NULL,
    space_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role_id, space_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO user_roles_keyed (tenant_id, user_id, role_id, space_id)
SELECT ur.tenant_id, ur.user_id, ur.role_id, ur.space_id
FROM user_roles ur
JOIN users u ON u.id = ur.user_id AND u.tenant_id = ur.tenant_id
JOIN roles r ON r.id = ur.role_id AND r.tenant_id = ur.tenant_id;
DROP TABLE user_roles;
ALTER TABLE user_roles_keyed RENAME TO user_roles;

CREATE INDEX user_roles_role ON user_roles (role_id, user_id);
CREATE INDEX user_roles_space ON user_roles (tenant_id, space_id);

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

CREATE TRIGGER user_roles_journal_ins AFTER INSERT ON user_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id);
END;

CREATE TRIGGER user_roles_journal_upd AFTER UPDATE ON user_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id), (OLD.tenant_id, 'u', OLD.user_id);
END;

CREATE TRIGGER user_roles_journal_del AFTER DELETE ON user_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'u', OLD.user_id);
END;

-- The same for a group's roles: a role of the group's own tenant.
CREATE TABLE group_roles_keyed (
    tenant_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    role_id INTEGER NOT NULL,
    space_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, role_id, space_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES user_groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO group_roles_keyed (tenant_id, group_id, role_id, space_id)
SELECT gr.tenant_id, gr.group_id, gr.role_id, gr.space_id
FROM group_roles gr
JOIN user_groups g ON g.id = gr.group_id AND g.tenant_id = gr.tenant_id
JOIN roles r ON r.id = gr.role_id AND r.tenant_id = gr.tenant_id;
DROP TABLE group_roles;
ALTER TABLE group_roles_keyed RENAME TO group_roles;

CREATE INDEX group_roles_role ON group_roles (role_id, group_id);
CREATE INDEX group_roles_space ON group_roles (tenant_id, space_id);

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

CREATE TRIGGER group_roles_journal_ins AFTER INSERT ON group_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'g', NEW.group_id);
END;

CREATE TRIGGER group_roles_journal_upd AFTER UPDATE ON group_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'g', NEW.group_id), (OLD.tenant_id, 'g', OLD.group_id);
END;

CREATE TRIGGER group_roles_journal_del AFTER DELETE ON group_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'g', OLD.group_id);
END;
