-- Jumeau store, schema version 12: operators' alarm commands shared through the hub
-- (docs/sync.md). Every acknowledgement, shelving and out-of-service taken here or received is
-- kept with what became of it: applied, superseded by a later write on the same register
-- (the shelf, the service state: ordered by hybrid logical clock, then device), or not
-- applicable here and why.

CREATE TABLE alarm_actions (
    op_id       TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    register    TEXT CHECK (register IN ('shelf', 'service')),  -- NULL: an acknowledgement
    author      TEXT NOT NULL,
    device      TEXT NOT NULL,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    command     TEXT NOT NULL,                     -- JSON of jumeau_core::sync::AlarmOp
    hub_seq     INTEGER,                           -- as received (NULL: taken here)
    created_at  TEXT NOT NULL,
    result      TEXT,                              -- NULL: not taken up yet; 'applied'; or why not
    settled_at  TEXT
);
CREATE INDEX alarm_actions_register ON alarm_actions (code, register);
CREATE INDEX alarm_actions_open ON alarm_actions (hub_seq) WHERE result IS NULL;

CREATE TRIGGER alarm_actions_no_delete BEFORE DELETE ON alarm_actions
BEGIN SELECT RAISE(ABORT, 'alarm actions are append-only'); END;
CREATE TRIGGER alarm_actions_settled_once BEFORE UPDATE ON alarm_actions
WHEN OLD.result IS NOT NULL OR NEW.op_id <> OLD.op_id OR NEW.command <> OLD.command
  OR NEW.hlc_wall_ms <> OLD.hlc_wall_ms OR NEW.hlc_counter <> OLD.hlc_counter
BEGIN SELECT RAISE(ABORT, 'an alarm action is settled once and never changed'); END;
