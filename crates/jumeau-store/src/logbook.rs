//! The logbook table: append (sign and chain inside one transaction), list, verify.

use crate::{NOW, Store, StoreError};
use jumeau_core::logbook::{
    self, EntryBody, EntryDraft, EntryValue, FORMAT, Fault, GENESIS, SignedEntry, StoredEntry,
};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

/// One entry as listed: the signed body's fields plus hashes and signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    #[serde(flatten)]
    pub body: EntryBody,
    pub entry_hash: String,
    /// The exact signed text (`body` column), as exports must carry it.
    pub signed_body: String,
    pub signature: String,
    pub countersignature: Option<String>,
}

/// Which entries to list or export. Times are RFC 3339 UTC text; `to` may be a prefix such as
/// a date (`2026-11-21` includes that whole day).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Component code or alias.
    pub component: Option<String>,
    pub category: Option<String>,
    pub author: Option<String>,
    pub tag: Option<String>,
    /// Case-insensitive text search.
    pub text: Option<String>,
    pub limit: Option<usize>,
}

/// Result of a logbook verification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub entries: usize,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    pub last_hash: Option<String>,
    pub faults: Vec<Fault>,
}

const COLUMNS: &str = "seq, recorded_at, author, role, device, kind, category, text, components, \
     tags, entry_values, attachments, corrects, training, key_id, prev_hash, entry_hash, body, \
     signature, countersignature";

impl Store {
    /// Appends a signed entry by `login` from `device`; returns its sequence number.
    pub fn append_logbook(
        &mut self,
        login: &str,
        device: &str,
        draft: &EntryDraft,
    ) -> Result<u64, StoreError> {
        Ok(self.append_logbook_batch(login, device, std::slice::from_ref(draft))?[0])
    }

    /// Appends several entries by one author in one transaction (all or none), e.g. entries
    /// written offline; returns their sequence numbers.
    pub fn append_logbook_batch(
        &mut self,
        login: &str,
        device: &str,
        drafts: &[EntryDraft],
    ) -> Result<Vec<u64>, StoreError> {
        let user = self.user(login)?;
        if user.role == jumeau_core::Role::Auditor {
            return Err(StoreError::Forbidden {
                login: user.login,
                role: user.role,
                what: "write to the logbook (auditors read only)",
            });
        }
        let mut resolved = Vec::with_capacity(drafts.len());
        for draft in drafts {
            draft
                .check()
                .map_err(|e| StoreError::Invalid(format!("logbook entry refused: {e}")))?;
            let components = draft
                .components
                .iter()
                .map(|c| self.resolve_component(c))
                .collect::<Result<Vec<_>, _>>()?;
            resolved.push(components);
        }
        let key = self.device_key(login, device)?;
        let key_id = logbook::key_id(&key.verifying_key().to_bytes());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut last: Option<(u64, String)> = tx
            .query_row(
                "SELECT seq, entry_hash FROM logbook ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let recorded_at: String = tx.query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))?;
        let mut insert = tx.prepare(&format!(
            "INSERT INTO logbook ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, NULL)"
        ))?;
        let mut seqs = Vec::with_capacity(drafts.len());
        for (draft, components) in drafts.iter().zip(resolved) {
            if let Some(c) = draft.corrects
                && last.as_ref().is_none_or(|(seq, _)| c > *seq)
            {
                return Err(StoreError::NotFound {
                    what: "logbook entry",
                    key: c.to_string(),
                });
            }
            let (seq, prev) = last
                .take()
                .map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
            let body = EntryBody {
                attachments: draft.attachments.clone(),
                author: user.login.clone(),
                category: draft.category.trim().to_owned(),
                components,
                corrects: draft.corrects,
                device: device.to_owned(),
                format: FORMAT.to_owned(),
                key_id: key_id.clone(),
                kind: draft.kind.clone(),
                prev,
                recorded_at: recorded_at.clone(),
                role: user.role.as_str().to_owned(),
                seq,
                tags: draft.tags.clone(),
                text: draft.text.clone(),
                training: draft.training,
                values: draft.values.clone(),
            };
            let signed = logbook::sign(&body, &key);
            let hash = signed.hash();
            insert.execute(params![
                seq,
                body.recorded_at,
                body.author,
                body.role,
                body.device,
                body.kind,
                body.category,
                body.text,
                serde_json::to_string(&body.components)?,
                serde_json::to_string(&body.tags)?,
                serde_json::to_string(&body.values)?,
                serde_json::to_string(&body.attachments)?,
                body.corrects,
                body.training,
                body.key_id,
                body.prev,
                hash,
                signed.body,
                signed.signature,
            ])?;
            seqs.push(seq);
            last = Some((seq, hash));
        }
        drop(insert);
        tx.commit()?;
        Ok(seqs)
    }

    /// Entries matching `filter`, in sequence order (the last `filter.limit` when set).
    pub fn logbook(&self, filter: &LogFilter) -> Result<Vec<LogEntry>, StoreError> {
        let component = filter
            .component
            .as_deref()
            .map(|c| self.resolve_component(c))
            .transpose()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM (SELECT * FROM logbook WHERE \
               (?1 IS NULL OR recorded_at >= ?1) \
               AND (?2 IS NULL OR substr(recorded_at, 1, length(?2)) <= ?2) \
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(components) WHERE value = ?3)) \
               AND (?4 IS NULL OR category = ?4) \
               AND (?5 IS NULL OR author = ?5) \
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?6)) \
               AND (?7 IS NULL OR instr(lower(text), lower(?7)) > 0) \
             ORDER BY seq DESC LIMIT ?8) ORDER BY seq"
        ))?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let rows = stmt.query_map(
            params![
                filter.from,
                filter.to,
                component,
                filter.category,
                filter.author,
                filter.tag,
                filter.text,
                limit
            ],
            |r| {
                Ok((
                    columns_body(r)?,
                    r.get::<_, String>(16)?,
                    r.get::<_, String>(17)?,
                    r.get::<_, String>(18)?,
                    r.get::<_, Option<String>>(19)?,
                ))
            },
        )?;
        rows.map(|row| {
            let (body, entry_hash, signed_body, signature, countersignature) = row?;
            Ok(LogEntry {
                body: body?,
                entry_hash,
                signed_body,
                signature,
                countersignature,
            })
        })
        .collect()
    }

    /// Checks the whole chain and every signature against the registered keys.
    pub fn verify_logbook(&self) -> Result<Verification, StoreError> {
        let keys = self.public_keys()?;
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM logbook ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut seqs = Vec::new();
        let mut signed = Vec::new();
        let mut columns = Vec::new();
        while let Some(r) = rows.next()? {
            seqs.push(r.get::<_, u64>(0)?);
            signed.push(SignedEntry {
                body: r.get(17)?,
                signature: r.get(18)?,
            });
            // A column that no longer parses is itself a modification: compare nothing, the
            // body check below still runs.
            columns.push(columns_body(r)?.ok());
        }
        let stored: Vec<StoredEntry> = seqs
            .iter()
            .zip(&signed)
            .zip(columns)
            .map(|((&seq, signed), columns)| StoredEntry {
                seq,
                signed,
                columns,
            })
            .collect();
        let faults = logbook::verify(&stored, &keys);
        Ok(Verification {
            entries: stored.len(),
            first_seq: seqs.first().copied(),
            last_seq: seqs.last().copied(),
            last_hash: signed.last().map(SignedEntry::hash),
            faults,
        })
    }
}

/// The queryable columns of a row, rebuilt as the body they should match.
fn columns_body(r: &Row<'_>) -> rusqlite::Result<Result<EntryBody, StoreError>> {
    let json_list = |i: usize| -> rusqlite::Result<Result<Vec<String>, StoreError>> {
        Ok(serde_json::from_str(&r.get::<_, String>(i)?).map_err(StoreError::from))
    };
    let values: Result<Vec<EntryValue>, StoreError> =
        serde_json::from_str(&r.get::<_, String>(10)?).map_err(StoreError::from);
    let (components, tags, attachments) = (json_list(8)?, json_list(9)?, json_list(11)?);
    let body = (|| {
        Ok(EntryBody {
            attachments: attachments?,
            author: r.get(2)?,
            category: r.get(6)?,
            components: components?,
            corrects: r.get(12)?,
            device: r.get(4)?,
            format: FORMAT.to_owned(),
            key_id: r.get(14)?,
            kind: r.get(5)?,
            prev: r.get(15)?,
            recorded_at: r.get(1)?,
            role: r.get(3)?,
            seq: r.get(0)?,
            tags: tags?,
            text: r.get(7)?,
            training: r.get(13)?,
            values: values?,
        })
    })();
    Ok(body)
}
