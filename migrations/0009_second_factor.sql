-- The second factor of an account (RFC 6238 TOTP): its secret sealed with the account key (so
-- only a login with the password can check a code), whether a first code confirmed it, and the
-- last step used (a code is accepted once). After a good code a device is trusted for a while.
CREATE TABLE second_factor (
    login      TEXT PRIMARY KEY REFERENCES users (login),
    secret     TEXT NOT NULL,                      -- hex: nonce then XChaCha20-Poly1305 ciphertext
    confirmed  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    last_step  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE second_factor_grants (
    login  TEXT NOT NULL REFERENCES users (login),
    device TEXT NOT NULL,
    until  TEXT NOT NULL,                          -- RFC 3339 UTC
    PRIMARY KEY (login, device)
);
