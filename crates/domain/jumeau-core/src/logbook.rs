//! The digital logbook's tamper evidence: each entry's signed *body* is a canonical JSON
//! document (see docs/logbook-format.md) that carries the SHA-256 of the previous body; the
//! author's device key signs the body bytes with Ed25519. Verification walks the chain and says
//! which entry is broken and how. Pure: keys come in as bytes, nothing here reads a clock, a file
//! or a random source.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Value of the body's `format` field.
pub const FORMAT: &str = "jumeau-logbook/1";
/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A measured value in an entry. The number is kept as the decimal text that was entered, so
/// that every language reads back exactly what was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryValue {
    pub name: String,
    pub unit: String,
    pub value: String,
}

/// What an author signs. Fields are declared in alphabetical order: serialised compactly by
/// serde_json this *is* the canonical encoding (sorted keys, no whitespace, UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    /// SHA-256 (hex) of attached files.
    pub attachments: Vec<String>,
    pub author: String,
    pub category: String,
    pub components: Vec<String>,
    /// Sequence number of the entry this one corrects (entries are never edited).
    pub corrects: Option<u64>,
    pub device: String,
    pub format: String,
    pub key_id: String,
    /// `manual` or `automatic`.
    pub kind: String,
    /// SHA-256 (hex) of the previous entry's body bytes, [`GENESIS`] for the first.
    pub prev: String,
    /// Wall-clock time of recording, RFC 3339 UTC.
    pub recorded_at: String,
    pub role: String,
    /// Monotonic sequence number, from 1, without gaps.
    pub seq: u64,
    /// Normative and free tags (ISO55000, IEC62682, IED, …).
    pub tags: Vec<String>,
    pub text: String,
    /// Simulator or training event, not plant operation.
    pub training: bool,
    pub values: Vec<EntryValue>,
}

impl EntryBody {
    /// The canonical bytes that are hashed and signed.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("an entry body always serialises")
    }
}

/// Characters allowed in a device name (it names the device's key file).
pub fn is_device_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-".contains(c)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Key id: the first 16 hex digits of the SHA-256 of the 32-byte public key.
pub fn key_id(public_key: &[u8; 32]) -> String {
    sha256_hex(public_key)[..16].to_owned()
}

pub mod auto;
mod verify;
pub use verify::{ChainVerifier, Link, StoredEntry, par_map, verify};

/// Who wrote an entry: a person, or Jumeau itself ([`auto`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    #[default]
    Manual,
    Automatic,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Manual => "manual",
            EntryKind::Automatic => "automatic",
        }
    }
}

/// The categories Jumeau knows. A manual entry may use another one of its own (the plant's
/// practice), but never one Jumeau writes itself ([`Category::is_automatic_only`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    ShiftNote,
    Operation,
    Maintenance,
    Emissions,
    Event,
    Alarm,
    Simulator,
    Changeset,
    Procedure,
    Login,
    Logout,
}

impl Category {
    /// The categories of the entry form, in its order.
    pub const MANUAL: [Category; 6] = [
        Category::ShiftNote,
        Category::Operation,
        Category::Maintenance,
        Category::Emissions,
        Category::Event,
        Category::Alarm,
    ];
    /// Every known category, for filters.
    pub const ALL: [Category; 11] = [
        Category::ShiftNote,
        Category::Operation,
        Category::Maintenance,
        Category::Emissions,
        Category::Event,
        Category::Alarm,
        Category::Simulator,
        Category::Changeset,
        Category::Procedure,
        Category::Login,
        Category::Logout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ShiftNote => "shift_note",
            Category::Operation => "operation",
            Category::Maintenance => "maintenance",
            Category::Emissions => "emissions",
            Category::Event => "event",
            Category::Alarm => "alarm",
            Category::Simulator => "simulator",
            Category::Changeset => "changeset",
            Category::Procedure => "procedure",
            Category::Login => "login",
            Category::Logout => "logout",
        }
    }

    /// A known category, whatever its case (`Login` is `login`).
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Written by Jumeau only: a person may not record a session, a decision, a simulator or
    /// procedure event under this category.
    pub fn is_automatic_only(self) -> bool {
        !Category::MANUAL.contains(&self)
    }
}

/// What an author writes; the store adds sequence, time, chain link and signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDraft {
    pub kind: EntryKind,
    /// A [`Category`] name, or for a manual entry one of the plant's own.
    pub category: String,
    pub text: String,
    pub components: Vec<String>,
    pub tags: Vec<String>,
    pub values: Vec<EntryValue>,
    pub attachments: Vec<String>,
    pub corrects: Option<u64>,
    pub training: bool,
}

/// `NAME=NUMBER UNIT`, as [`EntryValue::parse`] reads it.
impl std::fmt::Display for EntryValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={} {}", self.name, self.value, self.unit)
    }
}

impl EntryValue {
    /// Parses `NAME=NUMBER UNIT`, e.g. `NOx=31.5 mg/Nm³` (the number is checked by
    /// [`EntryDraft::check`]).
    pub fn parse(s: &str) -> Result<EntryValue, DraftError> {
        let (name, rest) = s
            .split_once('=')
            .ok_or_else(|| DraftError::Syntax(format!("value `{s}`: expected NAME=NUMBER UNIT")))?;
        let (number, unit) = rest.trim().split_once(char::is_whitespace).ok_or_else(|| {
            DraftError::Syntax(format!("value `{s}`: a unit is required after the number"))
        })?;
        Ok(EntryValue {
            name: name.trim().to_owned(),
            unit: unit.trim().to_owned(),
            value: number.trim().to_owned(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("{0}")]
    Syntax(String),
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("category `{0}` is written by Jumeau only, not by hand")]
    AutomaticCategory(String),
    #[error("{0} holds a control character (escape sequences, CR, BEL… are refused)")]
    Control(&'static str),
    #[error("text of {bytes} bytes is too long (at most {max}; attach a document instead)")]
    TooLong { bytes: usize, max: usize },
    #[error("value {name}: `{value}` is not a decimal number")]
    Number { name: String, value: String },
    #[error("value {name}: unit `{unit}` is not accepted (expected one of {expected})")]
    Unit {
        name: String,
        unit: String,
        expected: String,
    },
    #[error("attachment `{0}` is not a SHA-256 (64 hex digits)")]
    Attachment(String),
}

/// The longest text of one logbook entry (256 KiB).
pub const MAX_ENTRY_TEXT_BYTES: usize = 256 * 1024;

/// Units accepted for emission readings (IED reporting) by value name, case-insensitive.
const EMISSION_UNITS: [(&str, &[&str]); 5] = [
    ("nox", &["mg/Nm³", "ppm"]),
    ("co", &["mg/Nm³", "ppm"]),
    ("o2", &["%"]),
    ("co2", &["t", "kg", "t/h", "%"]),
    ("so2", &["mg/Nm³", "ppm"]),
];

impl EntryDraft {
    /// A manual entry with only its category and text.
    pub fn manual(category: &str, text: &str) -> EntryDraft {
        EntryDraft {
            kind: EntryKind::Manual,
            category: category.to_owned(),
            text: text.to_owned(),
            components: vec![],
            tags: vec![],
            values: vec![],
            attachments: vec![],
            corrects: None,
            training: false,
        }
    }

    /// Refuses a draft with missing fields, a non-decimal value, a wrong emission unit or a
    /// malformed attachment hash.
    pub fn check(&self) -> Result<(), DraftError> {
        let stray = |s: &str, multiline: bool| {
            s.chars()
                .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
        };
        let values = self
            .values
            .iter()
            .flat_map(|v| [&v.name, &v.unit, &v.value]);
        for (field, bad) in [
            ("text", stray(&self.text, true)),
            ("category", stray(&self.category, false)),
            ("a tag", self.tags.iter().any(|t| stray(t, false))),
            (
                "a component",
                self.components.iter().any(|t| stray(t, false)),
            ),
            ("a value", values.into_iter().any(|t| stray(t, false))),
        ] {
            if bad {
                return Err(DraftError::Control(field));
            }
        }
        if self.text.len() > MAX_ENTRY_TEXT_BYTES {
            return Err(DraftError::TooLong {
                bytes: self.text.len(),
                max: MAX_ENTRY_TEXT_BYTES,
            });
        }
        let category = self.category.trim();
        if category.is_empty() {
            return Err(DraftError::Missing("category"));
        }
        if self.kind == EntryKind::Manual
            && Category::parse(category).is_some_and(Category::is_automatic_only)
        {
            return Err(DraftError::AutomaticCategory(category.to_owned()));
        }
        if self.text.trim().is_empty() {
            return Err(DraftError::Missing("text"));
        }
        for v in &self.values {
            if v.name.trim().is_empty() {
                return Err(DraftError::Missing("value name"));
            }
            if !is_decimal(&v.value) {
                return Err(DraftError::Number {
                    name: v.name.clone(),
                    value: v.value.clone(),
                });
            }
            let key = v.name.to_lowercase();
            if let Some((_, units)) = EMISSION_UNITS.iter().find(|(n, _)| *n == key)
                && !units.contains(&v.unit.as_str())
            {
                return Err(DraftError::Unit {
                    name: v.name.clone(),
                    unit: v.unit.clone(),
                    expected: units.join(", "),
                });
            }
            if v.unit.trim().is_empty() {
                return Err(DraftError::Missing("value unit"));
            }
        }
        if let Some(a) = self
            .attachments
            .iter()
            .find(|a| a.len() != 64 || !a.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(DraftError::Attachment(a.clone()));
        }
        Ok(())
    }
}

/// `-12`, `3.5`, `0.007`: optional sign, digits, optional fraction. No exponent, no NaN.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// One stored entry: the exact body text and its signature (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    pub body: String,
    pub signature: String,
}

impl SignedEntry {
    pub fn hash(&self) -> String {
        sha256_hex(self.body.as_bytes())
    }
}

/// Signs a body with the author's device key.
pub fn sign(body: &EntryBody, key: &SigningKey) -> SignedEntry {
    let text = body.canonical();
    let signature = key.sign(text.as_bytes());
    SignedEntry {
        body: text,
        signature: hex::encode(signature.to_bytes()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The content no longer matches what was signed (or the stored columns differ from it).
    Modified,
    /// Entries are missing before this one.
    Deleted,
    /// Entries are out of order.
    Reordered,
    /// This entry was not part of the chain it sits in.
    Inserted,
    /// The signature does not verify although the content is intact.
    BadSignature,
    /// Signed with a key that is not registered.
    UnknownKey,
    /// The body is not a valid entry of this format.
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Sequence number of the entry as stored.
    pub seq: u64,
    pub kind: FaultKind,
    pub detail: String,
}

/// An Ed25519 signature from its 128 hex digits (`None` when it is not one).
pub fn signature_from_hex(text: &str) -> Option<Signature> {
    Signature::from_slice(&hex::decode(text).ok()?).ok()
}

/// An Ed25519 public key from its 64 hex digits (`None` when it is not one).
pub fn verifying_key_from_hex(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn body(seq: u64, prev: &str, k: &SigningKey) -> EntryBody {
        EntryBody {
            attachments: vec![],
            author: "j.martin".into(),
            category: "shift_note".into(),
            components: vec!["11MBA00".into()],
            corrects: None,
            device: "poste-1".into(),
            format: FORMAT.into(),
            key_id: key_id(&k.verifying_key().to_bytes()),
            kind: "manual".into(),
            prev: prev.into(),
            recorded_at: format!("2026-11-21T08:00:{seq:02}Z"),
            role: "operator".into(),
            seq,
            tags: vec!["ISO55000".into()],
            text: format!("Relève {seq} — « TG1 » en service\nligne 2"),
            training: false,
            values: vec![EntryValue {
                name: "NOx".into(),
                unit: "mg/Nm³".into(),
                value: "31.5".into(),
            }],
        }
    }

    fn chain(n: u64, k: &SigningKey) -> Vec<SignedEntry> {
        let mut out: Vec<SignedEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS.to_owned(), SignedEntry::hash);
            out.push(sign(&body(seq, &prev, k), k));
        }
        out
    }

    fn keys(k: &SigningKey) -> HashMap<String, [u8; 32]> {
        let pk = k.verifying_key().to_bytes();
        HashMap::from([(key_id(&pk), pk)])
    }

    fn check(entries: &[SignedEntry], seqs: &[u64], k: &SigningKey) -> Vec<Fault> {
        let stored: Vec<StoredEntry> = entries
            .iter()
            .zip(seqs)
            .map(|(signed, &seq)| StoredEntry {
                seq,
                signed,
                columns: None,
            })
            .collect();
        verify(&stored, &keys(k))
    }

    fn kinds(faults: &[Fault]) -> Vec<(u64, FaultKind)> {
        faults.iter().map(|f| (f.seq, f.kind)).collect()
    }

    #[test]
    fn drafts_are_validated() {
        let ok = EntryDraft {
            kind: EntryKind::Manual,
            category: "emissions".into(),
            text: "Relevé CEMS horaire".into(),
            values: vec![EntryValue {
                name: "NOx".into(),
                unit: "mg/Nm³".into(),
                value: "31.5".into(),
            }],
            ..EntryDraft::default()
        };
        assert_eq!(ok.check(), Ok(()));
        let long = EntryDraft {
            text: "x".repeat(MAX_ENTRY_TEXT_BYTES + 1),
            ..ok.clone()
        };
        assert!(matches!(long.check(), Err(DraftError::TooLong { .. })));
        // A person may use the plant's own categories, not those Jumeau writes itself.
        let own = EntryDraft {
            category: "ronde".into(),
            ..ok.clone()
        };
        assert_eq!(own.check(), Ok(()));
        for forged in ["login", "Login", "CHANGESET", "procedure", "simulator"] {
            let d = EntryDraft {
                category: forged.into(),
                ..ok.clone()
            };
            assert_eq!(
                d.check(),
                Err(DraftError::AutomaticCategory(forged.into())),
                "{forged}"
            );
            let automatic = EntryDraft {
                kind: EntryKind::Automatic,
                ..d
            };
            assert_eq!(automatic.check(), Ok(()));
        }
        let mut bad = ok.clone();
        bad.values[0].unit = "°C".into();
        assert!(matches!(bad.check(), Err(DraftError::Unit { .. })));
        bad.values[0] = EntryValue {
            name: "NOx".into(),
            unit: "mg/Nm³".into(),
            value: "3e1".into(),
        };
        assert!(matches!(bad.check(), Err(DraftError::Number { .. })));
        let mut bad = ok.clone();
        bad.text = "  ".into();
        assert_eq!(bad.check(), Err(DraftError::Missing("text")));
        for (s, want) in [
            ("1", true),
            ("-0.5", true),
            ("1.", false),
            (".5", false),
            ("NaN", false),
            ("", false),
        ] {
            assert_eq!(is_decimal(s), want, "{s}");
        }
    }

    #[test]
    fn values_print_as_they_parse() {
        let v = EntryValue::parse("NOx = 31.5 mg/Nm³").unwrap();
        assert_eq!(v.to_string(), "NOx=31.5 mg/Nm³");
        assert_eq!(EntryValue::parse(&v.to_string()).unwrap(), v);
    }

    #[test]
    fn canonical_form_is_sorted_compact_utf8() {
        let k = key(1);
        let text = body(1, GENESIS, &k).canonical();
        assert!(
            text.starts_with(r#"{"attachments":[],"author":"j.martin","category":"shift_note""#),
            "{text}"
        );
        assert!(text.contains("« TG1 »") && text.contains(r"\n") && !text.contains(": "));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let k = key(1);
        let c = chain(5, &k);
        assert_eq!(check(&c, &[1, 2, 3, 4, 5], &k), vec![]);
    }

    #[test]
    fn a_modified_body_is_located() {
        let k = key(1);
        let mut c = chain(5, &k);
        c[2].body = c[2].body.replace("Relève 3", "Relève 9");
        let f = check(&c, &[1, 2, 3, 4, 5], &k);
        assert!(kinds(&f).contains(&(3, FaultKind::Modified)), "{f:?}");
        assert!(f.iter().all(|f| f.seq == 3), "{f:?}");
    }

    #[test]
    fn a_deleted_entry_is_located() {
        let k = key(1);
        let mut c = chain(5, &k);
        c.remove(2);
        assert_eq!(
            kinds(&check(&c, &[1, 2, 4, 5], &k)),
            vec![(4, FaultKind::Deleted)]
        );
        let f = check(&c[1..], &[2, 4, 5], &k);
        assert!(kinds(&f).contains(&(2, FaultKind::Deleted)), "{f:?}");
    }

    #[test]
    fn swapped_entries_are_reported_as_reordered() {
        let k = key(1);
        let mut c = chain(5, &k);
        c.swap(1, 3);
        let f = check(&c, &[1, 2, 3, 4, 5], &k);
        assert!(f.iter().any(|f| f.kind == FaultKind::Reordered), "{f:?}");
    }

    #[test]
    fn a_replaced_signature_is_a_bad_signature() {
        let k = key(1);
        let mut c = chain(5, &k);
        c[1].signature = c[2].signature.clone();
        assert_eq!(
            kinds(&check(&c, &[1, 2, 3, 4, 5], &k)),
            vec![(2, FaultKind::BadSignature)]
        );
    }

    #[test]
    fn a_forged_insertion_is_located() {
        let k = key(1);
        let forger = key(7);
        let mut c = chain(4, &k);
        // The forger links to #2 correctly but cannot re-sign what follows with the author's key.
        let forged = sign(&body(3, &c[1].hash(), &forger), &forger);
        c.insert(2, forged);
        let f = check(&c, &[1, 2, 3, 4, 5], &k);
        assert!(kinds(&f).contains(&(3, FaultKind::UnknownKey)), "{f:?}");
        assert!(kinds(&f).contains(&(3, FaultKind::Inserted)), "{f:?}");
    }

    #[test]
    fn a_fault_is_located_in_a_long_chain_checked_in_parallel_batches() {
        let k = key(1);
        let mut c = chain(3000, &k);
        c[2500].body = c[2500].body.replace("Relève 2501", "Relève 9999");
        let seqs: Vec<u64> = (1..=3000).collect();
        assert_eq!(
            kinds(&check(&c, &seqs, &k)),
            vec![(2501, FaultKind::Modified)]
        );
    }

    #[test]
    fn stored_columns_must_match_the_signed_body() {
        let k = key(1);
        let c = chain(2, &k);
        let mut columns: EntryBody = serde_json::from_str(&c[1].body).unwrap();
        columns.text = "edited in SQLite".into();
        let stored = [
            StoredEntry {
                seq: 1,
                signed: &c[0],
                columns: None,
            },
            StoredEntry {
                seq: 2,
                signed: &c[1],
                columns: Some(Ok(columns)),
            },
        ];
        let f = verify(&stored, &keys(&k));
        assert_eq!(kinds(&f), vec![(2, FaultKind::Modified)]);
        assert!(f[0].detail.contains("text"), "{f:?}");
    }
}
