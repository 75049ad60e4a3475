-- Local historian: raw samples for a configurable period, one-minute min/max/avg beyond.
-- Tags are numbered once so that rows stay small (WITHOUT ROWID, integer keys). The tag ids
-- carry no foreign key: only the historian writes them, and the check would cost every insert.
CREATE TABLE history_tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- quality: 0 good, 1 uncertain, 2 bad. value NULL when the source gave none.
CREATE TABLE history_raw (
    tag_id  INTEGER NOT NULL,
    ts_ms   INTEGER NOT NULL,
    value   REAL,
    quality INTEGER NOT NULL CHECK (quality IN (0, 1, 2)),
    PRIMARY KEY (tag_id, ts_ms)
) WITHOUT ROWID;

-- One row per tag and minute (good samples only), kept after the raw rows are dropped.
CREATE TABLE history_minute (
    tag_id    INTEGER NOT NULL,
    minute_ms INTEGER NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    avg       REAL NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tag_id, minute_ms)
) WITHOUT ROWID;
