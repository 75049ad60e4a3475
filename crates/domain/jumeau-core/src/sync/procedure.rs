//! Shared procedure runs as ops (docs/sync.md). The device that started a run ticks it — its
//! conditions read that device's live values — and publishes the run after every change
//! (`procedure.run`: a register with one writer, ordered by its event count). Another device
//! following the run sends what its user does (`procedure.action`); the owner applies those in
//! the hub's order, so that of two actions on one step the first wins and the other is settled
//! as refused, with its reason, in the owner's next publication — both clients show the same.

use super::Hlc;
use super::op::{Op, OpError, OpKind, Signer};
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

impl Op {
    /// The op publishing run `uid` as its owner holds it.
    pub fn procedure_run(signer: Signer<'_>, body: &RunOp, op_id: String, hlc: Hlc) -> Op {
        Op::new(
            signer,
            OpKind::ProcedureRun,
            stream(&body.uid),
            body,
            op_id,
            hlc,
        )
    }

    /// The op of a follower's action.
    pub fn procedure_action(signer: Signer<'_>, body: &ActionOp, op_id: String, hlc: Hlc) -> Op {
        Op::new(
            signer,
            OpKind::ProcedureAction,
            stream(&body.uid),
            body,
            op_id,
            hlc,
        )
    }

    /// The publication a `procedure.run` op carries, with its run parsed; checked against
    /// the envelope's stream.
    pub fn procedure_run_body(&self) -> Result<(RunOp, Run), OpError> {
        let body: RunOp = self.body_on_stream(|b: &RunOp| uid_stream(&b.uid))?;
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
        self.body_on_stream(|b: &ActionOp| uid_stream(&b.uid))
    }
}

/// The stream of run `uid`, none for an empty id.
fn uid_stream(uid: &str) -> Option<String> {
    (!uid.is_empty()).then(|| stream(uid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logbook::key_id;
    use ed25519_dalek::SigningKey;

    fn signed(kind: &str, body: String, on: &str) -> super::super::SignedOp {
        let k = SigningKey::from_bytes(&[3; 32]);
        let id = key_id(&k.verifying_key().to_bytes());
        let mut op = Op::new(
            Signer {
                author: "j.martin",
                device: "salle-de-commande",
                key_id: &id,
            },
            OpKind::ProcedureAction,
            stream("u1"),
            &(),
            "op-1".into(),
            Hlc::default(),
        );
        op.body = body;
        op.kind = kind.into();
        op.stream = on.into();
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
        let op = signed(
            "procedure.action",
            serde_json::to_string(&body).unwrap(),
            "procedure/u1",
        );
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
        let op = signed(
            "procedure.action",
            serde_json::to_string(&body).unwrap(),
            "procedure/u2",
        );
        assert!(matches!(op.open(), Err(OpError::Inconsistent(_))));

        let run = RunOp {
            run: "{}".into(),
            seq: 0,
            settled: vec![],
            uid: "u1".into(),
        };
        let op = signed(
            "procedure.run",
            serde_json::to_string(&run).unwrap(),
            "procedure/u1",
        );
        assert!(matches!(op.open(), Err(OpError::Malformed(_))));
        let garbage = signed("procedure.action", "{\"uid\":1}".into(), "procedure/u1");
        assert!(matches!(garbage.open(), Err(OpError::Malformed(_))));
    }
}
