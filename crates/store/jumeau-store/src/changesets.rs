//! Master-data change-sets: propose, then validate (apply) or reject, with the four-eyes rule.

use crate::{NOW, Session, Store, StoreError, User, audit, masterdata};
use jumeau_core::access::Action;
use jumeau_core::changeset::{ChangeSetContent, ChangeSetStatus, check_decision};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
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
}

const SELECT: &str = "SELECT id, title, status, proposed_by, proposed_at, decided_by, decided_at, \
     decision_note, json_array_length(content, '$.changes'), content_sha256 FROM changesets";

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
        self.may_propose(actor)?;
        self.insert_proposal(actor, title, content)
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
        self.apply_validation(&user, Some(&session), id, note)
    }

    pub fn reject_changeset(&mut self, actor: &str, id: i64, note: &str) -> Result<(), StoreError> {
        let (user, session) = self.authorize(actor, Action::DecideChange)?;
        self.apply_rejection(&user, Some(&session), id, note)
    }

    pub(crate) fn insert_proposal(
        &mut self,
        actor: &str,
        title: &str,
        content: &ChangeSetContent,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(content)?;
        let sha = hex::encode(Sha256::digest(json.as_bytes()));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!(
                "INSERT INTO changesets (title, content, content_sha256, status, proposed_by, proposed_at) \
                 VALUES (?1, ?2, ?3, 'proposed', ?4, {NOW})"
            ),
            params![title, json, sha, actor],
        )?;
        let id = tx.last_insert_rowid();
        let detail = format!("{} changes, sha256 {sha}", content.changes.len());
        audit::record(
            &tx,
            actor,
            "propose",
            "changeset",
            Some(&id.to_string()),
            Some(&detail),
        )?;
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
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY id"))?;
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
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
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
