//! User roles and what each may do.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Field,
    Engineer,
    Auditor,
    Trainer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Operator,
        Role::Field,
        Role::Engineer,
        Role::Auditor,
        Role::Trainer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Field => "field",
            Role::Engineer => "engineer",
            Role::Auditor => "auditor",
            Role::Trainer => "trainer",
        }
    }

    pub fn label(self, locale: crate::Locale) -> &'static str {
        locale.pick(self.label_fr(), self.label_en())
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Operator => "Opérateur salle de commande",
            Role::Field => "Agent de terrain",
            Role::Engineer => "Ingénieur",
            Role::Auditor => "Auditeur",
            Role::Trainer => "Formateur",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Operator => "Control-room operator",
            Role::Field => "Field agent",
            Role::Engineer => "Engineer",
            Role::Auditor => "Auditor",
            Role::Trainer => "Trainer",
        }
    }

    /// Whether this role may carry out `action` (the matrix of [`crate::access`]).
    pub fn may(self, action: crate::access::Action) -> bool {
        crate::access::allows(self, action)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}` (expected one of operator, field, engineer, auditor, trainer)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_rights() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("admin".parse::<Role>().is_err());
        use crate::access::Action;
        assert!(Role::Engineer.may(Action::DecideChange));
        assert!(!Role::Operator.may(Action::DecideChange));
        assert!(!Role::Auditor.may(Action::ProposeChange));
    }
}
