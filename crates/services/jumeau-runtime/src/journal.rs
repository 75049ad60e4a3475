//! The texts of the automatic logbook entries the runtime writes (session opened or closed,
//! the simulator's journal). Entries written inside a store transaction (alarm transitions,
//! change-set decisions, procedure outcomes) are worded by the store.

use jumeau_core::logbook::EntryDraft;

/// A session opened or closed by `user` (display name) on `device`.
pub fn session_entry(opened: bool, user: &str, device: &str) -> EntryDraft {
    let (category, verb) = if opened {
        ("login", "Ouverture")
    } else {
        ("logout", "Fermeture")
    };
    EntryDraft {
        kind: "automatic".into(),
        category: category.into(),
        text: format!("{verb} de session de {user} sur {device}"),
        ..EntryDraft::default()
    }
}

/// One line of the simulator's journal (scenario event, trainer command, protection trip),
/// flagged as training.
pub(crate) fn simulator_entry(scenario: &str, t_s: f64, what: &str) -> EntryDraft {
    EntryDraft {
        kind: "automatic".into(),
        category: "simulator".into(),
        text: format!(
            "Simulateur, scénario « {scenario} », t = {} : {what}",
            plant_time(t_s)
        ),
        training: true,
        ..EntryDraft::default()
    }
}

/// Simulated time as `1 h 02 min 05 s`.
fn plant_time(t_s: f64) -> String {
    let s = t_s.max(0.0) as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, s) => format!("{h} h {m:02} min {s:02} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulator_entries_are_training_with_plant_time() {
        let e = simulator_entry("tg1-trip", 3725.4, "TG1 déclenchée");
        assert!(e.training);
        assert_eq!(e.category, "simulator");
        assert_eq!(
            e.text,
            "Simulateur, scénario « tg1-trip », t = 1 h 02 min 05 s : TG1 déclenchée"
        );
        assert!(
            simulator_entry("s", 65.0, "x")
                .text
                .contains("t = 1 min 05 s")
        );
    }

    #[test]
    fn session_entries_name_user_and_device() {
        let e = session_entry(false, "Julien Martin", "poste-1");
        assert_eq!(e.category, "logout");
        assert_eq!(e.text, "Fermeture de session de Julien Martin sur poste-1");
        assert!(!e.training);
    }
}
