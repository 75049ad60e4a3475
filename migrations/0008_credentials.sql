-- Logins: each account's password (Argon2id) and the account key its device keys are sealed
-- with (wrapped by a key derived from the password, so a stolen store and key folder cannot
-- sign without it); failed attempts and lockout. Device keys gain revocation: a revoked key
-- still verifies what it signed before, and signs nothing after.
CREATE TABLE credentials (
    login           TEXT PRIMARY KEY REFERENCES users (login),
    password_hash   TEXT NOT NULL,                 -- Argon2id, PHC string
    must_change     INTEGER NOT NULL CHECK (must_change IN (0, 1)),
    wrap_salt       TEXT NOT NULL,                 -- hex; Argon2id(password, salt) wraps the account key
    account_key     TEXT NOT NULL,                 -- hex: nonce (24 bytes) then XChaCha20-Poly1305 ciphertext
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    changed_at      TEXT NOT NULL
);

CREATE TABLE device_keys_v8 (
    key_id            TEXT PRIMARY KEY,
    login             TEXT NOT NULL REFERENCES users (login),
    device            TEXT NOT NULL,
    public_key        TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL,
    revoked_at        TEXT,
    revoked_by        TEXT,
    revoked_after_seq INTEGER,                     -- the last logbook entry when it was revoked
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
INSERT INTO device_keys_v8 (key_id, login, device, public_key, created_at)
    SELECT key_id, login, device, public_key, created_at FROM device_keys;
DROP TABLE device_keys;
ALTER TABLE device_keys_v8 RENAME TO device_keys;
CREATE UNIQUE INDEX device_keys_one_active ON device_keys (login, device) WHERE revoked_at IS NULL;

CREATE TRIGGER device_keys_no_delete BEFORE DELETE ON device_keys
BEGIN SELECT RAISE(ABORT, 'device keys are never deleted, only revoked'); END;
CREATE TRIGGER device_keys_revoked_once BEFORE UPDATE ON device_keys
WHEN NEW.key_id IS NOT OLD.key_id OR NEW.login IS NOT OLD.login OR NEW.device IS NOT OLD.device
  OR NEW.public_key IS NOT OLD.public_key OR NEW.created_at IS NOT OLD.created_at
  OR OLD.revoked_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a device key changes only by being revoked, once'); END;
