-- Jumeau store, schema version 2: the signed, hash-chained logbook and the device keys that
-- sign it. See docs/logbook-format.md. The columns beside `body` are for queries; `body` and
-- `signature` are what verification trusts.

CREATE TABLE device_keys (
    key_id     TEXT PRIMARY KEY,                  -- first 16 hex of SHA-256(public key)
    login      TEXT NOT NULL REFERENCES users (login),
    device     TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,              -- 32 bytes, hex
    created_at TEXT NOT NULL,
    UNIQUE (login, device)
);

CREATE TABLE logbook (
    seq              INTEGER PRIMARY KEY,          -- monotonic, from 1, no gaps
    recorded_at      TEXT NOT NULL,
    author           TEXT NOT NULL,
    role             TEXT NOT NULL,
    device           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('manual', 'automatic')),
    category         TEXT NOT NULL,
    text             TEXT NOT NULL,
    components       TEXT NOT NULL,                -- JSON list of component codes
    tags             TEXT NOT NULL,                -- JSON list
    entry_values     TEXT NOT NULL,                -- JSON list of {name, unit, value}
    attachments      TEXT NOT NULL,                -- JSON list of SHA-256
    corrects         INTEGER,
    training         INTEGER NOT NULL CHECK (training IN (0, 1)),
    key_id           TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    entry_hash       TEXT NOT NULL UNIQUE,
    body             TEXT NOT NULL,                -- canonical JSON, signed
    signature        TEXT NOT NULL,                -- Ed25519 over body, hex
    countersignature TEXT                          -- reserved: the hub's countersignature and trusted time
);
CREATE INDEX logbook_recorded_at ON logbook (recorded_at);

-- Append-only for the application; only the countersignature may be filled in later. (Someone
-- with the file can drop these triggers: verification does not rely on them.)
CREATE TRIGGER logbook_no_delete BEFORE DELETE ON logbook
BEGIN SELECT RAISE(ABORT, 'the logbook is append-only'); END;
CREATE TRIGGER logbook_no_update BEFORE UPDATE ON logbook
WHEN NEW.body IS NOT OLD.body OR NEW.signature IS NOT OLD.signature OR NEW.seq IS NOT OLD.seq
  OR NEW.text IS NOT OLD.text OR NEW.author IS NOT OLD.author OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.category IS NOT OLD.category OR NEW.components IS NOT OLD.components OR NEW.tags IS NOT OLD.tags
  OR NEW.entry_values IS NOT OLD.entry_values OR NEW.prev_hash IS NOT OLD.prev_hash
  OR NEW.entry_hash IS NOT OLD.entry_hash OR NEW.key_id IS NOT OLD.key_id
BEGIN SELECT RAISE(ABORT, 'the logbook is append-only'); END;
