//! The logbook through the real binary: add, list, verify, export to CSV and PDF with signed
//! manifests, checked by Jumeau and by an independent Python verifier (PyNaCl); tampering with
//! the store or with an export is caught.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn add(dir: &Path, user: &str, args: &[&str]) -> u64 {
    let mut all = vec!["--user", user, "--device", "poste-1", "logbook", "add"];
    all.extend_from_slice(args);
    ok(dir, &all)
        .trim()
        .parse()
        .expect("the new entry's sequence number")
}

fn seeded_logbook() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        add(
            dir.path(),
            "j.martin",
            &[
                "--category",
                "shift_note",
                "--text",
                "Prise de quart : bloc à 310 MW, TG1 et TG2 en service",
                "--component",
                "TG1",
                "--component",
                "TG2"
            ]
        ),
        1
    );
    assert_eq!(
        add(
            dir.path(),
            "j.martin",
            &[
                "--category",
                "emissions",
                "--text",
                "Moyenne horaire CEMS",
                "--component",
                "CR1-CHEM",
                "--tag",
                "IED",
                "--value",
                "NOx=31.5 mg/Nm³",
                "--value",
                "CO=4.2 mg/Nm³"
            ]
        ),
        2
    );
    assert_eq!(
        add(
            dir.path(),
            "a.durand",
            &[
                "--category",
                "maintenance",
                "--text",
                "Fuite garniture pompe alimentaire\nà surveiller",
                "--component",
                "CR2-PA1",
                "--tag",
                "ISO55000"
            ]
        ),
        3
    );
    dir
}

#[test]
fn entries_are_added_listed_and_verified() {
    let dir = seeded_logbook();
    let list = json(dir.path(), &["logbook", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[1]["values"][0]["value"], "31.5");
    assert_eq!(list[2]["components"][0], "12LAC10AP001");
    assert_eq!(list[2]["prev"], list[1]["entry_hash"]);
    let only = json(
        dir.path(),
        &["logbook", "list", "--component", "CR2-PA1", "--json"],
    );
    assert_eq!(only.as_array().unwrap().len(), 1);
    let v = json(dir.path(), &["logbook", "verify", "--json"]);
    assert_eq!(v["entries"], 3);
    assert_eq!(v["faults"].as_array().unwrap().len(), 0);
}

#[test]
fn invalid_manual_entries_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expect) in [
        (
            vec!["--category", "login", "--text", "je me connecte"],
            "written by Jumeau only",
        ),
        (
            vec![
                "--category",
                "emissions",
                "--text",
                "x",
                "--value",
                "NOx=31.5 °C",
            ],
            "unit `°C` is not accepted",
        ),
        (
            vec![
                "--category",
                "emissions",
                "--text",
                "x",
                "--value",
                "NOx=abc mg/Nm³",
            ],
            "not a decimal number",
        ),
        (
            vec![
                "--category",
                "emissions",
                "--text",
                "x",
                "--value",
                "NOx=31.5",
            ],
            "a unit is required",
        ),
        (
            vec!["--category", "note", "--text", "  "],
            "text is required",
        ),
        (
            vec!["--category", "note", "--text", "x", "--component", "TG9"],
            "no component `TG9`",
        ),
    ] {
        let mut all = vec!["logbook", "add"];
        all.extend(args);
        let o = jumeau(dir.path(), &all);
        assert!(!o.status.success(), "{all:?}");
        assert!(stderr(&o).contains(expect), "{all:?}: {}", stderr(&o));
    }
    let o = jumeau(
        dir.path(),
        &[
            "--user",
            "l.petit",
            "logbook",
            "add",
            "--category",
            "note",
            "--text",
            "x",
        ],
    );
    assert!(
        stderr(&o).contains("may not write to the logbook"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json(dir.path(), &["logbook", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn tampering_in_sqlite_is_located_by_verify() {
    let dir = seeded_logbook();
    let db = jumeau_store::testing::connection(&dir.path().join("jumeau.sqlite"));
    db.execute_batch(
        "DROP TRIGGER logbook_no_update; UPDATE logbook SET text = 'Rien à signaler' WHERE seq = 2;",
    )
    .unwrap();
    drop(db);
    let o = jumeau(dir.path(), &["logbook", "verify"]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("entry #2: Modified") && out.contains("text"),
        "{out}"
    );
}

/// Exports with `global` options and `args`, checks the result with `verify-export`.
fn export_and_check(dir: &Path, global: &[&str], args: &[&str], out: &Path) -> serde_json::Value {
    let out = out.to_str().unwrap();
    let mut all = global.to_vec();
    all.extend(["logbook", "export", "--out", out]);
    all.extend(args);
    ok(dir, &all);
    let check = json(dir, &["logbook", "verify-export", out, "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    check
}

/// The independent verifier, trusting the keys registered in the store of `dir` (the key list
/// the plant hands over: `jumeau account list --json`).
fn python_verify(file: &Path, dir: &Path) -> std::process::Output {
    let list = dir.join("centrale #2 ?50% keys.json");
    std::fs::write(&list, ok(dir, &["account", "list", "--json"])).unwrap();
    python_verify_with(file, &list)
}

fn python_verify_with(file: &Path, key_list: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_export.py");
    Command::new("python3")
        .arg(script)
        .arg(file)
        .arg("--keys")
        .arg(key_list)
        .output()
        .expect("python3")
}

#[test]
fn csv_export_verifies_in_jumeau_and_in_python_and_a_changed_byte_fails() {
    let dir = seeded_logbook();
    let out = dir.path().join("main-courante.csv");
    let check = export_and_check(
        dir.path(),
        &["--user", "l.petit", "--device", "audit-1"],
        &["--format", "csv"],
        &out,
    );
    assert_eq!(check["key_registered_to"], "l.petit@audit-1");
    let py = python_verify(&out, dir.path());
    assert!(py.status.success(), "{}{}", stdout(&py), stderr(&py));
    assert!(stdout(&py).contains("3 entries"), "{}", stdout(&py));

    let mut bytes = std::fs::read(&out).unwrap();
    let i = bytes
        .windows(5)
        .position(|w| w == b"31.5m")
        .or_else(|| bytes.windows(4).position(|w| w == b"31.5"))
        .unwrap();
    bytes[i] = b'9';
    std::fs::write(&out, &bytes).unwrap();
    let o = jumeau(
        dir.path(),
        &["logbook", "verify-export", out.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(stdout(&o).contains("MISMATCH"), "{}", stdout(&o));
    assert!(!python_verify(&out, dir.path()).status.success());
}

#[test]
fn pdf_export_holds_the_entries_and_is_signed() {
    let dir = seeded_logbook();
    let out = dir.path().join("main-courante.pdf");
    let check = export_and_check(dir.path(), &[], &["--format", "pdf", "--tag", "IED"], &out);
    assert_eq!(check["manifest"]["entries"], 1);
    assert!(python_verify(&out, dir.path()).status.success());
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&out)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Main courante",
        "Moyenne horaire CEMS",
        "NOx=31.5 mg/Nm³",
        "tag=IED",
        "Page 1 / 1",
        "Bloc de signature",
        &check["manifest"]["fingerprint"].as_str().unwrap()[..16],
    ] {
        assert!(
            text.contains(expected),
            "PDF text lacks `{expected}`:\n{text}"
        );
    }
    assert!(!text.contains("Fuite garniture"), "filtered out by tag");
}

#[test]
fn a_forged_export_signed_with_a_fresh_key_in_someone_elses_name_is_refused() {
    use jumeau_reports::{ExportSigner, sign_export};
    let dir = seeded_logbook();
    let out = dir.path().join("export.csv");
    export_and_check(
        dir.path(),
        &["--user", "l.petit", "--device", "audit-1"],
        &["--format", "csv"],
        &out,
    );
    // Edit the export, sign it with a key of one's own and claim to be the auditor.
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace("31.5", "19.5");
    std::fs::write(&out, text).unwrap();
    let forger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let signer = ExportSigner {
        login: "l.petit",
        role: "auditor",
        device: "audit-1",
        signed_at: "2026-11-21T12:00:00.000Z",
    };
    sign_export(&out, &forger, &signer, "forged", 3).unwrap();
    let o = jumeau(
        dir.path(),
        &["logbook", "verify-export", out.to_str().unwrap()],
    );
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("NOT TRUSTED"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("not one trusted for this signer"),
        "{}",
        stderr(&o)
    );
    let py = python_verify(&out, dir.path());
    assert!(!py.status.success(), "{}", stdout(&py));
    assert!(stdout(&py).contains("not trusted"), "{}", stdout(&py));
    // Trusting the forger's key explicitly is the verifier's own decision.
    let key = hex::encode(forger.verifying_key().to_bytes());
    let o = jumeau(
        dir.path(),
        &[
            "logbook",
            "verify-export",
            out.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_python_verifier_reads_an_entry_of_more_than_128_kb() {
    let dir = seeded_logbook();
    // 130,900 bytes: one argument may hold 128 KiB; the signed body around it is larger than
    // the csv module's default field limit (131,072 characters).
    let long = "releve ".repeat(18_700);
    add(
        dir.path(),
        "j.martin",
        &["--category", "shift_note", "--text", &long],
    );
    let out = dir.path().join("long.csv");
    export_and_check(dir.path(), &[], &["--format", "csv"], &out);
    let py = python_verify(&out, dir.path());
    assert!(py.status.success(), "{}{}", stdout(&py), stderr(&py));
}

#[test]
fn there_is_no_entry_0_to_correct() {
    let dir = seeded_logbook();
    let add = [
        "logbook",
        "add",
        "--category",
        "shift_note",
        "--text",
        "x",
        "--corrects",
        "0",
    ];
    refused(dir.path(), &add, "no logbook entry `0`");
}

#[test]
fn an_unreadable_row_is_located_and_the_other_entries_are_still_checked() {
    let dir = seeded_logbook();
    let db = jumeau_store::testing::connection(&dir.path().join("jumeau.sqlite"));
    // What a flipped byte in a page can do: a column of the wrong type ("Conversion error").
    db.execute_batch(
        "DROP TRIGGER logbook_no_update; UPDATE logbook SET entry_hash = X'00FF' WHERE seq = 2;",
    )
    .unwrap();
    drop(db);
    let o = jumeau(dir.path(), &["logbook", "verify"]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("entry #2: Malformed") && out.contains("cannot be read"),
        "{out}{}",
        stderr(&o)
    );
    assert!(out.contains("entries checked"), "{out}");
}

#[test]
fn the_python_verifier_trusts_a_key_only_for_the_owner_the_key_list_names() {
    let dir = seeded_logbook();
    let out = dir.path().join("export.csv");
    export_and_check(dir.path(), &[], &["--format", "csv"], &out);
    let mut list = json(dir.path(), &["account", "list", "--json"]);
    for key in list["keys"].as_array_mut().unwrap() {
        key["login"] = "m.lefebvre".into();
    }
    let file = dir.path().join("keys-renamed.json");
    std::fs::write(&file, list.to_string()).unwrap();
    let py = python_verify_with(&out, &file);
    assert!(!py.status.success(), "{}", stdout(&py));
    assert!(stdout(&py).contains("not trusted"), "{}", stdout(&py));
    assert!(python_verify(&out, dir.path()).status.success());
}
