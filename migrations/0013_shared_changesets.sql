-- Jumeau store, schema version 13: change-sets shared through the hub (docs/sync.md). A
-- change-set proposed here or received has a plant-wide id, the device it was proposed on and
-- the fingerprint of the master data it was made on. On a device enrolled with a hub a
-- decision takes effect once the hub has ordered it, on every device alike: until then it is
-- recorded here as pending; a validation that no longer applies to master data as it stands
-- leaves the change-set proposed, marked "needs rebase" with the reason. Seed change-sets and
-- those from before this version have no row: they stay on their device.

CREATE TABLE changeset_sync (
    changeset_id  INTEGER PRIMARY KEY REFERENCES changesets (id),
    uid           TEXT NOT NULL UNIQUE,
    origin        TEXT NOT NULL,                   -- the device it was proposed on
    base          TEXT NOT NULL,                   -- master data's fingerprint when proposed
    pending       TEXT CHECK (pending IN ('validated', 'rejected')),  -- a decision sent, awaiting the hub's order
    pending_by    TEXT,
    pending_note  TEXT,
    needs_rebase  TEXT,                            -- why a validation did not apply
    updated_at    TEXT NOT NULL
);
