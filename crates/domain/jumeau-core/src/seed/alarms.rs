//! Alarms beyond the plain limits, as a rationalised alarm system has them: motor-protection
//! trips, combined bearing conditions, redundant-transmitter and command/position disagreement,
//! deviation from the load curve, lost measurements, fast pressure falls; and the suppression
//! by design of a stopped pump's low alarms.

use crate::alarm::{AlarmRule, Condition};
use crate::masterdata::{AlarmRef, MasterData, Priority, Tag};

fn tag<'a>(md: &'a MasterData, component: &str, signal: &str) -> Option<&'a Tag> {
    md.tags
        .iter()
        .find(|t| t.component == component && t.signal == signal)
}

fn name(t: &Tag) -> String {
    t.name.clone()
}

struct Response<'a> {
    cause: &'a str,
    consequence: &'a str,
    action: &'a str,
}

fn alarm(
    code: String,
    component: &str,
    priority: Priority,
    r: Response<'_>,
    rule: AlarmRule,
) -> AlarmRef {
    AlarmRef {
        code,
        component: component.to_owned(),
        parameter: None,
        limit: "rule".into(),
        priority,
        cause: r.cause.to_owned(),
        consequence: r.consequence.to_owned(),
        action: r.action.to_owned(),
        rule: Some(rule),
    }
}

/// A protection trip: latched until reset, as the protection cabinet's first-out is.
fn trip_alarm(trip: &Tag, kind: &str) -> AlarmRef {
    let (priority, response) = if kind == "pump" {
        (
            Priority::High,
            Response {
                cause: "Protection moteur : surintensité, défaut terre ou image thermique",
                consequence: "Perte de la pompe ; la pompe de secours démarre automatiquement",
                action: "Vérifier le démarrage du secours et le débit ; faire inspecter le moteur avant réarmement",
            },
        )
    } else {
        (
            Priority::Critical,
            Response {
                cause: "Protection turbine : survitesse, température, vibration, niveau ballon, vide",
                consequence: "Turbine déclenchée, alternateur découplé ; transitoire sur le bloc",
                action: "Lire le premier défaut ; stabiliser niveaux et pressions ; appliquer la procédure de déclenchement",
            },
        )
    };
    alarm(
        format!("{}-TRIP", trip.name),
        &trip.component,
        priority,
        response,
        AlarmRule {
            latching: true,
            ..rule(Condition::IsOn { tag: name(trip) }, 0.0)
        },
    )
}

fn rule(when: Condition, delay_s: f64) -> AlarmRule {
    AlarmRule {
        when,
        on_delay_s: delay_s,
        off_delay_s: delay_s,
        latching: false,
        suppress_when: None,
    }
}

/// Every alarm whose rule is not a single parameter limit.
pub(super) fn rule_alarms(md: &MasterData) -> Vec<AlarmRef> {
    let mut out = Vec::new();
    for c in &md.components {
        let t = |signal| tag(md, &c.code, signal);
        if let Some(trip) = t("trip") {
            out.push(trip_alarm(trip, &c.kind));
        }
        if let (Some(vib), Some(temp), Some(running)) = (t("vib_de"), t("brg_temp"), t("running")) {
            out.push(alarm(
                format!("{}-VT", vib.name),
                &c.code,
                Priority::High,
                Response {
                    cause: "Palier côté accouplement en dégradation : vibration haute et échauffement",
                    consequence: "Grippage du palier à court terme si la tendance continue",
                    action: "Basculer sur la pompe de secours ; consigner et demander une analyse vibratoire",
                },
                AlarmRule {
                    suppress_when: Some(Condition::IsOff {
                        tag: name(running),
                    }),
                    ..rule(
                        Condition::All {
                            of: vec![
                                Condition::Limit {
                                    tag: name(vib),
                                    limit: "H".into(),
                                    deadband: 0.2,
                                },
                                Condition::RisingFaster {
                                    tag: name(temp),
                                    per_min: 0.05,
                                    window_s: 300.0,
                                },
                            ],
                        },
                        10.0,
                    )
                },
            ));
        }
        if let (Some(a), Some(b)) = (t("level"), t("level_b")) {
            out.push(alarm(
                format!("{}-DEV", b.name),
                &c.code,
                Priority::Medium,
                Response {
                    cause: "Écart entre les deux transmetteurs de niveau : dérive, prise d'impulsion bouchée",
                    consequence: "La régulation et la protection de niveau ne sont plus sûres",
                    action: "Comparer au niveau visuel (hublot) ; faire contrôler les transmetteurs",
                },
                rule(
                    Condition::Deviation {
                        a: name(a),
                        b: name(b),
                        max: 40.0,
                        deadband: 10.0,
                    },
                    30.0,
                ),
            ));
            out.push(alarm(
                format!("{}-QUAL", a.name),
                &c.code,
                Priority::Medium,
                Response {
                    cause: "Mesure de niveau perdue : liaison, carte d'entrée ou transmetteur",
                    consequence: "Niveau ballon non surveillé par cette mesure",
                    action: "Surveiller la mesure redondante ; prévenir l'instrumentation",
                },
                rule(Condition::BadQuality { tag: name(a) }, 10.0),
            ));
        }
        if c.kind == "drum"
            && let Some(p) = t("pressure")
            && c.code.contains("HAD50")
        {
            out.push(alarm(
                format!("{}-ROC", p.name),
                &c.code,
                Priority::Medium,
                Response {
                    cause: "Chute rapide de pression HP : baisse de charge TG, ouverture de contournement, fuite",
                    consequence: "Gonflement (swell) du niveau ballon, contraintes thermiques",
                    action: "Vérifier les contournements et la charge TG ; surveiller le niveau ballon",
                },
                rule(
                    Condition::FallingFaster {
                        tag: name(p),
                        per_min: 8.0,
                        window_s: 60.0,
                    },
                    0.0,
                ),
            ));
        }
        if let (Some(cmd), Some(pos)) = (t("cmd"), t("pos")) {
            out.push(alarm(
                format!("{}-DEV", pos.name),
                &c.code,
                Priority::Medium,
                Response {
                    cause: "La vanne ne suit pas sa commande : grippage, air instrument, positionneur",
                    consequence: "Régulation dégradée sur ce circuit",
                    action: "Vérifier l'air instrument et le positionneur ; passer en manuel si nécessaire",
                },
                rule(
                    Condition::Deviation {
                        a: name(pos),
                        b: name(cmd),
                        max: 5.0,
                        deadband: 1.0,
                    },
                    20.0,
                ),
            ));
        }
    }
    out.extend(load_curve_alarms(md));
    out
}

/// Exhaust and stack temperatures against the GT's load: what a healthy block shows at that
/// load (exhaust held at 540 °C from about 55 % load; stack at 86–96 °C while making steam).
fn load_curve_alarms(md: &MasterData) -> Vec<AlarmRef> {
    let mut out = Vec::new();
    for block in ["11", "12"] {
        let (Some(power), Some(exhaust), Some(stack)) = (
            tag(md, &format!("{block}MKA10"), "power"),
            tag(md, &format!("{block}MBR10"), "exhaust_t"),
            tag(md, &format!("{block}HNE10"), "stack_t"),
        ) else {
            continue;
        };
        let unloaded = Condition::Below {
            tag: name(power),
            value: 20.0,
            deadband: 2.0,
        };
        out.push(alarm(
            format!("{}-CURVE", exhaust.name),
            &exhaust.component,
            Priority::Medium,
            Response {
                cause: "Température d'échappement hors courbe de charge : combustion, IGV, thermocouples",
                consequence: "Rendement dégradé, contraintes sur la turbine ou la chaudière",
                action: "Comparer les thermocouples et l'ouverture IGV ; vérifier le réglage de combustion",
            },
            AlarmRule {
                suppress_when: Some(unloaded.clone()),
                ..rule(
                    Condition::OffCurve {
                        tag: name(exhaust),
                        x: name(power),
                        curve: vec![[20.0, 430.0], [90.0, 540.0], [170.0, 540.0]],
                        max: 30.0,
                        deadband: 5.0,
                    },
                    180.0,
                )
            },
        ));
        out.push(alarm(
            format!("{}-CURVE", stack.name),
            &stack.component,
            Priority::Low,
            Response {
                cause: "Température cheminée hors courbe : encrassement des échangeurs, by-pass, réchauffage",
                consequence: "Perte de rendement ; risque de condensation acide si trop froide",
                action: "Vérifier le préchauffage condensat et l'encrassement ; programmer un ramonage",
            },
            AlarmRule {
                suppress_when: Some(unloaded),
                ..rule(
                    Condition::OffCurve {
                        tag: name(stack),
                        x: name(power),
                        curve: vec![[20.0, 88.0], [170.0, 96.0]],
                        max: 15.0,
                        deadband: 3.0,
                    },
                    300.0,
                )
            },
        ));
    }
    out
}

/// State-based suppression by design: low alarms of equipment that is not in service mean
/// nothing. A pump's while it is stopped; a GT's or the ST's while its generator is off the
/// grid (lube oil excepted: it matters most on run-up and coast-down); an HRSG's while its GT
/// is below 20 MW.
pub(super) fn suppress_when_stopped(md: &mut MasterData) {
    let index = md.index();
    let rules: Vec<Option<AlarmRule>> = md
        .alarms
        .iter()
        .map(|a| {
            let low = matches!(a.limit.as_str(), "L" | "LL" | "trip_low");
            // Highs that standstill produces by design: condenser at atmospheric pressure,
            // air-saturated feedwater, air in the stack.
            let standstill_high = ["10MAG10", "10LAA10", "11HNE10", "12HNE10"]
                .iter()
                .any(|c| a.component.starts_with(c));
            if !low && !standstill_high {
                return None;
            }
            let mut rule = index.alarm_rule(a)?;
            rule.suppress_when = Some(out_of_service(md, &a.component)?);
            Some(rule)
        })
        .collect();
    for (a, rule) in md.alarms.iter_mut().zip(rules) {
        if rule.is_some() {
            a.rule = rule;
        }
    }
}

/// When the component is out of service by design, if that can be told.
fn out_of_service(md: &MasterData, component: &str) -> Option<Condition> {
    if let Some(running) = tag(md, component, "running") {
        return Some(Condition::IsOff { tag: name(running) });
    }
    let unit = md.component(component)?.unit.as_str();
    let block = &component[..2];
    let power_below = |block: &str| {
        Some(Condition::Below {
            tag: name(tag(md, &format!("{block}MKA10"), "power")?),
            value: 20.0,
            deadband: 2.0,
        })
    };
    if component.contains("MBV") {
        // Lube oil: in service while its pump runs (turning gear, run-up, coast-down).
        return Some(Condition::IsOff {
            tag: name(tag(md, &format!("{block}MBV10AP001"), "running")?),
        });
    }
    if component.starts_with("10LAA") {
        // Feedwater tank: de-aeration and pegging start with the first GT's steam.
        return Some(Condition::All {
            of: vec![power_below("11")?, power_below("12")?],
        });
    }
    match unit {
        "TG1" | "TG2" => Some(Condition::IsOff {
            tag: name(tag(md, &format!("{block}MKA10"), "breaker")?),
        }),
        "TV" if component.starts_with("10MAG10") => Some(Condition::Below {
            tag: name(tag(md, "10MAA00", "speed")?),
            value: 500.0,
            deadband: 50.0,
        }),
        "TV" => Some(Condition::IsOff {
            tag: name(tag(md, "10MKA10", "breaker")?),
        }),
        "CR1" | "CR2" => power_below(block),
        _ => None,
    }
}
