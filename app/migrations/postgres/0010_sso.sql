-- Single sign-on per tenant (issue 11): the tenant's OpenID provider, the claim that names a user,
-- who an SSO user is at the provider (issuer and subject), the access-mapping rules, and the
-- sign-ins on their way through the provider.
ALTER TABLE tenants ADD COLUMN sso_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN sso_client_id TEXT NOT NULL DEFAULT '';
-- Never sent back to the browser: the settings page shows only whether one is stored.
ALTER TABLE tenants ADD COLUMN sso_client_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN sso_username_claim TEXT NOT NULL DEFAULT 'preferred_username';

ALTER TABLE users ADD COLUMN sso_issuer TEXT;
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject ON users (tenant_id, sso_issuer, sso_subject);

CREATE TABLE access_mapping_rules (
    id BIGSERIAL PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    position BIGINT NOT NULL
);
CREATE INDEX access_mapping_rules_tenant ON access_mapping_rules (tenant_id, position);

CREATE TABLE access_mapping_conditions (
    rule_id BIGINT NOT NULL REFERENCES access_mapping_rules(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    claim TEXT NOT NULL,
    operator TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (rule_id, position)
);

-- space_id 0: tenant-wide, as in user_roles.
CREATE TABLE access_mapping_roles (
    rule_id BIGINT NOT NULL REFERENCES access_mapping_rules(id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    space_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (rule_id, role_id, space_id)
);

CREATE TABLE access_mapping_inventory (
    rule_id BIGINT NOT NULL REFERENCES access_mapping_rules(id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES inventory_roles(id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, role_id, group_id)
);

-- A sign-in sent to the provider: found again by the hash of its `state`, used once, and only
-- within ten minutes.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sso_logins_created ON sso_logins (created_at);
