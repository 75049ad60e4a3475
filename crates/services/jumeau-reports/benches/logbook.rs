//! Logbook throughput on this machine, against the targets (release build):
//! append + sign ≥ 5,000 entries/s; verify 1,000,000 entries < 10 s; export 100,000 entries to
//! CSV < 2 s and to PDF < 60 s. Run: `cargo bench -p jumeau-reports --bench logbook`
//! (`LOGBOOK_BENCH_ENTRIES=N` to verify fewer than a million).

use jumeau_core::logbook::{EntryDraft, EntryKind, EntryValue};
use jumeau_reports::{PdfHeader, fingerprint, write_csv, write_pdf};
use jumeau_store::LogFilter;
use std::collections::HashMap;
use std::time::Instant;

fn draft(i: usize) -> EntryDraft {
    EntryDraft {
        kind: if i.is_multiple_of(3) {
            EntryKind::Automatic
        } else {
            EntryKind::Manual
        },
        category: ["shift_note", "operation", "emissions", "maintenance"][i % 4].into(),
        text: format!(
            "Entrée {i} : relève de quart, TG1 à 152 MW, niveau ballon HP CR1 stable à −12 mm, aucune anomalie."
        ),
        components: vec![["TG1", "CR1-BHP", "TV", "CR2-PA1"][i % 4].into()],
        tags: vec!["ISO55000".into()],
        values: vec![EntryValue {
            name: "NOx".into(),
            unit: "mg/Nm³".into(),
            value: format!("{}.{}", 20 + i % 15, i % 10),
        }],
        ..EntryDraft::default()
    }
}

fn main() {
    let total: usize = std::env::var("LOGBOOK_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        jumeau_store::testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();

    // One transaction per entry, as the client appends.
    let n = 5_000;
    let t = Instant::now();
    for i in 0..n {
        store.append_logbook("j.martin", &draft(i)).unwrap();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "append + sign, one transaction each: {n} entries in {s:.2} s = {:.0} entries/s (target ≥ 5000)",
        n as f64 / s
    );

    let t = Instant::now();
    let mut done = n;
    while done < total {
        let batch: Vec<EntryDraft> = (done..(done + 10_000).min(total)).map(draft).collect();
        store.append_logbook_batch("a.durand", &batch).unwrap();
        done += batch.len();
    }
    println!(
        "append + sign in batches of 10,000: {} entries in {:.1} s",
        done - n,
        t.elapsed().as_secs_f64()
    );

    let floor = signature_floor(&store);
    let t = Instant::now();
    let pages = store
        .connection()
        .query_row("PRAGMA quick_check(logbook)", [], |r| r.get::<_, String>(0))
        .unwrap();
    assert_eq!(pages, "ok");
    let check_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let v = store.verify_logbook().unwrap();
    let s = t.elapsed().as_secs_f64();
    assert!(v.faults.is_empty());
    println!(
        "verify: {} entries in {s:.2} s — the entries (read, chain, every signature) {:.2} s = \
         {:.2}× the floor (target ≤ 1.5×), the logbook's pages checked (SQLite) {check_s:.2} s",
        v.entries,
        s - check_s,
        (s - check_s) / floor
    );

    let (t_since, checked) = verify_since_checkpoint(&mut store, 1_000);
    println!(
        "verify from the last countersigned entry: {checked} entries in {:.1} ms",
        t_since * 1e3
    );

    let entries = store
        .logbook(&LogFilter {
            limit: Some(100_000),
            ..LogFilter::default()
        })
        .unwrap();
    let keys = store.public_keys().unwrap();
    let t = Instant::now();
    let mut csv = Vec::new();
    write_csv(&entries, &keys, &mut csv).unwrap();
    println!(
        "export CSV: {} entries, {:.1} MB in {:.2} s (target < 2 s)",
        entries.len(),
        csv.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let owners: HashMap<String, String> = store.key_owners().unwrap();
    let t = Instant::now();
    let header = PdfHeader {
        site: "Centrale à cycle combiné 2×1".into(),
        title: "Main courante — banc d'essai".into(),
        period: "tout".into(),
        filters: "aucun".into(),
        exported_by: "bench".into(),
        exported_at: store.now().unwrap(),
        verification: "chaîne intègre".into(),
        fingerprint: fingerprint(&entries),
        signer_key: "—".into(),
    };
    let pdf = write_pdf(&entries, &header, &owners);
    println!(
        "export PDF: {} entries, {:.1} MB in {:.2} s (target < 60 s)",
        entries.len(),
        pdf.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
}

/// The Ed25519 floor of verifying every entry of the store: only the signatures, read into
/// memory beforehand and checked in batches of 1,024 on all cores, timed in this run.
fn signature_floor(store: &jumeau_store::Store) -> f64 {
    use ed25519_dalek::{Signature, VerifyingKey};
    let keys = store.public_keys().unwrap();
    let mut stmt = store
        .connection()
        .prepare("SELECT body, signature, key_id FROM logbook")
        .unwrap();
    let rows: Vec<(String, Signature, VerifyingKey)> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
        .map(|r| {
            let (body, sig, key) = r.unwrap();
            let sig = jumeau_core::logbook::signature_from_hex(&sig).unwrap();
            let key = VerifyingKey::from_bytes(&keys[&key]).unwrap();
            (body, sig, key)
        })
        .collect();
    let batches: Vec<&[(String, Signature, VerifyingKey)]> = rows.chunks(1024).collect();
    let t = Instant::now();
    let ok = jumeau_core::logbook::par_map(&batches, |batch| {
        let messages: Vec<&[u8]> = batch.iter().map(|(b, _, _)| b.as_bytes()).collect();
        let signatures: Vec<Signature> = batch.iter().map(|(_, s, _)| *s).collect();
        let keys: Vec<VerifyingKey> = batch.iter().map(|(_, _, k)| *k).collect();
        ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
    });
    let s = t.elapsed().as_secs_f64();
    assert!(ok.iter().all(|b| *b));
    println!(
        "Ed25519 floor: {} signatures in batches of 1,024 on all cores in {s:.2} s",
        rows.len()
    );
    s
}

/// Countersigns the entry `back` entries before the head as the hub would (a test hub key,
/// pinned), then times the verification from it.
fn verify_since_checkpoint(store: &mut jumeau_store::Store, back: usize) -> (f64, usize) {
    use jumeau_core::sync::{Receipt, ReceiptStatus, SignedOp, hub_key_id};
    let hub = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    store
        .enrol_hub(
            "c.bernard",
            "wss://127.0.0.1:7443",
            &"ab".repeat(32),
            &jumeau_store::Password::new("bench"),
        )
        .unwrap();
    store
        .pin_hub_key(&hex::encode(hub.verifying_key().to_bytes()))
        .unwrap();
    let op: String = store
        .connection()
        .query_row(
            "SELECT op FROM sync_outbox WHERE kind = 'logbook.entry' \
             ORDER BY local_seq DESC LIMIT 1 OFFSET ?1",
            [back as i64],
            |r| r.get(0),
        )
        .unwrap();
    let op: SignedOp = serde_json::from_str(&op).unwrap();
    let opened = op.open().unwrap();
    let (entry, body) = opened.logbook().unwrap();
    let receipt = Receipt {
        device: opened.device.clone(),
        device_seq: Some(body.seq),
        entry_hash: Some(entry.hash()),
        format: jumeau_core::sync::receipt::FORMAT.into(),
        hub_key_id: hub_key_id(&hub.verifying_key()),
        hub_seq: 1,
        op_hash: op.hash(),
        op_id: opened.op_id.clone(),
        prev: jumeau_core::logbook::GENESIS.into(),
        reason: None,
        received_at: store.now().unwrap(),
        status: ReceiptStatus::Accepted,
    };
    store.acknowledge_ops(&[receipt.sign(&hub)]).unwrap();
    let t = Instant::now();
    let v = store.verify_logbook_from_checkpoint().unwrap();
    let s = t.elapsed().as_secs_f64();
    assert!(v.ok() && v.checkpoint == Some(1), "{v:?}");
    (s, v.entries)
}
