-- The plant's units (trains, steam turbine, common plant) as master data: names, kind, display
-- position and the tags their labels show (a JSON array of tag names).
CREATE TABLE plant_units (
    code         TEXT PRIMARY KEY,
    name_fr      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    key_tags     TEXT NOT NULL,
    changeset_id INTEGER NOT NULL REFERENCES changesets (id)
);
