//! Helpers for tests that run the real `jumeau` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary on `data_dir` as a set-up site would: at the first call the store is made
/// and every account's one-time password replaced by the test password, which each run is
/// given through `$JUMEAU_PASSWORD_FILE` (an explicit `--password-file` wins), with the
/// engineers' authenticator code in `$JUMEAU_OTP` (used only where a second factor is asked).
pub fn jumeau(data_dir: &Path, args: &[&str]) -> Output {
    let password_file = set_up(data_dir);
    bare(data_dir, args)
        .env("JUMEAU_PASSWORD_FILE", password_file)
        .env("JUMEAU_OTP", jumeau_store::testing::next_code())
        .output()
        .expect("run jumeau")
}

/// The binary on `data_dir`, nothing set up: no store made, no password given; the store's key
/// where the tests keep it ([`jumeau_store::testing::files`]), the OPC UA trust list in
/// `data_dir/pki`.
pub fn bare(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jumeau"));
    let key = jumeau_store::testing::files(&data_dir.join(jumeau_store::STORE_FILE)).key;
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("JUMEAU_STORE_KEY_FILE", key)
        .env("JUMEAU_PKI_DIR", data_dir.join("pki"))
        .env_remove("JUMEAU_USER")
        .env_remove("JUMEAU_LANG")
        .env_remove("JUMEAU_PASSWORD_FILE")
        .env_remove("JUMEAU_OTP")
        .env_remove("JUMEAU_SECURITY")
        .env_remove("JUMEAU_SOURCE_USER")
        .env_remove("JUMEAU_SOURCE_PASSWORD_FILE");
    command
}

/// Makes the store of `data_dir` with the test password for every account, unless there is
/// already something there (a test's own file, a lost store: the binary must say so itself).
/// Returns the password file.
pub fn set_up(data_dir: &Path) -> std::path::PathBuf {
    let password_file = data_dir.join("test-password");
    let store = data_dir.join("jumeau.sqlite");
    if !store.exists() && !jumeau_store::seeded_marker(&store).exists() {
        std::fs::create_dir_all(data_dir).unwrap();
        drop(jumeau_store::testing::set_passwords(&store, "setup").expect("store set up"));
    }
    if !password_file.exists() {
        std::fs::write(&password_file, jumeau_store::testing::PASSWORD).unwrap();
    }
    password_file
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
