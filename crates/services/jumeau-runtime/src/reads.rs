//! Reads of the store (historian trends, logbook listings), answered on a worker thread with
//! its own read connection so that a 24-hour trend never holds the services nor a viewer's
//! frame.

use std::sync::mpsc::{Sender, channel};

use jumeau_store::{LogEntry, LogFilter, Store, TrendPoint};

/// Pens over [from_ms, to_ms] (plant time), at most `points` points each (min/max decimated).
#[derive(Debug, Clone)]
pub struct TrendQuery {
    pub pens: Vec<String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub points: usize,
}

/// One line per pen, in the query's order.
pub type Series = Vec<(String, Vec<TrendPoint>)>;

pub(crate) enum ReadRequest {
    Trend(TrendQuery, Sender<Result<Series, String>>),
    Logbook(LogFilter, Sender<Result<Vec<LogEntry>, String>>),
}

/// Starts the worker; it ends when every sender is dropped.
pub(crate) fn start_worker(
    files: jumeau_store::StoreFiles,
) -> std::io::Result<Sender<ReadRequest>> {
    let (tx, rx) = channel::<ReadRequest>();
    std::thread::Builder::new()
        .name("jumeau-reads".into())
        .spawn(move || {
            let mut store: Option<Store> = None;
            while let Ok(request) = rx.recv() {
                // Opened on first use and kept; a failed open is retried on the next request.
                if store.is_none() {
                    store = Store::open(&files)
                        .map_err(|e| tracing::warn!("store reads: {e}"))
                        .ok();
                }
                let unavailable = || "the store cannot be opened for reading".to_owned();
                // The asker may have gone away (window closed): nothing to do then.
                match request {
                    ReadRequest::Trend(q, reply) => {
                        let r = store
                            .as_ref()
                            .ok_or_else(unavailable)
                            .and_then(|s| trend(s, &q));
                        let _ = reply.send(r);
                    }
                    ReadRequest::Logbook(filter, reply) => {
                        let r = store
                            .as_ref()
                            .ok_or_else(unavailable)
                            .and_then(|s| s.logbook(&filter).map_err(|e| e.to_string()));
                        let _ = reply.send(r);
                    }
                }
            }
        })?;
    Ok(tx)
}

fn trend(store: &Store, q: &TrendQuery) -> Result<Series, String> {
    q.pens
        .iter()
        .map(|tag| {
            let points = store
                .history_trend(tag, q.from_ms, q.to_ms, q.points)
                .map_err(|e| e.to_string())?;
            Ok((tag.clone(), points))
        })
        .collect()
}
