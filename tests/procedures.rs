//! `jumeau procedures` on the real binary: the plant's procedures against the simulator, and
//! bad procedure files refused with file, line and reason.

mod common;

use common::{json, json_lines, jumeau, stderr, stdout};

#[test]
fn the_plant_procedures_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let list = json(dir.path(), &["procedures", "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "add-tg2",
            "cc-start",
            "gt-cold-start",
            "gt-hot-start",
            "normal-shutdown",
            "tg1-alone",
            "tg1-trip-response"
        ]
    );
}

#[test]
fn combined_cycle_start_passes_every_check_in_order_on_the_cold_start_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = jumeau(
        dir.path(),
        &[
            "--user",
            "s.moreau",
            "procedures",
            "run",
            "cc-start",
            "--sim",
            "cold-start",
            "--speed",
            "0",
            "--confirm-manual-as",
            "trainer",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let events = json_lines(&stdout(&out));
    let at = |step: &str, outcome: &str| {
        events
            .iter()
            .find(|e| e["step"] == step && e["outcome"] == outcome)
            .unwrap_or_else(|| panic!("no {outcome} for {step} in {events:?}"))
    };
    let t = |step: &str| at(step, "passed")["t_s"].as_u64().unwrap();
    // The GT sequence in its order, and each check passed for the right reason.
    assert!(t("purge") < t("ignition") && t("ignition") < t("fsnl") && t("fsnl") < t("sync"));
    let purge = at("purge", "passed")["values"]["11MBA00CS101"]
        .as_f64()
        .unwrap();
    assert!(
        (700.0..800.0).contains(&purge),
        "purged at purge speed, not later: {purge}"
    );
    assert_eq!(at("ignition", "passed")["values"]["11MBM10CX101"], 1.0);
    assert!(
        at("sync", "passed")["values"]["11MKA10CE101"]
            .as_f64()
            .unwrap()
            >= 30.0
    );
    // The water-steam side, then the steam turbine once the steam matches.
    let order = [
        "hp-pressure",
        "steam-matching",
        "roll",
        "soak",
        "st-speed",
        "st-sync",
        "bypass-closed",
    ];
    let times: Vec<u64> = order.iter().map(|s| t(s)).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{order:?} at {times:?}"
    );
    assert!(t("sync") < t("hp-pressure"));
    assert!(
        at("soak", "passed")["values"]["10MAA10CT102"]
            .as_f64()
            .unwrap()
            >= 250.0
    );
    assert_eq!(at("st-sync", "passed")["values"]["10MKA10CE110"], 1.0);
    // Who did what: the trainer confirmed, entered, answered and released.
    let entered = at("bypass-check", "value_entered");
    assert_eq!(
        (&entered["user"], &entered["role"]),
        (&"s.moreau".into(), &"trainer".into())
    );
    assert_eq!(at("authorise", "released")["role"], "trainer");
    assert_eq!(events.last().unwrap()["outcome"], "completed");
    // The run is recorded in the store and in the logbook as training entries.
    let entries = json(
        dir.path(),
        &["logbook", "list", "--category", "procedure", "--json"],
    );
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), events.len());
    assert!(entries.iter().all(|e| e["training"] == true));
    assert!(
        entries.iter().any(|e| e["text"]
            .as_str()
            .unwrap()
            .contains("étape sync : condition automatique satisfaite")),
        "{entries:?}"
    );
    // The whole start within the reference's 240–360 min for a cold block's first train.
    assert!(t("bypass-closed") < 3 * 3600, "{}", t("bypass-closed"));
}

#[test]
fn the_other_plant_procedures_complete_on_their_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    for (procedure, scenario) in [
        ("gt-hot-start", "hot-start"),
        ("add-tg2", "add-tg2"),
        ("tg1-alone", "tg1-alone"),
        ("tg1-trip-response", "tg1-trip"),
    ] {
        let out = jumeau(
            dir.path(),
            &[
                "procedures",
                "run",
                procedure,
                "--sim",
                scenario,
                "--speed",
                "0",
                "--confirm-manual-as",
                "operator",
                "--json",
            ],
        );
        assert!(out.status.success(), "{procedure}: {}", stdout(&out));
        let events = json_lines(&stdout(&out));
        assert_eq!(
            events.last().unwrap()["outcome"],
            "completed",
            "{procedure}"
        );
        assert!(
            !events.iter().any(|e| e["outcome"] == "skipped"),
            "{procedure}: nothing skipped"
        );
    }
}

#[test]
fn a_condition_that_never_comes_true_waits_and_is_flagged_overdue() {
    let dir = tempfile::tempdir().unwrap();
    // No trip in the dispatch scenario: the response procedure waits at its first step.
    let out = jumeau(
        dir.path(),
        &[
            "procedures",
            "run",
            "tg1-trip-response",
            "--sim",
            "dispatch",
            "--speed",
            "0",
            "--for",
            "40m",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let events = json_lines(&stdout(&out));
    let overdue: Vec<_> = events
        .iter()
        .filter(|e| e["outcome"] == "overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{events:?}");
    assert_eq!(overdue[0]["step"], "trip-confirmed");
    let last = events.last().unwrap();
    assert_eq!(last["outcome"], "waiting");
    assert_eq!(last["steps"][0], "trip-confirmed");
}

#[test]
fn a_revised_procedure_goes_through_a_change_set() {
    let dir = tempfile::tempdir().unwrap();
    let revised = include_str!("../assets/procedures/gt-cold-start.toml")
        .replace("version = \"1.0\"", "version = \"1.1\"");
    let file = dir.path().join("gt-cold-start.toml");
    std::fs::write(&file, revised).unwrap();
    let file = file.to_str().unwrap();
    let out = jumeau(
        dir.path(),
        &[
            "--user",
            "c.bernard",
            "procedures",
            "propose",
            file,
            "--title",
            "v1.1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches('#')
        .to_owned();
    let version = |dir: &std::path::Path| {
        json(dir, &["procedures", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "gt-cold-start")
            .unwrap()["version"]
            .clone()
    };
    assert_eq!(version(dir.path()), "1.0", "not before validation");
    let own = jumeau(
        dir.path(),
        &["--user", "c.bernard", "changesets", "validate", &id],
    );
    assert!(!own.status.success(), "four-eyes rule");
    let ok = jumeau(
        dir.path(),
        &["--user", "m.lefebvre", "changesets", "validate", &id],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(version(dir.path()), "1.1");
}

#[test]
fn bad_procedure_files_are_refused_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let good = include_str!("../assets/procedures/gt-cold-start.toml");
    let check = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = jumeau(dir.path(), &["procedures", "check", path.to_str().unwrap()]);
        (out.status.success(), stdout(&out), stderr(&out), path)
    };
    let (ok, out, _, _) = check("good.toml", good);
    assert!(ok && out.contains("ok — gt-cold-start"), "{out}");
    for (name, text, expected) in [
        (
            "tag.toml",
            good.replace("TG1.speed >= 700 rpm", "TG1.vitesse >= 700 rpm"),
            "has no signal `vitesse`",
        ),
        (
            "unit.toml",
            good.replace("TG1.speed >= 700 rpm", "TG1.speed >= 700 °C"),
            "unit `°C` does not match 11MBA00CS101",
        ),
        (
            "missing.toml",
            good.replace(
                "component = \"TG1-ALT\"",
                "component = \"TG1-ALT\"\nnext = \"nowhere\"",
            ),
            "refers to missing step `nowhere`",
        ),
        (
            "cycle.toml",
            good.replace(
                "component = \"TG1-ALT\"",
                "component = \"TG1-ALT\"\nnext = \"purge\"",
            ),
            "cycle",
        ),
    ] {
        let (ok, _, err, path) = check(name, &text);
        assert!(!ok, "{name} accepted");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            err.contains(&format!("{}:", path.display())),
            "{name}: the file is named: {err}"
        );
    }
}
