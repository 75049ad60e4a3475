//! The outbox's writing half (docs/sync.md): each local write's op signed and stored in the
//! write's own transaction, stamped by this device's hybrid logical clock. Depends on nothing
//! else of the store, so that every module that writes may use it.

use crate::{NOW, StoreError};
use ed25519_dalek::SigningKey;
use jumeau_core::sync::{Hlc, Op, Signer};
use rusqlite::{Transaction, params};

/// Writes the op of a local write into the outbox, inside the write's own transaction: the
/// clock ticks, the op gets a UUIDv7 and the author's device signature.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    key: &SigningKey,
    make: impl FnOnce(String, Hlc) -> Op,
) -> Result<String, StoreError> {
    let hlc = read_clock(tx)?.tick(wall_ms());
    write_clock(tx, hlc)?;
    let op = make(uuid::Uuid::now_v7().to_string(), hlc);
    let signed = op.sign(key);
    tx.prepare_cached(&format!(
        "INSERT INTO sync_outbox (op_id, kind, op, created_at) VALUES (?1, ?2, ?3, {NOW})"
    ))?
    .execute(params![op.op_id, op.kind, serde_json::to_string(&signed)?])?;
    Ok(op.op_id)
}

pub(crate) fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub(crate) fn read_clock(tx: &Transaction<'_>) -> Result<Hlc, StoreError> {
    Ok(tx
        .prepare_cached("SELECT wall_ms, counter FROM sync_clock WHERE id = 1")?
        .query_row([], |r| {
            Ok(Hlc {
                wall_ms: r.get(0)?,
                counter: r.get(1)?,
            })
        })?)
}

pub(crate) fn write_clock(tx: &Transaction<'_>, hlc: Hlc) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE sync_clock SET wall_ms = ?1, counter = ?2 WHERE id = 1")?
        .execute(params![hlc.wall_ms, hlc.counter])?;
    Ok(())
}

/// [`enqueue`] for an op signed by `(author, device, key)`.
pub(crate) fn enqueue_as(
    tx: &Transaction<'_>,
    (author, device, key): (&str, &str, &SigningKey),
    make: impl FnOnce(Signer<'_>, String, Hlc) -> Op,
) -> Result<String, StoreError> {
    let key_id = jumeau_core::logbook::key_id(&key.verifying_key().to_bytes());
    let signer = Signer {
        author,
        device,
        key_id: &key_id,
    };
    enqueue(tx, key, |op_id, hlc| make(signer, op_id, hlc))
}

/// A received op whose body does not read: the batch is refused, naming the op.
pub(crate) fn bad_op(hub_seq: u64) -> impl FnOnce(jumeau_core::sync::OpError) -> StoreError {
    move |e| StoreError::Invalid(format!("hub op {hub_seq}: {e}"))
}
