-- migration's restricting switches (SPEC rule 1): a switch's cell becomes the freedom from it,
-- the level Exempt, held by a role that opens the module without the switch. Before, the cell
-- (level Allowed) meant the switch itself. A role that opens the module and did not tick the
-- switch is now exempt from it; one that ticked it stays restricted. The tenant-admin role
-- (Project Admin, "full rights") holds none of them: it is exempt from every switch of the
-- modules it opens.
WITH switches(perm_type, access_type) AS (VALUES
    ('Applications: Limit access to ''My Apps''', 'Applications access'),
    ('Applications: Disable Context Menu', 'Applications access'),
    ('User Migrations: Limit access to ''My Users''', 'User Migrations access'),
    ('User Migrations: Disable Context Menu', 'User Migrations access'),
    ('Devices: Limit access to ''My Devices''', 'Devices access'),
    ('Devices: Disable Context Menu', 'Devices access'),
    ('Mailboxes: Limit access to ''My Mailboxes''', 'Mailboxes access'),
    ('Mailboxes: Disable Context Menu', 'Mailboxes access'),
    ('Bespoke: Limit access to ''My Bespokes''', 'Bespoke access'),
    ('Bespoke: Disable Context Menu', 'Bespoke access'),
    ('Deployment Units: Limit access to ''My Deployment Units''', 'Deployment Units access'),
    ('Deployment Units: Disable Context Menu', 'Deployment Units access'),
    ('Defects: Limit access to ''My Defects''', 'Defects access'),
    ('Defects: Disable Context Menu', 'Defects access'),
    ('Tasks: Limit access to ''My Tasks''', 'Tasks access'),
    ('Tasks: Disable Context Menu', 'Tasks access'),
    ('Reports: User can''t save new DMRs', 'Reports access'),
    ('Reports: User can''t run DMRs', 'Reports access')
)
INSERT INTO role_grants (tenant_id, role_id, perm_type, level)
SELECT r.tenant_id, r.id, s.perm_type, 'Exempt'
FROM roles r
JOIN tenants t ON t.id = r.tenant_id AND t.template = 'migration'
CROSS JOIN switches s
WHERE EXISTS (
        SELECT 1 FROM role_grants a WHERE a.role_id = r.id AND a.perm_type = s.access_type)
  AND (r.built_in = 1 OR NOT EXISTS (
        SELECT 1 FROM role_grants g
        WHERE g.role_id = r.id AND g.perm_type = s.perm_type AND g.level = 'Allowed'));

DELETE FROM role_grants
WHERE level = 'Allowed'
  AND tenant_id IN (SELECT id FROM tenants WHERE template = 'migration')
  AND perm_type IN (
    'Applications: Limit access to ''My Apps''', 'Applications: Disable Context Menu', 'User Migrations: Limit access to ''My Users''', 'User Migrations: Disable Context Menu', 'Devices: Limit access to ''My Devices''', 'Devices: Disable Context Menu', 'Mailboxes: Limit access to ''My Mailboxes''', 'Mailboxes: Disable Context Menu', 'Bespoke: Limit access to ''My Bespokes''', 'Bespoke: Disable Context Menu', 'Deployment Units: Limit access to ''My Deployment Units''', 'Deployment Units: Disable Context Menu', 'Defects: Limit access to ''My Defects''', 'Defects: Disable Context Menu', 'Tasks: Limit access to ''My Tasks''', 'Tasks: Disable Context Menu', 'Reports: User can''t save new DMRs', 'Reports: User can''t run DMRs'
  );

-- An editor opened before this change holds a stale version: its save is refused, not applied.
UPDATE roles SET version = version + 1
WHERE tenant_id IN (SELECT id FROM tenants WHERE template = 'migration');
