//! The real binary, as a user or a script calls it.

mod common;
use common::*;

#[test]
fn migrate_then_check_a_fresh_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["db", "migrate"]);
    let schema = format!("schema v{}", jumeau_store::latest_version());
    assert!(out.contains(&schema), "{out}");
    let report = json(dir.path(), &["db", "check", "--json"]);
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["components"].as_u64().unwrap() >= 60);
    assert!(report["tags"].as_u64().unwrap() >= 300);
    // Idempotent: a second migrate changes nothing.
    assert_eq!(ok(dir.path(), &["db", "migrate"]), out);
}

#[test]
fn components_list_all_and_by_unit() {
    let dir = tempfile::tempdir().unwrap();
    let all = json(dir.path(), &["components", "list", "--json"]);
    let all = all.as_array().unwrap();
    assert!(all.len() >= 60);
    for alias in ["TG1", "TG2", "CR1", "CR2", "TV"] {
        assert!(all.iter().any(|c| c["alias"] == alias), "{alias} missing");
    }
    let cr1 = json(
        dir.path(),
        &["components", "list", "--unit", "CR1", "--json"],
    );
    let cr1 = cr1.as_array().unwrap();
    assert!(!cr1.is_empty() && cr1.iter().all(|c| c["unit"] == "CR1"));
    let text = ok(dir.path(), &["components", "list", "--unit", "TV"]);
    assert!(
        text.contains("10MAG10") && text.contains("Condenseur"),
        "{text}"
    );

    let o = jumeau(dir.path(), &["components", "list", "--unit", "TG9"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("unknown unit `TG9`"), "{}", stderr(&o));
}

#[test]
fn components_show_cr1_with_parameters_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let cr1 = json(dir.path(), &["components", "show", "CR1", "--json"]);
    assert_eq!(cr1["component"]["code"], "11HAD00");
    assert_eq!(cr1["component"]["kind"], "hrsg");
    let params = cr1["parameters"].as_array().unwrap();
    let drum = params
        .iter()
        .find(|p| p["component"] == "11HAD50BB001" && p["name"] == "pressure")
        .expect("HP drum pressure");
    assert_eq!(drum["unit"], "bar");
    assert!(
        drum["limits"]["h"].as_f64().unwrap() > drum["limits"]["normal_high"].as_f64().unwrap()
    );
    let tags = cr1["tags"].as_array().unwrap();
    assert!(tags.len() >= 40, "{} tags", tags.len());
    assert!(
        tags.iter()
            .all(|t| t["opcua_node"].as_str().unwrap().starts_with("ns=2;s="))
    );
    assert_eq!(cr1["changeset"]["status"], "validated");

    // Alias or code, any case.
    let by_code = json(dir.path(), &["components", "show", "11had00", "--json"]);
    assert_eq!(by_code, cr1);
    let text = ok(dir.path(), &["components", "show", "TG1-P1"]);
    assert!(
        text.contains("11MBD11CY101") && text.contains("25.4"),
        "{text}"
    );
}

#[test]
fn unknown_component_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = jumeau(dir.path(), &["components", "show", "TG7"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no component `TG7`"), "{}", stderr(&o));
}

#[test]
fn a_foreign_file_in_place_of_the_store_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jumeau.sqlite");
    let content = b"shift notes, not a database\n".repeat(40);
    std::fs::write(&path, &content).unwrap();
    let o = jumeau(dir.path(), &["components", "list"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a Jumeau store"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).unwrap(), content);
}

#[test]
fn an_unknown_user_cannot_open_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let o = jumeau(
        dir.path(),
        &[
            "--user",
            "mallory",
            "screenshot",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("wrong login or password"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn without_a_display_the_client_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = bare(dir.path(), &[])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("jumeau screenshot --out"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_screenshot_arguments_are_refused_before_any_window() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let o = jumeau(
        dir.path(),
        &[
            "screenshot",
            "--out",
            out.to_str().unwrap(),
            "--view",
            "TG9",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("unknown view `TG9`"), "{}", stderr(&o));
    let o = jumeau(
        dir.path(),
        &[
            "screenshot",
            "--out",
            out.to_str().unwrap(),
            "--size",
            "12x7",
        ],
    );
    assert!(!o.status.success());
    assert!(!out.exists());
}

#[test]
fn an_engineer_changes_master_data_through_a_change_set_and_the_logbook_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut cr1 =
        json(dir.path(), &["components", "show", "CR1-BHP", "--json"])["component"].clone();
    cr1["description"] = "Ballon HP, inspection décennale 2026".into();
    let file = dir.path().join("cs.json");
    let content = serde_json::json!({ "changes": [ { "op": "upsert_component", "code": cr1["code"], "alias": cr1["alias"], "kind": cr1["kind"], "unit": cr1["unit"], "parent": cr1["parent"], "name_fr": cr1["name_fr"], "name_en": cr1["name_en"], "description": cr1["description"], "manufacturer": cr1["manufacturer"], "model": cr1["model"], "rated": cr1["rated"] } ] });
    let id = propose(dir.path(), "a.durand", &content, "Ballon HP CR1");
    let id = id.as_str();
    // An operator may not validate; the engineer may.
    let o = jumeau(dir.path(), &["changesets", "validate", id]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("may not validate"), "{}", stderr(&o));
    ok(
        dir.path(),
        &[
            "--user",
            "m.lefebvre",
            "--device",
            "poste-ing",
            "changesets",
            "validate",
            id,
            "--note",
            "vu",
        ],
    );
    let shown = json(dir.path(), &["components", "show", "CR1-BHP", "--json"]);
    assert_eq!(
        shown["component"]["description"],
        "Ballon HP, inspection décennale 2026"
    );
    assert_eq!(shown["changeset"]["id"].to_string(), id);
    let log = json(
        dir.path(),
        &["logbook", "list", "--category", "changeset", "--json"],
    );
    assert_eq!(log[0]["author"], "m.lefebvre");
    assert!(
        log[0]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("#{id} validé"))
    );

    // A change-set that would break master data is refused before it is stored.
    std::fs::write(
        &file,
        r#"{"changes":[{"op":"remove","entity":"component","key":"11MBD11"}]}"#,
    )
    .unwrap();
    let o = jumeau(
        dir.path(),
        &[
            "--user",
            "c.bernard",
            "changesets",
            "propose",
            file.to_str().unwrap(),
            "--title",
            "x",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("unknown component `11MBD11`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json(dir.path(), &["changesets", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_reader_closing_the_pipe_stops_the_listing_quietly() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["db", "migrate"]);
    let mut child = bare(dir.path(), &["components", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader is gone before the first line is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(out.status.code(), Some(0) | Some(141)),
        "{:?}",
        out.status
    );
}

#[test]
fn a_refusal_says_its_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut tg1 = json(dir.path(), &["components", "show", "TG1", "--json"])["component"].clone();
    tg1["name_en"] = "Gas turbine No. 1".into();
    tg1["op"] = "upsert_component".into();
    let content = serde_json::json!({ "changes": [tg1] });
    let id = propose(dir.path(), "c.bernard", &content, "TG1");
    // An auditor may not decide: the reason once, not repeated by the error's chain.
    let o = jumeau(
        dir.path(),
        &["--user", "l.petit", "changesets", "validate", &id],
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.matches("may not").count(), 1, "{err}");
}

#[test]
fn terminal_control_characters_are_refused_on_input_and_escaped_on_output() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["db", "migrate"]);
    let o = jumeau(
        dir.path(),
        &[
            "logbook",
            "add",
            "--category",
            "shift_note",
            "--text",
            "ok\u{1b}[2Jcleared",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("control character"), "{}", stderr(&o));
    // A name that got into a store another way is shown escaped, never raw.
    let conn = jumeau_store::testing::connection(&dir.path().join("jumeau.sqlite"));
    conn.execute(
        "UPDATE components SET name_fr = 'TG1\u{1b}]0;pwned\u{7}' WHERE code = '11MBA00'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = ok(dir.path(), &["components", "show", "TG1"]);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("TG1\\u{1b}]0;pwned\\u{7}"), "{out}");
    let o = jumeau(dir.path(), &["db", "check"]);
    assert!(stdout(&o).contains("control character"), "{}", stdout(&o));
}

#[test]
fn a_user_who_may_not_propose_is_refused_before_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("huge.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    let propose = [
        "--user",
        "l.petit",
        "changesets",
        "propose",
        garbage.to_str().unwrap(),
        "--title",
        "x",
    ];
    refused(dir.path(), &propose, "may not propose");
}

#[test]
fn a_misspelt_field_in_a_change_set_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut pump =
        json(dir.path(), &["components", "show", "CR1-PA1", "--json"])["component"].clone();
    pump["op"] = "upsert_component".into();
    pump["parnet"] = pump["parent"].clone();
    let file = dir.path().join("cs.json");
    std::fs::write(&file, serde_json::json!({ "changes": [pump] }).to_string()).unwrap();
    let propose = [
        "--user",
        "c.bernard",
        "changesets",
        "propose",
        file.to_str().unwrap(),
        "--title",
        "x",
    ];
    refused(dir.path(), &propose, "unknown field `parnet`");
}

/// A new user as the README tells it: the first start shows the one-time passwords, the first
/// login sets one's own, and acting needs it.
#[test]
fn a_new_user_logs_in_with_the_one_time_password_and_sets_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::bare(dir.path(), &["db", "migrate"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let shown = stderr(&first);
    let once = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("j.martin"))
        .map(|rest| rest.trim().to_owned())
        .unwrap_or_else(|| panic!("no one-time password shown: {shown}"));
    // Shown once: the next start shows none.
    let again = common::bare(dir.path(), &["db", "check"]).output().unwrap();
    assert!(!stderr(&again).contains(&once));

    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let once_file = file("once", &once);
    let new_file = file("new", "Quart de nuit, poste 3");
    let add = [
        "logbook",
        "add",
        "--category",
        "note",
        "--text",
        "Prise de quart",
    ];
    // The one-time password does not act.
    let o = common::bare(
        dir.path(),
        &[&["--password-file", &once_file][..], &add].concat(),
    )
    .output()
    .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("one-time password"), "{}", stderr(&o));
    let o = common::bare(
        dir.path(),
        &[
            "--password-file",
            &once_file,
            "login",
            "--new-password-file",
            &new_file,
        ],
    )
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Mot de passe changé"), "{}", stdout(&o));
    let o = common::bare(
        dir.path(),
        &[&["--password-file", &new_file][..], &add].concat(),
    )
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Without the password (no file, no terminal) or with a wrong one: refused, nothing written.
    let o = common::bare(dir.path(), &[&["--user", "m.lefebvre"][..], &add].concat())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--password-file"), "{}", stderr(&o));
    let wrong = file("wrong", "pas le mot de passe");
    let o = common::bare(
        dir.path(),
        &[&["--password-file", &wrong][..], &add].concat(),
    )
    .output()
    .unwrap();
    assert!(
        stderr(&o).contains("wrong login or password"),
        "{}",
        stderr(&o)
    );
    let list = common::bare(dir.path(), &["logbook", "list", "--json"])
        .output()
        .unwrap();
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1);
}

/// The auditor reads the logins and failures, exports them signed; an operator may not.
#[test]
fn the_auditor_lists_and_exports_the_audit_trail_signed() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["db", "migrate"]);
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "pas le bon").unwrap();
    let o = jumeau(
        dir.path(),
        &[
            "--user",
            "a.durand",
            "--password-file",
            wrong.to_str().unwrap(),
            "login",
        ],
    );
    assert!(!o.status.success());
    let rows = json(
        dir.path(),
        &[
            "--user",
            "l.petit",
            "audit",
            "list",
            "--action",
            "login_failed",
            "--json",
        ],
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], "a.durand");
    assert_eq!(rows[0]["detail"], "attempt 1 of 5");
    refused(
        dir.path(),
        &["audit", "list"],
        "may not read the audit trail",
    );

    let out = dir.path().join("audit.csv");
    let out = out.to_str().unwrap();
    ok(
        dir.path(),
        &[
            "--user", "l.petit", "audit", "export", "--actor", "a.durand", "--out", out,
        ],
    );
    let csv = std::fs::read_to_string(out).unwrap();
    assert!(
        csv.starts_with("id,at,actor,action,entity,entity_id,detail"),
        "{csv}"
    );
    assert!(csv.contains("login_failed"), "{csv}");
    let check = json(dir.path(), &["logbook", "verify-export", out, "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(check["manifest"]["signer"], "l.petit", "{check}");
    // One byte changed: refused.
    std::fs::write(out, csv.replace("login_failed", "login_faileD")).unwrap();
    let o = jumeau(dir.path(), &["logbook", "verify-export", out]);
    assert!(!o.status.success());
}
