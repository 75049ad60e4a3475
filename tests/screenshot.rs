//! Real frames: the client renders under Xvfb + lavapipe and writes PNGs that show the plant,
//! with the selected component highlighted where the camera looks.

mod common;
use common::*;
use image::RgbImage;
use std::path::Path;

const W: u32 = 1280;
const H: u32 = 720;

fn screenshot(data_dir: &Path, view: &str) -> RgbImage {
    screenshot_with(data_dir, view, &[])
}

fn screenshot_with(data_dir: &Path, view: &str, extra: &[&str]) -> RgbImage {
    let mut args = vec!["--view", view];
    args.extend_from_slice(extra);
    capture(data_dir, view, &args)
}

/// `jumeau screenshot` at W×H with `args`, written to `NAME.png` in the data directory.
fn capture(data_dir: &Path, name: &str, args: &[&str]) -> RgbImage {
    let out = data_dir.join(format!("{name}.png"));
    let size = format!("{W}x{H}");
    let mut all = vec![
        "screenshot",
        "--size",
        &size,
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    ok(data_dir, &all);
    let img = image::open(&out).expect("a PNG").to_rgb8();
    assert_eq!(img.dimensions(), (W, H));
    img
}

/// The selection tint: cyan, a hue the grey plant and the dark UI never use.
fn is_selection_tint(p: &image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0.map(i32::from);
    b > 150 && b - r > 60 && g - r > 30
}

struct Region {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

fn count(img: &RgbImage, r: &Region, f: impl Fn(&image::Rgb<u8>) -> bool) -> (usize, usize) {
    let mut hits = 0;
    let mut total = 0;
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            total += 1;
            if f(img.get_pixel(x, y)) {
                hits += 1;
            }
        }
    }
    (hits, total)
}

/// The middle of the 3D view when a component is selected (between the list and the card):
/// where the camera puts the selected component.
fn view_centre() -> Region {
    let (cx, cy) = ((340 + 790) / 2, (40 + H) / 2);
    Region {
        x0: cx - 110,
        y0: cy - 110,
        x1: cx + 110,
        y1: cy + 110,
    }
}

fn luminance_spread(img: &RgbImage, r: &Region) -> (usize, f64) {
    let mut distinct = std::collections::HashSet::new();
    let mut values = Vec::new();
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            let p = img.get_pixel(x, y);
            distinct.insert(p.0);
            values.push(0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64);
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (distinct.len(), var.sqrt())
}

/// A unit preset (keys 1–5): the unit fills the middle of the view, highlighted, on a real
/// render with depth (not a flat fill).
fn assert_unit_preset(view: &str) {
    let dir = tempfile::tempdir().unwrap();
    let img = screenshot(dir.path(), view);
    let view_rect = Region {
        x0: 340,
        y0: 50,
        x1: 790,
        y1: H,
    };
    let (distinct, spread) = luminance_spread(&img, &view_rect);
    assert!(
        distinct > 200 && spread > 12.0,
        "{view}: blank render: {distinct} colours, σ {spread}"
    );
    let (lit, total) = count(&img, &view_centre(), is_selection_tint);
    assert!(
        lit * 100 > total * 10,
        "{view}: the selected unit should fill the centre in the selection colour: {lit}/{total}"
    );
}

#[test]
fn tg1_view_shows_tg1_highlighted_at_the_centre_of_a_real_render() {
    assert_unit_preset("TG1");
}

#[test]
fn the_tg2_preset_shows_tg2_where_the_camera_looks() {
    assert_unit_preset("TG2");
}

#[test]
fn the_cr1_preset_shows_cr1_where_the_camera_looks() {
    assert_unit_preset("CR1");
}

#[test]
fn the_cr2_preset_shows_cr2_where_the_camera_looks() {
    assert_unit_preset("CR2");
}

#[test]
fn the_tv_preset_shows_the_steam_turbine_where_the_camera_looks() {
    assert_unit_preset("TV");
}

/// A mouse click through Bevy's picking on the pump (the capture fails if the click selects
/// anything else): the pump is highlighted where the camera flew and its card is open.
#[test]
fn clicking_a_pump_selects_it_and_opens_its_card() {
    let dir = tempfile::tempdir().unwrap();
    let img = screenshot_with(dir.path(), "CR2", &["--click", "CR2-PA1"]);
    let (lit, total) = count(&img, &view_centre(), is_selection_tint);
    assert!(
        lit * 100 > total * 10,
        "the clicked pump should be highlighted at the centre: {lit}/{total}"
    );
    // The card: the dark panel right of the view, with text on it.
    let card = Region {
        x0: 820,
        y0: 60,
        x1: W,
        y1: 400,
    };
    let (distinct, _) = luminance_spread(&img, &card);
    assert!(distinct > 20, "no card drawn: {distinct} colours");
}

#[test]
fn overview_shows_the_plant_in_grey_with_nothing_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let img = screenshot(dir.path(), "overview");
    let view = Region {
        x0: 340,
        y0: 50,
        x1: W,
        y1: H,
    };
    let (distinct, spread) = luminance_spread(&img, &view);
    assert!(
        distinct > 200 && spread > 12.0,
        "blank render: {distinct} colours, σ {spread}"
    );
    let (lit, _) = count(&img, &view, is_selection_tint);
    assert!(lit < 50, "{lit} highlighted pixels with nothing selected");
    // ISA-101: the plant itself is drawn in greys only.
    let (coloured, total) = count(&img, &view, |p| {
        let [r, g, b] = p.0.map(i32::from);
        r.max(g).max(b) - r.min(g).min(b) > 40
    });
    assert!(
        coloured * 1000 < total,
        "{coloured} saturated pixels in the overview"
    );
}

/// Alarm colours (ISA-101): yellow (medium), orange (high), red (critical); never grey.
fn is_alarm_colour(p: &image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0.map(i32::from);
    r > 150 && r - b > 100 && g > 40
}

/// A frame of the feedwater-pump bearing fault (`tests/fixtures/fast-pump-vibration.toml` at
/// ×60), taken once the drive-end vibration alarm shows, everything acknowledged.
fn pump_fault_screenshot(data_dir: &Path, name: &str, extra: &[&str]) -> RgbImage {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fast-pump-vibration.toml"
    );
    let mut args = vec![
        "--scenario",
        fixture,
        "--speed",
        "60",
        "--wait-alarm",
        "11LAC10CY111-H",
        "--acknowledge",
    ];
    args.extend_from_slice(extra);
    capture(data_dir, name, &args)
}

#[test]
fn an_alarmed_pump_turns_its_priority_colour_and_the_acknowledgement_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    let img = pump_fault_screenshot(dir.path(), "alarm", &["--view", "CR1-PA1"]);
    // The pump fills the centre of the 3D view in its alarm colour, not the selection tint.
    let centre = view_centre();
    let (alarmed, total) = count(&img, &centre, is_alarm_colour);
    assert!(
        alarmed * 100 > total * 10,
        "the alarmed pump should show its priority colour: {alarmed}/{total} pixels"
    );
    let (tinted, _) = count(&img, &centre, is_selection_tint);
    assert!(tinted * 100 < total, "{tinted} selection-tinted pixels");

    // The transitions are journalled and signed into the logbook, as training entries.
    let entries = json(dir.path(), &["logbook", "list", "--json"]);
    let texts: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["category"] == "alarm")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Alarme apparue : 11LAC10CY111-H")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Alarme acquittée : 11LAC10CY111-H")),
        "{texts:?}"
    );
    let verify = jumeau(dir.path(), &["logbook", "verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    let kpi = json(dir.path(), &["alarms", "kpi", "--json"]);
    assert!(kpi["alarms"].as_u64().unwrap() >= 1, "{kpi}");
    assert!(
        kpi["top10"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["code"] == "11LAC10CY111-H"),
        "{kpi}"
    );
}

#[test]
fn the_pid_shows_the_alarmed_pump_in_its_priority_colour() {
    let dir = tempfile::tempdir().unwrap();
    let img = pump_fault_screenshot(dir.path(), "pid", &["--pid", "ALI1"]);
    // The feedwater P&ID window (top left of the 3D view): symbols and lines drawn, the pump
    // filled with its alarm colour; in the overview behind it, the plant stays grey.
    let pid = Region {
        x0: 340,
        y0: 110,
        x1: 1200,
        y1: 360,
    };
    let (distinct, spread) = luminance_spread(&img, &pid);
    assert!(
        distinct > 50 && spread > 8.0,
        "empty P&ID: {distinct} colours, σ {spread}"
    );
    let (alarmed, _) = count(&img, &pid, is_alarm_colour);
    assert!(
        alarmed > 300,
        "the pump symbol should be filled in its alarm colour: {alarmed} px"
    );
    let below = Region {
        x0: 340,
        y0: 420,
        x1: W,
        y1: H - 90,
    };
    let (coloured, total) = count(&img, &below, is_alarm_colour);
    assert!(
        coloured * 1000 < total,
        "{coloured} alarm-coloured pixels in the grey overview"
    );
}

#[test]
fn the_procedure_panel_starts_a_run_recorded_in_the_store_and_the_logbook() {
    let dir = tempfile::tempdir().unwrap();
    let img = capture(
        dir.path(),
        "procedure",
        &[
            "--scenario",
            "tg1-trip",
            "--speed",
            "10",
            "--procedure",
            "tg1-trip-response",
            "--frames",
            "30",
        ],
    );
    // The panel is drawn over the 3D view (top left of it) and is not blank.
    let panel = Region {
        x0: 370,
        y0: 90,
        x1: 1000,
        y1: 380,
    };
    let (distinct, spread) = luminance_spread(&img, &panel);
    assert!(
        distinct > 30 && spread > 8.0,
        "empty panel: {distinct} colours, σ {spread}"
    );
    // The run was started by the session's user and recorded in the store and the logbook.
    let entries = json(
        dir.path(),
        &["logbook", "list", "--category", "procedure", "--json"],
    );
    let started = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["text"].as_str().unwrap().starts_with(
                "Procédure « tg1-trip-response » v1.0 : démarrée par j.martin (operator)",
            )
        })
        .unwrap_or_else(|| panic!("no start entry in {entries}"));
    assert_eq!(started["training"], true);
}

#[test]
fn an_idle_client_locks_its_screen_and_shows_nothing_of_the_plant() {
    let dir = tempfile::tempdir().unwrap();
    let img = capture(
        dir.path(),
        "locked",
        &["--view", "TG1", "--lock-after", "1ms"],
    );
    // One flat colour but for the few words of the lock panel: no plant, no windows.
    let backdrop = *img.get_pixel(5, 5);
    let flat = img.pixels().filter(|p| **p == backdrop).count();
    let share = flat as f64 / (W * H) as f64;
    assert!(
        share > 0.97,
        "{:.1} % of the screen is the lock's backdrop",
        share * 100.0
    );
    assert!(
        backdrop.0.iter().all(|c| *c < 40),
        "a dark backdrop: {backdrop:?}"
    );
}
