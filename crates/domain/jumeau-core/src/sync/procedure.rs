//! Shared procedure runs as ops (docs/sync.md). The device that started a run ticks it — its
//! conditions read that device's live values — and publishes the run after every change
//! (`procedure.run`: a register with one writer, ordered by its event count). Another device
//! following the run sends what its user does (`procedure.action`); the owner applies those in
//! the hub's order, so that of two actions on one step the first wins and the other is settled
//! as refused, with its reason, in the owner's next publication — both clients show the same.

use super::Hlc;
use super::op::{Op, OpError, OpKind};
use crate::procedure::{Action, Run};
use serde::{Deserialize, Serialize};

/// The stream of every op about run `uid`.
pub fn stream(uid: &str) -> String {
    format!("procedure/{uid}")
}

/// The owner's publication of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOp {
    /// The run's state as the owner holds it (JSON of [`Run`]).
    pub run: String,
    /// How many events the run has: a follower keeps the publication with the most.
    pub seq: u64,
    /// Other devices' actions the owner has taken up since its last publication.
    pub settled: Vec<Settled>,
    pub uid: String,
}

/// What became of one action sent by a follower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settled {
    pub op_id: String,
    /// `None`: applied; otherwise why not (the step was done meanwhile, the run had ended…).
    pub refused: Option<String>,
}

/// A follower's action on a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionOp {
    pub action: Action,
    /// The run's event count the user saw when acting.
    pub base: u64,
    pub step: String,
    pub uid: String,
}

/// Who signs an op: login, device and key id.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    pub author: &'a str,
    pub device: &'a str,
    pub key_id: &'a str,
}

impl Op {
    /// The op publishing run `uid` as its owner holds it.
    pub fn procedure_run(signer: Signer<'_>, body: &RunOp, op_id: String, hlc: Hlc) -> Op {
        Op::of(
            signer,
            OpKind::ProcedureRun,
            &body.uid,
            to_json(body),
            op_id,
            hlc,
        )
    }

    /// The op of a follower's action.
    pub fn procedure_action(signer: Signer<'_>, body: &ActionOp, op_id: String, hlc: Hlc) -> Op {
        Op::of(
            signer,
            OpKind::ProcedureAction,
            &body.uid,
            to_json(body),
            op_id,
            hlc,
        )
    }

    fn of(
        signer: Signer<'_>,
        kind: OpKind,
        uid: &str,
        body: String,
        op_id: String,
        hlc: Hlc,
    ) -> Op {
        Op {
            author: signer.author.to_owned(),
            base: None,
            body,
            device: signer.device.to_owned(),
            format: super::op::FORMAT.to_owned(),
            hlc,
            key_id: signer.key_id.to_owned(),
            kind: kind.as_str().to_owned(),
            op_id,
            stream: stream(uid),
        }
    }

    /// The publication a `procedure.run` op carries, with its run parsed; checked against
    /// the envelope's stream.
    pub fn procedure_run_body(&self) -> Result<(RunOp, Run), OpError> {
        let body: RunOp = parse(&self.body)?;
        self.check_stream(&body.uid)?;
        let run: Run =
            serde_json::from_str(&body.run).map_err(|e| OpError::Malformed(format!("run: {e}")))?;
        if run.events.len() as u64 != body.seq {
            return Err(OpError::Inconsistent(format!(
                "the run has {} events, the op says {}",
                run.events.len(),
                body.seq
            )));
        }
        Ok((body, run))
    }

    /// The action a `procedure.action` op carries, checked against the envelope's stream.
    pub fn procedure_action_body(&self) -> Result<ActionOp, OpError> {
        let body: ActionOp = parse(&self.body)?;
        self.check_stream(&body.uid)?;
        Ok(body)
    }

    fn check_stream(&self, uid: &str) -> Result<(), OpError> {
        if uid.is_empty() || self.stream != stream(uid) {
            return Err(OpError::Inconsistent(format!("stream {:?}", self.stream)));
        }
        Ok(())
    }
}

fn to_json(body: &impl Serialize) -> String {
    serde_json::to_string(body).expect("an op body always serialises")
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, OpError> {
    serde_json::from_str(text).map_err(|e| OpError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logbook::key_id;
    use ed25519_dalek::SigningKey;

    fn signed(kind: &str, body: String, stream: &str) -> super::super::SignedOp {
        let k = SigningKey::from_bytes(&[3; 32]);
        let id = key_id(&k.verifying_key().to_bytes());
        let mut op = Op::of(
            Signer {
                author: "j.martin",
                device: "salle-de-commande",
                key_id: &id,
            },
            OpKind::ProcedureAction,
            "u1",
            body,
            "op-1".into(),
            Hlc::default(),
        );
        op.kind = kind.into();
        op.stream = stream.into();
        op.sign(&k)
    }

    #[test]
    fn an_action_travels_and_opens() {
        let body = ActionOp {
            action: Action::Skip {
                reason: "déjà fait".into(),
            },
            base: 3,
            step: "prestart".into(),
            uid: "u1".into(),
        };
        let op = signed("procedure.action", to_json(&body), "procedure/u1");
        assert_eq!(op.open().unwrap().procedure_action_body().unwrap(), body);
    }

    #[test]
    fn a_body_for_another_stream_or_a_run_that_miscounts_is_refused() {
        let body = ActionOp {
            action: Action::Confirm,
            base: 0,
            step: "s".into(),
            uid: "u1".into(),
        };
        let op = signed("procedure.action", to_json(&body), "procedure/u2");
        assert!(matches!(op.open(), Err(OpError::Inconsistent(_))));

        let run = RunOp {
            run: "{}".into(),
            seq: 0,
            settled: vec![],
            uid: "u1".into(),
        };
        let op = signed("procedure.run", to_json(&run), "procedure/u1");
        assert!(matches!(op.open(), Err(OpError::Malformed(_))));
        let garbage = signed("procedure.action", "{\"uid\":1}".into(), "procedure/u1");
        assert!(matches!(garbage.open(), Err(OpError::Malformed(_))));
    }
}
