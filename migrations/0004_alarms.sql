-- Alarm rules as data (JSON of jumeau_core::alarm::AlarmRule; NULL = the parameter's limit
-- rule) and the alarm journal: one row per transition, append-only.
ALTER TABLE alarm_refs ADD COLUMN rule TEXT;

CREATE TABLE alarm_journal (
    id          INTEGER PRIMARY KEY,
    ts_ms       INTEGER NOT NULL,
    code        TEXT NOT NULL,
    component   TEXT NOT NULL,
    -- Operator position (the component's unit: TG1, TG2, CR1, CR2, TV, BOP).
    position    TEXT NOT NULL,
    priority    TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    event       TEXT NOT NULL,
    value       REAL,
    limit_value REAL,
    user        TEXT,
    note        TEXT,
    -- 1 when the source was the built-in simulator (training).
    training    INTEGER NOT NULL DEFAULT 0 CHECK (training IN (0, 1))
);
CREATE INDEX alarm_journal_ts ON alarm_journal (ts_ms);
CREATE INDEX alarm_journal_code ON alarm_journal (code, ts_ms);

CREATE TRIGGER alarm_journal_no_update BEFORE UPDATE ON alarm_journal
BEGIN SELECT RAISE(ABORT, 'the alarm journal is append-only'); END;
CREATE TRIGGER alarm_journal_no_delete BEFORE DELETE ON alarm_journal
BEGIN SELECT RAISE(ABORT, 'the alarm journal is append-only'); END;
