//! CSV export: RFC 4180, UTF-8, one row per entry. `body` is the exact signed text, so a third
//! party can recompute `entry_hash` (SHA-256 of `body`), check `prev_hash` links and verify
//! `signature` with `public_key`; `countersignature`, when the entry went through the plant hub,
//! is the hub's signed receipt (docs/sync.md), checked against the hub's key.

use jumeau_store::LogEntry;
use std::collections::HashMap;
use std::io::Write;

pub const HEADER: [&str; 21] = [
    "seq",
    "recorded_at",
    "author",
    "role",
    "device",
    "kind",
    "category",
    "text",
    "components",
    "tags",
    "values",
    "attachments",
    "corrects",
    "training",
    "key_id",
    "public_key",
    "prev_hash",
    "entry_hash",
    "signature",
    "body",
    "countersignature",
];

/// Writes the entries; `keys` maps key ids to public keys (a missing key leaves the cell empty).
pub fn write_csv(
    entries: &[LogEntry],
    keys: &HashMap<String, [u8; 32]>,
    out: impl Write,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for e in entries {
        let b = &e.body;
        let values = b
            .values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";");
        let public_key = keys.get(&b.key_id).map(hex::encode).unwrap_or_default();
        w.write_record([
            b.seq.to_string().as_str(),
            &b.recorded_at,
            &b.author,
            &b.role,
            &b.device,
            &b.kind,
            &b.category,
            &b.text,
            &b.components.join(";"),
            &b.tags.join(";"),
            &values,
            &b.attachments.join(";"),
            &b.corrects.map(|c| c.to_string()).unwrap_or_default(),
            if b.training { "1" } else { "0" },
            &b.key_id,
            &public_key,
            &b.prev,
            &e.entry_hash,
            &e.signature,
            &e.signed_body,
            e.countersignature.as_deref().unwrap_or(""),
        ])?;
    }
    w.flush()?;
    Ok(())
}
