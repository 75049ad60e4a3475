//! The hub's countersignature chain: for every op it stores, the hub signs a receipt (its
//! sequence number, the op's hash, the device's own sequence for a logbook entry, its clock at
//! receipt and the hash of the previous receipt). The chain gives the plant-wide order; a
//! removed or reordered receipt breaks it, a removed tail is seen against a later checkpoint.

use crate::logbook::{GENESIS, key_id, sha256_hex, signature_from_hex};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Value of a receipt's `format` field.
pub const FORMAT: &str = "jumeau-receipt/1";

/// What the hub did with an op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Stored and passed on to every device.
    Accepted,
    /// Stored but held back: a clock beyond the allowed skew, a revoked author. Kept with the
    /// hub's receipt time for someone to decide; never dropped.
    Quarantined,
}

impl ReceiptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptStatus::Accepted => "accepted",
            ReceiptStatus::Quarantined => "quarantined",
        }
    }
}

/// The signed part. Fields in alphabetical order (canonical encoding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub device: String,
    /// The entry's sequence number in its device chain, for a logbook entry.
    pub device_seq: Option<u64>,
    /// The entry's hash, for a logbook entry.
    pub entry_hash: Option<String>,
    pub format: String,
    pub hub_key_id: String,
    pub hub_seq: u64,
    pub op_hash: String,
    pub op_id: String,
    /// Hash of the previous receipt's text, [`GENESIS`] for the first.
    pub prev: String,
    /// Why an op is quarantined; `None` when accepted.
    pub reason: Option<String>,
    /// The hub's clock, RFC 3339 UTC.
    pub received_at: String,
    pub status: ReceiptStatus,
}

/// A receipt as stored and sent: its exact text and the hub's signature (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Countersignature {
    pub receipt: String,
    pub signature: String,
}

impl Receipt {
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("a receipt always serialises")
    }

    pub fn sign(&self, hub_key: &SigningKey) -> Countersignature {
        let receipt = self.canonical();
        Countersignature {
            signature: hex::encode(hub_key.sign(receipt.as_bytes()).to_bytes()),
            receipt,
        }
    }
}

/// The hub key's id, as receipts name it.
pub fn hub_key_id(key: &VerifyingKey) -> String {
    key_id(&key.to_bytes())
}

impl Countersignature {
    pub fn hash(&self) -> String {
        sha256_hex(self.receipt.as_bytes())
    }

    /// Parses the receipt and checks the hub's signature.
    pub fn open(&self, hub_key: &VerifyingKey) -> Result<Receipt, String> {
        let receipt: Receipt =
            serde_json::from_str(&self.receipt).map_err(|e| format!("malformed receipt: {e}"))?;
        if receipt.canonical() != self.receipt || receipt.format != FORMAT {
            return Err("the receipt is not in canonical form".into());
        }
        if receipt.hub_key_id != hub_key_id(hub_key) {
            return Err(format!(
                "receipt signed by hub key {}, not the trusted one",
                receipt.hub_key_id
            ));
        }
        let signature = signature_from_hex(&self.signature)
            .ok_or("the receipt's signature is not 64 bytes of hex")?;
        hub_key
            .verify(self.receipt.as_bytes(), &signature)
            .map_err(|_| "the hub's signature does not verify".to_owned())?;
        Ok(receipt)
    }
}

/// A break in the chain, located by hub sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainFault {
    pub hub_seq: u64,
    pub detail: String,
}

/// Checks receipts given in hub order, continuing from a verified checkpoint
/// `(hub_seq, receipt hash)` (none: from the first receipt). Every fault is reported.
pub fn verify_chain(
    receipts: &[Countersignature],
    hub_key: &VerifyingKey,
    checkpoint: Option<(u64, &str)>,
) -> Vec<ChainFault> {
    let (mut seq, mut prev) =
        checkpoint.map_or((0, GENESIS.to_owned()), |(s, h)| (s, h.to_owned()));
    let mut faults = Vec::new();
    for c in receipts {
        match c.open(hub_key) {
            Ok(r) => {
                if r.hub_seq != seq + 1 {
                    faults.push(ChainFault {
                        hub_seq: r.hub_seq,
                        detail: format!("expected hub sequence {} here", seq + 1),
                    });
                }
                if r.prev != prev {
                    faults.push(ChainFault {
                        hub_seq: r.hub_seq,
                        detail: "does not follow the previous receipt".into(),
                    });
                }
                seq = r.hub_seq;
            }
            Err(detail) => faults.push(ChainFault {
                hub_seq: seq + 1,
                detail,
            }),
        }
        prev = c.hash();
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(hub: &SigningKey, n: u64) -> Vec<Countersignature> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let c = Receipt {
                    device: "cr".into(),
                    device_seq: Some(seq),
                    entry_hash: Some(format!("{seq:064}")),
                    format: FORMAT.into(),
                    hub_key_id: hub_key_id(&hub.verifying_key()),
                    hub_seq: seq,
                    op_hash: format!("{seq:064}"),
                    op_id: format!("op-{seq}"),
                    prev: prev.clone(),
                    reason: None,
                    received_at: "2026-12-01T10:00:00.000Z".into(),
                    status: ReceiptStatus::Accepted,
                }
                .sign(hub);
                prev = c.hash();
                c
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_whole_and_from_a_checkpoint() {
        let hub = SigningKey::from_bytes(&[7; 32]);
        let c = chain(&hub, 5);
        assert!(verify_chain(&c, &hub.verifying_key(), None).is_empty());
        let checkpoint = (2, c[1].hash());
        assert!(verify_chain(&c[2..], &hub.verifying_key(), Some((2, &checkpoint.1))).is_empty());
    }

    #[test]
    fn a_removed_or_forged_receipt_is_located() {
        let hub = SigningKey::from_bytes(&[7; 32]);
        let mut c = chain(&hub, 5);
        c.remove(2);
        let faults = verify_chain(&c, &hub.verifying_key(), None);
        assert_eq!(faults.iter().map(|f| f.hub_seq).collect::<Vec<_>>(), [4, 4]);

        let other = SigningKey::from_bytes(&[8; 32]);
        let forged = chain(&other, 1);
        let faults = verify_chain(&forged, &hub.verifying_key(), None);
        assert_eq!(faults.len(), 1);
        assert!(
            faults[0].detail.contains("not the trusted one"),
            "{faults:?}"
        );
    }
}
