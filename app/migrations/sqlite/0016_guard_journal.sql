-- The guard (server::domain::guard) keeps each tenant's state in memory between writes and, after
-- a write, reloads only what the write touched. What was touched is written here by triggers, not
-- by application code, so no write path can forget to say it: a user ('u': the row, direct or
-- inventory roles, applications, memberships), a user group's roles or name ('g'), a role's row,
-- grants, applications or requirements ('r'), a space ('s'), the device-group tree ('t'), an
-- inventory role ('i'), the SSO settings or access mapping ('m', key 0). A guarded write reads and
-- deletes its own rows and bumps guard_version; rows found at the start of a guarded write were
-- written outside a guard (seeding, creating a tenant, a script), and the guard then reloads the
-- whole tenant.
CREATE TABLE guard_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item INTEGER NOT NULL
);
CREATE INDEX guard_journal_tenant ON guard_journal (tenant_id, seq);
ALTER TABLE tenants ADD COLUMN guard_version INTEGER NOT NULL DEFAULT 0;

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

CREATE TRIGGER user_applications_journal_ins AFTER INSERT ON user_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id);
END;

CREATE TRIGGER user_applications_journal_upd AFTER UPDATE ON user_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.user_id), (OLD.tenant_id, 'u', OLD.user_id);
END;

CREATE TRIGGER user_applications_journal_del AFTER DELETE ON user_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'u', OLD.user_id);
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

CREATE TRIGGER role_grants_journal_ins AFTER INSERT ON role_grants
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id);
END;

CREATE TRIGGER role_grants_journal_upd AFTER UPDATE ON role_grants
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id), (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER role_grants_journal_del AFTER DELETE ON role_grants
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER role_applications_journal_ins AFTER INSERT ON role_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id);
END;

CREATE TRIGGER role_applications_journal_upd AFTER UPDATE ON role_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id), (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER role_applications_journal_del AFTER DELETE ON role_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER role_requires_journal_ins AFTER INSERT ON role_requires
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id);
END;

CREATE TRIGGER role_requires_journal_upd AFTER UPDATE ON role_requires
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.role_id), (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER role_requires_journal_del AFTER DELETE ON role_requires
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'r', OLD.role_id);
END;

CREATE TRIGGER inventory_role_permissions_journal_ins AFTER INSERT ON inventory_role_permissions
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'i', NEW.role_id);
END;

CREATE TRIGGER inventory_role_permissions_journal_upd AFTER UPDATE ON inventory_role_permissions
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'i', NEW.role_id), (OLD.tenant_id, 'i', OLD.role_id);
END;

CREATE TRIGGER inventory_role_permissions_journal_del AFTER DELETE ON inventory_role_permissions
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'i', OLD.role_id);
END;

CREATE TRIGGER users_journal_ins AFTER INSERT ON users
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.id);
END;

CREATE TRIGGER users_journal_upd AFTER UPDATE OF username, status, origin, is_partner_admin ON users
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'u', NEW.id);
END;

CREATE TRIGGER users_journal_del AFTER DELETE ON users
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'u', OLD.id);
END;

CREATE TRIGGER roles_journal_ins AFTER INSERT ON roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.id);
END;

CREATE TRIGGER roles_journal_upd AFTER UPDATE OF name, description, audience, scope, built_in ON roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'r', NEW.id);
END;

CREATE TRIGGER roles_journal_del AFTER DELETE ON roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'r', OLD.id);
END;

CREATE TRIGGER user_groups_journal_ins AFTER INSERT ON user_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'g', NEW.id);
END;

CREATE TRIGGER user_groups_journal_upd AFTER UPDATE OF name ON user_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'g', NEW.id);
END;

CREATE TRIGGER user_groups_journal_del AFTER DELETE ON user_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'g', OLD.id);
END;

CREATE TRIGGER spaces_journal_ins AFTER INSERT ON spaces
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 's', NEW.id);
END;

CREATE TRIGGER spaces_journal_upd AFTER UPDATE OF name ON spaces
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 's', NEW.id);
END;

CREATE TRIGGER spaces_journal_del AFTER DELETE ON spaces
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 's', OLD.id);
END;

CREATE TRIGGER device_groups_journal_ins AFTER INSERT ON device_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 't', NEW.id);
END;

CREATE TRIGGER device_groups_journal_upd AFTER UPDATE OF parent_id, name ON device_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 't', NEW.id);
END;

CREATE TRIGGER device_groups_journal_del AFTER DELETE ON device_groups
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 't', OLD.id);
END;

CREATE TRIGGER inventory_roles_journal_ins AFTER INSERT ON inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'i', NEW.id);
END;

CREATE TRIGGER inventory_roles_journal_upd AFTER UPDATE OF name ON inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'i', NEW.id);
END;

CREATE TRIGGER inventory_roles_journal_del AFTER DELETE ON inventory_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'i', OLD.id);
END;

CREATE TRIGGER tenants_journal_sso AFTER UPDATE OF sso_manual_changes, sso_role_mode ON tenants
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.id, 'm', 0);
END;

CREATE TRIGGER access_mapping_rules_journal_ins AFTER INSERT ON access_mapping_rules
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (NEW.tenant_id, 'm', 0);
END;

CREATE TRIGGER access_mapping_rules_journal_del AFTER DELETE ON access_mapping_rules
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) VALUES (OLD.tenant_id, 'm', 0);
END;

CREATE TRIGGER access_mapping_roles_journal_ins AFTER INSERT ON access_mapping_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_roles_journal_upd AFTER UPDATE ON access_mapping_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_roles_journal_del AFTER DELETE ON access_mapping_roles
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = OLD.rule_id;
END;

CREATE TRIGGER access_mapping_inventory_journal_ins AFTER INSERT ON access_mapping_inventory
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_inventory_journal_upd AFTER UPDATE ON access_mapping_inventory
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_inventory_journal_del AFTER DELETE ON access_mapping_inventory
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = OLD.rule_id;
END;

CREATE TRIGGER access_mapping_applications_journal_ins AFTER INSERT ON access_mapping_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_applications_journal_upd AFTER UPDATE ON access_mapping_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = NEW.rule_id;
END;

CREATE TRIGGER access_mapping_applications_journal_del AFTER DELETE ON access_mapping_applications
BEGIN
    INSERT INTO guard_journal (tenant_id, kind, item) SELECT tenant_id, 'm', 0 FROM access_mapping_rules WHERE id = OLD.rule_id;
END;
