//! The one place automatic logbook entries are worded (French, the plant's language): session
//! opened or closed, the simulator's journal, alarm transitions, change-set decisions and
//! procedure outcomes. The runtime and the store only record what these return.

use super::{Category, EntryDraft, EntryKind};
use crate::alarm::{AlarmEvent, EventKind};
use crate::procedure::{Outcome, Run, RunEvent};

fn automatic(category: Category, text: String) -> EntryDraft {
    EntryDraft {
        kind: EntryKind::Automatic,
        category: category.as_str().to_owned(),
        text,
        ..EntryDraft::default()
    }
}

/// A session opened or closed by `user` (display name) on `device`.
pub fn session(opened: bool, user: &str, device: &str) -> EntryDraft {
    let (category, verb) = if opened {
        (Category::Login, "Ouverture")
    } else {
        (Category::Logout, "Fermeture")
    };
    automatic(
        category,
        format!("{verb} de session de {user} sur {device}"),
    )
}

/// One line of the simulator's journal (scenario event, trainer command, protection trip),
/// flagged as training.
pub fn simulator(scenario: &str, t_s: f64, what: &str) -> EntryDraft {
    EntryDraft {
        training: true,
        ..automatic(
            Category::Simulator,
            format!(
                "Simulateur, scénario « {scenario} », t = {} : {what}",
                plant_time(t_s)
            ),
        )
    }
}

/// One alarm transition (IEC 62682 alarm record).
pub fn alarm(e: &AlarmEvent, training: bool) -> EntryDraft {
    let what = match e.kind {
        EventKind::Raised => "Alarme apparue",
        EventKind::Cleared => "Alarme disparue",
        EventKind::Acknowledged => "Alarme acquittée",
        EventKind::Reset => "Alarme réarmée",
        EventKind::Shelved => "Alarme mise en attente",
        EventKind::Unshelved => "Fin de mise en attente",
        EventKind::ShelfExpired => "Mise en attente expirée",
        EventKind::Suppressed => "Alarme masquée par conception",
        EventKind::OutOfService => "Alarme hors service",
        EventKind::InService => "Alarme remise en service",
    };
    let mut text = format!("{what} : {} ({})", e.code, e.priority.as_str());
    if e.value.is_finite() {
        text.push_str(&format!(", valeur {}", round(e.value)));
    }
    if e.limit.is_finite() {
        text.push_str(&format!(", limite {}", round(e.limit)));
    }
    if let Some(n) = &e.note {
        text.push_str(&format!(" — {n}"));
    }
    EntryDraft {
        tags: vec!["IEC62682".into()],
        training,
        ..automatic(Category::Alarm, text)
    }
}

/// A decision (`verdict`: validé, rejeté) on change-set `id` of `changes` changes.
pub fn changeset(
    id: i64,
    verdict: &str,
    changes: usize,
    proposer: &str,
    note: Option<&str>,
) -> EntryDraft {
    let mut text = format!(
        "Jeu de modifications du référentiel #{id} {verdict} ({changes} modification(s), proposé par {proposer})"
    );
    if let Some(n) = note {
        text.push_str(&format!(" : {n}"));
    }
    EntryDraft {
        tags: vec!["ISO55000".into()],
        ..automatic(Category::Changeset, text)
    }
}

/// One entry per outcome of a procedure run.
pub fn procedure(run: &Run, events: &[RunEvent]) -> Vec<EntryDraft> {
    events
        .iter()
        .map(|e| {
            let what = match e.outcome {
                Outcome::Started => "démarrée",
                Outcome::Passed => "condition automatique satisfaite",
                Outcome::Confirmed => "étape confirmée",
                Outcome::ValueEntered => "valeur saisie",
                Outcome::Answered => "décision",
                Outcome::Released => "point d'arrêt levé",
                Outcome::Waited => "attente terminée",
                Outcome::Skipped => "étape sautée",
                Outcome::Overdue => "étape en retard",
                Outcome::Aborted => "abandonnée",
                Outcome::Completed => "terminée",
            };
            let mut text = format!("Procédure « {} » v{}", run.procedure, run.version);
            if let Some(step) = &e.step {
                text.push_str(&format!(", étape {step}"));
            }
            text.push_str(&format!(" : {what}"));
            if let (Some(u), Some(r)) = (&e.user, e.role) {
                text.push_str(&format!(" par {u} ({r})"));
            }
            for (tag, v) in &e.values {
                text.push_str(&format!(", {tag} = {}", round(*v)));
            }
            if let Some(n) = &e.note {
                text.push_str(&format!(" — {n}"));
            }
            EntryDraft {
                training: run.training,
                ..automatic(Category::Procedure, text)
            }
        })
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
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
        let e = simulator("tg1-trip", 3725.4, "TG1 déclenchée");
        assert!(e.training);
        assert_eq!(e.kind, EntryKind::Automatic);
        assert_eq!(e.category, "simulator");
        assert_eq!(
            e.text,
            "Simulateur, scénario « tg1-trip », t = 1 h 02 min 05 s : TG1 déclenchée"
        );
        assert!(simulator("s", 65.0, "x").text.contains("t = 1 min 05 s"));
    }

    #[test]
    fn session_entries_name_user_and_device() {
        let e = session(false, "Julien Martin", "poste-1");
        assert_eq!(e.category, "logout");
        assert_eq!(e.text, "Fermeture de session de Julien Martin sur poste-1");
        assert!(!e.training);
    }

    #[test]
    fn every_automatic_entry_passes_the_draft_check() {
        let drafts = [
            session(true, "u", "d"),
            simulator("s", 1.0, "x"),
            changeset(3, "validé", 2, "c.bernard", Some("ok")),
        ];
        for d in drafts {
            assert_eq!(d.check(), Ok(()), "{d:?}");
        }
    }
}
