-- Jumeau store, schema version 10: sync with the plant hub (docs/sync.md). The outbox holds the
-- ops this device wrote, each in the same transaction as its local effect; `received` holds every
-- op the hub has passed on, in the hub's order with its countersignature; `remote_logbook` the
-- entries signed on other devices, exactly as signed there.

CREATE TABLE sync_hub (                            -- one row: this device's enrolment
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    url                TEXT NOT NULL,              -- wss://host:port
    certificate_sha256 TEXT NOT NULL,              -- the hub's TLS certificate, pinned
    device             TEXT NOT NULL,
    token              TEXT NOT NULL,              -- the device's secret (the store is encrypted)
    hub_key            TEXT,                       -- the hub's Ed25519 key, pinned at first contact
    enrolled_by        TEXT NOT NULL REFERENCES users (login),
    enrolled_at        TEXT NOT NULL
);

CREATE TABLE sync_clock (                          -- one row: the hybrid logical clock
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    wall_ms INTEGER NOT NULL,
    counter INTEGER NOT NULL
);
INSERT INTO sync_clock VALUES (1, 0, 0);

CREATE TABLE sync_outbox (
    local_seq  INTEGER PRIMARY KEY AUTOINCREMENT,  -- push order
    op_id      TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    op         TEXT NOT NULL,                      -- SignedOp JSON
    created_at TEXT NOT NULL,
    hub_seq    INTEGER,                            -- set by the hub's acknowledgement (after its commit)
    status     TEXT CHECK (status IN ('accepted', 'quarantined'))
);
CREATE INDEX sync_outbox_pending ON sync_outbox (local_seq) WHERE hub_seq IS NULL;

CREATE TABLE sync_received (
    hub_seq          INTEGER PRIMARY KEY,          -- contiguous from 1: the hub's order
    op_id            TEXT NOT NULL UNIQUE,
    device           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'quarantined')),
    op               TEXT NOT NULL,                -- SignedOp JSON
    countersignature TEXT NOT NULL,                -- Countersignature JSON
    stored_at        TEXT NOT NULL
);

CREATE TABLE remote_logbook (
    device       TEXT NOT NULL,
    seq          INTEGER NOT NULL,                 -- in its device chain
    hub_seq      INTEGER NOT NULL UNIQUE REFERENCES sync_received (hub_seq),
    recorded_at  TEXT NOT NULL,
    author       TEXT NOT NULL,
    role         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    category     TEXT NOT NULL,
    text         TEXT NOT NULL,
    components   TEXT NOT NULL,
    tags         TEXT NOT NULL,
    entry_values TEXT NOT NULL,
    attachments  TEXT NOT NULL,
    corrects     INTEGER,
    training     INTEGER NOT NULL,
    key_id       TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    entry_hash   TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,
    signature    TEXT NOT NULL,
    PRIMARY KEY (device, seq)
);
CREATE INDEX remote_logbook_recorded_at ON remote_logbook (recorded_at);

CREATE TRIGGER sync_received_no_delete BEFORE DELETE ON sync_received
BEGIN SELECT RAISE(ABORT, 'received ops are append-only'); END;
CREATE TRIGGER sync_received_no_update BEFORE UPDATE ON sync_received
BEGIN SELECT RAISE(ABORT, 'received ops are append-only'); END;
CREATE TRIGGER remote_logbook_no_delete BEFORE DELETE ON remote_logbook
BEGIN SELECT RAISE(ABORT, 'the logbook is append-only'); END;
CREATE TRIGGER remote_logbook_no_update BEFORE UPDATE ON remote_logbook
BEGIN SELECT RAISE(ABORT, 'the logbook is append-only'); END;
