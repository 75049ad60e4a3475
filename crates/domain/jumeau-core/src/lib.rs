//! Pure domain model of Jumeau: no I/O, no Bevy, no SQLite.
//!
//! Component identities (KKS-style codes), master-data types and their integrity rules, user
//! roles and the change-set model through which master data changes, the logbook's canonical
//! signed entries and their verification, and the plant files (`assets/plant/`) read as master data.

pub mod access;
pub mod alarm;
pub mod changeset;
pub mod kks;
pub mod locale;
pub mod logbook;
pub mod masterdata;
pub mod plant;
pub mod procedure;
pub mod role;
pub mod sync;
pub mod totp;
pub mod trend;
pub mod units;

pub use changeset::{Change, ChangeSetContent, ChangeSetStatus};
pub use kks::{KksError, is_valid_code};
pub use locale::Locale;
pub use masterdata::{
    AlarmRef, Circuit, Component, Document, IntegrityError, Limits, MasterData, Parameter,
    PlantUnit, Priority, ProcedureSource, Rated, Tag,
};
pub use role::Role;
pub use units::Quantity;
