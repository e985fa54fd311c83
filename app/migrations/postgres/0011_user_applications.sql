-- Application access per user (SPEC section 6, user page tab `Application access`): applications
-- granted to a user directly, on top of those their roles carry; and the applications an
-- access-mapping rule grants at SSO sign-in.
CREATE TABLE user_applications (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application TEXT NOT NULL,
    PRIMARY KEY (user_id, application)
);
CREATE INDEX user_applications_tenant ON user_applications (tenant_id);

CREATE TABLE access_mapping_applications (
    rule_id BIGINT NOT NULL REFERENCES access_mapping_rules(id) ON DELETE CASCADE,
    application TEXT NOT NULL,
    PRIMARY KEY (rule_id, application)
);
