//! Procedure files and the runner.

use super::*;
use crate::plant;

fn md() -> MasterData {
    plant::embedded().md
}

const MINI: &str = r#"
name = "mini"
version = "1"
title_fr = "Essai"
title_en = "Test"
applicability = "essai"
author = "c.bernard"
approver = "m.lefebvre"

[[step]]
id = "read"
kind = "instruction"
text_fr = "Lire"

[[step]]
id = "speed"
kind = "condition"
when = ["TG1.speed >= 2950 rpm"]
hold_s = 10
text_fr = "Vitesse"

[[step]]
id = "both"
kind = "parallel"
branches = [["gas"], ["hold"]]
text_fr = "En parallèle"

[[step]]
id = "gas"
kind = "manual_check"
value = { name = "P gaz", unit = "barg", min = 20, max = 30 }
text_fr = "Gaz"

[[step]]
id = "hold"
kind = "hold"
role = "engineer"
text_fr = "Ingénieur"

[[step]]
id = "wait"
kind = "wait"
seconds = 60
text_fr = "Attendre"
"#;

#[test]
fn every_built_in_procedure_loads() {
    let md = md();
    assert_eq!(
        md.procedures.len(),
        BUILT_IN.len(),
        "the seed carries them all"
    );
    for (source, (name, _)) in md.procedures.iter().zip(BUILT_IN) {
        let p = source.load(&md).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.procedure.name, name);
        assert!(p.procedure.steps.len() >= 4);
    }
}

#[test]
fn bad_files_are_refused_with_file_line_and_reason() {
    let md = md();
    let refused = |text: &str| load("bad.toml", text, &md).unwrap_err();
    let e = refused(&MINI.replace("TG1.speed >= 2950 rpm", "TG1.sped >= 2950 rpm"));
    assert!(e.problem.contains("has no signal `sped`"), "{e}");
    assert_eq!(e.line, 16, "the step's id line: {e}");
    let e = refused(&MINI.replace("TG1.speed >= 2950 rpm", "TG1-BHP.pressure >= 40 °C"));
    assert!(e.problem.contains("unknown component"), "{e}");
    let e = refused(&MINI.replace("TG1.speed >= 2950 rpm", "CR1-BHP.pressure >= 40 °C"));
    assert!(e.problem.contains("unit `°C` does not match"), "{e}");
    let e = refused(&MINI.replace(r#"["gas"], ["hold"]"#, r#"["gas"], ["nope"]"#));
    assert!(e.problem.contains("missing step `nope`"), "{e}");
    let e = refused(&format!("{MINI}next = \"read\"\n"));
    assert!(e.problem.contains("cycle"), "{e}");
    let e = refused(&MINI.replace("hold_s = 10", "hold_s = \"ten\""));
    assert!(e.line > 0 && e.to_string().starts_with("bad.toml:"), "{e}");
    let e = refused(&MINI.replace(r#"id = "wait""#, r#"id = "read""#));
    assert!(e.problem.contains("used twice"), "{e}");
}

#[test]
fn a_run_goes_through_conditions_branches_roles_and_waits() {
    let md = md();
    let p = load("mini.toml", MINI, &md).unwrap();
    let mut run = Run::start(&p, "j.martin", Role::Operator, 0, false);
    assert_eq!(run.current(&p), ["read"]);
    run.act(
        &p,
        "read",
        Action::Confirm,
        "j.martin",
        Role::Operator,
        1_000,
    )
    .unwrap();
    // The condition must hold 10 s on fresh values; an interruption restarts the hold.
    let speed = |v: f64| move |tag: &str| (tag == "11MBA00CS101").then_some(v);
    assert!(run.tick(&p, 2_000, &speed(2_960.0)).is_empty());
    assert!(run.tick(&p, 8_000, &speed(2_900.0)).is_empty());
    assert!(run.tick(&p, 9_000, &speed(2_990.0)).is_empty());
    assert!(
        run.tick(&p, 15_000, &|_: &str| None).is_empty(),
        "stale: no pass"
    );
    run.tick(&p, 16_000, &speed(2_990.0));
    let ev = run.tick(&p, 26_000, &speed(2_995.0));
    assert_eq!(ev[0].outcome, Outcome::Passed);
    assert_eq!(ev[0].values, [("11MBA00CS101".to_owned(), 2_995.0)]);
    assert_eq!(run.current(&p), ["gas", "hold"]);
    // Values outside their limits and the wrong role are refused.
    assert!(
        run.act(
            &p,
            "gas",
            Action::Enter(35.0),
            "a.durand",
            Role::Field,
            27_000
        )
        .is_err()
    );
    run.act(
        &p,
        "gas",
        Action::Enter(24.5),
        "a.durand",
        Role::Field,
        27_000,
    )
    .unwrap();
    let e = run.act(
        &p,
        "hold",
        Action::Release,
        "j.martin",
        Role::Operator,
        28_000,
    );
    assert!(e.unwrap_err().contains("released by a engineer"), "role");
    assert!(
        run.act(
            &p,
            "hold",
            Action::Skip { reason: " ".into() },
            "j.martin",
            Role::Operator,
            28_000
        )
        .is_err()
    );
    run.act(
        &p,
        "hold",
        Action::Release,
        "m.lefebvre",
        Role::Engineer,
        29_000,
    )
    .unwrap();
    assert_eq!(run.current(&p), ["wait"]);
    assert!(run.tick(&p, 60_000, &|_: &str| None).is_empty());
    let ev = run.tick(&p, 89_000, &|_: &str| None);
    let outcomes: Vec<Outcome> = ev.iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, [Outcome::Waited, Outcome::Completed]);
    assert_eq!(run.status, RunStatus::Completed);
    // The record says who did what.
    let entered = run
        .events
        .iter()
        .find(|e| e.outcome == Outcome::ValueEntered)
        .unwrap();
    assert_eq!(
        (entered.user.as_deref(), entered.role),
        (Some("a.durand"), Some(Role::Field))
    );
    // A run survives serialisation (stored, then resumed).
    let json = serde_json::to_string(&run).unwrap();
    assert_eq!(serde_json::from_str::<Run>(&json).unwrap(), run);
}

#[test]
fn a_condition_that_never_comes_true_waits_and_goes_overdue_once() {
    let md = md();
    let p = load("mini.toml", MINI, &md).unwrap();
    let mut run = Run::start(&p, "j.martin", Role::Operator, 0, false);
    run.act(&p, "read", Action::Confirm, "j.martin", Role::Operator, 0)
        .unwrap();
    let low = |tag: &str| (tag == "11MBA00CS101").then_some(750.0);
    let mut overdue = 0;
    for t in (0..4_000_000).step_by(10_000) {
        overdue += run
            .tick(&p, t, &low)
            .iter()
            .filter(|e| e.outcome == Outcome::Overdue)
            .count();
    }
    assert_eq!(overdue, 1);
    assert_eq!(run.current(&p), ["speed"]);
    assert!(run.active[0].overdue);
}

#[test]
fn unknown_keys_are_refused_with_their_name_and_line() {
    let md = md();
    let text = MINI.replace(
        "text_fr = \"Lire\"",
        "text_fr = \"Lire\"\ncolour = \"rouge\"",
    );
    let e = load("p.toml", &text, &md).unwrap_err();
    assert!(
        e.problem.contains("unknown key `colour` in step `read`"),
        "{e}"
    );
    assert_eq!(
        e.line,
        text.lines().position(|l| l.starts_with("colour")).unwrap() + 1
    );
    let text = format!("frobnicate = 1\n{MINI}");
    let e = load("p.toml", &text, &md).unwrap_err();
    assert!(
        e.problem
            .contains("unknown key `frobnicate` at the top level"),
        "{e}"
    );
    assert_eq!(e.line, 1);
    // A key of another kind of step is as wrong as a misspelt one.
    let text = MINI.replace("hold_s = 10", "hold_s = 10\nseconds = 5");
    let e = load("p.toml", &text, &md).unwrap_err();
    assert!(
        e.problem.contains("unknown key `seconds` in step `speed`"),
        "{e}"
    );
}

#[test]
fn a_procedure_that_could_never_finish_is_refused() {
    let md = md();
    for (from, to) in [
        ("TG1.speed >= 2950 rpm", "TG1.speed >= nan rpm"),
        ("TG1.speed >= 2950 rpm", "TG1.speed >= inf rpm"),
        ("hold_s = 10", "hold_s = inf"),
        ("hold_s = 10", "hold_s = 1e308"),
        ("min = 20, max = 30", "min = 20, max = inf"),
    ] {
        let text = MINI.replace(from, to);
        assert!(load("p.toml", &text, &md).is_err(), "{to}");
    }
    let wait = MINI.replace(
        "[[step]]\nid = \"read\"\nkind = \"instruction\"",
        "[[step]]\nid = \"read\"\nkind = \"wait\"\nseconds = 1e308",
    );
    let e = load("p.toml", &wait, &md).unwrap_err();
    assert!(e.problem.contains("seconds"), "{e}");
    assert!(load("p.toml", MINI, &md).is_ok());
}

/// 5,000 steps (a check once took 7.5 s, rebuilding a map per step): checked, and the flow's
/// successors are the file's order.
#[test]
fn a_long_procedure_is_checked_in_one_pass() {
    let md = md();
    let mut text = String::from(
        "name = \"long\"\nversion = \"1\"\ntitle_fr = \"Longue\"\ntitle_en = \"Long\"\n\
         applicability = \"essai\"\nauthor = \"c.bernard\"\napprover = \"m.lefebvre\"\n",
    );
    for i in 0..5_000 {
        text.push_str(&format!(
            "[[step]]\nid = \"s{i}\"\nkind = \"instruction\"\ntext_fr = \"Étape {i}\"\n"
        ));
    }
    let started = std::time::Instant::now();
    let p = load("long.toml", &text, &md).unwrap();
    eprintln!("5,000 steps checked in {:?}", started.elapsed());
    assert_eq!(p.next_of(0), Some(1));
    assert_eq!(p.next_of(4_998), Some(4_999));
    assert_eq!(p.next_of(4_999), None);
    assert_eq!(p.index_of("s2500"), Some(2_500));
}
