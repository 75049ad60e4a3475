//! The hub's PostgreSQL store: migrations checked like the client's, enrolled devices, and the
//! op log. One writer connection appends pushes (each push one transaction, under an advisory
//! lock, so the countersignature chain has one order even with two hub processes); a reader
//! connection answers pulls.

use anyhow::{Context, bail};
use ed25519_dalek::SigningKey;
use jumeau_core::sync::{
    Countersignature, Op, OpKind, Receipt, ReceiptStatus, SignedOp, hub_key_id,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Mutex, broadcast, watch};
use tokio_postgres::{Client, NoTls};

struct Migration {
    version: i32,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "0001_hub.sql",
    sql: include_str!("../migrations/0001_hub.sql"),
}];

/// Set when the hub stops: its database going away then is expected, not news.
pub static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Any number: the lock that orders appends to the chain.
const CHAIN_LOCK: i64 = 0x4a75_6d65_6175;

pub struct Db {
    writer: Mutex<Client>,
    reader: Client,
    /// The last hub sequence number committed.
    head: watch::Sender<u64>,
    /// Each push's new ops, announced in commit order.
    fresh: broadcast::Sender<Arc<Fresh>>,
}

/// The ops one push appended: hub sequence numbers `after + 1 ..= head`, and the `Fresh`
/// message that carries them, written once for every connection.
#[derive(Debug)]
pub struct Fresh {
    pub after: u64,
    pub head: u64,
    pub message: String,
}

/// Why a push was refused as a whole (nothing of it stored).
#[derive(Debug, thiserror::Error)]
pub enum PushRefused {
    #[error("op {index}: {reason}")]
    Op { index: usize, reason: String },
    #[error(transparent)]
    Db(#[from] tokio_postgres::Error),
}

/// How a device's clock compares with the hub's, for quarantine.
#[derive(Debug, Clone, Copy)]
pub struct Skew {
    /// The device's clock minus the hub's at the push, in ms.
    pub offset_ms: i64,
    pub allowed_ms: i64,
}

impl Db {
    /// Connects twice to `url` (a libpq connection string) and applies the migrations.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        let writer = connect(url).await?;
        let reader = connect(url).await?;
        let mut db = Db {
            writer: Mutex::new(writer),
            reader,
            head: watch::Sender::new(0),
            fresh: broadcast::channel(256).0,
        };
        db.migrate().await?;
        let head = db.stored_head().await?;
        db.head.send_replace(head);
        Ok(db)
    }

    async fn migrate(&mut self) -> anyhow::Result<()> {
        let mut client = self.writer.lock().await;
        let tx = client.transaction().await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hub_migrations (version INT PRIMARY KEY, \
             name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()); \
             LOCK TABLE hub_migrations IN EXCLUSIVE MODE",
        )
        .await?;
        let applied = tx
            .query(
                "SELECT version, name, sha256 FROM hub_migrations ORDER BY version",
                &[],
            )
            .await?;
        let known = MIGRATIONS.last().map_or(0, |m| m.version);
        for row in &applied {
            let (version, name, sha): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
            let Some(m) = MIGRATIONS.iter().find(|m| m.version == version) else {
                bail!(
                    "the hub database is at schema version {version}, newer than this hub \
                     (version {known}): use a newer Jumeau"
                );
            };
            if checksum(m.sql) != sha || m.name != name {
                bail!("hub migration {name} was changed after it was applied: refusing to go on");
            }
        }
        for m in MIGRATIONS.iter().skip(applied.len()) {
            tx.batch_execute(m.sql)
                .await
                .with_context(|| format!("hub migration {}", m.name))?;
            tx.execute(
                "INSERT INTO hub_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &checksum(m.sql)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Enrols (or re-enrols, with a new secret) a device; returns its secret, shown once.
    pub async fn enrol_device(&self, name: &str) -> anyhow::Result<String> {
        if name.is_empty() || !name.chars().all(jumeau_core::logbook::is_device_name_char) {
            bail!("device name {name:?}: letters, digits, '.', '_' and '-' only");
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        let token = hex::encode(secret);
        self.writer
            .lock()
            .await
            .execute(
                "INSERT INTO devices (name, token_sha256) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET token_sha256 = $2, revoked_at = NULL",
                &[&name, &token_hash(&token)],
            )
            .await?;
        Ok(token)
    }

    /// Revokes a device: it can no longer connect (what it sent stays).
    pub async fn revoke_device(&self, name: &str) -> anyhow::Result<()> {
        let n = self
            .writer
            .lock()
            .await
            .execute(
                "UPDATE devices SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
                &[&name],
            )
            .await?;
        if n == 0 {
            bail!("no enrolled device {name:?}");
        }
        Ok(())
    }

    /// Revokes an author: what they push from now on (offline work included) is quarantined.
    pub async fn revoke_author(&self, login: &str, reason: &str) -> anyhow::Result<()> {
        self.writer
            .lock()
            .await
            .execute(
                "INSERT INTO revoked_authors (login, reason) VALUES ($1, $2) \
                 ON CONFLICT (login) DO NOTHING",
                &[&login, &reason],
            )
            .await?;
        Ok(())
    }

    /// Whether `token` is the secret of an enrolled, unrevoked device.
    pub async fn device_may_connect(&self, name: &str, token: &str) -> anyhow::Result<bool> {
        let row = self
            .reader
            .query_opt(
                "SELECT token_sha256 FROM devices WHERE name = $1 AND revoked_at IS NULL",
                &[&name],
            )
            .await?;
        Ok(row.is_some_and(|r| {
            let stored: String = r.get(0);
            constant_time_eq(stored.as_bytes(), token_hash(token).as_bytes())
        }))
    }

    /// The last hub sequence number committed (0 when empty).
    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    /// Each push's new ops from now on, in commit order (a receiver that falls behind by
    /// more than 256 pushes is told it lagged).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Fresh>> {
        self.fresh.subscribe()
    }

    async fn stored_head(&self) -> anyhow::Result<u64> {
        let row = self
            .reader
            .query_one("SELECT coalesce(max(hub_seq), 0) FROM ops", &[])
            .await?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// Ops after `after`, at most `limit`, in hub order, as the JSON list of
    /// `wire::Delivered` a pull answer carries. Built from the stored texts (the hub wrote them,
    /// as canonical JSON) without parsing them again: every device pulls every op, so this is
    /// the hub's most repeated work.
    /// Returns the list and its length.
    pub async fn pull_json(&self, after: u64, limit: usize) -> anyhow::Result<(String, usize)> {
        let rows = self
            .reader
            .query(
                "SELECT op, countersignature FROM ops WHERE hub_seq > $1 ORDER BY hub_seq LIMIT $2",
                &[&(after as i64), &(limit as i64)],
            )
            .await?;
        let json = delivered_json(rows.iter().map(|r| (r.get(1), r.get(0))));
        Ok((json, rows.len()))
    }

    /// Stores a device's push in one transaction and returns one receipt per op (an op stored
    /// before gets its first receipt again: pushes are idempotent). Returns after the commit.
    pub async fn push(
        &self,
        device: &str,
        ops: &[SignedOp],
        skew: Skew,
        hub_key: &SigningKey,
    ) -> Result<Vec<Countersignature>, PushRefused> {
        // Signatures are checked before the writer is taken: pushes from several devices
        // verify in parallel and only the appends are serialised.
        let opened = ops
            .iter()
            .enumerate()
            .map(|(index, signed)| {
                signed.open().map_err(|e| PushRefused::Op {
                    index,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<Op>, _>>()?;
        let mut client = self.writer.lock().await;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])
            .await?;
        let last = tx
            .query_opt(
                "SELECT hub_seq, receipt_hash FROM ops ORDER BY hub_seq DESC LIMIT 1",
                &[],
            )
            .await?;
        let (mut seq, mut prev) = match last {
            Some(r) => (r.get::<_, i64>(0) as u64, r.get::<_, String>(1)),
            None => (0, jumeau_core::logbook::GENESIS.to_owned()),
        };
        // What one query per push can tell: ops stored before (a repeated push), and which
        // of the push's authors were revoked.
        let ids: Vec<&str> = opened.iter().map(|o| o.op_id.as_str()).collect();
        let mut stored: HashMap<String, String> = tx
            .query(
                "SELECT op_id, countersignature FROM ops WHERE op_id = ANY($1)",
                &[&ids],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let authors: Vec<&str> = opened.iter().map(|o| o.author.as_str()).collect();
        let revoked: HashMap<String, (String, String)> = tx
            .query(
                "SELECT login, to_char(revoked_at AT TIME ZONE 'UTC', \
                 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), reason FROM revoked_authors \
                 WHERE login = ANY($1)",
                &[&authors],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect();
        let insert = tx
            .prepare(
                "INSERT INTO ops (hub_seq, op_id, device, author, kind, stream, hlc_wall_ms, \
                 hlc_counter, status, reason, op, countersignature, receipt_hash, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14::text::timestamptz)",
            )
            .await?;
        let mut keys_checked = HashSet::new();
        let mut receipts = Vec::with_capacity(ops.len());
        let first_new = seq;
        let mut new: Vec<(String, String)> = Vec::new();
        for (index, (signed, op)) in ops.iter().zip(&opened).enumerate() {
            let refuse = |reason: String| PushRefused::Op { index, reason };
            if let Some(first) = stored.get(&op.op_id) {
                receipts.push(serde_json::from_str(first).map_err(|e| refuse(e.to_string()))?);
                continue;
            }
            if op.device != device {
                return Err(refuse(format!(
                    "written on device {:?}, pushed by {device:?}",
                    op.device
                )));
            }
            if keys_checked.insert(op.key_id.clone()) {
                check_key(&tx, op, signed, device).await.map_err(&refuse)?;
            }
            seq += 1;
            let (status, reason) = judge(op, skew, revoked.get(&op.author).cloned());
            let entry = match OpKind::parse(&op.kind) {
                Some(OpKind::LogbookEntry) => op.logbook().ok().map(|(e, b)| (e.hash(), b.seq)),
                // Only logbook entries have a place in a device chain.
                _ => None,
            };
            let received_at =
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let receipt = Receipt {
                device: op.device.clone(),
                device_seq: entry.as_ref().map(|(_, s)| *s),
                entry_hash: entry.map(|(h, _)| h),
                format: jumeau_core::sync::receipt::FORMAT.to_owned(),
                hub_key_id: hub_key_id(&hub_key.verifying_key()),
                hub_seq: seq,
                op_hash: signed.hash(),
                op_id: op.op_id.clone(),
                prev: prev.clone(),
                reason: reason.clone(),
                received_at,
                status,
            };
            let countersignature = receipt.sign(hub_key);
            prev = countersignature.hash();
            let countersigned =
                serde_json::to_string(&countersignature).expect("a receipt serialises");
            let op_text = serde_json::to_string(signed).expect("an op serialises");
            tx.execute(
                &insert,
                &[
                    &(seq as i64),
                    &op.op_id,
                    &op.device,
                    &op.author,
                    &op.kind,
                    &op.stream,
                    &(op.hlc.wall_ms as i64),
                    &i64::from(op.hlc.counter),
                    &status.as_str(),
                    &reason,
                    &op_text,
                    &countersigned,
                    &prev,
                    &receipt.received_at,
                ],
            )
            .await?;
            // The same op twice in one push gets its one receipt twice.
            stored.insert(op.op_id.clone(), countersigned.clone());
            new.push((countersigned, op_text));
            receipts.push(countersignature);
        }
        tx.commit().await?;
        // Announced while the writer is still held: in commit order.
        if !new.is_empty() {
            self.head.send_replace(seq);
            let items = delivered_json(new.iter().map(|(c, o)| (c.as_str(), o.as_str())));
            let _ = self.fresh.send(Arc::new(Fresh {
                after: first_new,
                head: seq,
                message: format!(r#"{{"t":"fresh","items":{items},"head":{seq}}}"#),
            }));
        }
        Ok(receipts)
    }
}

/// A JSON list of `wire::Delivered` from stored texts (countersignature, op), which the hub
/// wrote as JSON itself: no parsing again for every device that pulls.
fn delivered_json<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut json = String::from("[");
    for (i, (countersignature, op)) in rows.enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(r#"{"countersignature":"#);
        json.push_str(countersignature);
        json.push_str(r#","op":"#);
        json.push_str(op);
        json.push('}');
    }
    json.push(']');
    json
}

/// Accepted, or quarantined with the reason: an author whose account was revoked (`revoked`:
/// when and why), or a device clock beyond the allowed skew.
fn judge(
    op: &Op,
    skew: Skew,
    revoked: Option<(String, String)>,
) -> (ReceiptStatus, Option<String>) {
    if let Some((at, why)) = revoked {
        return (
            ReceiptStatus::Quarantined,
            Some(format!(
                "{}'s account was revoked at {at} ({why})",
                op.author
            )),
        );
    }
    if skew.offset_ms.abs() > skew.allowed_ms {
        let (secs, way) = (
            skew.offset_ms.abs() / 1000,
            if skew.offset_ms > 0 {
                "ahead of"
            } else {
                "behind"
            },
        );
        return (
            ReceiptStatus::Quarantined,
            Some(format!(
                "device {:?}'s clock is {secs} s {way} the hub's (allowed {} s)",
                op.device,
                skew.allowed_ms / 1000
            )),
        );
    }
    (ReceiptStatus::Accepted, None)
}

/// The op's key must be the one its author uses on this device: a key first seen is bound to
/// the pushing device and author, never used by another.
async fn check_key(
    tx: &tokio_postgres::Transaction<'_>,
    op: &Op,
    signed: &SignedOp,
    device: &str,
) -> Result<(), String> {
    let row = tx
        .query_opt(
            "SELECT login, device FROM device_keys WHERE key_id = $1",
            &[&op.key_id],
        )
        .await
        .map_err(|e| e.to_string())?;
    match row {
        Some(r) => {
            let (login, on): (String, String) = (r.get(0), r.get(1));
            if login != op.author || on != device {
                return Err(format!(
                    "key {} belongs to {login}@{on}, not {}@{device}",
                    op.key_id, op.author
                ));
            }
            Ok(())
        }
        None => tx
            .execute(
                "INSERT INTO device_keys (key_id, public_key, login, device) VALUES ($1, $2, $3, $4)",
                &[&op.key_id, &signed.public_key, &op.author, &device],
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .with_context(|| format!("cannot connect to the hub database ({})", redact(url)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await
            && !STOPPING.load(std::sync::atomic::Ordering::Relaxed)
        {
            eprintln!("hub: database connection lost: {e}");
        }
    });
    Ok(client)
}

/// A connection string without its password, for messages.
pub fn redact(url: &str) -> String {
    url.split_whitespace()
        .map(|part| {
            if part.starts_with("password=") {
                "password=…"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
