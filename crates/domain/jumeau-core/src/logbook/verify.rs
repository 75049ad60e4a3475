//! Verification of a device chain, in two passes: per-entry checks (parse, canonical form, the
//! store's columns, hash, signature — in batches on all cores) give one compact [`Link`] per
//! entry, chunk by chunk; one pass over the links then finds what needs neighbours (deleted,
//! reordered or inserted entries; a replaced signature told from a changed body). A store
//! streams its rows through a [`ChainVerifier`] and keeps the links only (≈ 120 bytes an
//! entry), not the rows.

use super::{EntryBody, FORMAT, Fault, FaultKind, GENESIS, SignedEntry, signature_from_hex};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// What the store says about an entry, next to the signed body.
pub struct StoredEntry<'a> {
    /// The sequence number column.
    pub seq: u64,
    pub signed: &'a SignedEntry,
    /// The store's queryable columns rebuilt as a body (`Err` when they no longer parse);
    /// `None` to skip that comparison.
    pub columns: Option<Result<EntryBody, String>>,
}

/// What the chain pass needs of one entry.
pub struct Link {
    /// As stored.
    seq: u64,
    /// SHA-256 of the signed body.
    hash: [u8; 32],
    /// The signed sequence number and previous hash, when the body parses (`None` for a
    /// previous hash that is not 64 hex digits).
    body: Option<(u64, Option<[u8; 32]>)>,
    /// `None`: the key is not registered.
    signature: Option<bool>,
    /// Faults of the entry alone, in the order they are reported.
    own: Vec<(FaultKind, String)>,
}

/// Checks entries given in the store's sequence order against the registered keys
/// (key id → 32-byte public key). Returns every fault found, located by sequence number.
pub fn verify(entries: &[StoredEntry<'_>], keys: &HashMap<String, [u8; 32]>) -> Vec<Fault> {
    let verifier = ChainVerifier::new(keys);
    verifier.finish(&verifier.check(entries))
}

/// A chain's verification fed chunk by chunk.
pub struct ChainVerifier<'k> {
    verifiers: HashMap<&'k str, VerifyingKey>,
    /// What the first entry must follow: the genesis, or a checkpoint's hash.
    start: [u8; 32],
    from_checkpoint: bool,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(keys: &'k HashMap<String, [u8; 32]>) -> ChainVerifier<'k> {
        let verifiers = keys
            .iter()
            .filter_map(|(id, pk)| {
                VerifyingKey::from_bytes(pk)
                    .ok()
                    .map(|vk| (id.as_str(), vk))
            })
            .collect();
        ChainVerifier {
            verifiers,
            start: decode_hash(GENESIS).expect("the genesis is a hash"),
            from_checkpoint: false,
        }
    }

    /// Verifies a chain's tail: its first entry must follow the entry whose hash is `prev`
    /// (hex), trusted as a checkpoint.
    pub fn after(mut self, prev: &str) -> ChainVerifier<'k> {
        self.start = decode_hash(prev).unwrap_or_default();
        self.from_checkpoint = true;
        self
    }

    /// The per-entry checks of consecutive entries, on all cores; signatures are checked in
    /// batches (about 2.5 times faster than one by one), and a batch that fails is re-checked
    /// entry by entry to locate.
    pub fn check(&self, entries: &[StoredEntry<'_>]) -> Vec<Link> {
        let chunks: Vec<&[StoredEntry<'_>]> = entries.chunks(1024).collect();
        par_map(&chunks, |chunk| self.check_chunk(chunk))
            .into_iter()
            .flatten()
            .collect()
    }

    fn check_chunk(&self, chunk: &[StoredEntry<'_>]) -> Vec<Link> {
        let bodies: Vec<Option<EntryBody>> = chunk
            .iter()
            .map(|e| serde_json::from_str::<EntryBody>(&e.signed.body).ok())
            .collect();
        let signatures = self.signatures(chunk, &bodies);
        chunk
            .iter()
            .zip(bodies)
            .zip(signatures)
            .map(|((e, body), signature)| {
                let mut own = Vec::new();
                let body = body.map(|b| {
                    own_faults(e, &b, signature, &mut own);
                    (b.seq, decode_hash(&b.prev))
                });
                Link {
                    seq: e.seq,
                    hash: Sha256::digest(e.signed.body.as_bytes()).into(),
                    body,
                    signature,
                    own,
                }
            })
            .collect()
    }

    /// Each entry's signature: `None` when its key is not registered (or its body does not
    /// parse), else whether it verifies.
    fn signatures(
        &self,
        chunk: &[StoredEntry<'_>],
        bodies: &[Option<EntryBody>],
    ) -> Vec<Option<bool>> {
        let mut out = vec![None; chunk.len()];
        // (index, key, signature) of every entry whose key is registered.
        let batch: Vec<(usize, VerifyingKey, Option<Signature>)> = bodies
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let vk = self.verifiers.get(b.as_ref()?.key_id.as_str())?;
                Some((i, *vk, signature_from_hex(&chunk[i].signed.signature)))
            })
            .collect();
        let all_parse = batch.iter().all(|(_, _, s)| s.is_some());
        let batch_ok = all_parse && {
            let messages: Vec<&[u8]> = batch
                .iter()
                .map(|(i, ..)| chunk[*i].signed.body.as_bytes())
                .collect();
            let signatures: Vec<Signature> = batch.iter().filter_map(|(_, _, s)| *s).collect();
            let keys: Vec<VerifyingKey> = batch.iter().map(|(_, vk, _)| *vk).collect();
            ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
        };
        for (i, vk, sig) in batch {
            out[i] = Some(
                batch_ok
                    || sig.is_some_and(|s| vk.verify(chunk[i].signed.body.as_bytes(), &s).is_ok()),
            );
        }
        out
    }

    /// The faults of the chain whose links (in store order) are `links`.
    pub fn finish(&self, links: &[Link]) -> Vec<Fault> {
        let position: HashMap<[u8; 32], usize> =
            links.iter().enumerate().map(|(i, l)| (l.hash, i)).collect();
        let mut faults = Vec::new();
        // One fault per entry and kind: a changed body breaks both its signature and the next link.
        let mut seen = HashSet::new();
        let mut fault = |seq: u64, kind: FaultKind, detail: String| {
            if seen.insert((seq, kind)) {
                faults.push(Fault { seq, kind, detail });
            }
        };
        for (i, l) in links.iter().enumerate() {
            if l.body.is_none() {
                fault(
                    l.seq,
                    FaultKind::Malformed,
                    "body is not a valid entry".into(),
                );
                continue;
            }
            for (kind, detail) in &l.own {
                fault(l.seq, *kind, detail.clone());
            }
            if l.signature == Some(false) {
                // Is the link from the next entry intact? Tells a replaced signature from a
                // changed body.
                let next_links_here = links
                    .get(i + 1)
                    .and_then(|n| n.body)
                    .is_some_and(|(_, prev)| prev == Some(l.hash));
                let (kind, detail) = if next_links_here {
                    (
                        FaultKind::BadSignature,
                        "signature does not verify; the content is still linked by the next entry",
                    )
                } else {
                    (FaultKind::Modified, "content does not match its signature")
                };
                fault(l.seq, kind, detail.to_owned());
            }
            self.chain_fault(i, links, &position, &mut fault);
        }
        faults
    }

    fn chain_fault(
        &self,
        i: usize,
        links: &[Link],
        position: &HashMap<[u8; 32], usize>,
        fault: &mut impl FnMut(u64, FaultKind, String),
    ) {
        let Some((body_seq, prev)) = links[i].body else {
            return;
        };
        let seq = links[i].seq;
        let expected = if i == 0 {
            self.start
        } else {
            links[i - 1].hash
        };
        if prev == Some(expected) {
            return;
        }
        if i == 0 && self.from_checkpoint {
            fault(
                seq,
                FaultKind::Modified,
                "does not follow the countersigned checkpoint".into(),
            );
            return;
        }
        if i == 0 && body_seq > 1 {
            fault(
                seq,
                FaultKind::Deleted,
                format!("entries #1 to #{} are missing", body_seq - 1),
            );
            return;
        }
        if let Some(&j) = prev.and_then(|p| position.get(&p)) {
            if i >= 2 && j == i - 2 {
                // The entry just before does not belong between i-2 and i.
                fault(
                    links[i - 1].seq,
                    FaultKind::Inserted,
                    format!("not linked: #{seq} follows #{} directly", links[j].seq),
                );
            } else {
                fault(
                    seq,
                    FaultKind::Reordered,
                    format!(
                        "signed to follow #{}, stored after #{}",
                        links[j].seq,
                        links[i - 1].seq
                    ),
                );
            }
            return;
        }
        let prev_body_seq = i.checked_sub(1).and_then(|p| links[p].body).map(|(s, _)| s);
        match prev_body_seq {
            Some(p) if body_seq > p + 1 => fault(
                seq,
                FaultKind::Deleted,
                format!("entries #{} to #{} are missing", p + 1, body_seq - 1),
            ),
            _ if i > 0 => fault(
                links[i - 1].seq,
                FaultKind::Modified,
                format!("content changed after #{seq} was chained to it"),
            ),
            _ => fault(
                seq,
                FaultKind::Modified,
                "first entry does not start the chain".into(),
            ),
        }
    }
}

/// The faults of one entry seen alone, in the order they are reported.
fn own_faults(
    e: &StoredEntry<'_>,
    body: &EntryBody,
    signature: Option<bool>,
    own: &mut Vec<(FaultKind, String)>,
) {
    if !(body.format == FORMAT && body.canonical() == e.signed.body) {
        own.push((FaultKind::Malformed, "body is not in canonical form".into()));
    }
    match &e.columns {
        Some(Ok(columns)) if columns != body => own.push((
            FaultKind::Modified,
            format!(
                "stored fields differ from the signed content: {}",
                differing_fields(columns, body)
            ),
        )),
        Some(Err(why)) => own.push((
            FaultKind::Modified,
            format!("stored fields are unreadable: {why}"),
        )),
        _ => {}
    }
    if body.seq != e.seq {
        own.push((
            FaultKind::Modified,
            format!("stored as #{} but signed as #{}", e.seq, body.seq),
        ));
    }
    if signature.is_none() {
        own.push((
            FaultKind::UnknownKey,
            format!("key {} is not registered", body.key_id),
        ));
    }
}

fn decode_hash(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

/// Maps `f` over `items` on all available cores, keeping the order.
pub fn par_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

fn differing_fields(a: &EntryBody, b: &EntryBody) -> String {
    let (a, b) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return String::new();
    };
    a.keys()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}
