//! The runtime's sync with the plant hub: a thread of its own, with its own store connection,
//! that keeps a link to the hub the store is enrolled with, pushes the outbox as it grows and
//! takes what the hub sends (new ops, or a notice to pull), and says where it stands for the top bar. When
//! the hub cannot be reached it tries again every half second, so a tablet back in range catches
//! up within a second; nothing it does is needed for the rest of the runtime to work.

use crate::events::{EventLog, RuntimeEvent};
use jumeau_store::{Store, StoreFiles};
use jumeau_sync::{News, SyncError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the outbox is looked at while connected (a write here is pushed within this).
const OUTBOX_POLL: Duration = Duration::from_millis(200);
/// A connected device says something at least this often (the hub drops one silent for 90 s).
const KEEPALIVE: Duration = Duration::from_secs(30);
/// Wait between two connection attempts (a refused connection costs nothing; one that times
/// out takes the connection timeout besides).
const RETRY: Duration = Duration::from_millis(500);
/// Enrolment is looked for this often on a device not yet enrolled.
const ENROLMENT_POLL: Duration = Duration::from_secs(5);

/// Where sync stands, for a client's top bar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyncState {
    /// This device has no hub (a stand-alone workstation).
    #[default]
    NotEnrolled,
    /// Connecting, or pushing and pulling what is waiting.
    Syncing,
    /// Everything written here is acknowledged and everything the hub holds is here.
    InSync,
    /// The hub cannot be reached; what is written here waits in the outbox.
    Offline { reason: String },
    /// The hub answered but refused, or an answer could not be taken (a broken chain): the
    /// reason says what to do.
    Error { reason: String },
}

/// The state and its counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    pub state: SyncState,
    pub hub: Option<String>,
    /// Ops written here the hub has not acknowledged.
    pub pending: u64,
    /// When the oldest of them was written (RFC 3339 UTC).
    pub oldest_pending: Option<String>,
    /// Ops of this device the hub holds in quarantine.
    pub quarantined: u64,
    /// Ops received from the hub since the runtime started (the services look again at
    /// shared runs when it moves).
    pub received: u64,
}

/// Starts the sync thread; it ends when `stop` is dropped or fired.
pub(crate) fn start(
    files: StoreFiles,
    status: Arc<Mutex<SyncStatus>>,
    events: Arc<Mutex<EventLog>>,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("jumeau-sync".into())
        .spawn(move || {
            runtime.block_on(async move {
                tokio::select! {
                    _ = keep_in_sync(files, status, events) => {}
                    _ = stop => {}
                }
            })
        })?;
    Ok(())
}

async fn keep_in_sync(
    files: StoreFiles,
    status: Arc<Mutex<SyncStatus>>,
    events: Arc<Mutex<EventLog>>,
) {
    let mut store = match Store::open(&files) {
        Ok(s) => s,
        Err(e) => {
            set(&status, |s| {
                s.state = SyncState::Error {
                    reason: format!("the store: {e}"),
                }
            });
            return;
        }
    };
    loop {
        let enrolled = store.hub_enrolment().ok().flatten();
        let Some((enrolment, _)) = enrolled else {
            set(&status, |s| s.state = SyncState::NotEnrolled);
            tokio::time::sleep(ENROLMENT_POLL).await;
            continue;
        };
        set(&status, |s| {
            s.hub = Some(enrolment.url.clone());
            if s.state == SyncState::NotEnrolled {
                s.state = SyncState::Syncing;
            }
        });
        let ended = connected(&mut store, &status, &events).await;
        let reason = ended.to_string();
        let state = match ended {
            SyncError::Unreachable { .. } | SyncError::Lost(_) => SyncState::Offline { reason },
            _ => SyncState::Error { reason },
        };
        refresh_counts(&store, &status);
        set(&status, |s| s.state = state);
        tokio::time::sleep(RETRY).await;
    }
}

/// One connection's life: push and pull until something fails; returns what did.
async fn connected(
    store: &mut Store,
    status: &Mutex<SyncStatus>,
    events: &Mutex<EventLog>,
) -> SyncError {
    let mut link = match jumeau_sync::connect(store).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    let mut news = Some(News::Head(link.head));
    let mut said = std::time::Instant::now();
    loop {
        if let Err(e) = jumeau_sync::push_pending(&mut link, store).await {
            return e;
        }
        // Behind the hub, or quiet for a while (the hub drops a device silent for 90 s): pull.
        if news.is_none()
            && (link.head > store.sync_cursor().unwrap_or(0) || said.elapsed() >= KEEPALIVE)
        {
            news = Some(News::Head(link.head));
        }
        if news.is_some() {
            said = std::time::Instant::now();
        }
        if let Some(n) = news.take() {
            match jumeau_sync::take_news(&mut link, store, n).await {
                Ok(r) => {
                    if r.stored > 0 {
                        set(status, |s| s.received += r.stored as u64);
                    }
                    if r.entries > 0 {
                        lock(events).push(RuntimeEvent::Synced { entries: r.entries })
                    }
                }
                Err(e) => return e,
            }
        }
        refresh_counts(store, status);
        set(status, |s| {
            s.state = if s.pending == 0 {
                SyncState::InSync
            } else {
                SyncState::Syncing
            }
        });
        news = match link.news(OUTBOX_POLL).await {
            Ok(n) => n,
            Err(e) => return e,
        };
    }
}

fn refresh_counts(store: &Store, status: &Mutex<SyncStatus>) {
    if let Ok(c) = store.sync_counts() {
        set(status, |s| {
            s.pending = c.pending;
            s.oldest_pending = c.oldest_pending;
            s.quarantined = c.quarantined;
        });
    }
}

fn set(status: &Mutex<SyncStatus>, change: impl FnOnce(&mut SyncStatus)) {
    change(&mut lock(status));
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
