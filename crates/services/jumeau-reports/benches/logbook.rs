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

    let t = Instant::now();
    let v = store.verify_logbook().unwrap();
    let s = t.elapsed().as_secs_f64();
    assert!(v.faults.is_empty());
    println!(
        "verify (read, chain, every signature): {} entries in {s:.2} s (target < 10 s for 1,000,000)",
        v.entries
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
