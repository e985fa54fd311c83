-- Credentials (issue 14): a one-time password set by an administrator must be changed at the
-- next sign-in; each tenant has a password policy, applied wherever a password is set.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN password_min_length INTEGER NOT NULL DEFAULT 10;
ALTER TABLE tenants ADD COLUMN password_disallow_username INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN password_check_common INTEGER NOT NULL DEFAULT 1;
