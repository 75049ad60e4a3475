//! Helpers for tests that run the real `jumeau` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn jumeau(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jumeau"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("JUMEAU_USER")
        .env_remove("JUMEAU_LANG")
        .output()
        .expect("run jumeau")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and expects a refusal whose message holds `expect`; returns stderr.
pub fn refused(data_dir: &Path, args: &[&str], expect: &str) -> String {
    let o = jumeau(data_dir, args);
    let err = stderr(&o);
    assert!(!o.status.success(), "{args:?} succeeded: {}", stdout(&o));
    assert!(err.contains(expect), "{args:?}: {err}");
    err
}

/// Runs and expects success, returning stdout.
pub fn ok(data_dir: &Path, args: &[&str]) -> String {
    let o = jumeau(data_dir, args);
    assert!(
        o.status.success(),
        "jumeau {args:?} failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// One JSON object per line (`--json` outputs of watch and run commands).
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn json(data_dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = ok(data_dir, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

/// Writes `content` (a change-set's JSON) beside the store and proposes it as `proposer`;
/// returns the change-set id.
pub fn propose(
    data_dir: &Path,
    proposer: &str,
    content: &serde_json::Value,
    title: &str,
) -> String {
    let file = data_dir.join("cs.json");
    std::fs::write(&file, content.to_string()).unwrap();
    let id = ok(
        data_dir,
        &[
            "--user",
            proposer,
            "changesets",
            "propose",
            file.to_str().unwrap(),
            "--title",
            title,
        ],
    );
    id.trim().to_owned()
}
