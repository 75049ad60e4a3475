-- Guided procedures. Definitions are master data (their TOML text, changed through change-sets);
-- runs keep their state (JSON of jumeau_core::procedure::Run) so that a restart resumes them;
-- every outcome of a run is an append-only event row.
CREATE TABLE procedures (
    name         TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);

CREATE TABLE procedure_runs (
    id         INTEGER PRIMARY KEY,
    procedure  TEXT NOT NULL,
    version    TEXT NOT NULL,
    started_by TEXT NOT NULL REFERENCES users (login),
    started_ms INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running', 'completed', 'aborted')),
    training   INTEGER NOT NULL CHECK (training IN (0, 1)),
    state      TEXT NOT NULL
);

CREATE TABLE procedure_events (
    run_id  INTEGER NOT NULL REFERENCES procedure_runs (id),
    seq     INTEGER NOT NULL,
    ts_ms   INTEGER NOT NULL,
    step    TEXT,
    outcome TEXT NOT NULL,
    user    TEXT,
    role    TEXT,
    vals    TEXT NOT NULL,
    note    TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TRIGGER procedure_events_no_update BEFORE UPDATE ON procedure_events
BEGIN SELECT RAISE(ABORT, 'procedure events are append-only'); END;
CREATE TRIGGER procedure_events_no_delete BEFORE DELETE ON procedure_events
BEGIN SELECT RAISE(ABORT, 'procedure events are append-only'); END;
