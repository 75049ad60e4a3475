//! Alarm commands as ops (docs/sync.md): an operator's acknowledgement, shelving or
//! out-of-service on one device is applied on the others. An acknowledgement applies to the
//! alarm as it stands where it arrives. A shelf and an alarm's service state are registers:
//! the write with the greatest `(hlc, device)` wins, and an older one arriving later is kept in
//! the history as superseded, so every device ends on the same state whatever the order.

use super::Hlc;
use super::op::{Op, OpError, OpKind, Signer};
use serde::{Deserialize, Serialize};

/// What an operator did to an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AlarmCommand {
    Acknowledge,
    /// Until `until_ms` on the plant clock where it was taken.
    Shelve {
        until_ms: i64,
        reason: String,
    },
    Unshelve,
    /// `None`: back in service.
    OutOfService {
        reason: Option<String>,
    },
}

/// The registers of an alarm that commands write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Shelf,
    Service,
}

impl Register {
    pub fn as_str(self) -> &'static str {
        match self {
            Register::Shelf => "shelf",
            Register::Service => "service",
        }
    }
}

impl AlarmCommand {
    /// The right the command needs.
    pub fn right(&self) -> crate::access::Action {
        use crate::access::Action;
        match self {
            AlarmCommand::Acknowledge => Action::AcknowledgeAlarm,
            AlarmCommand::Shelve { .. } | AlarmCommand::Unshelve => Action::ShelveAlarm,
            AlarmCommand::OutOfService { .. } => Action::TakeAlarmOutOfService,
        }
    }

    /// The register the command writes; `None` for an acknowledgement.
    pub fn register(&self) -> Option<Register> {
        match self {
            AlarmCommand::Acknowledge => None,
            AlarmCommand::Shelve { .. } | AlarmCommand::Unshelve => Some(Register::Shelf),
            AlarmCommand::OutOfService { .. } => Some(Register::Service),
        }
    }
}

/// The body of an `alarm.action` op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmOp {
    /// The plant time where it was taken.
    pub at_ms: i64,
    pub code: String,
    pub command: AlarmCommand,
}

/// The stream of every command on alarm `code`.
pub fn stream(code: &str) -> String {
    format!("alarm/{code}")
}

/// Whether a register write stamped `(hlc, device)` wins over another: the later clock, and
/// between equal clocks the greater device name (any fixed rule will do, the same everywhere).
pub fn wins(write: (Hlc, &str), over: (Hlc, &str)) -> bool {
    write > over
}

impl Op {
    pub fn alarm_action(signer: Signer<'_>, body: &AlarmOp, op_id: String, hlc: Hlc) -> Op {
        Op::new(
            signer,
            OpKind::AlarmAction,
            stream(&body.code),
            body,
            op_id,
            hlc,
        )
    }

    /// The command an `alarm.action` op carries, checked against the envelope's stream.
    pub fn alarm_action_body(&self) -> Result<AlarmOp, OpError> {
        self.body_on_stream(|b: &AlarmOp| (!b.code.is_empty()).then(|| stream(&b.code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(wall_ms: u64, counter: u32) -> Hlc {
        Hlc { wall_ms, counter }
    }

    #[test]
    fn the_later_clock_wins_and_equal_clocks_are_decided_by_device() {
        assert!(wins((at(10, 0), "a"), (at(9, 5), "z")));
        assert!(!wins((at(9, 5), "z"), (at(10, 0), "a")));
        assert!(wins((at(10, 1), "a"), (at(10, 0), "z")));
        assert!(wins((at(10, 0), "b"), (at(10, 0), "a")));
        assert!(
            !wins((at(10, 0), "a"), (at(10, 0), "a")),
            "a write does not beat itself"
        );
    }

    #[test]
    fn commands_read_back_and_name_their_register() {
        let op = AlarmOp {
            at_ms: 5,
            code: "TG1-TRIP".into(),
            command: AlarmCommand::Shelve {
                until_ms: 65,
                reason: "capteur en panne".into(),
            },
        };
        let text = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<AlarmOp>(&text).unwrap(), op);
        assert_eq!(op.command.register(), Some(Register::Shelf));
        assert_eq!(AlarmCommand::Acknowledge.register(), None);
        assert!(
            serde_json::from_str::<AlarmOp>("{\"at_ms\":1,\"code\":\"X\",\"command\":\"explode\"}")
                .is_err()
        );
    }
}
