-- Jumeau hub, schema version 1 (PostgreSQL): enrolled devices, the keys their users sign with,
-- revoked authors, and every op received, in the hub's order, with its countersignature (docs/sync.md).

CREATE TABLE devices (
    name         TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL,                     -- the device's secret is never stored
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE device_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    login      TEXT NOT NULL,
    device     TEXT NOT NULL REFERENCES devices (name),
    first_seen TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- People whose accounts were revoked: what they push from now on is quarantined, never applied
-- (a tablet that was offline when it happened still delivers it, for someone to review).
CREATE TABLE revoked_authors (
    login      TEXT PRIMARY KEY,
    revoked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    reason     TEXT NOT NULL
);

CREATE TABLE ops (
    hub_seq          BIGINT PRIMARY KEY,            -- contiguous from 1
    op_id            TEXT NOT NULL UNIQUE,
    device           TEXT NOT NULL REFERENCES devices (name),
    author           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    stream           TEXT NOT NULL,
    hlc_wall_ms      BIGINT NOT NULL,
    hlc_counter      BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'quarantined')),
    reason           TEXT,
    op               TEXT NOT NULL,                 -- SignedOp JSON, as received
    countersignature TEXT NOT NULL,                 -- Countersignature JSON
    receipt_hash     TEXT NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX ops_stream ON ops (stream, hub_seq);

-- Append-only: what was countersigned is never changed or removed.
CREATE FUNCTION ops_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ops are append-only'; END $$;
CREATE TRIGGER ops_no_change BEFORE UPDATE OR DELETE ON ops
FOR EACH ROW EXECUTE FUNCTION ops_append_only();
