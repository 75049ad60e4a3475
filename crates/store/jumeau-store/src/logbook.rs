//! The logbook table: append (sign and chain inside one transaction), list, verify.

use crate::{NOW, Store, StoreError, User};
use ed25519_dalek::SigningKey;
use jumeau_core::access::Action;
use jumeau_core::logbook::{
    self, ChainVerifier, EntryBody, EntryDraft, EntryValue, FORMAT, Fault, GENESIS, SignedEntry,
    StoredEntry,
};
use jumeau_core::sync::Op;
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
    /// Component code or alias; entries about its sub-assemblies match too.
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
    /// Other devices' chains received through the hub: entries checked, and their faults, each
    /// with its device.
    pub remote_entries: usize,
    pub remote_faults: Vec<RemoteFault>,
    /// SQLite's quick check of the logbook's tables (pages, indexes), empty when healthy: a
    /// flipped byte in a page no entry reads is damage too.
    pub sqlite_problems: Vec<String>,
    /// Verified from this device's last entry countersigned by the hub: that receipt's hub
    /// sequence number (the entries before it are fixed by the hub's signature).
    pub checkpoint: Option<u64>,
}

/// A fault in another device's chain as this store holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteFault {
    pub device: String,
    #[serde(flatten)]
    pub fault: Fault,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.faults.is_empty() && self.remote_faults.is_empty() && self.sqlite_problems.is_empty()
    }
}

const COLUMNS: &str = "seq, recorded_at, author, role, device, kind, category, text, components, \
     tags, entry_values, attachments, corrects, training, key_id, prev_hash, entry_hash, body, \
     signature, countersignature";

/// `COLUMNS` of an entry from another device, its countersignature from the received op.
const REMOTE_COLUMNS: &str = "seq, recorded_at, author, role, device, kind, category, text, \
     components, tags, entry_values, attachments, corrects, training, key_id, prev_hash, \
     entry_hash, body, signature, (SELECT countersignature FROM sync_received r \
     WHERE r.hub_seq = remote_logbook.hub_seq)";

impl Store {
    /// Appends a signed entry by the logged-in `login`, signed with its session's device key;
    /// returns its sequence number.
    pub fn append_logbook(&mut self, login: &str, draft: &EntryDraft) -> Result<u64, StoreError> {
        Ok(self.append_logbook_batch(login, std::slice::from_ref(draft))?[0])
    }

    /// Appends several entries by one author in one transaction (all or none), e.g. entries
    /// written offline; returns their sequence numbers. A manual entry needs the right to
    /// write to the logbook; an automatic one (what the user's session saw: a login, the
    /// simulator's journal) only the session.
    pub fn append_logbook_batch(
        &mut self,
        login: &str,
        drafts: &[EntryDraft],
    ) -> Result<Vec<u64>, StoreError> {
        let manual = drafts.iter().any(|d| d.kind == logbook::EntryKind::Manual);
        let (user, session) = if manual {
            self.authorize(login, Action::WriteLogbook)?
        } else {
            self.authenticated(login)?
        };
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seqs = append_in_tx(
            &tx,
            &user,
            &session.device,
            &session.key,
            drafts.iter().zip(resolved),
        )?;
        tx.commit()?;
        Ok(seqs)
    }

    /// Entries matching `filter`, this device's and those other devices passed on through the
    /// hub, in the order they were recorded (the last `filter.limit` when set).
    pub fn logbook(&self, filter: &LogFilter) -> Result<Vec<LogEntry>, StoreError> {
        // A component stands for itself and everything below it (TG1 → its bearings, skids…).
        let family = match filter.component.as_deref() {
            Some(c) => Some(serde_json::to_string(&self.component_family(c)?)?),
            None => None,
        };
        // This device's chain and the entries other devices' chains brought through the hub,
        // in the order they were written (ties: by device, then by sequence).
        let mut stmt = self.conn.prepare(&format!(
            "WITH plant AS (SELECT {COLUMNS} FROM logbook UNION ALL SELECT {REMOTE_COLUMNS} \
               FROM remote_logbook) \
             SELECT * FROM (SELECT * FROM plant WHERE \
               (?1 IS NULL OR recorded_at >= ?1) \
               AND (?2 IS NULL OR substr(recorded_at, 1, length(?2)) <= ?2) \
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(components) c, json_each(?3) f \
                                          WHERE c.value = f.value)) \
               AND (?4 IS NULL OR category = ?4) \
               AND (?5 IS NULL OR author = ?5) \
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?6)) \
               AND (?7 IS NULL OR instr(lower(text), lower(?7)) > 0) \
             ORDER BY recorded_at DESC, device DESC, seq DESC LIMIT ?8) \
             ORDER BY recorded_at, device, seq"
        ))?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let rows = stmt.query_map(
            params![
                filter.from,
                filter.to,
                family,
                filter.category,
                filter.author,
                filter.tag,
                filter.text,
                limit
            ],
            RawRow::read,
        )?;
        rows.map(|row| row?.into_entry()).collect()
    }

    /// Checks this device's whole chain and every signature against the registered keys, and
    /// each other device's chain received through the hub against the keys it came with.
    pub fn verify_logbook(&self) -> Result<Verification, StoreError> {
        let mut v = self.verify_local_chain()?;
        let (entries, faults) = self.verify_remote_chains()?;
        v.sqlite_problems
            .extend(self.check_pages("quick_check(remote_logbook)")?);
        v.remote_entries = entries;
        v.remote_faults = faults;
        Ok(v)
    }

    /// Each device's chain in `remote_logbook`, in its sequence order. A chain that does not
    /// start at 1 is reported so (its first entries were written before it synced, or are
    /// missing here).
    fn verify_remote_chains(&self) -> Result<(usize, Vec<RemoteFault>), StoreError> {
        let keys = self.plant_public_keys()?;
        let devices: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT device FROM remote_logbook ORDER BY device")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {REMOTE_COLUMNS} FROM remote_logbook WHERE device = ?1 ORDER BY seq"
        ))?;
        let (mut count, mut faults) = (0, Vec::new());
        for device in devices {
            let rows: Vec<RawRow> = stmt
                .query_map([&device], RawRow::read)?
                .collect::<Result<_, _>>()?;
            let stored: Vec<StoredEntry> = rows
                .iter()
                .map(|r| StoredEntry {
                    seq: r.seq,
                    signed: &r.signed,
                    columns: Some(r.columns().map_err(|e| e.to_string())),
                })
                .collect();
            count += stored.len();
            faults.extend(
                logbook::verify(&stored, &keys)
                    .into_iter()
                    .map(|fault| RemoteFault {
                        device: device.clone(),
                        fault,
                    }),
            );
        }
        Ok((count, faults))
    }

    fn verify_local_chain(&self) -> Result<Verification, StoreError> {
        let keys = self.public_keys()?;
        let mut v = self.verify_rows(1, &ChainVerifier::new(&keys))?;
        // The logbook's own pages and indexes, which no entry may read (`jumeau db check`
        // reads the whole store).
        v.sqlite_problems = self.check_pages("quick_check(logbook)")?;
        Ok(v)
    }

    /// Verifies this device's chain from its last entry countersigned by the hub: that entry
    /// must still be what the hub countersigned (its hash and sequence number in the receipt,
    /// signed by the pinned hub key — which fixes everything before it), and every entry
    /// since must verify and follow it. With nothing countersigned yet, the whole chain.
    pub fn verify_logbook_from_checkpoint(&self) -> Result<Verification, StoreError> {
        let checkpoint: Option<(u64, String, String, String)> = self
            .conn
            .query_row(
                "SELECT seq, body, signature, countersignature FROM logbook \
                 WHERE countersignature IS NOT NULL ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((seq, body, signature, countersignature)) = checkpoint else {
            return self.verify_logbook();
        };
        let (_, hub_key) = self.pinned_hub()?;
        let entry = SignedEntry { body, signature };
        let receipt =
            serde_json::from_str::<jumeau_core::sync::Countersignature>(&countersignature)
                .map_err(|e| e.to_string())
                .and_then(|cs| cs.open(&hub_key));
        let mut checkpoint_fault = match &receipt {
            Err(why) => Some(format!("its countersignature does not verify: {why}")),
            Ok(r)
                if r.entry_hash.as_deref() != Some(entry.hash().as_str())
                    || r.device_seq != Some(seq) =>
            {
                Some("the entry is no longer the one the hub countersigned".into())
            }
            Ok(_) => None,
        };
        let prev = serde_json::from_str::<EntryBody>(&entry.body)
            .map(|b| b.prev)
            .unwrap_or_default();
        let keys = self.public_keys()?;
        let mut v = self.verify_rows(seq, &ChainVerifier::new(&keys).after(&prev))?;
        if v.first_seq != Some(seq) {
            checkpoint_fault.get_or_insert_with(|| "the checkpoint entry cannot be read".into());
        }
        if let Some(detail) = checkpoint_fault {
            v.faults.insert(
                0,
                Fault {
                    seq,
                    kind: logbook::FaultKind::Modified,
                    detail: format!("countersigned checkpoint #{seq}: {detail}"),
                },
            );
        }
        v.checkpoint = receipt.ok().map(|r| r.hub_seq);
        Ok(v)
    }

    /// This device's entries from `from_seq` on, streamed: each chunk of rows is checked on
    /// the other cores while the next is read, and only the links are kept.
    fn verify_rows(
        &self,
        from_seq: u64,
        verifier: &ChainVerifier<'_>,
    ) -> Result<Verification, StoreError> {
        const CHUNK: usize = 16_384;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM logbook WHERE seq >= ?1 ORDER BY seq"
        ))?;
        let mut rows = stmt.query_map([from_seq], RawRow::read)?;
        let mut links = Vec::new();
        // A row that cannot even be read (a damaged page) is a fault of its entry, located by
        // the sequence number that follows the last readable one; the others are still checked.
        let mut unreadable = Vec::new();
        let (mut first, mut last): (Option<u64>, Option<(u64, String)>) = (None, None);
        std::thread::scope(|scope| {
            let mut checking: Option<std::thread::ScopedJoinHandle<'_, Vec<logbook::Link>>> = None;
            loop {
                let mut chunk: Vec<RawRow> = Vec::with_capacity(CHUNK);
                while chunk.len() < CHUNK {
                    match rows.next() {
                        None => break,
                        Some(Ok(r)) => chunk.push(r),
                        Some(Err(e)) => unreadable.push(Fault {
                            seq: chunk
                                .last()
                                .map(|r| r.seq)
                                .or(last.as_ref().map(|(s, _)| *s))
                                .map_or(from_seq, |s| s + 1),
                            kind: logbook::FaultKind::Malformed,
                            detail: format!("the stored row cannot be read ({e}): damaged page?"),
                        }),
                    }
                }
                if let Some(h) = checking.take() {
                    links.extend(h.join().expect("a verification thread panicked"));
                }
                let (Some(head), Some(tail)) = (chunk.first(), chunk.last()) else {
                    break;
                };
                first.get_or_insert(head.seq);
                last = Some((tail.seq, tail.signed.hash()));
                checking = Some(scope.spawn(move || {
                    // Rebuilding the columns parses JSON: spread over the cores too.
                    let columns =
                        logbook::par_map(&chunk, |r| r.columns().map_err(|e| e.to_string()));
                    let stored: Vec<StoredEntry> = chunk
                        .iter()
                        .zip(columns)
                        .map(|(r, columns)| StoredEntry {
                            seq: r.seq,
                            signed: &r.signed,
                            columns: Some(columns),
                        })
                        .collect();
                    verifier.check(&stored)
                }));
            }
        });
        let mut faults = verifier.finish(&links);
        faults.extend(unreadable);
        faults.sort_by_key(|f| f.seq);
        Ok(Verification {
            sqlite_problems: Vec::new(),
            entries: links.len(),
            remote_entries: 0,
            remote_faults: Vec::new(),
            first_seq: first,
            last_seq: last.as_ref().map(|(s, _)| *s),
            last_hash: last.map(|(_, h)| h),
            checkpoint: None,
            faults,
        })
    }
}

/// Signs and chains drafts (with their components already resolved to codes) inside the
/// caller's transaction, so that an entry and the write it records commit together.
pub(crate) fn append_in_tx<'a>(
    tx: &rusqlite::Transaction<'_>,
    user: &User,
    device: &str,
    key: &SigningKey,
    drafts: impl Iterator<Item = (&'a EntryDraft, Vec<String>)>,
) -> Result<Vec<u64>, StoreError> {
    let key_id = logbook::key_id(&key.verifying_key().to_bytes());
    let mut last: Option<(u64, String)> = tx
        .query_row(
            "SELECT seq, entry_hash FROM logbook ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let recorded_at: String = tx.query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))?;
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO logbook ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, NULL)"
    ))?;
    let mut seqs = Vec::new();
    for (draft, components) in drafts {
        // Sequence numbers start at 1: there is no entry 0 to correct.
        if let Some(c) = draft.corrects
            && (c == 0 || last.as_ref().is_none_or(|(seq, _)| c > *seq))
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
            kind: draft.kind.as_str().to_owned(),
            prev,
            recorded_at: recorded_at.clone(),
            role: user.role.as_str().to_owned(),
            seq,
            tags: draft.tags.clone(),
            text: draft.text.clone(),
            training: draft.training,
            values: draft.values.clone(),
        };
        let signed = logbook::sign(&body, key);
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
        // The op that carries the entry to the hub commits with it: nothing written offline
        // can be lost between the logbook and the outbox.
        crate::outbox::enqueue(tx, key, |op_id, hlc| {
            Op::logbook_entry(&signed, &body, op_id, hlc)
        })?;
        seqs.push(seq);
        last = Some((seq, hash));
    }
    Ok(seqs)
}

/// One row of the logbook table as stored.
struct RawRow {
    seq: u64,
    recorded_at: String,
    author: String,
    role: String,
    device: String,
    kind: String,
    category: String,
    text: String,
    components: String,
    tags: String,
    values: String,
    attachments: String,
    corrects: Option<u64>,
    training: bool,
    key_id: String,
    prev: String,
    entry_hash: String,
    signed: SignedEntry,
    countersignature: Option<String>,
}

impl RawRow {
    /// Reads a row selected with `COLUMNS`.
    fn read(r: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            seq: r.get(0)?,
            recorded_at: r.get(1)?,
            author: r.get(2)?,
            role: r.get(3)?,
            device: r.get(4)?,
            kind: r.get(5)?,
            category: r.get(6)?,
            text: r.get(7)?,
            components: r.get(8)?,
            tags: r.get(9)?,
            values: r.get(10)?,
            attachments: r.get(11)?,
            corrects: r.get(12)?,
            training: r.get(13)?,
            key_id: r.get(14)?,
            prev: r.get(15)?,
            entry_hash: r.get(16)?,
            signed: SignedEntry {
                body: r.get(17)?,
                signature: r.get(18)?,
            },
            countersignature: r.get(19)?,
        })
    }

    /// The queryable columns, rebuilt as the body they should match.
    fn columns(&self) -> Result<EntryBody, StoreError> {
        Ok(EntryBody {
            attachments: serde_json::from_str(&self.attachments)?,
            author: self.author.clone(),
            category: self.category.clone(),
            components: serde_json::from_str(&self.components)?,
            corrects: self.corrects,
            device: self.device.clone(),
            format: FORMAT.to_owned(),
            key_id: self.key_id.clone(),
            kind: self.kind.clone(),
            prev: self.prev.clone(),
            recorded_at: self.recorded_at.clone(),
            role: self.role.clone(),
            seq: self.seq,
            tags: serde_json::from_str(&self.tags)?,
            text: self.text.clone(),
            training: self.training,
            values: serde_json::from_str::<Vec<EntryValue>>(&self.values)?,
        })
    }

    fn into_entry(self) -> Result<LogEntry, StoreError> {
        Ok(LogEntry {
            body: self.columns()?,
            entry_hash: self.entry_hash,
            signed_body: self.signed.body,
            signature: self.signed.signature,
            countersignature: self.countersignature,
        })
    }
}
