//! The exchange between the local store and the hub: push the outbox in the order it was
//! written, then pull by cursor until the hub's head. Every step is durable on its own side
//! before the next one, so a connection lost anywhere loses nothing: the outbox is pushed again
//! (the hub answers a repeated op with its first receipt) and the pull resumes at the cursor.

use crate::{HubLink, News, SyncError};
use jumeau_core::sync::wire::MAX_BATCH;
use jumeau_store::{ReceiveReport, Store, StoreError};
use serde::Serialize;

/// What one exchange did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// Ops of this device the hub acknowledged.
    pub pushed: usize,
    pub received: ReceiveReport,
    /// The last hub sequence number stored here afterwards.
    pub cursor: u64,
    pub head: u64,
}

/// Connects to the hub this store is enrolled with and pins its signing key at the first
/// contact (over the pinned TLS channel).
pub async fn connect(store: &mut Store) -> Result<HubLink, SyncError> {
    let (enrolment, token) = store.hub_enrolment()?.ok_or(SyncError::NotEnrolled)?;
    let link = HubLink::connect(&enrolment, &token).await?;
    store.pin_hub_key(&link.hub_key)?;
    Ok(link)
}

/// Pushes every pending op; returns how many the hub acknowledged.
pub async fn push_pending(link: &mut HubLink, store: &mut Store) -> Result<usize, SyncError> {
    let mut pushed = 0;
    loop {
        let ops = store.pending_ops(MAX_BATCH)?;
        if ops.is_empty() {
            return Ok(pushed);
        }
        let receipts = link.push(ops).await?;
        let new = store.acknowledge_ops(&receipts)?;
        if new == 0 {
            return Err(SyncError::Protocol(
                "the hub's receipts acknowledge none of the ops pushed".into(),
            ));
        }
        pushed += new;
    }
}

/// Pulls until the hub has no more, storing each batch before asking for the next.
pub async fn pull_all(link: &mut HubLink, store: &mut Store) -> Result<ReceiveReport, SyncError> {
    let mut total = ReceiveReport::default();
    loop {
        let items = link.pull(store.sync_cursor()?, MAX_BATCH).await?;
        if items.is_empty() {
            return Ok(total);
        }
        let r = store.receive_ops(&items)?;
        total.stored += r.stored;
        total.entries += r.entries;
        total.own += r.own;
        total.quarantined += r.quarantined;
        if items.len() < MAX_BATCH {
            return Ok(total);
        }
    }
}

/// Takes what the hub said unasked: fresh ops straight into the store (pulled instead when
/// they do not follow what the store holds, e.g. after a missed message), a head notice by
/// pulling.
pub async fn take_news(
    link: &mut HubLink,
    store: &mut Store,
    news: News,
) -> Result<ReceiveReport, SyncError> {
    match news {
        News::Fresh(items) => match store.receive_ops(&items) {
            Ok(report) => Ok(report),
            Err(StoreError::Invalid(_)) => pull_all(link, store).await,
            Err(e) => Err(e.into()),
        },
        News::Head(_) => pull_all(link, store).await,
    }
}

/// One full exchange: connect, push, pull.
pub async fn sync_once(store: &mut Store) -> Result<Exchange, SyncError> {
    let mut link = connect(store).await?;
    let pushed = push_pending(&mut link, store).await?;
    let received = pull_all(&mut link, store).await?;
    Ok(Exchange {
        pushed,
        received,
        cursor: store.sync_cursor()?,
        head: link.head,
    })
}
