//! Requests one feature makes of another (the alarm list or a procedure step selecting a
//! component), kept apart so that features need not import each other.

use bevy::prelude::*;

/// Request to select a component (`None` clears) and fly the camera to it.
#[derive(Message, Clone, Debug)]
pub struct Select {
    pub code: Option<String>,
    pub instant: bool,
}

impl Select {
    pub fn component(code: impl Into<String>) -> Select {
        Select {
            code: Some(code.into()),
            instant: false,
        }
    }
}
