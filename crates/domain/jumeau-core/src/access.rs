//! The one permission matrix: which role may carry out which action. Every write path of the
//! store and the runtime asks [`allows`]; the UI only greys out what this refuses anyway.

use crate::Role;
use serde::Serialize;
use std::fmt;

/// Everything a person can do that changes the store, the plant or its simulation, and the
/// reads kept from some roles. Reading the logbook and signing an export of it (with one's own
/// key) need only a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A manual logbook entry (automatic entries are written for whoever is logged in).
    WriteLogbook,
    /// Propose a master-data change-set (or a procedure definition, which is master data).
    ProposeChange,
    /// Validate or reject someone else's change-set.
    DecideChange,
    AcknowledgeAlarm,
    /// Shelve or unshelve an alarm.
    ShelveAlarm,
    /// Take an alarm out of service or return it (instrument maintenance).
    TakeAlarmOutOfService,
    /// Trainer commands to the simulator (scenario, faults, speed).
    CommandSimulator,
    /// Start a procedure run or act on its steps.
    RunProcedure,
    /// Create accounts, reset passwords, unlock accounts, revoke keys.
    ManageAccounts,
    /// Read the audit trail and the login records.
    ReadAudit,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::WriteLogbook,
        Action::ProposeChange,
        Action::DecideChange,
        Action::AcknowledgeAlarm,
        Action::ShelveAlarm,
        Action::TakeAlarmOutOfService,
        Action::CommandSimulator,
        Action::RunProcedure,
        Action::ManageAccounts,
        Action::ReadAudit,
    ];

    /// Actions that change the plant's rules or who may act need a second factor (a code of
    /// the account's authenticator) besides the password. Trainer commands reach only the
    /// built-in simulator, always a training session, so they need none.
    pub fn needs_second_factor(self) -> bool {
        matches!(
            self,
            Action::DecideChange | Action::TakeAlarmOutOfService | Action::ManageAccounts
        )
    }

    /// What a refusal says the role may not do.
    pub fn describe(self) -> &'static str {
        match self {
            Action::WriteLogbook => "write to the logbook",
            Action::ProposeChange => "propose master-data changes",
            Action::DecideChange => "validate or reject change-sets",
            Action::AcknowledgeAlarm => "acknowledge alarms",
            Action::ShelveAlarm => "shelve alarms",
            Action::TakeAlarmOutOfService => "take alarms out of service",
            Action::CommandSimulator => "command the simulator",
            Action::RunProcedure => "run procedures",
            Action::ManageAccounts => "manage accounts",
            Action::ReadAudit => "read the audit trail",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// The matrix. Auditors write nothing; only engineers decide on change-sets, take alarms out
/// of service and manage accounts; only trainers command the simulator; shelving is the
/// control room's decision (the trainer's in a session); the field agent acknowledges at the
/// equipment but shelves nothing.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        WriteLogbook | ProposeChange | RunProcedure => role != Auditor,
        DecideChange | TakeAlarmOutOfService | ManageAccounts => role == Engineer,
        AcknowledgeAlarm => matches!(role, Operator | Field | Trainer),
        ShelveAlarm => matches!(role, Operator | Trainer),
        CommandSimulator => role == Trainer,
        ReadAudit => matches!(role, Engineer | Auditor),
    }
}

/// Why an action was refused, worded for the person refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{login} ({role}) may not {action}")]
pub struct Refused {
    pub login: String,
    pub role: Role,
    pub action: Action,
}

/// `Ok` when `role` may carry out `action`, else the refusal for `login`.
pub fn check(login: &str, role: Role, action: Action) -> Result<(), Refused> {
    if allows(role, action) {
        Ok(())
    } else {
        Err(Refused {
            login: login.to_owned(),
            role,
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix written out, so that a change to it is a change to this table too.
    #[test]
    fn the_matrix_is_as_agreed() {
        use Action::*;
        // Operator, field, engineer, auditor, trainer.
        let expected = [
            (WriteLogbook, [true, true, true, false, true]),
            (ProposeChange, [true, true, true, false, true]),
            (DecideChange, [false, false, true, false, false]),
            (AcknowledgeAlarm, [true, true, false, false, true]),
            (ShelveAlarm, [true, false, false, false, true]),
            (TakeAlarmOutOfService, [false, false, true, false, false]),
            (CommandSimulator, [false, false, false, false, true]),
            (RunProcedure, [true, true, true, false, true]),
            (ManageAccounts, [false, false, true, false, false]),
            (ReadAudit, [false, false, true, true, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, row) in expected {
            for (role, want) in Role::ALL.into_iter().zip(row) {
                assert_eq!(allows(role, action), want, "{role} {action}");
            }
        }
    }

    #[test]
    fn auditors_write_nothing_and_only_engineers_decide() {
        for action in Action::ALL {
            let writes = action != Action::ReadAudit;
            assert_eq!(allows(Role::Auditor, action), !writes, "{action}");
        }
        for role in Role::ALL {
            assert_eq!(allows(role, Action::DecideChange), role == Role::Engineer);
        }
        let refused = check("a.durand", Role::Field, Action::DecideChange).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a.durand (field) may not validate or reject change-sets"
        );
    }
}
