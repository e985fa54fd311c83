-- SPEC rule 8: a sub-user manager's list reads only their own sub-users.
CREATE INDEX users_owner ON users (tenant_id, owner_id);
