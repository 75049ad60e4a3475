use super::*;
use crate::Locale;

/// The embedded files with one of them replaced.
fn with(file: &str, text: &str) -> Result<Plant, Vec<PlantError>> {
    let files: Vec<(&str, &str)> = EMBEDDED
        .iter()
        .map(|&(f, t)| if f == file { (f, text) } else { (f, t) })
        .collect();
    parse(&files, Vec::new())
}

/// The embedded text of `file` with `old` replaced by `new` (once, and it must be there).
fn edited(file: &str, old: &str, new: &str) -> String {
    let text = EMBEDDED.iter().find(|(f, _)| *f == file).unwrap().1;
    assert!(text.contains(old), "{file} has no `{old}`");
    text.replacen(old, new, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn only_error(result: Result<Plant, Vec<PlantError>>) -> PlantError {
    let errors = result.unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn the_embedded_plant_is_whole_and_consistent() {
    let plant = embedded();
    let md = &plant.md;
    assert!(md.check().is_empty());
    assert_eq!(md.units.len(), 6);
    assert_eq!(md.components.len(), 96);
    assert_eq!(md.tags.len(), 315);
    assert_eq!(md.parameters.len(), 201);
    assert!(md.alarms.len() > 500);
    assert_eq!(md.procedures.len(), crate::procedure::BUILT_IN.len());
    assert_eq!(plant.accounts.accounts.len(), 6);
    assert_eq!(default_user(), plant.accounts.default_user);
    // Both trains are described in full.
    for code in ["11MBA00", "12MBA00", "10MAA00"] {
        assert!(md.component(code).is_some(), "{code}");
    }
    let tg1 = md.unit("TG1").unwrap();
    assert_eq!(tg1.key_tags, ["11MBA00CS101", "11MKA10CE101"]);
}

#[test]
fn a_misspelt_field_is_reported_at_its_line() {
    let text = edited("components.toml", "alias = \"TG2\"", "alais = \"TG2\"");
    let e = only_error(with("components.toml", &text));
    assert_eq!(e.file, "components.toml");
    assert_eq!(e.line, line_of(&text, "alais = \"TG2\""), "{e}");
    assert!(e.problem.contains("alais"), "{e}");
}

#[test]
fn a_bad_number_in_a_csv_row_names_the_row_and_column() {
    let text = edited("parameters.csv", "2985,3015", "2985,30l5");
    let e = only_error(with("parameters.csv", &text));
    assert_eq!(e.line, line_of(&text, "30l5"), "{e}");
    assert!(e.problem.contains("column 11"), "{e}");
}

#[test]
fn a_tag_on_an_unknown_component_is_reported_at_its_row() {
    let text = edited("tags.csv", "11MBA00CS101,11MBA00,", "11MBA00CS101,11MBA99,");
    let errors = with("tags.csv", &text).unwrap_err();
    let e = errors
        .iter()
        .find(|e| e.problem.contains("unknown component `11MBA99`"))
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert_eq!((e.file.as_str(), e.line), ("tags.csv", 2), "{e}");
}

#[test]
fn a_wrong_unit_and_disordered_limits_point_at_the_parameter() {
    let text = edited(
        "parameters.csv",
        "11MBA00,speed,Vitesse,Speed,speed,rpm,,,,2985,3015,3090,3210",
        "11MBA00,speed,Vitesse,Speed,speed,bar,,,,2985,3015,3290,3210",
    );
    let errors = with("parameters.csv", &text).unwrap_err();
    let line = line_of(&text, "11MBA00,speed,");
    assert!(
        errors
            .iter()
            .any(|e| e.line == line && e.problem.contains("unit `bar`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.line == line && e.problem.contains("H (3290) must be below HH (3210)")),
        "{errors:#?}"
    );
}

#[test]
fn a_duplicate_alarm_is_reported_at_its_second_appearance() {
    let text = edited(
        "alarms.toml",
        "code = \"11MBA00CS101-HH\"",
        "code = \"11MBA00CS101-H\"",
    );
    let e = only_error(with("alarms.toml", &text));
    // The second [[alarm]] header is the duplicate's.
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "[[alarm]]")
        .nth(1);
    assert_eq!(e.line, second.unwrap().0 + 1, "{e}");
    assert!(e.problem.contains("duplicate alarm"), "{e}");
}

#[test]
fn a_unit_key_tag_must_exist_and_a_component_needs_a_unit() {
    let text = edited("units.toml", "\"11MKA10CE101\"", "\"11MKA10CE999\"");
    let e = only_error(with("units.toml", &text));
    assert_eq!(e.file, "units.toml");
    assert_eq!(e.line, line_of(&text, "[[unit]]"), "{e}");
    assert!(e.problem.contains("11MKA10CE999"), "{e}");

    let text = edited("units.toml", "code = \"BOP\"", "code = \"COMMUN\"");
    let errors = with("units.toml", &text).unwrap_err();
    assert!(
        errors
            .iter()
            .all(|e| e.file == "components.toml" && e.problem.contains("unit `BOP`")),
        "{errors:#?}"
    );
}

#[test]
fn the_seed_accounts_keep_the_four_eyes_rule() {
    let text = edited(
        "accounts.toml",
        "seed_validator = \"m.lefebvre\"",
        "seed_validator = \"j.martin\"",
    );
    let e = only_error(with("accounts.toml", &text));
    assert_eq!(e.line, line_of(&text, "seed_validator"), "{e}");
    assert!(e.problem.contains("must be an engineer"), "{e}");

    let text = edited(
        "accounts.toml",
        "seed_validator = \"m.lefebvre\"",
        "seed_validator = \"c.bernard\"",
    );
    let e = only_error(with("accounts.toml", &text));
    assert!(e.problem.contains("four-eyes"), "{e}");
}

#[test]
fn a_missing_file_and_broken_toml_are_errors_not_panics() {
    let files: Vec<(&str, &str)> = EMBEDDED
        .iter()
        .copied()
        .filter(|(f, _)| *f != "circuits.toml")
        .collect();
    let errors = parse(&files, Vec::new()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.file == "circuits.toml" && e.problem == "file missing"),
        "{errors:#?}"
    );

    let text = edited("documents.toml", "[[document]]", "[[document]");
    let e = only_error(with("documents.toml", &text));
    assert_eq!(e.line, line_of(&text, "[[document]"), "{e}");
}

#[test]
fn a_measurement_needs_its_range_and_a_state_its_texts() {
    let text = edited(
        "tags.csv",
        "11MBA00CS101,11MBA00,speed,speed,rpm,0,4000,",
        "11MBA00CS101,11MBA00,speed,speed,rpm,4000,0,",
    );
    let e = only_error(with("tags.csv", &text));
    assert_eq!((e.file.as_str(), e.line), ("tags.csv", 2), "{e}");
    assert!(e.problem.contains("low must be below high"), "{e}");

    let text = edited("tags.csv", ",Déclenché,Normal,Tripped,Normal", ",,,,");
    let e = only_error(with("tags.csv", &text));
    assert_eq!(e.line, line_of(&text, "11MBA00CE901,"), "{e}");
    assert!(e.problem.contains("true_fr and false_fr"), "{e}");
    let plant = embedded();
    let trip = plant
        .md
        .tags
        .iter()
        .find(|t| t.name == "11MBA00CE901")
        .unwrap();
    assert_eq!(trip.state_text(true, Locale::En), Some("Tripped"));
    assert_eq!(trip.state_text(false, Locale::Fr), Some("Normal"));
}

#[test]
fn a_control_character_in_a_name_is_reported() {
    let text = edited(
        "components.toml",
        "name_fr = \"Turbine à gaz 1\"",
        "name_fr = \"Turbine \\u001b[2J\"",
    );
    let e = only_error(with("components.toml", &text));
    assert!(e.problem.contains("control character"), "{e}");
}
