//! Change-sets as ops (docs/sync.md): master data changes only through validated change-sets,
//! and on every device in the same order — the hub's. A proposal travels with the fingerprint
//! of the master data it was made on; a decision with the fingerprint it was checked against.
//! Every device (the decider's included, once the hub has ordered the decision) applies a
//! validation only to that same master data; otherwise the change-set is kept, proposed and
//! marked "needs rebase", never dropped — so all devices end on the same master data.

use super::Hlc;
use super::op::{Op, OpError, OpKind, Signer};
use crate::MasterData;
use crate::changeset::ChangeSetContent;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The stream of every op about change-set `uid`.
pub fn stream(uid: &str) -> String {
    format!("changeset/{uid}")
}

/// SHA-256 (hex) of master data's JSON: equal on two devices exactly when their master data
/// is the same (the store loads it in a fixed order).
pub fn fingerprint(md: &MasterData) -> String {
    let json = serde_json::to_string(md).expect("master data always serialises");
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// A proposal as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalOp {
    /// The master data's fingerprint when proposed.
    pub base: String,
    pub content: ChangeSetContent,
    pub title: String,
    pub uid: String,
}

/// What an engineer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Validated,
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Validated => "validated",
            Verdict::Rejected => "rejected",
        }
    }
}

/// A decision as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionOp {
    /// The master data's fingerprint the decider checked the change-set against.
    pub base: String,
    pub note: Option<String>,
    pub uid: String,
    pub verdict: Verdict,
}

impl Op {
    pub fn changeset_proposal(
        signer: Signer<'_>,
        body: &ProposalOp,
        op_id: String,
        hlc: Hlc,
    ) -> Op {
        Op::new(
            signer,
            OpKind::ChangeSetProposal,
            stream(&body.uid),
            body,
            op_id,
            hlc,
        )
    }

    pub fn changeset_decision(
        signer: Signer<'_>,
        body: &DecisionOp,
        op_id: String,
        hlc: Hlc,
    ) -> Op {
        Op::new(
            signer,
            OpKind::ChangeSetDecision,
            stream(&body.uid),
            body,
            op_id,
            hlc,
        )
    }

    pub fn changeset_proposal_body(&self) -> Result<ProposalOp, OpError> {
        self.body_on_stream(|b: &ProposalOp| (!b.uid.is_empty()).then(|| stream(&b.uid)))
    }

    pub fn changeset_decision_body(&self) -> Result<DecisionOp, OpError> {
        self.body_on_stream(|b: &DecisionOp| (!b.uid.is_empty()).then(|| stream(&b.uid)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_master_data() {
        let md = crate::plant::embedded().md;
        let mut other = md.clone();
        assert_eq!(fingerprint(&md), fingerprint(&other));
        other.components[0].name_fr.push('!');
        assert_ne!(fingerprint(&md), fingerprint(&other));
    }

    #[test]
    fn a_decision_reads_back() {
        let d = DecisionOp {
            base: "ab".into(),
            note: Some("vu sur site".into()),
            uid: "u".into(),
            verdict: Verdict::Validated,
        };
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<DecisionOp>(&text).unwrap(), d);
        assert!(serde_json::from_str::<DecisionOp>(&text.replace("validated", "maybe")).is_err());
    }
}
