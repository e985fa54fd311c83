-- Sign-in throttling as one row per key (a user, a user from one address, an address), updated
-- in one statement per attempt so that parallel attempts cannot all pass the check.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL DEFAULT 0
);

-- Where each audited request came from.
ALTER TABLE audit_events ADD COLUMN address TEXT NOT NULL DEFAULT '';
