//! Sync's local half (docs/sync.md): this device's enrolment with the plant hub, the outbox
//! (every op written in the same transaction as its local effect, so nothing typed offline is
//! lost), and what the hub passes on, kept in its countersigned order and applied here.

use crate::{NOW, Password, Store, StoreError, audit, outbox};
use ed25519_dalek::VerifyingKey;
use jumeau_core::access::Action;
use jumeau_core::logbook::{EntryBody, SignedEntry};
use jumeau_core::sync::{
    Countersignature, Delivered, Hlc, Op, OpKind, Receipt, ReceiptStatus, SignedOp,
};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use std::collections::HashMap;

/// This device's enrolment with a hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubEnrolment {
    /// `wss://host:port`.
    pub url: String,
    /// SHA-256 (hex) of the hub's TLS certificate (DER), pinned.
    pub certificate_sha256: String,
    pub device: String,
    /// The hub's Ed25519 key (hex), pinned at the first contact over the pinned channel.
    pub hub_key: Option<String>,
    pub enrolled_by: String,
    pub enrolled_at: String,
}

/// Where sync stands on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncCounts {
    /// Ops written here and not yet acknowledged by the hub.
    pub pending: u64,
    /// When the oldest of them was written.
    pub oldest_pending: Option<String>,
    /// Ops of this device the hub holds in quarantine.
    pub quarantined: u64,
    /// The last hub sequence number received (0: nothing yet).
    pub cursor: u64,
}

/// What one batch from the hub did here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReceiveReport {
    /// Ops stored (new to this device).
    pub stored: usize,
    /// Entries of other devices added to the logbook.
    pub entries: usize,
    /// Shared procedure runs changed and actions on them received or settled.
    pub runs: usize,
    /// Other devices' alarm commands received.
    pub alarms: usize,
    /// Change-sets proposed or decided (applied or marked "needs rebase").
    pub changesets: usize,
    /// This device's own ops confirmed.
    pub own: usize,
    /// Ops the hub holds in quarantine (stored, not applied).
    pub quarantined: usize,
}

impl Store {
    /// Enrols this device (the engineer's session's device) with a hub: its address, the
    /// pinned certificate and the device's secret from the hub's `enrol-device`. A second
    /// enrolment replaces the first only while nothing was received from the first hub.
    pub fn enrol_hub(
        &mut self,
        login: &str,
        url: &str,
        certificate_sha256: &str,
        token: &Password,
    ) -> Result<(), StoreError> {
        let (user, session) = self.authorize(login, Action::ManageAccounts)?;
        let device = session.device.as_str();
        if !url.starts_with("wss://") {
            return Err(StoreError::Invalid(format!(
                "hub address {url:?}: expected wss://host:port"
            )));
        }
        let fingerprint = certificate_sha256
            .trim()
            .to_ascii_lowercase()
            .replace(':', "");
        if fingerprint.len() != 64 || !fingerprint.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(
                "the hub certificate's SHA-256 must be 64 hex digits".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let received: u64 = tx.query_row("SELECT count(*) FROM sync_received", [], |r| r.get(0))?;
        if received > 0 {
            return Err(StoreError::Invalid(
                "this device already holds ops from its hub: it cannot change hubs".into(),
            ));
        }
        tx.execute(
            &format!(
                "INSERT OR REPLACE INTO sync_hub (id, url, certificate_sha256, device, token, \
                 hub_key, enrolled_by, enrolled_at) VALUES (1, ?1, ?2, ?3, ?4, NULL, ?5, {NOW})"
            ),
            params![url, fingerprint, device, token.expose(), user.login],
        )?;
        audit::record(
            &tx,
            &user.login,
            "enrol_hub",
            "device",
            Some(device),
            Some(url),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The enrolment and the device's secret, if this device is enrolled.
    pub fn hub_enrolment(&self) -> Result<Option<(HubEnrolment, Password)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, certificate_sha256, device, hub_key, enrolled_by, enrolled_at, token \
                 FROM sync_hub WHERE id = 1",
                [],
                |r| {
                    Ok((
                        HubEnrolment {
                            url: r.get(0)?,
                            certificate_sha256: r.get(1)?,
                            device: r.get(2)?,
                            hub_key: r.get(3)?,
                            enrolled_by: r.get(4)?,
                            enrolled_at: r.get(5)?,
                        },
                        Password::new(r.get::<_, String>(6)?),
                    ))
                },
            )
            .optional()?)
    }

    /// Pins the hub's signing key at the first contact; a different key later is refused (a
    /// hub that changed keys must be enrolled again).
    pub fn pin_hub_key(&mut self, key_hex: &str) -> Result<(), StoreError> {
        parse_key(key_hex)?;
        let pinned: Option<Option<String>> = self
            .conn
            .query_row("SELECT hub_key FROM sync_hub WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        match pinned {
            None => Err(StoreError::Invalid(
                "this device is not enrolled with a hub".into(),
            )),
            Some(Some(k)) if k == key_hex => Ok(()),
            Some(Some(k)) => Err(StoreError::Invalid(format!(
                "the hub signs with key {key_hex}, not the pinned {k}: enrol again if it was replaced"
            ))),
            Some(None) => {
                self.conn
                    .execute("UPDATE sync_hub SET hub_key = ?1 WHERE id = 1", [key_hex])?;
                Ok(())
            }
        }
    }

    /// The oldest `limit` ops not yet acknowledged, in the order they were written.
    pub fn pending_ops(&self, limit: usize) -> Result<Vec<SignedOp>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT op FROM sync_outbox WHERE hub_seq IS NULL ORDER BY local_seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
        rows.map(|r| Ok(serde_json::from_str(&r?)?)).collect()
    }

    /// Records the hub's acknowledgements of pushed ops (each its countersignature, checked
    /// against the pinned hub key and the op sent). Returns how many were new.
    pub fn acknowledge_ops(&mut self, acks: &[Countersignature]) -> Result<usize, StoreError> {
        let (_, hub_key) = self.pinned_hub()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut new = 0;
        for ack in acks {
            let receipt = ack.open(&hub_key).map_err(StoreError::Invalid)?;
            new += mark_own(&tx, &receipt, ack)?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// The last hub sequence number received (0 before the first).
    pub fn sync_cursor(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(hub_seq), 0) FROM sync_received",
            [],
            |r| r.get(0),
        )?)
    }

    /// Stores and applies ops the hub passed on, which must continue its countersigned chain
    /// from the last one stored here (a gap or a forged receipt refuses the whole batch and
    /// changes nothing). Own ops are confirmed, other devices' entries join the logbook,
    /// quarantined ops are kept without effect.
    pub fn receive_ops(&mut self, batch: &[Delivered]) -> Result<ReceiveReport, StoreError> {
        let (own_device, hub_key) = self.pinned_hub()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(u64, String)> = tx
            .query_row(
                "SELECT hub_seq, countersignature FROM sync_received ORDER BY hub_seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let checkpoint = match &last {
            Some((seq, cs)) => Some((*seq, serde_json::from_str::<Countersignature>(cs)?.hash())),
            None => None,
        };
        // Ops already stored (a repeated delivery) are skipped before the chain is checked.
        let cursor = checkpoint.as_ref().map_or(0, |(s, _)| *s);
        let fresh: Vec<(&Delivered, Receipt)> = batch
            .iter()
            .map(|d| {
                Ok((
                    d,
                    d.countersignature
                        .open(&hub_key)
                        .map_err(StoreError::Invalid)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?
            .into_iter()
            .filter(|(_, r)| r.hub_seq > cursor)
            .collect();
        let chain: Vec<Countersignature> = fresh
            .iter()
            .map(|(d, _)| d.countersignature.clone())
            .collect();
        let faults = jumeau_core::sync::verify_chain(
            &chain,
            &hub_key,
            checkpoint.as_ref().map(|(s, h)| (*s, h.as_str())),
        );
        if let Some(f) = faults.first() {
            return Err(StoreError::Invalid(format!(
                "the hub's chain breaks at {}: {} (nothing stored)",
                f.hub_seq, f.detail
            )));
        }
        let mut report = ReceiveReport::default();
        let mut latest_seen: Option<Hlc> = None;
        for (delivered, receipt) in fresh {
            if receipt.op_hash != delivered.op.hash() {
                return Err(StoreError::Invalid(format!(
                    "hub op {}: the receipt names another op (nothing stored)",
                    receipt.hub_seq
                )));
            }
            let op = delivered.op.open().map_err(|e| {
                StoreError::Invalid(format!("hub op {}: {e} (nothing stored)", receipt.hub_seq))
            })?;
            tx.execute(
                &format!(
                    "INSERT INTO sync_received (hub_seq, op_id, device, kind, status, op, \
                     countersignature, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW})"
                ),
                params![
                    receipt.hub_seq,
                    op.op_id,
                    op.device,
                    op.kind,
                    receipt.status.as_str(),
                    serde_json::to_string(&delivered.op)?,
                    serde_json::to_string(&delivered.countersignature)?,
                ],
            )?;
            report.stored += 1;
            if receipt.status == ReceiptStatus::Quarantined {
                report.quarantined += 1;
            }
            if op.device == own_device {
                mark_own(&tx, &receipt, &delivered.countersignature)?;
                report.own += 1;
                // This device's own decisions take effect in the hub's order, like anyone's.
                if receipt.status == ReceiptStatus::Accepted
                    && OpKind::parse(&op.kind) == Some(OpKind::ChangeSetDecision)
                {
                    report.changesets +=
                        crate::changesets::receive_decision(&tx, &op, receipt.hub_seq)?;
                }
            } else if receipt.status == ReceiptStatus::Accepted {
                apply_remote(&tx, &op, &delivered.op, receipt.hub_seq, &mut report)?;
                latest_seen = latest_seen.max(Some(op.hlc));
            }
        }
        // What is written here next is stamped after what was seen (a quarantined op, e.g.
        // from a clock far ahead, is not seen).
        if let Some(seen) = latest_seen {
            let clock = outbox::read_clock(&tx)?.observe(seen, outbox::wall_ms());
            outbox::write_clock(&tx, clock)?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// Pending, quarantined and received counts.
    pub fn sync_counts(&self) -> Result<SyncCounts, StoreError> {
        let (pending, oldest_pending, quarantined): (u64, Option<String>, u64) =
            self.conn.query_row(
                "SELECT count(*) FILTER (WHERE hub_seq IS NULL), \
                        min(created_at) FILTER (WHERE hub_seq IS NULL), \
                        count(*) FILTER (WHERE status = 'quarantined') FROM sync_outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        Ok(SyncCounts {
            pending,
            oldest_pending,
            quarantined,
            cursor: self.sync_cursor()?,
        })
    }

    /// The keys of this store's own accounts and those of other devices' entries received
    /// through the hub (key id → public key): what an export of the plant's logbook needs.
    pub fn plant_public_keys(&self) -> Result<HashMap<String, [u8; 32]>, StoreError> {
        let mut keys = self.public_keys()?;
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT key_id, public_key FROM remote_logbook")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, key) = row?;
            keys.entry(id).or_insert(parse_key(&key)?.to_bytes());
        }
        Ok(keys)
    }

    /// This device's name as enrolled and the hub's pinned key.
    pub(crate) fn pinned_hub(&self) -> Result<(String, VerifyingKey), StoreError> {
        let not_pinned = || StoreError::Invalid("the hub's key is not pinned yet".into());
        let (enrolment, _) = self.hub_enrolment()?.ok_or_else(not_pinned)?;
        let key = parse_key(enrolment.hub_key.as_deref().ok_or_else(not_pinned)?)?;
        Ok((enrolment.device, key))
    }
}

fn parse_key(hex_text: &str) -> Result<VerifyingKey, StoreError> {
    jumeau_core::logbook::verifying_key_from_hex(hex_text)
        .ok_or_else(|| StoreError::Invalid(format!("{hex_text:?} is not an Ed25519 key")))
}

/// A receipt of this device's own op: the outbox row is acknowledged and a logbook entry gets
/// the hub's countersignature. Returns 1 when it was not acknowledged before.
fn mark_own(
    tx: &Transaction<'_>,
    receipt: &Receipt,
    countersignature: &Countersignature,
) -> Result<usize, StoreError> {
    let changed = tx.execute(
        "UPDATE sync_outbox SET hub_seq = ?1, status = ?2 WHERE op_id = ?3 AND hub_seq IS NULL",
        params![receipt.hub_seq, receipt.status.as_str(), receipt.op_id],
    )?;
    if let Some(hash) = &receipt.entry_hash {
        tx.execute(
            "UPDATE logbook SET countersignature = ?1 WHERE entry_hash = ?2 \
             AND countersignature IS NULL",
            params![serde_json::to_string(countersignature)?, hash],
        )?;
    }
    Ok(changed)
}

/// Applies another device's accepted op here, counting it into the report.
fn apply_remote(
    tx: &Transaction<'_>,
    op: &Op,
    signed: &SignedOp,
    hub_seq: u64,
    report: &mut ReceiveReport,
) -> Result<(), StoreError> {
    match OpKind::parse(&op.kind) {
        Some(OpKind::LogbookEntry) => {
            let (entry, body) = op.logbook().map_err(outbox::bad_op(hub_seq))?;
            report.entries += insert_remote_entry(tx, &entry, &body, &signed.public_key, hub_seq)?;
        }
        Some(OpKind::ProcedureRun) => {
            report.runs += crate::procedures::receive_run(tx, op, hub_seq)?;
        }
        Some(OpKind::ProcedureAction) => {
            report.runs += crate::procedures::receive_action(tx, op, hub_seq)?;
        }
        Some(OpKind::AlarmAction) => {
            report.alarms += crate::alarms::receive_action(tx, op, hub_seq)?;
        }
        Some(OpKind::ChangeSetProposal) => {
            report.changesets += crate::changesets::receive_proposal(tx, op, hub_seq)?;
        }
        Some(OpKind::ChangeSetDecision) => {
            report.changesets += crate::changesets::receive_decision(tx, op, hub_seq)?;
        }
        None => {}
    }
    Ok(())
}

fn insert_remote_entry(
    tx: &Transaction<'_>,
    entry: &SignedEntry,
    body: &EntryBody,
    public_key: &str,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "INSERT OR IGNORE INTO remote_logbook (device, seq, hub_seq, recorded_at, author, role, \
         kind, category, text, components, tags, entry_values, attachments, corrects, training, \
         key_id, public_key, prev_hash, entry_hash, body, signature) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
         ?19, ?20, ?21)",
        params![
            body.device,
            body.seq,
            hub_seq,
            body.recorded_at,
            body.author,
            body.role,
            body.kind,
            body.category,
            body.text,
            serde_json::to_string(&body.components)?,
            serde_json::to_string(&body.tags)?,
            serde_json::to_string(&body.values)?,
            serde_json::to_string(&body.attachments)?,
            body.corrects,
            body.training,
            body.key_id,
            public_key,
            body.prev,
            entry.hash(),
            entry.body,
            entry.signature,
        ],
    )?)
}
