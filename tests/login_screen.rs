//! The client's login screen, driven as a person would use it: real frames under Xvfb, the
//! password typed into the screen's form, the store's audit trail and logbook read afterwards.

mod common;
use common::*;
use image::RgbImage;
use std::path::Path;

const W: u32 = 1280;
const H: u32 = 720;

/// `jumeau screenshot --login-screen` at W×H as `--user login`, `extra` before it.
fn login_screen(data_dir: &Path, name: &str, global: &[&str], extra: &[&str]) -> RgbImage {
    let out = data_dir.join(format!("{name}.png"));
    let size = format!("{W}x{H}");
    let mut args = global.to_vec();
    args.extend([
        "screenshot",
        "--login-screen",
        "--size",
        &size,
        "--out",
        out.to_str().unwrap(),
    ]);
    args.extend_from_slice(extra);
    let o = bare(data_dir, &args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let img = image::open(&out).expect("a PNG").to_rgb8();
    assert_eq!(img.dimensions(), (W, H));
    img
}

/// Share of the screen in the login screen's two flat colours (backdrop and card): the rest
/// is the card's few words and fields.
fn flat_share(img: &RgbImage) -> f64 {
    let backdrop = *img.get_pixel(3, 3);
    // Inside the card's margin, left of its fields (the card is centred, 436 px wide).
    let card = *img.get_pixel(W / 2 - 210, H / 2);
    let flat = img
        .pixels()
        .filter(|p| **p == backdrop || **p == card)
        .count();
    flat as f64 / (W * H) as f64
}

/// Pixels in the plant's selection tint (see tests/screenshot.rs), outside the middle third of
/// the screen where the login card's blue buttons are.
fn tinted(img: &RgbImage) -> usize {
    img.enumerate_pixels()
        .filter(|(x, _, p)| {
            let [r, g, b] = p.0.map(i32::from);
            (*x < W / 3 || *x > 2 * W / 3) && b > 150 && b - r > 60 && g - r > 30
        })
        .count()
}

fn audit(data_dir: &Path, action: &str, actor: &str) -> Vec<serde_json::Value> {
    let rows = json(
        data_dir,
        &[
            "--user", "l.petit", "audit", "list", "--actor", actor, "--action", action, "--json",
        ],
    );
    rows.as_array().unwrap().clone()
}

/// The logbook's session openings and closings.
fn session_entries(data_dir: &Path) -> Vec<serde_json::Value> {
    let entries = json(data_dir, &["logbook", "list", "--json"]);
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["category"].as_str(), Some("login" | "logout")))
        .cloned()
        .collect()
}

#[test]
fn the_login_screen_asks_first_and_shows_nothing_of_the_plant() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    // No password anywhere: the client opens on its screen, the runtime not started.
    let img = login_screen(dir.path(), "login", &[], &["--view", "TG1"]);
    let share = flat_share(&img);
    assert!(share > 0.9, "{:.1} % of the screen is flat", share * 100.0);
    assert_eq!(tinted(&img), 0, "no selected component behind the screen");
    assert!(
        img.get_pixel(3, 3).0.iter().all(|c| *c < 30),
        "a dark backdrop"
    );
    assert!(
        session_entries(dir.path()).is_empty(),
        "nobody logged in, no session opened"
    );
}

#[test]
fn a_wrong_password_typed_on_the_screen_is_refused_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "pas le bon mot de passe\n").unwrap();
    let img = login_screen(
        dir.path(),
        "refused",
        &[
            "--user",
            "j.martin",
            "--password-file",
            wrong.to_str().unwrap(),
        ],
        &[],
    );
    assert!(flat_share(&img) > 0.9, "still the login screen");
    assert_eq!(tinted(&img), 0);
    let failures = audit(dir.path(), "login_failed", "j.martin");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(session_entries(dir.path()).is_empty());
}

#[test]
fn the_right_password_typed_on_the_screen_opens_the_plant_for_that_person() {
    let dir = tempfile::tempdir().unwrap();
    let password = set_up(dir.path());
    let logins_before = audit(dir.path(), "login", "a.durand").len();
    let img = login_screen(
        dir.path(),
        "opened",
        &[
            "--user",
            "a.durand",
            "--password-file",
            password.to_str().unwrap(),
        ],
        &["--view", "CR1"],
    );
    assert!(
        tinted(&img) > 2_000,
        "CR1 selected in the 3D view after the login ({} tinted pixels)",
        tinted(&img)
    );
    let entries = session_entries(dir.path());
    let texts: Vec<&str> = entries
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Ouverture de session de Amandine Durand")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Fermeture de session de Amandine Durand")),
        "{texts:?}"
    );
    assert_eq!(
        audit(dir.path(), "login", "a.durand").len(),
        logins_before + 1,
        "the screen's login is audited"
    );
}

#[test]
fn a_first_login_on_the_screen_sets_the_persons_own_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A new site: the first start prints each account's one-time password, once.
    let first = bare(d, &["db", "migrate"]).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let once = stderr(&first)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("a.durand")
                .map(|p| p.trim().to_owned())
        })
        .expect("a.durand's one-time password is shown");
    let once_file = d.join("once");
    std::fs::write(&once_file, format!("{once}\n")).unwrap();
    let short = d.join("short");
    std::fs::write(&short, "court\n").unwrap();
    let own = d.join("own");
    std::fs::write(&own, "un mot de passe de terrain\n").unwrap();
    let as_durand = [
        "--user",
        "a.durand",
        "--password-file",
        once_file.to_str().unwrap(),
    ];

    // Too short: refused, the screen still asks (and the one-time password still works).
    let img = login_screen(
        d,
        "short",
        &as_durand,
        &["--new-password-file", short.to_str().unwrap()],
    );
    assert_eq!(tinted(&img), 0, "no plant for a refused new password");

    let img = login_screen(
        d,
        "first",
        &as_durand,
        &[
            "--new-password-file",
            own.to_str().unwrap(),
            "--view",
            "CR1",
        ],
    );
    assert!(
        tinted(&img) > 2_000,
        "the plant opens once the password is set"
    );

    // The own password works now, the one-time one no more.
    let with = |file: &Path| {
        bare(
            d,
            &[
                "--user",
                "a.durand",
                "--password-file",
                file.to_str().unwrap(),
                "login",
            ],
        )
        .output()
        .unwrap()
    };
    let o = with(&own);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with(&once_file);
    assert!(!o.status.success(), "the one-time password still works");
    assert!(
        stderr(&o).contains("wrong login or password"),
        "{}",
        stderr(&o)
    );
}
