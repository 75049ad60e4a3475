-- Jumeau store, schema version 11: procedure runs shared through the hub (docs/sync.md). A run
-- has a plant-wide id and an owner, the device that started it and ticks it; other devices
-- follow it and send their users' actions, which the owner applies in the hub's order. Every
-- action sent or received is kept with what became of it (applied, or refused and why). Runs
-- from before this version keep no id and stay on their device.

ALTER TABLE procedure_runs ADD COLUMN uid TEXT;    -- UUIDv7, the same on every device
ALTER TABLE procedure_runs ADD COLUMN owner TEXT;  -- the device that ticks the run
CREATE UNIQUE INDEX procedure_runs_uid ON procedure_runs (uid);

CREATE TABLE procedure_actions (
    op_id      TEXT PRIMARY KEY,
    run_uid    TEXT NOT NULL,
    author     TEXT NOT NULL,
    device     TEXT NOT NULL,
    step       TEXT NOT NULL,
    action     TEXT NOT NULL,                      -- JSON of jumeau_core::procedure::Action
    base       INTEGER NOT NULL,                   -- the run's events the author had seen
    hub_seq    INTEGER,                            -- as received from the hub (NULL: sent from here)
    created_at TEXT NOT NULL,
    result     TEXT,                               -- NULL: not settled yet; 'applied'; or the refusal
    settled_at TEXT
);
CREATE INDEX procedure_actions_run ON procedure_actions (run_uid, created_at);
CREATE INDEX procedure_actions_open ON procedure_actions (hub_seq) WHERE result IS NULL;

CREATE TRIGGER procedure_actions_no_delete BEFORE DELETE ON procedure_actions
BEGIN SELECT RAISE(ABORT, 'procedure actions are append-only'); END;
CREATE TRIGGER procedure_actions_settled_once BEFORE UPDATE ON procedure_actions
WHEN OLD.result IS NOT NULL OR NEW.op_id <> OLD.op_id OR NEW.action <> OLD.action
  OR NEW.step <> OLD.step OR NEW.author <> OLD.author
BEGIN SELECT RAISE(ABORT, 'a procedure action is settled once and never changed'); END;
