use jumeau_core::IntegrityError;
use jumeau_core::changeset::DecisionRefused;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} cannot be read with the key {key}: it is not a Jumeau store, or it was \
         encrypted with another key (or its key file is missing); it was left untouched. Give \
         its key (--store-key-file), move it away or choose another --data-dir"
    )]
    NotSqlite { path: PathBuf, key: PathBuf },
    #[error("store key {path} refused: {why}")]
    BadKeyFile { path: PathBuf, why: String },
    #[error(
        "{path} is open in another process (an older Jumeau?): close it, then start again to \
         encrypt the store; nothing was changed"
    )]
    InUse { path: PathBuf },
    #[error(
        "{path} is an SQLite database of another application (it has tables but no Jumeau \
         schema); it was left untouched"
    )]
    Foreign { path: PathBuf },
    #[error(
        "{path} is missing or empty, but this data directory held a seeded Jumeau store \
         ({marker} says so): restore the store from a backup. Only to start a new, empty plant \
         here, delete {marker} first"
    )]
    Lost { path: PathBuf, marker: PathBuf },
    #[error("{path} is damaged and cannot be read ({detail}); it was left untouched")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer Jumeau (schema version {found}; this build knows up to \
         {known}). Upgrade Jumeau or use another --data-dir; the store was left untouched"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error(
        "migration {version} ({name}) differs from the one applied to this store \
         (checksum {applied} vs {expected})"
    )]
    MigrationChanged {
        version: u32,
        name: String,
        applied: String,
        expected: String,
    },
    #[error("unknown user `{0}`")]
    UnknownUser(String),
    // Not a `source`: printed as a chain the reason would be said twice.
    #[error("user {0}")]
    Forbidden(jumeau_core::access::Refused),
    #[error("wrong login or password")]
    BadCredentials,
    #[error(
        "account `{login}` is locked after repeated failed logins until {until} (UTC); \
         an engineer can unlock it (jumeau account unlock {login})"
    )]
    Locked { login: String, until: String },
    #[error("account `{0}` is deactivated")]
    Deactivated(String),
    #[error(
        "`{0}` has not logged in on this store: log in first (jumeau login, --password-file or \
         the password prompt)"
    )]
    NotLoggedIn(String),
    #[error(
        "`{0}` must set a new password before anything else (jumeau login sets it; the \
         one-time password works only for that)"
    )]
    PasswordChangeRequired(String),
    #[error(
        "{login} must confirm with a second factor to {action}: {}",
        if *enrolled {
            "give the current code of your authenticator (--otp CODE, or when asked)"
        } else {
            "enrol an authenticator first (jumeau account totp)"
        }
    )]
    SecondFactorRequired {
        login: String,
        action: String,
        enrolled: bool,
    },
    #[error("second factor refused: {0}")]
    SecondFactorRefused(String),
    #[error(
        "the session of `{0}` is locked after inactivity: give the password again to unlock it"
    )]
    SessionLocked(String),
    #[error("password refused: {0}")]
    WeakPassword(crate::password::Weakness),
    #[error("no {what} `{key}`")]
    NotFound { what: &'static str, key: String },
    // The reason is in the message, not also a `source`: printed as a chain it said it twice.
    #[error("change-set refused: {0}")]
    Decision(DecisionRefused),
    #[error("change-set would make master data inconsistent:\n  {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n  "))]
    Integrity(Vec<IntegrityError>),
    #[error("stored JSON is invalid: {0}")]
    Json(serde_json::Error),
    #[error("stored value is invalid: {0}")]
    Invalid(String),
    #[error(
        "the store cannot be written here: its file, its directory or the medium is read-only \
         (check their permissions and attributes, `lsattr`); nothing was written, and it can \
         still be read"
    )]
    ReadOnly,
    // Not a `source`: printed as a chain, SQLite's message came twice.
    #[error("{0}")]
    Sqlite(rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly,
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<jumeau_core::access::Refused> for StoreError {
    fn from(e: jumeau_core::access::Refused) -> Self {
        StoreError::Forbidden(e)
    }
}

impl From<DecisionRefused> for StoreError {
    fn from(e: DecisionRefused) -> Self {
        StoreError::Decision(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}
