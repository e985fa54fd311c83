-- A membership joins a user and a user group of one tenant, and carries the user's username.
-- (tenant_id, user_id, username) is a foreign key into users and (tenant_id, group_id) one into
-- user_groups, so the database itself refuses another tenant's user or group, and ON UPDATE
-- CASCADE keeps the username equal to the user's. With the username here, a group's members are
-- counted and paged in username order from group_members alone (issue 13).
-- SQLite cannot change a table's keys: the table is built again, with its indexes and triggers
-- (0003, 0006, 0016); no other trigger or view names it.
CREATE UNIQUE INDEX users_member_key ON users (tenant_id, id, username);
CREATE UNIQUE INDEX user_groups_tenant_key ON user_groups (tenant_id, id);

CREATE TABLE group_members_keyed (
    tenant_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (tenant_id, user_id, username)
        REFERENCES users (tenant_id, id, username) ON DELETE CASCADE ON UPDATE CASCADE,
    FOREIGN KEY (tenant_id, group_id) REFERENCES user_groups (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO group_members_keyed (tenant_id, group_id, user_id, username)
SELECT m.tenant_id, m.group_id, m.user_id, u.username
FROM group_members m
JOIN users u ON u.id = m.user_id AND u.tenant_id = m.tenant_id
JOIN user_groups g ON g.id = m.group_id AND g.tenant_id = m.tenant_id;
DROP TABLE group_members;
ALTER TABLE group_members_keyed RENAME TO group_members;

CREATE INDEX group_members_user ON group_members (user_id);
-- A group's members in username order (the members tab and its pages).
CREATE INDEX group_members_by_username ON group_members (tenant_id, group_id, lower(username), user_id);

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

CREATE TRIGGER group_members_journal_ins AFTER INSERT ON group_members
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id);
END;

CREATE TRIGGER group_members_journal_upd AFTER UPDATE ON group_members
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id), (OLD.tenant_id, 'u', OLD.user_id);
END;

CREATE TRIGGER group_members_journal_del AFTER DELETE ON group_members
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'u', OLD.user_id);
END;
