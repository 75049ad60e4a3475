//! Master-data change-sets: propose, then validate (apply) or reject, with the four-eyes rule.
//! Shared through the hub (migration 0013): a proposal goes to the outbox with the fingerprint
//! of the master data it was made on; on an enrolled device a decision goes to the outbox and
//! takes effect when the hub has ordered it, on every device alike, and only on the master
//! data it was checked against — otherwise the change-set stays proposed, "needs rebase".

use crate::{NOW, Session, Store, StoreError, User, audit, masterdata};
use jumeau_core::access::Action;
use jumeau_core::changeset::{ChangeSetContent, ChangeSetStatus, check_decision};
use jumeau_core::sync::changeset::fingerprint;
use jumeau_core::sync::{DecisionOp, Op, ProposalOp, Verdict};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeSetRow {
    pub id: i64,
    pub title: String,
    pub status: ChangeSetStatus,
    pub proposed_by: String,
    pub proposed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub changes: usize,
    pub content_sha256: String,
    /// Where a change-set shared through the hub stands (none for one that stays here).
    pub shared: Option<SharedChangeSet>,
}

/// A shared change-set's plant-wide id, origin and what waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedChangeSet {
    pub uid: String,
    /// The device it was proposed on.
    pub origin: String,
    /// A decision sent and not yet ordered by the hub: (verdict, by).
    pub pending: Option<(String, String)>,
    /// Why a validation did not apply: it must be reviewed and decided again.
    pub needs_rebase: Option<String>,
}

const SELECT: &str = "SELECT c.id, c.title, c.status, c.proposed_by, c.proposed_at, c.decided_by, \
     c.decided_at, c.decision_note, json_array_length(c.content, '$.changes'), c.content_sha256, \
     s.uid, s.origin, s.pending, s.pending_by, s.needs_rebase \
     FROM changesets c LEFT JOIN changeset_sync s ON s.changeset_id = c.id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeSetRow> {
    let status: String = r.get(2)?;
    Ok(ChangeSetRow {
        id: r.get(0)?,
        title: r.get(1)?,
        status: ChangeSetStatus::parse(&status).unwrap_or(ChangeSetStatus::Rejected),
        proposed_by: r.get(3)?,
        proposed_at: r.get(4)?,
        decided_by: r.get(5)?,
        decided_at: r.get(6)?,
        decision_note: r.get(7)?,
        changes: r.get::<_, i64>(8)? as usize,
        content_sha256: r.get(9)?,
        shared: match r.get::<_, Option<String>>(10)? {
            Some(uid) => Some(SharedChangeSet {
                uid,
                origin: r.get(11)?,
                pending: match (r.get::<_, Option<String>>(12)?, r.get(13)?) {
                    (Some(verdict), Some(by)) => Some((verdict, by)),
                    _ => None,
                },
                needs_rebase: r.get(14)?,
            }),
            None => None,
        },
    })
}

impl Store {
    /// Refuses an actor who may not propose, before anything of the proposal is read.
    pub fn may_propose(&self, actor: &str) -> Result<(), StoreError> {
        self.authorize(actor, Action::ProposeChange).map(drop)
    }

    /// Records a proposed change-set; nothing in master data changes yet.
    pub fn propose_changeset(
        &mut self,
        actor: &str,
        title: &str,
        content: &ChangeSetContent,
    ) -> Result<i64, StoreError> {
        let (_, session) = self.authorize(actor, Action::ProposeChange)?;
        self.insert_proposal(actor, title, content, Some(&session))
    }

    /// Validates and applies a proposed change-set in one transaction: the resulting master
    /// data is checked as a whole first, so an inconsistent change-set changes nothing. The
    /// decision is also a logbook entry signed by the decider, in the same transaction.
    pub fn validate_changeset(
        &mut self,
        actor: &str,
        id: i64,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let (user, session) = self.authorize(actor, Action::DecideChange)?;
        if self.decides_through_hub(id)? {
            return self.send_decision(&user, &session, id, Verdict::Validated, note);
        }
        self.apply_validation(&user, Some(&session), id, note)
    }

    pub fn reject_changeset(&mut self, actor: &str, id: i64, note: &str) -> Result<(), StoreError> {
        let (user, session) = self.authorize(actor, Action::DecideChange)?;
        if self.decides_through_hub(id)? {
            return self.send_decision(&user, &session, id, Verdict::Rejected, Some(note));
        }
        self.apply_rejection(&user, Some(&session), id, note)
    }

    /// A shared change-set on a device enrolled with a hub is decided in the hub's order.
    fn decides_through_hub(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM changeset_sync WHERE changeset_id = ?1) \
             AND EXISTS (SELECT 1 FROM sync_hub)",
            [id],
            |r| r.get(0),
        )?)
    }

    /// Checks a decision as it would be taken now (four-eyes rule, and for a validation the
    /// master data it would give), signs it in the logbook and sends it; master data changes
    /// when the hub has ordered it (`receive_decision`).
    fn send_decision(
        &mut self,
        user: &User,
        session: &Session,
        id: i64,
        verdict: Verdict,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (status, proposer, json) = load_for_decision(&tx, id)?;
        check_decision(status, &proposer, &user.login, user.role)?;
        let (uid, pending): (String, Option<String>) = tx.query_row(
            "SELECT uid, pending FROM changeset_sync WHERE changeset_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let Some(p) = pending {
            return Err(StoreError::Invalid(format!(
                "change-set {id}: a decision ({p}) is already waiting for the hub's order"
            )));
        }
        let content: ChangeSetContent = serde_json::from_str(&json)?;
        let current = masterdata::load(&tx)?;
        if verdict == Verdict::Validated {
            content.apply(&current).map_err(StoreError::Integrity)?;
        }
        let body = DecisionOp {
            base: fingerprint(&current),
            note: note.map(str::to_owned),
            uid,
            verdict,
        };
        crate::outbox::enqueue_as(
            &tx,
            (&user.login, &session.device, &session.key),
            |signer, op_id, hlc| Op::changeset_decision(signer, &body, op_id, hlc),
        )?;
        tx.execute(
            &format!(
                "UPDATE changeset_sync SET pending = ?2, pending_by = ?3, pending_note = ?4, \
                 updated_at = {NOW} WHERE changeset_id = ?1"
            ),
            params![id, verdict.as_str(), user.login, note],
        )?;
        audit::record(
            &tx,
            &user.login,
            "send_decision",
            "changeset",
            Some(&id.to_string()),
            Some(verdict.as_str()),
        )?;
        let word = match verdict {
            Verdict::Validated => "validé",
            Verdict::Rejected => "rejeté",
        };
        log_decision(
            &tx,
            user,
            Some(session),
            id,
            word,
            content.changes.len(),
            &proposer,
            note,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A proposal by `actor`; with a session it is shared through the hub (the installer's seed
    /// proposals have none and stay on this device).
    pub(crate) fn insert_proposal(
        &mut self,
        actor: &str,
        title: &str,
        content: &ChangeSetContent,
        signer: Option<&Session>,
    ) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = record_proposal(&tx, actor, title, content, |sha| {
            format!("{} changes, sha256 {sha}", content.changes.len())
        })?;
        if let Some(session) = signer {
            share_proposal(&tx, id, actor, title, content, session)?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Validation by `user`; with a session, signed in the logbook (the installer's seed
    /// decisions have none).
    pub(crate) fn apply_validation(
        &mut self,
        user: &User,
        signer: Option<&Session>,
        id: i64,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (status, proposer, json) = load_for_decision(&tx, id)?;
        check_decision(status, &proposer, &user.login, user.role)?;
        let content: ChangeSetContent = serde_json::from_str(&json)?;
        let current = masterdata::load(&tx)?;
        content.apply(&current).map_err(StoreError::Integrity)?;
        for change in &content.changes {
            masterdata::write_change(&tx, change, id)?;
        }
        decide(&tx, id, "validated", &user.login, note)?;
        log_decision(
            &tx,
            user,
            signer,
            id,
            "validé",
            content.changes.len(),
            &proposer,
            note,
        )?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn apply_rejection(
        &mut self,
        user: &User,
        signer: Option<&Session>,
        id: i64,
        note: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (status, proposer, json) = load_for_decision(&tx, id)?;
        check_decision(status, &proposer, &user.login, user.role)?;
        decide(&tx, id, "rejected", &user.login, Some(note))?;
        let changes = serde_json::from_str::<ChangeSetContent>(&json)?
            .changes
            .len();
        log_decision(
            &tx,
            user,
            signer,
            id,
            "rejeté",
            changes,
            &proposer,
            Some(note),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn changesets(&self) -> Result<Vec<ChangeSetRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY c.id"))?;
        let rows = stmt.query_map([], row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The proposed changes of a change-set.
    pub fn changeset_content(&self, id: i64) -> Result<ChangeSetContent, StoreError> {
        let json: String = self
            .conn
            .query_row("SELECT content FROM changesets WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "change-set",
                key: id.to_string(),
            })?;
        Ok(serde_json::from_str(&json)?)
    }

    pub fn changeset(&self, id: i64) -> Result<ChangeSetRow, StoreError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE c.id = ?1"), [id], row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "change-set",
                key: id.to_string(),
            })
    }
}

/// The automatic logbook entry recording a decision on a change-set.
#[allow(clippy::too_many_arguments)]
fn log_decision(
    tx: &rusqlite::Transaction<'_>,
    user: &User,
    signer: Option<&Session>,
    id: i64,
    verdict: &str,
    changes: usize,
    proposer: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let Some(session) = signer else {
        return Ok(());
    };
    let draft = jumeau_core::logbook::auto::changeset(id, verdict, changes, proposer, note);
    crate::logbook::append_in_tx(
        tx,
        user,
        &session.device,
        &session.key,
        std::iter::once((&draft, Vec::new())),
    )?;
    Ok(())
}

fn load_for_decision(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
) -> Result<(ChangeSetStatus, String, String), StoreError> {
    let (status, proposer, json): (String, String, String) = tx
        .query_row(
            "SELECT status, proposed_by, content FROM changesets WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "change-set",
            key: id.to_string(),
        })?;
    let status = ChangeSetStatus::parse(&status)
        .ok_or_else(|| StoreError::Invalid(format!("change-set {id} has status {status}")))?;
    Ok((status, proposer, json))
}

fn decide(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    status: &str,
    actor: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "UPDATE changesets SET status = ?1, decided_by = ?2, decided_at = {NOW}, decision_note = ?3 \
             WHERE id = ?4"
        ),
        params![status, actor, note, id],
    )?;
    let action = if status == "validated" {
        "validate"
    } else {
        "reject"
    };
    audit::record(tx, actor, action, "changeset", Some(&id.to_string()), note)?;
    Ok(())
}

/// The proposal's op, with a plant-wide id and the master data it was made on.
fn share_proposal(
    tx: &Transaction<'_>,
    id: i64,
    actor: &str,
    title: &str,
    content: &ChangeSetContent,
    session: &Session,
) -> Result<(), StoreError> {
    let body = ProposalOp {
        base: fingerprint(&masterdata::load(tx)?),
        content: content.clone(),
        title: title.to_owned(),
        uid: uuid::Uuid::now_v7().to_string(),
    };
    insert_shared(tx, id, &body, &session.device)?;
    crate::outbox::enqueue_as(
        tx,
        (actor, &session.device, &session.key),
        |signer, op_id, hlc| Op::changeset_proposal(signer, &body, op_id, hlc),
    )?;
    Ok(())
}

/// Another device's proposal received from the hub: kept as proposed here. Returns 1 when new
/// (a proposer without an account here is not shown; the op stays in `sync_received`).
pub(crate) fn receive_proposal(
    tx: &Transaction<'_>,
    op: &Op,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    let body = op
        .changeset_proposal_body()
        .map_err(crate::outbox::bad_op(hub_seq))?;
    let known: bool = tx.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM changeset_sync WHERE uid = ?1) \
         AND EXISTS (SELECT 1 FROM users WHERE login = ?2)",
        params![body.uid, op.author],
        |r| r.get(0),
    )?;
    if !known {
        return Ok(0);
    }
    let id = record_proposal(tx, &op.author, &body.title, &body.content, |sha| {
        format!("proposed on {} (hub {hub_seq}), sha256 {sha}", op.device)
    })?;
    insert_shared(tx, id, &body, &op.device)?;
    Ok(1)
}

/// A proposal's row and its audit line (`detail` given the content's SHA-256); returns its id.
fn record_proposal(
    tx: &Transaction<'_>,
    actor: &str,
    title: &str,
    content: &ChangeSetContent,
    detail: impl FnOnce(&str) -> String,
) -> Result<i64, StoreError> {
    let json = serde_json::to_string(content)?;
    let sha = hex::encode(Sha256::digest(json.as_bytes()));
    tx.execute(
        &format!(
            "INSERT INTO changesets (title, content, content_sha256, status, proposed_by, proposed_at) \
             VALUES (?1, ?2, ?3, 'proposed', ?4, {NOW})"
        ),
        params![title, json, sha, actor],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        tx,
        actor,
        "propose",
        "changeset",
        Some(&id.to_string()),
        Some(&detail(&sha)),
    )?;
    Ok(id)
}

/// The plant-wide id, origin and base of change-set `id`.
fn insert_shared(
    tx: &Transaction<'_>,
    id: i64,
    body: &ProposalOp,
    origin: &str,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO changeset_sync (changeset_id, uid, origin, base, updated_at) \
             VALUES (?1, ?2, ?3, ?4, {NOW})"
        ),
        params![id, body.uid, origin, body.base],
    )?;
    Ok(())
}

/// A decision in the hub's order (this device's own included): a rejection, or a validation
/// applied if master data here is still what the decider checked it against — else the
/// change-set stays proposed and needs rebase. The four-eyes rule is checked again against
/// the accounts here. Returns 1 when something changed.
pub(crate) fn receive_decision(
    tx: &Transaction<'_>,
    op: &Op,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    let body = op
        .changeset_decision_body()
        .map_err(crate::outbox::bad_op(hub_seq))?;
    let Some(id) = tx
        .query_row(
            "SELECT changeset_id FROM changeset_sync WHERE uid = ?1",
            [&body.uid],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
    else {
        return Ok(0);
    };
    let (status, proposer, json) = load_for_decision(tx, id)?;
    if status != ChangeSetStatus::Proposed {
        // Decided first by another decision in the hub's order: this one is void, and the
        // change-set does not need a rebase for it.
        tx.execute(
            &format!(
                "UPDATE changeset_sync SET pending = NULL, pending_by = NULL, pending_note = NULL, \
                 updated_at = {NOW} WHERE changeset_id = ?1"
            ),
            [id],
        )?;
        let why = format!(
            "{} came after it was {}",
            body.verdict.as_str(),
            status.as_str()
        );
        audit::record(
            tx,
            &op.author,
            "decision_not_applied",
            "changeset",
            Some(&id.to_string()),
            Some(&why),
        )?;
        return Ok(1);
    }
    let decider = crate::users::load(tx, &op.author)?;
    let refused = match &decider {
        Some(u) if u.active => check_decision(status, &proposer, &u.login, u.role)
            .err()
            .map(|e| e.to_string()),
        _ => Some(format!("{} has no active account here", op.author)),
    };
    let outcome = match (refused, body.verdict) {
        (Some(why), _) => Err(why),
        (None, Verdict::Rejected) => {
            decide(tx, id, "rejected", &op.author, body.note.as_deref())?;
            Ok(())
        }
        (None, Verdict::Validated) => apply_in_order(tx, id, &json, &body, &op.author)?,
    };
    let needs_rebase = outcome.err();
    tx.execute(
        &format!(
            "UPDATE changeset_sync SET pending = NULL, pending_by = NULL, pending_note = NULL, \
             needs_rebase = ?2, updated_at = {NOW} WHERE changeset_id = ?1"
        ),
        params![id, needs_rebase],
    )?;
    if let Some(why) = &needs_rebase {
        audit::record(
            tx,
            &op.author,
            "decision_not_applied",
            "changeset",
            Some(&id.to_string()),
            Some(why),
        )?;
    }
    Ok(1)
}

/// A validation applied on the master data it was checked against; `Err` says why not.
fn apply_in_order(
    tx: &Transaction<'_>,
    id: i64,
    json: &str,
    body: &DecisionOp,
    decider: &str,
) -> Result<Result<(), String>, StoreError> {
    let current = masterdata::load(tx)?;
    if fingerprint(&current) != body.base {
        return Ok(Err(
            "master data changed since it was checked (another change-set was validated first): review it and decide again".into(),
        ));
    }
    let content: ChangeSetContent = serde_json::from_str(json)?;
    if let Err(problems) = content.apply(&current) {
        let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Ok(Err(words.join("; ")));
    }
    for change in &content.changes {
        masterdata::write_change(tx, change, id)?;
    }
    decide(tx, id, "validated", decider, body.note.as_deref())?;
    Ok(Ok(()))
}
