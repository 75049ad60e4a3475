-- Jumeau store, schema version 1: users and roles, master data, change-sets, audit trail.
-- Master-data rows carry the change-set that wrote them; the change-set records who proposed
-- and who validated it, so every master-data write is attributable.

CREATE TABLE users (
    login        TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('operator', 'field', 'engineer', 'auditor', 'trainer')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);

CREATE TABLE changesets (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    content        TEXT NOT NULL,                 -- JSON, see jumeau_core::ChangeSetContent
    content_sha256 TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('proposed', 'validated', 'rejected')),
    proposed_by    TEXT NOT NULL REFERENCES users (login),
    proposed_at    TEXT NOT NULL,
    decided_by     TEXT REFERENCES users (login),
    decided_at     TEXT,
    decision_note  TEXT,
    CHECK ((status = 'proposed') = (decided_by IS NULL))
);

CREATE TABLE components (
    code         TEXT PRIMARY KEY,
    alias        TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    parent       TEXT REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    name_fr      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    manufacturer TEXT,
    model        TEXT,
    rated        TEXT NOT NULL DEFAULT '[]',      -- JSON list of {name, value, unit}
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);
CREATE INDEX components_unit ON components (unit);
CREATE INDEX components_parent ON components (parent);

CREATE TABLE circuits (
    code         TEXT PRIMARY KEY,
    medium       TEXT NOT NULL CHECK (medium IN ('fuel_gas', 'air_flue_gas', 'hp_steam', 'ip_steam',
                  'lp_steam', 'feedwater', 'condensate', 'cooling_water', 'lube_oil')),
    name_fr      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);

CREATE TABLE circuit_members (
    circuit   TEXT NOT NULL REFERENCES circuits (code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    component TEXT NOT NULL REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (circuit, component)
);

CREATE TABLE parameters (
    component     TEXT NOT NULL REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    name          TEXT NOT NULL,
    label_fr      TEXT NOT NULL,
    label_en      TEXT NOT NULL,
    quantity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    trip_low      REAL,
    ll            REAL,
    l             REAL,
    normal_low    REAL,
    normal_high   REAL,
    h             REAL,
    hh            REAL,
    trip_high     REAL,
    startup_value REAL,
    note          TEXT,
    changeset_id  INTEGER NOT NULL REFERENCES changesets (id),
    PRIMARY KEY (component, name)
);

CREATE TABLE alarm_refs (
    code         TEXT PRIMARY KEY,
    component    TEXT NOT NULL REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    parameter    TEXT,
    limit_name   TEXT NOT NULL,
    priority     TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    cause        TEXT NOT NULL,
    consequence  TEXT NOT NULL,
    action       TEXT NOT NULL,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);
CREATE INDEX alarm_refs_component ON alarm_refs (component);

CREATE TABLE tags (
    name         TEXT PRIMARY KEY,
    component    TEXT NOT NULL REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    signal       TEXT NOT NULL,
    quantity     TEXT NOT NULL,
    unit         TEXT NOT NULL,
    description  TEXT NOT NULL,                   -- French
    description_en TEXT NOT NULL DEFAULT '',
    opcua_node   TEXT,
    mqtt_topic   TEXT,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id),
    UNIQUE (component, signal),
    CHECK (opcua_node IS NOT NULL OR mqtt_topic IS NOT NULL)
);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    location     TEXT NOT NULL,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);

CREATE TABLE document_links (
    document  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    component TEXT NOT NULL REFERENCES components (code) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (document, component)
);

-- Append-only audit trail of every write: who, when, what.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    detail    TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
