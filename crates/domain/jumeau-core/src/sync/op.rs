//! Ops: one user write as it travels between devices. The op's canonical JSON is signed by the
//! author's device key; the public key travels with it so that the hub can check the signature
//! of a device it enrolled and pass the key on.

use super::Hlc;
use crate::logbook::{
    self, EntryBody, SignedEntry, key_id, sha256_hex, signature_from_hex, verifying_key_from_hex,
};
use ed25519_dalek::{Signer as _, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Value of an op's `format` field.
pub const FORMAT: &str = "jumeau-op/1";

/// What an op does. Append-only kinds never conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// A signed logbook entry of the author's device chain (append-only).
    LogbookEntry,
    /// A shared procedure run as its owner holds it (one writer; the most events win).
    ProcedureRun,
    /// A follower's action on a shared run, applied by the owner in the hub's order.
    ProcedureAction,
    /// An operator's command on an alarm (acknowledgement, or a register: shelf, service).
    AlarmAction,
    /// A master-data change-set proposed (with the master data it was made on).
    ChangeSetProposal,
    /// An engineer's decision on a change-set, applied everywhere in the hub's order.
    ChangeSetDecision,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::LogbookEntry => "logbook.entry",
            OpKind::ProcedureRun => "procedure.run",
            OpKind::ProcedureAction => "procedure.action",
            OpKind::AlarmAction => "alarm.action",
            OpKind::ChangeSetProposal => "changeset.propose",
            OpKind::ChangeSetDecision => "changeset.decide",
        }
    }

    pub fn parse(s: &str) -> Option<OpKind> {
        match s {
            "logbook.entry" => Some(OpKind::LogbookEntry),
            "procedure.run" => Some(OpKind::ProcedureRun),
            "procedure.action" => Some(OpKind::ProcedureAction),
            "alarm.action" => Some(OpKind::AlarmAction),
            "changeset.propose" => Some(OpKind::ChangeSetProposal),
            "changeset.decide" => Some(OpKind::ChangeSetDecision),
            _ => None,
        }
    }
}

/// The signed part of an op. Fields in alphabetical order: serialised compactly this is the
/// canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub author: String,
    /// What the op was made against (a register's last known write, a change-set's base), if
    /// anything.
    pub base: Option<String>,
    /// The kind's own canonical JSON text.
    pub body: String,
    pub device: String,
    pub format: String,
    pub hlc: Hlc,
    pub key_id: String,
    pub kind: String,
    /// UUIDv7 text: unique, and ordered by creation time on one device.
    pub op_id: String,
    /// What the op belongs to, e.g. `logbook/<device>`.
    pub stream: String,
}

/// An op as stored and sent: the exact signed text, its signature and the signing public key
/// (all hex but `op`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedOp {
    pub op: String,
    pub public_key: String,
    pub signature: String,
}

/// The body of a [`OpKind::LogbookEntry`] op: the entry exactly as signed in its device chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogbookOp {
    pub entry: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("malformed op: {0}")]
    Malformed(String),
    #[error("the op's signature does not verify")]
    BadSignature,
    #[error("the op names key {named} but carries key {carried}")]
    KeyMismatch { named: String, carried: String },
    #[error("unknown op kind {0:?}")]
    UnknownKind(String),
    #[error("the op's body does not match its envelope: {0}")]
    Inconsistent(String),
}

impl Op {
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("an op always serialises")
    }

    /// Signs the op with the author's device key.
    pub fn sign(&self, key: &SigningKey) -> SignedOp {
        let op = self.canonical();
        SignedOp {
            signature: hex::encode(key.sign(op.as_bytes()).to_bytes()),
            public_key: hex::encode(key.verifying_key().to_bytes()),
            op,
        }
    }

    /// The op of a logbook entry just signed in the device's chain.
    pub fn logbook_entry(entry: &SignedEntry, body: &EntryBody, op_id: String, hlc: Hlc) -> Op {
        let content = LogbookOp {
            entry: entry.body.clone(),
            signature: entry.signature.clone(),
        };
        let signer = Signer {
            author: &body.author,
            device: &body.device,
            key_id: &body.key_id,
        };
        let stream = format!("logbook/{}", body.device);
        Op::new(signer, OpKind::LogbookEntry, stream, &content, op_id, hlc)
    }
}

/// Who signs an op: login, device and key id.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    pub author: &'a str,
    pub device: &'a str,
    pub key_id: &'a str,
}

impl Op {
    /// An op of `kind` on `stream` carrying `body` (as JSON), by `signer`.
    pub(crate) fn new(
        signer: Signer<'_>,
        kind: OpKind,
        stream: String,
        body: &impl Serialize,
        op_id: String,
        hlc: Hlc,
    ) -> Op {
        Op {
            author: signer.author.to_owned(),
            base: None,
            body: serde_json::to_string(body).expect("an op body always serialises"),
            device: signer.device.to_owned(),
            format: FORMAT.to_owned(),
            hlc,
            key_id: signer.key_id.to_owned(),
            kind: kind.as_str().to_owned(),
            op_id,
            stream,
        }
    }

    /// The body as `T`, the op's stream checked to be `stream_of(&T)` (an op about one thing
    /// filed under another is inconsistent).
    pub(crate) fn body_on_stream<T: for<'de> Deserialize<'de>>(
        &self,
        stream_of: impl FnOnce(&T) -> Option<String>,
    ) -> Result<T, OpError> {
        let body: T =
            serde_json::from_str(&self.body).map_err(|e| OpError::Malformed(e.to_string()))?;
        if stream_of(&body).as_deref() != Some(self.stream.as_str()) {
            return Err(OpError::Inconsistent(format!("stream {:?}", self.stream)));
        }
        Ok(body)
    }
}

impl SignedOp {
    /// SHA-256 (hex) of the signed text: what the hub's receipt names.
    pub fn hash(&self) -> String {
        sha256_hex(self.op.as_bytes())
    }

    /// Parses the op and checks its signature against the key it carries, that key against
    /// the id the op names, and the kind's body against the envelope. Who may use that key is
    /// the caller's question (the hub: the enrolled device; a client: the hub's receipt).
    pub fn open(&self) -> Result<Op, OpError> {
        let op: Op =
            serde_json::from_str(&self.op).map_err(|e| OpError::Malformed(e.to_string()))?;
        if op.format != FORMAT {
            return Err(OpError::Malformed(format!("format {:?}", op.format)));
        }
        if op.canonical() != self.op {
            return Err(OpError::Malformed(
                "the text is not in canonical form".into(),
            ));
        }
        let public_key = decode_key(&self.public_key)?;
        let carried = key_id(&public_key.to_bytes());
        if carried != op.key_id {
            return Err(OpError::KeyMismatch {
                named: op.key_id,
                carried,
            });
        }
        let signature = signature_from_hex(&self.signature)
            .ok_or_else(|| OpError::Malformed("signature is not 64 bytes of hex".into()))?;
        public_key
            .verify(self.op.as_bytes(), &signature)
            .map_err(|_| OpError::BadSignature)?;
        match OpKind::parse(&op.kind) {
            Some(OpKind::LogbookEntry) => {
                let (entry, _) = op.logbook()?;
                entry_signed_by(&entry, &self.public_key)?;
            }
            Some(OpKind::ProcedureRun) => {
                op.procedure_run_body()?;
            }
            Some(OpKind::ProcedureAction) => {
                op.procedure_action_body()?;
            }
            Some(OpKind::AlarmAction) => {
                op.alarm_action_body()?;
            }
            Some(OpKind::ChangeSetProposal) => {
                op.changeset_proposal_body()?;
            }
            Some(OpKind::ChangeSetDecision) => {
                op.changeset_decision_body()?;
            }
            None => return Err(OpError::UnknownKind(op.kind)),
        }
        Ok(op)
    }
}

impl Op {
    /// The entry a logbook op carries, checked against the envelope: same author, device and
    /// key, and the entry's own signature by that key.
    pub fn logbook(&self) -> Result<(SignedEntry, EntryBody), OpError> {
        let content: LogbookOp =
            serde_json::from_str(&self.body).map_err(|e| OpError::Malformed(e.to_string()))?;
        let body: EntryBody = serde_json::from_str(&content.entry)
            .map_err(|e| OpError::Malformed(format!("entry: {e}")))?;
        if body.canonical() != content.entry || body.format != logbook::FORMAT {
            return Err(OpError::Malformed(
                "entry is not a canonical logbook body".into(),
            ));
        }
        if body.author != self.author || body.device != self.device || body.key_id != self.key_id {
            return Err(OpError::Inconsistent(
                "the entry's author, device or key differs from the op's".into(),
            ));
        }
        if self.stream != format!("logbook/{}", self.device) {
            return Err(OpError::Inconsistent(format!("stream {:?}", self.stream)));
        }
        Ok((
            SignedEntry {
                body: content.entry,
                signature: content.signature,
            },
            body,
        ))
    }
}

fn decode_key(text: &str) -> Result<VerifyingKey, OpError> {
    verifying_key_from_hex(text)
        .ok_or_else(|| OpError::Malformed("public key is not an Ed25519 key in hex".into()))
}

/// Checks a logbook entry's own signature with the op's public key (the entry verifies in its
/// device chain with the same key).
pub fn entry_signed_by(entry: &SignedEntry, public_key_hex: &str) -> Result<(), OpError> {
    let key = decode_key(public_key_hex)?;
    let signature = signature_from_hex(&entry.signature)
        .ok_or_else(|| OpError::Malformed("entry signature is not 64 bytes of hex".into()))?;
    key.verify(entry.body.as_bytes(), &signature)
        .map_err(|_| OpError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logbook::{EntryBody, GENESIS, sign};

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn entry(k: &SigningKey) -> (SignedEntry, EntryBody) {
        let body = EntryBody {
            attachments: vec![],
            author: "a.durand".into(),
            category: "ronde".into(),
            components: vec!["TG1".into()],
            corrects: None,
            device: "tablette-3".into(),
            format: logbook::FORMAT.into(),
            key_id: key_id(&k.verifying_key().to_bytes()),
            kind: "manual".into(),
            prev: GENESIS.into(),
            recorded_at: "2026-12-01T10:00:00.000Z".into(),
            role: "field".into(),
            seq: 1,
            tags: vec![],
            text: "Fuite d'huile palier 2".into(),
            training: false,
            values: vec![],
        };
        (sign(&body, k), body)
    }

    fn op(k: &SigningKey) -> SignedOp {
        let (signed, body) = entry(k);
        Op::logbook_entry(
            &signed,
            &body,
            "019a0000-0000-7000-8000-000000000001".into(),
            Hlc {
                wall_ms: 5,
                counter: 0,
            },
        )
        .sign(k)
    }

    #[test]
    fn a_signed_logbook_op_opens_and_carries_its_entry() {
        let k = key(1);
        let signed = op(&k);
        let opened = signed.open().unwrap();
        let (entry, body) = opened.logbook().unwrap();
        assert_eq!(body.text, "Fuite d'huile palier 2");
        entry_signed_by(&entry, &signed.public_key).unwrap();
    }

    #[test]
    fn a_changed_byte_or_a_foreign_key_is_refused() {
        let k = key(1);
        let mut changed = op(&k);
        changed.op = changed.op.replace("palier 2", "palier 3");
        assert_eq!(changed.open(), Err(OpError::BadSignature));

        let mut swapped = op(&k);
        swapped.public_key = hex::encode(key(2).verifying_key().to_bytes());
        assert!(matches!(swapped.open(), Err(OpError::KeyMismatch { .. })));

        let mut garbage = op(&k);
        garbage.op = "{\"author\":".into();
        assert!(matches!(garbage.open(), Err(OpError::Malformed(_))));
    }

    #[test]
    fn an_entry_signed_for_another_author_is_inconsistent() {
        let k = key(1);
        let (signed, mut body) = entry(&k);
        body.author = "j.martin".into();
        let op = Op::logbook_entry(&signed, &body, "id".into(), Hlc::default()).sign(&k);
        assert!(matches!(op.open(), Err(OpError::Inconsistent(_))));
    }
}
