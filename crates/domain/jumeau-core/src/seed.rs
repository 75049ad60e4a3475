//! Seed master data of the 2×1 combined-cycle block: two E-class gas turbines (TG1, TG2, about
//! 166 MW ISO each), two triple-pressure reheat HRSGs (CR1, CR2), one reheat steam turbine (TV,
//! about 160 MW) and the balance of plant.
//!
//! Figures follow ../shared/PLANT-REFERENCE.md (E-class GT, drum HRSG, ISO 20816 vibration zones,
//! GE bearing practice, IED emission limits). KKS unit prefixes: 11 = train 1, 12 = train 2,
//! 10 = steam turbine and common plant.
//!
//! The seed is code, not a hand-kept list, because both trains share one description; it enters
//! the store as an ordinary change-set, validated by an engineer, like any later change.

mod alarms;

use crate::masterdata::*;
use crate::{Quantity, kks};
use Quantity::*;

/// The complete seed master data.
pub fn plant() -> MasterData {
    let mut b = Builder::default();
    for train in [1, 2] {
        gas_turbine(&mut b, train);
        hrsg(&mut b, train);
    }
    steam_turbine(&mut b);
    balance_of_plant(&mut b);
    circuits(&mut b);
    documents(&mut b);
    b.finish()
}

/// Accounts created with a new store: (login, display name, role). Two engineers so that the
/// four-eyes rule can hold from the first change-set on: the seed is proposed by the first and
/// validated by the second.
pub const ACCOUNTS: [(&str, &str, crate::Role); 6] = [
    ("c.bernard", "Claire Bernard", crate::Role::Engineer),
    ("m.lefebvre", "Marc Lefebvre", crate::Role::Engineer),
    ("j.martin", "Julien Martin", crate::Role::Operator),
    ("a.durand", "Amandine Durand", crate::Role::Field),
    ("l.petit", "Luc Petit", crate::Role::Auditor),
    ("s.moreau", "Sophie Moreau", crate::Role::Trainer),
];
/// Who proposes and who validates the seed change-set.
pub const SEED_PROPOSER: &str = "c.bernard";
pub const SEED_VALIDATOR: &str = "m.lefebvre";
/// The account the client opens with when no `--user` is given.
pub const DEFAULT_USER: &str = "j.martin";

/// Display names of the plant units, in unit order.
pub const UNITS: [(&str, &str, &str); 6] = [
    ("TG1", "Turbine à gaz 1", "Gas turbine 1"),
    ("TG2", "Turbine à gaz 2", "Gas turbine 2"),
    ("CR1", "Chaudière de récupération 1", "HRSG 1"),
    ("CR2", "Chaudière de récupération 2", "HRSG 2"),
    ("TV", "Turbine à vapeur", "Steam turbine"),
    ("BOP", "Auxiliaires communs", "Balance of plant"),
];

/// One measured signal: KKS measuring-point suffix (`CS101`), signal key, labels, quantity, unit.
struct Sig<'s> {
    point: &'s str,
    signal: &'s str,
    fr: &'s str,
    en: &'s str,
    quantity: Quantity,
    unit: &'s str,
}

const fn sig<'s>(
    point: &'s str,
    signal: &'s str,
    fr: &'s str,
    en: &'s str,
    quantity: Quantity,
    unit: &'s str,
) -> Sig<'s> {
    Sig {
        point,
        signal,
        fr,
        en,
        quantity,
        unit,
    }
}

#[derive(Default)]
struct Builder {
    md: MasterData,
}

/// Returned by [`Builder::tag`] so that a parameter (limits, start-up value) can follow.
struct TagSlot<'b> {
    b: &'b mut Builder,
    component: String,
    signal: String,
    fr: String,
    en: String,
    quantity: Quantity,
    unit: String,
}

impl TagSlot<'_> {
    fn param(self, limits: Limits, startup_value: Option<f64>) {
        self.b.md.parameters.push(Parameter {
            component: self.component,
            name: self.signal,
            label_fr: self.fr,
            label_en: self.en,
            quantity: self.quantity,
            unit: self.unit,
            limits,
            startup_value,
            note: None,
        });
    }
    fn limits(self, limits: Limits) {
        self.param(limits, None)
    }
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        code: &str,
        alias: &str,
        kind: &str,
        unit: &str,
        parent: Option<&str>,
        fr: &str,
        en: &str,
    ) -> &mut Component {
        self.md.components.push(Component {
            code: code.to_owned(),
            alias: alias.to_owned(),
            kind: kind.to_owned(),
            unit: unit.to_owned(),
            parent: parent.map(str::to_owned),
            name_fr: fr.to_owned(),
            name_en: en.to_owned(),
            description: String::new(),
            manufacturer: None,
            model: None,
            rated: Vec::new(),
        });
        self.md.components.last_mut().expect("just pushed")
    }

    fn unit_of(&self, code: &str) -> String {
        self.md
            .component(code)
            .map(|c| c.unit.clone())
            .unwrap_or_default()
    }

    fn tag(&mut self, component: &str, s: Sig<'_>) -> TagSlot<'_> {
        let name = format!("{}{}", kks::system_part(component), s.point);
        let unit_name = self.unit_of(component);
        let alias = self
            .md
            .component(component)
            .map(|c| c.alias.clone())
            .unwrap_or_default();
        self.md.tags.push(Tag {
            opcua_node: Some(format!("ns=2;s={name}")),
            mqtt_topic: Some(format!("jumeau/{unit_name}/{component}/{name}")),
            name,
            component: component.to_owned(),
            signal: s.signal.to_owned(),
            quantity: s.quantity,
            unit: s.unit.to_owned(),
            description: format!("{} — {alias}", s.fr),
            description_en: format!("{} — {alias}", s.en),
        });
        TagSlot {
            b: self,
            component: component.to_owned(),
            signal: s.signal.to_owned(),
            fr: s.fr.to_owned(),
            en: s.en.to_owned(),
            quantity: s.quantity,
            unit: s.unit.to_owned(),
        }
    }

    /// Alarm references follow from the parameters' limits: one per limit.
    fn finish(mut self) -> MasterData {
        let mut alarms = Vec::new();
        for p in &self.md.parameters {
            let tag = self
                .md
                .tags
                .iter()
                .find(|t| t.component == p.component && t.signal == p.name);
            let point =
                tag.map_or_else(|| format!("{}-{}", p.component, p.name), |t| t.name.clone());
            for (limit, value) in p.limits.ordered() {
                let Some(value) = value else { continue };
                if limit.starts_with("normal") {
                    continue;
                }
                alarms.push(alarm_ref(p, &point, limit, value));
            }
        }
        alarms.extend(alarms::rule_alarms(&self.md));
        self.md.alarms = alarms;
        alarms::suppress_when_stopped(&mut self.md);
        self.md.procedures = crate::procedure::BUILT_IN
            .iter()
            .map(|(name, source)| ProcedureSource {
                name: (*name).to_owned(),
                source: (*source).to_owned(),
            })
            .collect();
        self.md
    }
}

fn alarm_ref(p: &Parameter, point: &str, limit: &str, value: f64) -> AlarmRef {
    let high = matches!(limit, "H" | "HH" | "trip_high");
    let priority = match limit {
        "trip_low" | "trip_high" => Priority::Critical,
        "LL" | "HH" => Priority::High,
        _ => Priority::Medium,
    };
    let (cause, action) = response(p, high);
    let consequence = match limit {
        "trip_low" | "trip_high" => "Déclenchement de l'équipement par la protection".to_owned(),
        "LL" | "HH" => format!(
            "Seuil de protection proche : {} {} {} {}",
            p.label_fr,
            if high { ">" } else { "<" },
            value,
            p.unit
        ),
        _ => format!(
            "Sortie de la plage normale : {} {} {} {}",
            p.label_fr,
            if high { ">" } else { "<" },
            value,
            p.unit
        ),
    };
    AlarmRef {
        code: format!("{point}-{limit}"),
        component: p.component.clone(),
        parameter: Some(p.name.clone()),
        limit: limit.to_owned(),
        priority,
        cause: cause.to_owned(),
        consequence,
        action: action.to_owned(),
        rule: None,
    }
}

/// Alarm response text by kind of signal (cause, operator action).
fn response(p: &Parameter, high: bool) -> (&'static str, &'static str) {
    match (p.quantity, high) {
        (VibrationVelocity | VibrationDisplacement, _) => (
            "Balourd, désalignement, usure ou défaut de lubrification du palier",
            "Comparer aux paliers voisins et à la température palier ; réduire la charge ; demander une analyse vibratoire",
        ),
        (Temperature, true) if p.name.starts_with("brg") => (
            "Défaut de lubrification, huile trop chaude, surcharge du palier",
            "Vérifier pression et température d'huile ; surveiller la vibration ; réduire la charge",
        ),
        (Temperature, true) => (
            "Surchauffe du procédé : régulation, désurchauffe ou combustion hors consigne",
            "Vérifier la régulation et les injections ; réduire la charge si la tendance continue",
        ),
        (Temperature, false) => (
            "Refroidissement excessif, défaut de réchauffage ou de régulation",
            "Vérifier la régulation et les réchauffeurs ; surveiller le risque de condensation acide",
        ),
        (Pressure, true) => (
            "Pression au-dessus de la consigne : régulation, vanne bloquée ou demande en baisse",
            "Vérifier la régulation de pression et l'ouverture du contournement ; réduire la charge",
        ),
        (Pressure, false) => (
            "Pression insuffisante : fuite, pompe ou alimentation défaillante",
            "Vérifier les pompes et l'alimentation ; démarrer le secours ; préparer la réduction de charge",
        ),
        (Level, true) => (
            "Niveau haut : gonflement (swell), régulation d'alimentation trop ouverte",
            "Vérifier la régulation de niveau à trois éléments ; ouvrir la purge intermittente",
        ),
        (Level, false) => (
            "Niveau bas : contraction (shrink), défaut d'alimentation ou fuite",
            "Vérifier la pompe alimentaire et la vanne de régulation ; réduire la charge",
        ),
        (Speed, _) => (
            "Vitesse hors plage : régulation de vitesse ou perte de charge réseau",
            "Vérifier le régulateur ; se tenir prêt au déclenchement sur survitesse",
        ),
        (Concentration, _) => (
            "Combustion hors réglage (DLN), instabilité ou défaut de mesure CEMS",
            "Vérifier le mode de combustion et l'analyseur ; consigner l'épisode au registre des émissions (IED)",
        ),
        (Current | Voltage | Frequency | ActivePower | ReactivePower, _) => (
            "Écart électrique : réseau, excitation ou surcharge",
            "Vérifier le régulateur de tension et la charge ; prévenir le dispatching",
        ),
        (DifferentialPressure, _) => (
            "Encrassement ou colmatage",
            "Programmer le nettoyage ou le remplacement des filtres",
        ),
        _ => (
            "Écart par rapport à la plage normale",
            "Vérifier la mesure et l'équipement ; appliquer la consigne d'exploitation",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Signal catalogue shared by several components.

const SPEED: Sig = sig("CS101", "speed", "Vitesse", "Speed", Speed, "rpm");
/// The turbine protection's trip (first-out latched in the protection cabinet).
const UNIT_TRIP: Sig = sig(
    "CE901",
    "trip",
    "Déclenchement turbine (protection)",
    "Turbine trip (protection)",
    State,
    "-",
);
const POS: Sig = sig("CG101", "pos", "Position", "Position", Position, "%");
const CMD: Sig = sig(
    "CG102",
    "cmd",
    "Consigne de position",
    "Position demand",
    Position,
    "%",
);

fn shaft_speed_limits() -> Limits {
    // Overspeed protection trips at 110 %.
    Limits::normal(2985.0, 3015.0)
        .with_h(3090.0)
        .with_hh(3210.0)
        .with_trip_high(3300.0)
}

/// A valve with position feedback and demand. Its points carry the valve's own number (AA101 →
/// CG101 feedback, CG601 demand) so that two valves of one system never share a point.
fn valve(b: &mut Builder, code: &str, alias: &str, unit: &str, parent: &str, fr: &str, en: &str) {
    b.add(code, alias, "valve", unit, Some(parent), fr, en);
    let number: u32 = code[9..].parse().expect("equipment code ends in 3 digits");
    let pos = format!("CG{number:03}");
    let cmd = format!("CG{:03}", number + 500);
    b.tag(code, sig(&pos, POS.signal, POS.fr, POS.en, Position, "%"));
    b.tag(code, sig(&cmd, CMD.signal, CMD.fr, CMD.en, Position, "%"));
}

/// Rated data of a motor-driven pump.
struct PumpRating {
    flow_kg_s: f64,
    head_m: f64,
    motor_kw: f64,
    /// Normal discharge pressure range, bar.
    discharge: (f64, f64),
    /// Normal motor current range, A (6.6 kV motors).
    current: (f64, f64),
}

/// A motor-driven pump: state, motor current, discharge pressure, bearing vibration and
/// temperature. `n` is the pump's number within its system (1 or 2), used in its points.
#[allow(clippy::too_many_arguments)]
fn pump(
    b: &mut Builder,
    code: &str,
    alias: &str,
    unit: &str,
    parent: Option<&str>,
    fr: &str,
    en: &str,
    r: &PumpRating,
) {
    let n = &code[code.len() - 1..];
    b.add(code, alias, "pump", unit, parent, fr, en).rated = vec![
        rated("Débit nominal", r.flow_kg_s, "kg/s"),
        rated("Hauteur manométrique", r.head_m, "m"),
        rated("Puissance moteur", r.motor_kw, "kW"),
    ];
    let p = |base: &str| format!("{base}1{n}1");
    b.tag(
        code,
        sig(&p("CE"), "running", "En service", "Running", State, "-"),
    );
    // Motor-protection relay trip (overcurrent, earth fault, thermal image): the pump's own
    // trip signal, distinct from a stop ordered by the sequence.
    b.tag(
        code,
        sig(
            &format!("CE1{n}2"),
            "trip",
            "Déclenchement protection moteur",
            "Motor protection trip",
            State,
            "-",
        ),
    );
    b.tag(
        code,
        sig(
            &p("CC"),
            "current",
            "Courant moteur",
            "Motor current",
            Current,
            "A",
        ),
    )
    .limits(
        Limits::normal(r.current.0, r.current.1)
            .with_h(r.current.1 * 1.1)
            .with_hh(r.current.1 * 1.2),
    );
    let (lo, hi) = r.discharge;
    b.tag(
        code,
        sig(
            &p("CP"),
            "discharge_p",
            "Pression de refoulement",
            "Discharge pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(
        Limits::normal(lo, hi)
            .with_l(lo * 0.9)
            .with_ll(lo * 0.8)
            .with_h(hi * 1.08),
    );
    // ISO 20816-3 group 1, rigid: zone B/C 4.5 mm/s, C/D 7.1 mm/s.
    b.tag(
        code,
        sig(
            &p("CY"),
            "vib_de",
            "Vibration palier côté accouplement",
            "Drive-end bearing vibration",
            VibrationVelocity,
            "mm/s",
        ),
    )
    .limits(Limits::normal(0.0, 2.8).with_h(4.5).with_hh(7.1));
    b.tag(
        code,
        sig(
            &format!("CY1{n}2"),
            "vib_nde",
            "Vibration palier opposé",
            "Non-drive-end bearing vibration",
            VibrationVelocity,
            "mm/s",
        ),
    )
    .limits(Limits::normal(0.0, 2.8).with_h(4.5).with_hh(7.1));
    b.tag(
        code,
        sig(
            &p("CT"),
            "brg_temp",
            "Température palier",
            "Bearing temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(40.0, 80.0).with_h(90.0).with_hh(100.0));
}

fn rated(name: &str, value: f64, unit: &str) -> Rated {
    Rated {
        name: name.to_owned(),
        value,
        unit: unit.to_owned(),
    }
}

/// A turbo-generator: power, reactive power, voltage, current, frequency, winding temperature,
/// breaker state.
fn generator(b: &mut Builder, code: &str, alias: &str, unit: &str, parent: &str, mva: f64) {
    let c = b.add(
        code,
        alias,
        "generator",
        unit,
        Some(parent),
        &format!("Alternateur {unit}"),
        &format!("Generator {unit}"),
    );
    c.manufacturer = Some("Siemens Energy".into());
    c.model = Some("SGen5-100A (refroidi par air)".into());
    c.rated = vec![
        rated("Puissance apparente", mva, "MVA"),
        rated("Tension nominale", 15.75, "kV"),
        rated("Facteur de puissance", 0.85, "-"),
        rated("Fréquence", 50.0, "Hz"),
    ];
    let i_rated = mva / (3f64.sqrt() * 15.75);
    let p_max = (mva * 0.85).round();
    b.tag(
        code,
        sig(
            "CE101",
            "power",
            "Puissance active",
            "Active power",
            ActivePower,
            "MW",
        ),
    )
    .param(
        Limits::normal(0.0, p_max).with_h(p_max * 1.03),
        Some(p_max * 0.05),
    );
    b.tag(
        code,
        sig(
            "CE102",
            "reactive",
            "Puissance réactive",
            "Reactive power",
            ReactivePower,
            "Mvar",
        ),
    )
    .limits(Limits::normal(-30.0, 80.0).with_l(-50.0).with_h(mva * 0.55));
    b.tag(
        code,
        sig(
            "CE103",
            "voltage",
            "Tension stator",
            "Stator voltage",
            Voltage,
            "kV",
        ),
    )
    .param(
        Limits::normal(15.2, 16.3)
            .with_ll(14.2)
            .with_l(15.0)
            .with_h(16.5)
            .with_hh(17.3),
        Some(15.75),
    );
    b.tag(
        code,
        sig(
            "CE104",
            "current",
            "Courant stator",
            "Stator current",
            Current,
            "kA",
        ),
    )
    .limits(
        Limits::normal(0.0, i_rated * 0.95)
            .with_h(i_rated)
            .with_hh(i_rated * 1.05),
    );
    b.tag(
        code,
        sig(
            "CE105",
            "frequency",
            "Fréquence",
            "Frequency",
            Frequency,
            "Hz",
        ),
    )
    .param(
        Limits::normal(49.8, 50.2)
            .with_trip_low(47.5)
            .with_ll(48.5)
            .with_l(49.5)
            .with_h(50.5)
            .with_hh(51.5)
            .with_trip_high(52.5),
        Some(50.0),
    );
    b.tag(
        code,
        sig(
            "CT101",
            "stator_temp",
            "Température enroulement stator",
            "Stator winding temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(40.0, 105.0).with_h(120.0).with_hh(130.0));
    b.tag(
        code,
        sig(
            "CE110",
            "breaker",
            "Disjoncteur groupe fermé",
            "Generator breaker closed",
            State,
            "-",
        ),
    );
}

fn transformer(
    b: &mut Builder,
    code: &str,
    alias: &str,
    unit: &str,
    parent: Option<&str>,
    mva: f64,
) {
    let c = b.add(
        code,
        alias,
        "transformer",
        unit,
        parent,
        &format!("Transformateur principal {unit}"),
        &format!("Step-up transformer {unit}"),
    );
    c.rated = vec![
        rated("Puissance apparente", mva, "MVA"),
        rated("Rapport", 15.75, "kV / 400 kV"),
        rated("Refroidissement", 0.0, "ONAF"),
    ];
    c.description = "Transformateur élévateur 15,75/400 kV, refroidissement ONAF".into();
    b.tag(
        code,
        sig(
            "CT101",
            "oil_temp",
            "Température huile (haut de cuve)",
            "Top-oil temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(30.0, 75.0).with_h(85.0).with_hh(95.0));
    b.tag(
        code,
        sig(
            "CT102",
            "winding_temp",
            "Température point chaud enroulement",
            "Winding hot-spot temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(40.0, 95.0).with_h(105.0).with_hh(115.0));
    b.tag(
        code,
        sig(
            "CE101",
            "buchholz",
            "Relais Buchholz",
            "Buchholz relay",
            State,
            "-",
        ),
    );
}

/// A bearing with casing velocity, shaft relative vibration and metal temperature.
/// `casing`: (normal max, H, HH or none, trip) in mm/s; `shaft`: (normal max, H, trip) in µm.
#[allow(clippy::too_many_arguments)]
fn bearing(
    b: &mut Builder,
    code: &str,
    alias: &str,
    unit: &str,
    parent: &str,
    names: (&str, &str),
    casing: (f64, f64, Option<f64>, f64),
    shaft: (f64, f64, f64),
) {
    b.add(code, alias, "bearing", unit, Some(parent), names.0, names.1);
    let mut casing_limits = Limits::normal(0.0, casing.0)
        .with_h(casing.1)
        .with_trip_high(casing.3);
    casing_limits.hh = casing.2;
    b.tag(
        code,
        sig(
            "CY101",
            "vib",
            "Vibration palier (vitesse efficace)",
            "Bearing vibration (velocity rms)",
            VibrationVelocity,
            "mm/s",
        ),
    )
    .limits(casing_limits);
    b.tag(
        code,
        sig(
            "CY102",
            "shaft_vib",
            "Vibration relative d'arbre (crête-crête)",
            "Shaft relative vibration (pk-pk)",
            VibrationDisplacement,
            "µm",
        ),
    )
    .limits(
        Limits::normal(0.0, shaft.0)
            .with_h(shaft.1)
            .with_trip_high(shaft.2),
    );
    b.tag(
        code,
        sig(
            "CT101",
            "brg_temp",
            "Température métal palier",
            "Bearing metal temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(60.0, 95.0)
            .with_h(107.0)
            .with_trip_high(120.0),
    );
}

fn lube_oil(b: &mut Builder, code: &str, alias: &str, unit: &str, parent: &str) {
    b.add(
        code,
        alias,
        "lube_oil",
        unit,
        Some(parent),
        &format!("Huile de graissage {unit}"),
        &format!("Lube oil system {unit}"),
    )
    .description =
        "Bâche, pompes principale / secours / urgence CC, réfrigérants et filtres".into();
    b.tag(
        code,
        sig(
            "CP101",
            "header_p",
            "Pression collecteur huile",
            "Lube-oil header pressure",
            Pressure,
            "barg",
        ),
    )
    .param(
        Limits::normal(1.5, 2.0)
            .with_trip_low(0.7)
            .with_ll(0.9)
            .with_l(1.2)
            .with_h(2.4),
        Some(1.7),
    );
    b.tag(
        code,
        sig(
            "CT101",
            "header_t",
            "Température collecteur huile",
            "Lube-oil header temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(49.0, 57.0)
            .with_l(40.0)
            .with_h(74.0)
            .with_trip_high(79.0),
    );
    b.tag(
        code,
        sig(
            "CL101",
            "tank_level",
            "Niveau bâche à huile",
            "Oil tank level",
            Level,
            "%",
        ),
    )
    .limits(
        Limits::normal(60.0, 90.0)
            .with_ll(40.0)
            .with_l(50.0)
            .with_h(95.0),
    );
}

// ---------------------------------------------------------------------------------------------
// Units.

fn gas_turbine(b: &mut Builder, n: u8) {
    let u = format!("1{n}");
    let tg = format!("TG{n}");
    let code = |s: &str| format!("{u}{s}");
    let alias = |s: &str| format!("{tg}-{s}");
    let root = code("MBA00");

    let c = b.add(
        &root,
        &tg,
        "gas_turbine",
        &tg,
        None,
        &format!("Turbine à gaz {n}"),
        &format!("Gas turbine {n}"),
    );
    c.manufacturer = Some("Siemens Energy".into());
    c.model = Some("SGT5-2000E".into());
    c.description = "Turbine à gaz industrielle classe E, mono-arbre, 50 Hz, brûleurs secs bas-NOx (DLN), compresseur 16 étages avec aubes directrices d'entrée (IGV)".into();
    c.rated = vec![
        rated("Puissance ISO", 166.0, "MW"),
        rated("Vitesse nominale", 3000.0, "rpm"),
        rated("Rapport de compression", 12.8, "-"),
        rated("Débit d'échappement", 520.0, "kg/s"),
        rated("Température d'échappement", 540.0, "°C"),
        rated("Consommation spécifique", 10_100.0, "kJ/kWh"),
    ];
    b.tag(&root, SPEED)
        .param(shaft_speed_limits(), Some(3000.0));
    b.tag(&root, UNIT_TRIP);

    let intake = code("MBL10");
    b.add(
        &intake,
        &alias("FILT"),
        "air_intake",
        &tg,
        Some(&root),
        "Prise d'air et filtration",
        "Air intake filter house",
    );
    b.tag(
        &intake,
        sig(
            "CP101",
            "filter_dp",
            "Perte de charge filtres",
            "Filter differential pressure",
            DifferentialPressure,
            "mbar",
        ),
    )
    .limits(Limits::normal(2.0, 6.0).with_h(8.0).with_hh(10.0));
    b.tag(
        &intake,
        sig(
            "CT101",
            "ambient_t",
            "Température air ambiant",
            "Ambient air temperature",
            Temperature,
            "°C",
        ),
    );
    b.tag(
        &intake,
        sig(
            "CQ101",
            "humidity",
            "Humidité relative",
            "Relative humidity",
            Concentration,
            "%",
        ),
    );

    let comp = code("MBA10");
    b.add(
        &comp,
        &alias("COMP"),
        "compressor",
        &tg,
        Some(&root),
        "Compresseur axial",
        "Axial compressor",
    )
    .description = "16 étages, IGV 57° (charge partielle) à 84° (pleine ouverture)".into();
    b.tag(
        &comp,
        sig("CG101", "igv", "Position IGV", "IGV position", Angle, "°"),
    )
    .param(
        Limits::normal(57.0, 84.0).with_l(54.0).with_h(86.0),
        Some(57.0),
    );
    b.tag(
        &comp,
        sig(
            "CP101",
            "cdp",
            "Pression refoulement compresseur",
            "Compressor discharge pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(11.0, 12.8).with_h(13.2).with_hh(13.6));
    b.tag(
        &comp,
        sig(
            "CT101",
            "cdt",
            "Température refoulement compresseur",
            "Compressor discharge temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(330.0, 380.0).with_h(400.0).with_hh(420.0));
    b.tag(
        &comp,
        sig(
            "CF101",
            "air_flow",
            "Débit d'air",
            "Air flow",
            MassFlow,
            "kg/s",
        ),
    );

    let comb = code("MBM10");
    b.add(
        &comb,
        &alias("CC"),
        "combustor",
        &tg,
        Some(&root),
        "Chambres de combustion",
        "Combustors",
    )
    .description = "Deux chambres silos, brûleurs hybrides DLN".into();
    b.tag(
        &comb,
        sig(
            "CX101",
            "flame_1",
            "Flamme détectée chambre 1",
            "Flame detected, combustor 1",
            State,
            "-",
        ),
    );
    b.tag(
        &comb,
        sig(
            "CX102",
            "flame_2",
            "Flamme détectée chambre 2",
            "Flame detected, combustor 2",
            State,
            "-",
        ),
    );
    b.tag(
        &comb,
        sig(
            "CP151",
            "pulsation",
            "Pulsations de combustion",
            "Combustion dynamics",
            DifferentialPressure,
            "mbar",
        ),
    )
    .limits(
        Limits::normal(0.0, 20.0)
            .with_h(35.0)
            .with_hh(50.0)
            .with_trip_high(70.0),
    );

    let turb = code("MBA20");
    b.add(
        &turb,
        &alias("TURB"),
        "turbine",
        &tg,
        Some(&root),
        "Turbine de détente",
        "Expansion turbine",
    )
    .description = "4 étages".into();
    b.tag(
        &turb,
        sig(
            "CT101",
            "wheelspace_t",
            "Température espace inter-roues",
            "Wheel-space temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(300.0, 420.0).with_h(450.0).with_hh(470.0));

    let exh = code("MBR10");
    b.add(
        &exh,
        &alias("ECH"),
        "exhaust",
        &tg,
        Some(&root),
        "Diffuseur d'échappement",
        "Exhaust diffuser",
    );
    // Exhaust-temperature control setpoint 560 °C; alarm at +13 K, trip at +39 K (OTC practice).
    b.tag(
        &exh,
        sig(
            "CT101",
            "exhaust_t",
            "Température d'échappement moyenne",
            "Mean exhaust temperature",
            Temperature,
            "°C",
        ),
    )
    .param(
        Limits::normal(350.0, 560.0)
            .with_h(573.0)
            .with_hh(585.0)
            .with_trip_high(599.0),
        Some(380.0),
    );
    b.tag(
        &exh,
        sig(
            "CT102",
            "exhaust_spread",
            "Dispersion températures d'échappement",
            "Exhaust temperature spread",
            TemperatureDifference,
            "K",
        ),
    )
    .limits(
        Limits::normal(0.0, 20.0)
            .with_h(30.0)
            .with_hh(45.0)
            .with_trip_high(60.0),
    );
    for i in 1..=6 {
        let point = format!("CT11{i}");
        let fr = format!("Thermocouple d'échappement {i}");
        let en = format!("Exhaust thermocouple {i}");
        let signal = format!("exhaust_tc{i}");
        b.tag(&exh, sig(&point, &signal, &fr, &en, Temperature, "°C"));
    }
    b.tag(
        &exh,
        sig(
            "CF101",
            "exhaust_flow",
            "Débit gaz d'échappement",
            "Exhaust gas flow",
            MassFlow,
            "kg/s",
        ),
    );

    // GE practice for heavy-duty GT seismic probes: alarm 12.7, trip 25.4 mm/s; shaft 150/225 µm.
    for (i, (fr, en)) in [
        ("Palier 1 (côté compresseur)", "Bearing 1 (compressor end)"),
        ("Palier 2 (côté turbine)", "Bearing 2 (turbine end)"),
    ]
    .iter()
    .enumerate()
    {
        let brg = code(&format!("MBD1{}", i + 1));
        bearing(
            b,
            &brg,
            &alias(&format!("P{}", i + 1)),
            &tg,
            &root,
            (fr, en),
            (4.5, 12.7, None, 25.4),
            (100.0, 150.0, 225.0),
        );
    }

    let gen_code = code("MKA10");
    generator(b, &gen_code, &alias("ALT"), &tg, &root, 200.0);

    let fuel = code("MBP10");
    b.add(
        &fuel,
        &alias("GAZ"),
        "fuel_gas_skid",
        &tg,
        Some(&root),
        "Poste gaz combustible",
        "Fuel-gas skid",
    )
    .description = "Filtration, vanne d'arrêt, vannes de régulation pilote / prémélange".into();
    b.tag(
        &fuel,
        sig(
            "CP101",
            "supply_p",
            "Pression gaz amont",
            "Fuel-gas supply pressure",
            Pressure,
            "barg",
        ),
    )
    .param(
        Limits::normal(24.0, 28.0)
            .with_trip_low(20.0)
            .with_ll(21.0)
            .with_l(22.0)
            .with_h(30.0),
        Some(25.0),
    );
    b.tag(
        &fuel,
        sig(
            "CT101",
            "supply_t",
            "Température gaz",
            "Fuel-gas temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(15.0, 50.0).with_l(10.0).with_h(60.0));
    b.tag(
        &fuel,
        sig(
            "CF101",
            "flow",
            "Débit gaz combustible",
            "Fuel-gas flow",
            MassFlow,
            "kg/s",
        ),
    )
    .limits(Limits::normal(0.0, 9.5).with_h(9.8));
    valve(
        b,
        &code("MBP10AA101"),
        &alias("VRG"),
        &tg,
        &fuel,
        "Vanne de régulation gaz",
        "Fuel-gas control valve",
    );

    let lube = code("MBV10");
    lube_oil(b, &lube, &alias("HUILE"), &tg, &root);
    let lube_pump = code("MBV10AP001");
    b.add(
        &lube_pump,
        &alias("PHP"),
        "pump",
        &tg,
        Some(&lube),
        "Pompe huile principale",
        "Main lube-oil pump",
    );
    b.tag(
        &lube_pump,
        sig("CE111", "running", "En service", "Running", State, "-"),
    );
    b.tag(
        &lube_pump,
        sig(
            "CC111",
            "current",
            "Courant moteur",
            "Motor current",
            Current,
            "A",
        ),
    );

    transformer(
        b,
        &code("BAT10"),
        &format!("TP{n}"),
        &tg,
        Some(&gen_code),
        240.0,
    );
}

fn hrsg(b: &mut Builder, n: u8) {
    let u = format!("1{n}");
    let cr = format!("CR{n}");
    let code = |s: &str| format!("{u}{s}");
    let alias = |s: &str| format!("{cr}-{s}");
    let root = code("HAD00");

    let c = b.add(
        &root,
        &cr,
        "hrsg",
        &cr,
        None,
        &format!("Chaudière de récupération {n}"),
        &format!("Heat-recovery steam generator {n}"),
    );
    c.manufacturer = Some("NEM Energy".into());
    c.model = Some("Triple pression, resurchauffe, circulation naturelle, horizontale".into());
    c.description = "Chaudière à trois niveaux de pression (HP/MP/BP) avec resurchauffe, ballons, cheminée 60 m, registre de by-pass".into();
    c.rated = vec![
        rated("Débit vapeur HP", 58.0, "kg/s"),
        rated("Pression ballon HP (service)", 122.0, "bar"),
        rated("Pression de calcul HP", 140.0, "bar"),
        rated("Température vapeur HP", 535.0, "°C"),
        rated("Débit vapeur resurchauffée", 66.0, "kg/s"),
        rated("Pression ballon BP", 5.5, "bar"),
    ];

    let duct = code("HNA10");
    b.add(
        &duct,
        &alias("GAINE"),
        "duct",
        &cr,
        Some(&root),
        "Gaine d'entrée fumées",
        "Flue-gas inlet duct",
    );
    b.tag(
        &duct,
        sig(
            "CT101",
            "inlet_t",
            "Température fumées entrée",
            "Flue-gas inlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(350.0, 560.0).with_h(590.0).with_hh(610.0));
    b.tag(
        &duct,
        sig(
            "CP101",
            "backpressure",
            "Contre-pression fumées",
            "Flue-gas back-pressure",
            DifferentialPressure,
            "mbar",
        ),
    )
    .limits(Limits::normal(15.0, 30.0).with_h(35.0).with_hh(40.0));

    let damper = code("HNA20");
    b.add(
        &damper,
        &alias("REG"),
        "damper",
        &cr,
        Some(&root),
        "Registre de by-pass (diverter)",
        "Bypass / diverter damper",
    );
    b.tag(&damper, POS);
    b.tag(&damper, CMD);

    // Drums: HP 50s, IP 30s, LP 10s in the KKS system number.
    let drums = [
        (
            "50",
            "BHP",
            "Ballon HP",
            "HP drum",
            Limits::normal(105.0, 125.0)
                .with_h(130.0)
                .with_hh(135.0)
                .with_trip_high(140.0),
            Some(50.0),
        ),
        (
            "30",
            "BMP",
            "Ballon MP",
            "IP drum",
            Limits::normal(27.0, 32.0)
                .with_h(34.0)
                .with_hh(36.0)
                .with_trip_high(38.0),
            Some(10.0),
        ),
        (
            "10",
            "BBP",
            "Ballon BP",
            "LP drum",
            Limits::normal(4.5, 6.0)
                .with_h(6.5)
                .with_hh(7.0)
                .with_trip_high(7.5),
            Some(3.0),
        ),
    ];
    for (level, a, fr, en, p_limits, startup) in drums {
        let drum = code(&format!("HAD{level}BB001"));
        b.add(&drum, &alias(a), "drum", &cr, Some(&root), fr, en);
        b.tag(
            &drum,
            sig(
                "CP101",
                "pressure",
                "Pression ballon",
                "Drum pressure",
                Pressure,
                "bar",
            ),
        )
        .param(p_limits, startup);
        // Level vs normal water level: ±50 control band, ±150 alarms, ±250 protection.
        let level_limits = || {
            Limits::normal(-50.0, 50.0)
                .with_trip_low(-300.0)
                .with_ll(-250.0)
                .with_l(-150.0)
                .with_h(150.0)
                .with_hh(250.0)
        };
        b.tag(
            &drum,
            sig(
                "CL101",
                "level",
                "Niveau ballon (transmetteur A)",
                "Drum level (transmitter A)",
                Level,
                "mm",
            ),
        )
        .limits(level_limits());
        b.tag(
            &drum,
            sig(
                "CL102",
                "level_b",
                "Niveau ballon (transmetteur B)",
                "Drum level (transmitter B)",
                Level,
                "mm",
            ),
        )
        .limits(level_limits());
        b.tag(
            &drum,
            sig(
                "CT101",
                "sat_t",
                "Température de saturation",
                "Saturation temperature",
                Temperature,
                "°C",
            ),
        );
        // HP flows are measured at the superheater outlet and the feedwater control valve.
        if level != "50" {
            b.tag(
                &drum,
                sig(
                    "CF101",
                    "steam_flow",
                    "Débit vapeur produite",
                    "Steam flow",
                    MassFlow,
                    "kg/s",
                ),
            );
            b.tag(
                &drum,
                sig(
                    "CF102",
                    "fw_flow",
                    "Débit eau alimentaire",
                    "Feedwater flow",
                    MassFlow,
                    "kg/s",
                ),
            );
        }
    }

    let sh = code("HAH50");
    b.add(
        &sh,
        &alias("SHP"),
        "superheater",
        &cr,
        Some(&root),
        "Surchauffeur HP",
        "HP superheater",
    );
    b.tag(
        &sh,
        sig(
            "CT101",
            "steam_t",
            "Température vapeur HP sortie",
            "HP steam outlet temperature",
            Temperature,
            "°C",
        ),
    )
    .param(
        Limits::normal(520.0, 535.0)
            .with_l(490.0)
            .with_h(545.0)
            .with_hh(555.0)
            .with_trip_high(565.0),
        Some(480.0),
    );
    b.tag(
        &sh,
        sig(
            "CP101",
            "steam_p",
            "Pression vapeur HP sortie",
            "HP steam outlet pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(100.0, 120.0).with_h(126.0).with_hh(130.0));
    b.tag(
        &sh,
        sig(
            "CF101",
            "steam_flow",
            "Débit vapeur HP",
            "HP steam flow",
            MassFlow,
            "kg/s",
        ),
    )
    .limits(Limits::normal(0.0, 60.0).with_h(63.0));
    valve(
        b,
        &code("LAE10AA101"),
        &alias("DSHP"),
        &cr,
        &sh,
        "Vanne de désurchauffe HP",
        "HP attemperator spray valve",
    );

    let rh = code("HAJ30");
    b.add(
        &rh,
        &alias("RS"),
        "reheater",
        &cr,
        Some(&root),
        "Resurchauffeur",
        "Reheater",
    );
    b.tag(
        &rh,
        sig(
            "CT101",
            "steam_t",
            "Température vapeur resurchauffée",
            "Hot-reheat temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(520.0, 535.0)
            .with_h(545.0)
            .with_hh(555.0)
            .with_trip_high(565.0),
    );
    b.tag(
        &rh,
        sig(
            "CP101",
            "steam_p",
            "Pression resurchauffe",
            "Reheat pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(26.0, 30.0).with_h(33.0).with_hh(35.0));
    b.tag(
        &rh,
        sig(
            "CF101",
            "steam_flow",
            "Débit vapeur resurchauffée",
            "Reheat steam flow",
            MassFlow,
            "kg/s",
        ),
    );

    for (k, a, fr, en) in [
        ("HAD50", "EVHP", "Évaporateur HP", "HP evaporator"),
        ("HAD30", "EVMP", "Évaporateur MP", "IP evaporator"),
        ("HAD10", "EVBP", "Évaporateur BP", "LP evaporator"),
    ] {
        b.add(&code(k), &alias(a), "evaporator", &cr, Some(&root), fr, en);
    }
    let eco = code("HAC50");
    b.add(
        &eco,
        &alias("ECOHP"),
        "economiser",
        &cr,
        Some(&root),
        "Économiseur HP",
        "HP economiser",
    );
    b.tag(
        &eco,
        sig(
            "CT101",
            "outlet_t",
            "Température eau sortie économiseur",
            "Economiser outlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(300.0, 318.0).with_h(322.0).with_hh(326.0));
    let pre = code("HAC10");
    b.add(
        &pre,
        &alias("RCOND"),
        "economiser",
        &cr,
        Some(&root),
        "Réchauffeur de condensat",
        "Condensate preheater",
    );
    // Acid dew point: keep the preheater inlet above 55 °C.
    b.tag(
        &pre,
        sig(
            "CT101",
            "inlet_t",
            "Température eau entrée réchauffeur",
            "Preheater inlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(58.0, 70.0)
            .with_ll(50.0)
            .with_l(55.0)
            .with_h(80.0),
    );

    let stack = code("HNE10");
    b.add(
        &stack,
        &alias("CHEM"),
        "stack",
        &cr,
        Some(&root),
        "Cheminée",
        "Stack",
    )
    .description =
        "Cheminée 60 m avec analyseurs CEMS (NOx, CO, O₂) — IED 2010/75/UE annexe V".into();
    b.tag(
        &stack,
        sig(
            "CT101",
            "stack_t",
            "Température fumées cheminée",
            "Stack temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(85.0, 100.0)
            .with_l(80.0)
            .with_h(120.0)
            .with_hh(140.0),
    );
    // IED limits for CCGT at 15 % O₂ dry: NOx 50 mg/Nm³, CO 100 mg/Nm³.
    b.tag(
        &stack,
        sig(
            "CQ101",
            "nox",
            "NOx (15 % O₂ sec)",
            "NOx (15 % O₂ dry)",
            Concentration,
            "mg/Nm³",
        ),
    )
    .limits(Limits::normal(0.0, 35.0).with_h(40.0).with_hh(50.0));
    b.tag(
        &stack,
        sig(
            "CQ102",
            "co",
            "CO (15 % O₂ sec)",
            "CO (15 % O₂ dry)",
            Concentration,
            "mg/Nm³",
        ),
    )
    .limits(Limits::normal(0.0, 20.0).with_h(80.0).with_hh(100.0));
    b.tag(
        &stack,
        sig(
            "CQ103",
            "o2",
            "O₂ fumées",
            "Flue-gas O₂",
            Concentration,
            "%",
        ),
    )
    .limits(Limits::normal(13.0, 16.0).with_l(11.0).with_h(17.5));

    let fw = PumpRating {
        flow_kg_s: 68.0,
        head_m: 1500.0,
        motor_kw: 1400.0,
        discharge: (140.0, 155.0),
        current: (80.0, 150.0),
    };
    for p in 1..=2 {
        let pc = code(&format!("LAC10AP00{p}"));
        pump(
            b,
            &pc,
            &alias(&format!("PA{p}")),
            &cr,
            Some(&root),
            &format!("Pompe alimentaire HP/MP {p}"),
            &format!("HP/IP feedwater pump {p}"),
            &fw,
        );
        b.tag(
            &pc,
            sig(
                &format!("CS1{p}1"),
                "speed",
                "Vitesse (variateur)",
                "Speed (VSD)",
                Speed,
                "rpm",
            ),
        )
        .limits(Limits::normal(2800.0, 4800.0).with_h(5100.0));
    }
    let fcv = code("LAB50AA101");
    valve(
        b,
        &fcv,
        &alias("VRA"),
        &cr,
        &root,
        "Vanne de régulation alimentation HP",
        "HP feedwater control valve",
    );
    b.tag(
        &fcv,
        sig(
            "CF101",
            "fw_flow",
            "Débit eau alimentaire HP",
            "HP feedwater flow",
            MassFlow,
            "kg/s",
        ),
    )
    .limits(Limits::normal(0.0, 62.0).with_h(66.0));
    valve(
        b,
        &code("LBA10AA001"),
        &alias("VAHP"),
        &cr,
        &root,
        "Vanne d'arrêt vapeur HP",
        "HP main steam stop valve",
    );
    // Cascade bypass: HP → cold reheat, hot reheat → condenser, LP → condenser.
    valve(
        b,
        &code("MAN10AA101"),
        &alias("BPHP"),
        &cr,
        &root,
        "Contournement HP",
        "HP bypass valve",
    );
    valve(
        b,
        &code("MAN20AA101"),
        &alias("BPRS"),
        &cr,
        &root,
        "Contournement resurchauffe",
        "Hot-reheat bypass valve",
    );
    valve(
        b,
        &code("MAN30AA101"),
        &alias("BPBP"),
        &cr,
        &root,
        "Contournement BP",
        "LP bypass valve",
    );
}

fn steam_turbine(b: &mut Builder) {
    let tv = "TV";
    let root = "10MAA00";
    let c = b.add(
        root,
        tv,
        "steam_turbine",
        tv,
        None,
        "Turbine à vapeur",
        "Steam turbine",
    );
    c.manufacturer = Some("Siemens Energy".into());
    c.model = Some("SST5-3000 (HP/MP combiné, BP double flux)".into());
    c.description = "Turbine à vapeur à resurchauffe, trois corps, pression glissante, 3000 tr/min, échappement axial vers condenseur".into();
    c.rated = vec![
        rated("Puissance nominale", 160.0, "MW"),
        rated("Pression admission HP", 110.0, "bar"),
        rated("Température admission HP", 530.0, "°C"),
        rated("Pression resurchauffe", 28.0, "bar"),
        rated("Pression condenseur", 65.0, "mbar"),
    ];
    b.tag(root, SPEED).param(shaft_speed_limits(), Some(3000.0));
    b.tag(root, UNIT_TRIP);

    let hp = "10MAA10";
    b.add(
        hp,
        "TV-HP",
        "turbine_casing",
        tv,
        Some(root),
        "Corps HP",
        "HP casing",
    );
    b.tag(
        hp,
        sig(
            "CP101",
            "inlet_p",
            "Pression vapeur admission HP",
            "HP inlet pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(95.0, 115.0).with_h(122.0).with_hh(128.0));
    b.tag(
        hp,
        sig(
            "CT101",
            "inlet_t",
            "Température vapeur admission HP",
            "HP inlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(520.0, 535.0)
            .with_l(480.0)
            .with_h(545.0)
            .with_hh(555.0)
            .with_trip_high(565.0),
    );
    // Start type follows the HP inner-casing metal temperature: cold ≤ 150 °C, hot 300–400 °C.
    b.tag(
        hp,
        sig(
            "CT102",
            "metal_t",
            "Température métal corps HP intérieur",
            "HP inner-casing metal temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(350.0, 510.0).with_h(540.0));
    b.tag(
        hp,
        sig(
            "CY101",
            "diff_exp",
            "Dilatation différentielle HP",
            "HP differential expansion",
            Displacement,
            "mm",
        ),
    )
    .limits(
        Limits::normal(-1.5, 1.5)
            .with_trip_low(-5.0)
            .with_l(-3.0)
            .with_h(3.0)
            .with_trip_high(5.0),
    );
    valve(
        b,
        "10MAA10AA001",
        "TV-VAHP",
        tv,
        hp,
        "Vanne d'arrêt HP",
        "HP stop valve",
    );
    valve(
        b,
        "10MAA10AA101",
        "TV-VRHP",
        tv,
        hp,
        "Soupape de réglage HP",
        "HP control valve",
    );

    let ip = "10MAB10";
    b.add(
        ip,
        "TV-MP",
        "turbine_casing",
        tv,
        Some(root),
        "Corps MP",
        "IP casing",
    );
    b.tag(
        ip,
        sig(
            "CP101",
            "inlet_p",
            "Pression vapeur resurchauffée",
            "Hot-reheat pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(24.0, 30.0).with_h(33.0).with_hh(35.0));
    b.tag(
        ip,
        sig(
            "CT101",
            "inlet_t",
            "Température vapeur resurchauffée",
            "Hot-reheat temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(
        Limits::normal(520.0, 535.0)
            .with_h(545.0)
            .with_hh(555.0)
            .with_trip_high(565.0),
    );

    let lp = "10MAC10";
    b.add(
        lp,
        "TV-BP",
        "turbine_casing",
        tv,
        Some(root),
        "Corps BP double flux",
        "LP casing (double flow)",
    );
    b.tag(
        lp,
        sig(
            "CP101",
            "inlet_p",
            "Pression admission BP",
            "LP admission pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(4.0, 6.0).with_h(6.8));
    b.tag(
        lp,
        sig(
            "CT101",
            "inlet_t",
            "Température admission BP",
            "LP admission temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(250.0, 280.0).with_h(300.0));
    b.tag(
        lp,
        sig(
            "CT102",
            "exhaust_t",
            "Température échappement BP",
            "LP exhaust hood temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(30.0, 50.0).with_h(80.0).with_hh(100.0));

    // ISO 20816-2 zones for large steam turbines: A/B 3.8, B/C 7.5, C/D 11.8 mm/s.
    bearing(
        b,
        "10MAD11",
        "TV-P1",
        tv,
        root,
        ("Palier 1 (HP/MP, butée)", "Bearing 1 (HP/IP, thrust)"),
        (3.8, 7.5, Some(9.3), 11.8),
        (90.0, 165.0, 240.0),
    );
    b.tag(
        "10MAD11",
        sig(
            "CY103",
            "axial_pos",
            "Position axiale rotor",
            "Rotor axial position",
            Displacement,
            "mm",
        ),
    )
    .limits(
        Limits::normal(-0.3, 0.3)
            .with_trip_low(-0.9)
            .with_l(-0.5)
            .with_h(0.5)
            .with_trip_high(0.9),
    );
    bearing(
        b,
        "10MAD12",
        "TV-P2",
        tv,
        root,
        ("Palier 2 (BP)", "Bearing 2 (LP)"),
        (3.8, 7.5, Some(9.3), 11.8),
        (90.0, 165.0, 240.0),
    );

    generator(b, "10MKA10", "TV-ALT", tv, root, 200.0);

    let cond = "10MAG10";
    b.add(
        cond,
        "COND",
        "condenser",
        tv,
        Some(root),
        "Condenseur",
        "Condenser",
    )
    .description = "Condenseur à eau de circulation, deux passes, sous l'échappement BP".into();
    b.tag(
        cond,
        sig(
            "CP101",
            "pressure",
            "Pression condenseur (absolue)",
            "Condenser pressure (abs)",
            Pressure,
            "mbar",
        ),
    )
    .param(
        Limits::normal(50.0, 80.0)
            .with_h(150.0)
            .with_hh(200.0)
            .with_trip_high(250.0),
        Some(100.0),
    );
    b.tag(
        cond,
        sig(
            "CL101",
            "hotwell_level",
            "Niveau puits",
            "Hotwell level",
            Level,
            "mm",
        ),
    )
    .limits(
        Limits::normal(-100.0, 100.0)
            .with_ll(-300.0)
            .with_l(-200.0)
            .with_h(200.0)
            .with_hh(300.0),
    );
    b.tag(
        cond,
        sig(
            "CT101",
            "cw_in_t",
            "Température eau de circulation entrée",
            "CW inlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(8.0, 25.0).with_h(28.0));
    b.tag(
        cond,
        sig(
            "CT102",
            "cw_out_t",
            "Température eau de circulation sortie",
            "CW outlet temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(16.0, 35.0).with_h(38.0));

    let gland = "10MAW10";
    b.add(
        gland,
        "TV-ETAN",
        "gland_steam",
        tv,
        Some(root),
        "Vapeur d'étanchéité",
        "Gland steam system",
    );
    b.tag(
        gland,
        sig(
            "CP101",
            "header_p",
            "Pression collecteur vapeur d'étanchéité",
            "Gland steam header pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(Limits::normal(1.15, 1.35).with_l(1.05).with_h(1.5));

    let lube = "10MAV10";
    lube_oil(b, lube, "TV-HUILE", tv, root);

    let vac = "10MAJ10AN001";
    b.add(
        vac,
        "TV-PV1",
        "vacuum_pump",
        tv,
        Some(cond),
        "Pompe à vide 1",
        "Vacuum pump 1",
    );
    b.tag(
        vac,
        sig("CE111", "running", "En service", "Running", State, "-"),
    );
    b.tag(
        vac,
        sig(
            "CC111",
            "current",
            "Courant moteur",
            "Motor current",
            Current,
            "A",
        ),
    );

    transformer(b, "10BAT10", "TP3", tv, Some("10MKA10"), 240.0);
}

fn balance_of_plant(b: &mut Builder) {
    let bop = "BOP";
    let condensate = PumpRating {
        flow_kg_s: 170.0,
        head_m: 190.0,
        motor_kw: 450.0,
        discharge: (16.0, 22.0),
        current: (25.0, 48.0),
    };
    let cw = PumpRating {
        flow_kg_s: 4200.0,
        head_m: 22.0,
        motor_kw: 1250.0,
        discharge: (1.8, 2.5),
        current: (70.0, 130.0),
    };
    let ccw = PumpRating {
        flow_kg_s: 350.0,
        head_m: 40.0,
        motor_kw: 200.0,
        discharge: (3.5, 4.5),
        current: (12.0, 22.0),
    };
    for p in 1..=2 {
        pump(
            b,
            &format!("10LCB10AP00{p}"),
            &format!("PEX{p}"),
            bop,
            None,
            &format!("Pompe d'extraction {p}"),
            &format!("Condensate pump {p}"),
            &condensate,
        );
        pump(
            b,
            &format!("10PAC10AP00{p}"),
            &format!("PEC{p}"),
            bop,
            None,
            &format!("Pompe d'eau de circulation {p}"),
            &format!("Cooling-water pump {p}"),
            &cw,
        );
        pump(
            b,
            &format!("10PGB10AP00{p}"),
            &format!("PRI{p}"),
            bop,
            None,
            &format!("Pompe réfrigération intermédiaire {p}"),
            &format!("Closed cooling-water pump {p}"),
            &ccw,
        );
    }

    let dea = "10LAA10BB001";
    b.add(
        dea,
        "BAA",
        "deaerator",
        bop,
        None,
        "Bâche alimentaire / dégazeur",
        "Feedwater tank / deaerator",
    )
    .rated = vec![
        rated("Volume utile", 120.0, "m³"),
        rated("Pression de service", 5.0, "bar"),
    ];
    b.tag(
        dea,
        sig(
            "CL101",
            "level",
            "Niveau bâche alimentaire",
            "Feedwater tank level",
            Level,
            "mm",
        ),
    )
    .limits(
        Limits::normal(-100.0, 100.0)
            .with_ll(-600.0)
            .with_l(-300.0)
            .with_h(300.0)
            .with_hh(600.0),
    );
    b.tag(
        dea,
        sig(
            "CP101",
            "pressure",
            "Pression dégazeur",
            "Deaerator pressure",
            Pressure,
            "bar",
        ),
    )
    .limits(
        Limits::normal(4.0, 6.0)
            .with_l(3.0)
            .with_h(6.5)
            .with_hh(7.0),
    );
    b.tag(
        dea,
        sig(
            "CT101",
            "water_t",
            "Température eau alimentaire",
            "Feedwater temperature",
            Temperature,
            "°C",
        ),
    )
    .limits(Limits::normal(140.0, 160.0).with_l(130.0).with_h(165.0));
    b.tag(
        dea,
        sig(
            "CQ101",
            "o2",
            "Oxygène dissous",
            "Dissolved oxygen",
            Concentration,
            "ppm",
        ),
    )
    .limits(Limits::normal(0.0, 0.007).with_h(0.01).with_hh(0.02));

    for (code, alias, fr, en, p, t) in [
        (
            "10LBA10",
            "COLL-HP",
            "Collecteur vapeur HP",
            "Main steam header",
            Limits::normal(95.0, 120.0).with_h(126.0),
            Limits::normal(520.0, 535.0).with_h(545.0),
        ),
        (
            "10LBB10",
            "COLL-RS",
            "Collecteur resurchauffe chaude",
            "Hot-reheat header",
            Limits::normal(24.0, 30.0).with_h(33.0),
            Limits::normal(520.0, 535.0).with_h(545.0),
        ),
        (
            "10LBC10",
            "COLL-RF",
            "Collecteur resurchauffe froide",
            "Cold-reheat header",
            Limits::normal(25.0, 32.0).with_h(35.0),
            Limits::normal(300.0, 360.0).with_h(380.0),
        ),
    ] {
        b.add(code, alias, "pipe", bop, None, fr, en);
        b.tag(
            code,
            sig("CP101", "pressure", "Pression", "Pressure", Pressure, "bar"),
        )
        .limits(p);
        b.tag(
            code,
            sig(
                "CT101",
                "temperature",
                "Température",
                "Temperature",
                Temperature,
                "°C",
            ),
        )
        .limits(t);
        b.tag(
            code,
            sig(
                "CF101",
                "flow",
                "Débit vapeur",
                "Steam flow",
                MassFlow,
                "kg/s",
            ),
        );
    }
}

fn circuits(b: &mut Builder) {
    let mut add = |code: &str, medium: &str, fr: &str, en: &str, members: Vec<String>| {
        b.md.circuits.push(Circuit {
            code: code.to_owned(),
            medium: medium.to_owned(),
            name_fr: fr.to_owned(),
            name_en: en.to_owned(),
            members,
        });
    };
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for n in 1..=2 {
        let u = |s: &str| format!("1{n}{s}");
        add(
            &format!("GAZ{n}"),
            "fuel_gas",
            &format!("Gaz combustible TG{n}"),
            &format!("Fuel gas TG{n}"),
            vec![u("MBP10"), u("MBP10AA101"), u("MBM10")],
        );
        add(
            &format!("AIR{n}"),
            "air_flue_gas",
            &format!("Air et fumées train {n}"),
            &format!("Air and flue gas, train {n}"),
            vec![
                u("MBL10"),
                u("MBA10"),
                u("MBM10"),
                u("MBA20"),
                u("MBR10"),
                u("HNA20"),
                u("HNA10"),
                u("HAH50"),
                u("HAJ30"),
                u("HAD50"),
                u("HAC50"),
                u("HAD30"),
                u("HAD10"),
                u("HAC10"),
                u("HNE10"),
            ],
        );
        add(
            &format!("ALI{n}"),
            "feedwater",
            &format!("Eau alimentaire CR{n}"),
            &format!("Feedwater HRSG {n}"),
            vec![
                "10LAA10BB001".into(),
                u("LAC10AP001"),
                u("LAC10AP002"),
                u("LAB50AA101"),
                u("HAC50"),
                u("HAD50BB001"),
                u("HAD30BB001"),
            ],
        );
        add(
            &format!("HUILE{n}"),
            "lube_oil",
            &format!("Huile de graissage TG{n}"),
            &format!("Lube oil TG{n}"),
            vec![u("MBV10"), u("MBV10AP001"), u("MBD11"), u("MBD12")],
        );
    }
    add(
        "VHP",
        "hp_steam",
        "Vapeur HP",
        "HP steam",
        v(&[
            "11HAD50BB001",
            "11HAH50",
            "11LAE10AA101",
            "11LBA10AA001",
            "12HAD50BB001",
            "12HAH50",
            "12LAE10AA101",
            "12LBA10AA001",
            "10LBA10",
            "10MAA10AA001",
            "10MAA10AA101",
            "10MAA10",
            "11MAN10AA101",
            "12MAN10AA101",
        ]),
    );
    add(
        "VMP",
        "ip_steam",
        "Vapeur MP et resurchauffe",
        "IP and reheat steam",
        v(&[
            "10MAA10",
            "10LBC10",
            "11HAD30BB001",
            "11HAJ30",
            "12HAD30BB001",
            "12HAJ30",
            "10LBB10",
            "10MAB10",
            "11MAN20AA101",
            "12MAN20AA101",
        ]),
    );
    add(
        "VBP",
        "lp_steam",
        "Vapeur BP",
        "LP steam",
        v(&[
            "11HAD10BB001",
            "12HAD10BB001",
            "10MAC10",
            "11MAN30AA101",
            "12MAN30AA101",
        ]),
    );
    add(
        "COND",
        "condensate",
        "Condensat",
        "Condensate",
        v(&[
            "10MAG10",
            "10LCB10AP001",
            "10LCB10AP002",
            "10MAW10",
            "11HAC10",
            "12HAC10",
            "10LAA10BB001",
        ]),
    );
    add(
        "EC",
        "cooling_water",
        "Eau de circulation",
        "Cooling water",
        v(&["10PAC10AP001", "10PAC10AP002", "10MAG10"]),
    );
    add(
        "RI",
        "cooling_water",
        "Réfrigération intermédiaire",
        "Closed cooling water",
        v(&[
            "10PGB10AP001",
            "10PGB10AP002",
            "11MKA10",
            "12MKA10",
            "10MKA10",
            "11MBV10",
            "12MBV10",
            "10MAV10",
        ]),
    );
    add(
        "HUILE3",
        "lube_oil",
        "Huile de graissage TV",
        "Lube oil TV",
        v(&["10MAV10", "10MAD11", "10MAD12"]),
    );
}

fn documents(b: &mut Builder) {
    let mut add = |id: &str, title: &str, kind: &str, location: &str, components: &[&str]| {
        b.md.documents.push(Document {
            id: id.to_owned(),
            title: title.to_owned(),
            kind: kind.to_owned(),
            location: location.to_owned(),
            components: components.iter().map(|s| s.to_string()).collect(),
        });
    };
    add(
        "DOC-TG-OM",
        "Manuel d'exploitation et de maintenance SGT5-2000E",
        "manual",
        "GED/TG/OM-SGT5-2000E-rev4.pdf",
        &["11MBA00", "12MBA00"],
    );
    add(
        "DOC-CR-OM",
        "Manuel d'exploitation chaudière de récupération",
        "manual",
        "GED/CR/OM-HRSG-rev2.pdf",
        &["11HAD00", "12HAD00"],
    );
    add(
        "DOC-TV-OM",
        "Manuel d'exploitation turbine à vapeur",
        "manual",
        "GED/TV/OM-ST-rev3.pdf",
        &["10MAA00"],
    );
    add(
        "PID-EV",
        "P&ID cycle eau-vapeur",
        "pid",
        "GED/PID/10-LBA-001.pdf",
        &["10LBA10", "11HAD50BB001", "12HAD50BB001", "10MAA10"],
    );
    add(
        "PID-GAZ",
        "P&ID poste gaz combustible",
        "pid",
        "GED/PID/11-MBP-001.pdf",
        &["11MBP10", "12MBP10"],
    );
    add(
        "PID-ALI",
        "P&ID eau alimentaire",
        "pid",
        "GED/PID/11-LAC-001.pdf",
        &[
            "11LAC10AP001",
            "11LAC10AP002",
            "12LAC10AP001",
            "12LAC10AP002",
            "10LAA10BB001",
        ],
    );
    add(
        "DS-PA",
        "Fiche technique pompes alimentaires",
        "datasheet",
        "GED/DS/LAC-pumps.pdf",
        &[
            "11LAC10AP001",
            "11LAC10AP002",
            "12LAC10AP001",
            "12LAC10AP002",
        ],
    );
    add(
        "DS-PEX",
        "Fiche technique pompes d'extraction",
        "datasheet",
        "GED/DS/LCB-pumps.pdf",
        &["10LCB10AP001", "10LCB10AP002"],
    );
    add(
        "ISO20816",
        "Seuils vibratoires ISO 20816-2 / pratique constructeur",
        "standard",
        "GED/NORM/ISO-20816-2.pdf",
        &[
            "11MBD11", "11MBD12", "12MBD11", "12MBD12", "10MAD11", "10MAD12",
        ],
    );
    add(
        "IED-CEMS",
        "Arrêté d'exploitation — surveillance des émissions (IED annexe V)",
        "certificate",
        "GED/ENV/arrete-IED.pdf",
        &["11HNE10", "12HNE10"],
    );
    add(
        "SCH-UNIF",
        "Schéma unifilaire évacuation d'énergie 400 kV",
        "drawing",
        "GED/ELEC/unifilaire-400kV.pdf",
        &["11BAT10", "12BAT10", "10BAT10"],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_consistent_and_large_enough() {
        let md = plant();
        let errors = md.check();
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(
            md.components.len() >= 60,
            "{} components",
            md.components.len()
        );
        assert!(md.tags.len() >= 300, "{} tags", md.tags.len());
        assert!(!md.alarms.is_empty() && !md.circuits.is_empty() && !md.documents.is_empty());
    }

    #[test]
    fn realistic_key_values() {
        let md = plant();
        let param = |c: &str, n: &str| {
            md.parameters
                .iter()
                .find(|p| p.component == c && p.name == n)
                .unwrap_or_else(|| panic!("{c}.{n}"))
        };
        assert_eq!(param("11MBA00", "speed").startup_value, Some(3000.0));
        let drum = param("12HAD50BB001", "pressure");
        assert!(drum.limits.normal_high.unwrap() >= 120.0 && drum.limits.h.unwrap() <= 135.0);
        let exh = param("11MBR10", "exhaust_t");
        assert!((550.0..=600.0).contains(&exh.limits.h.unwrap()));
        let vib = param("10MAD12", "vib");
        assert_eq!(
            (vib.limits.h, vib.limits.trip_high),
            (Some(7.5), Some(11.8))
        );
        assert_eq!(vib.unit, "mm/s");
    }

    #[test]
    fn every_unit_is_named_and_every_component_in_one() {
        let md = plant();
        for c in &md.components {
            assert!(
                UNITS.iter().any(|u| u.0 == c.unit),
                "{} in {}",
                c.code,
                c.unit
            );
        }
        for u in UNITS {
            assert!(md.components.iter().any(|c| c.unit == u.0), "{}", u.0);
        }
    }

    #[test]
    fn alarms_follow_limits_with_priorities() {
        let md = plant();
        let a = md
            .alarms
            .iter()
            .find(|a| a.code == "11MBD11CY101-trip_high")
            .expect("GT1 bearing 1 trip alarm");
        assert_eq!(a.priority, Priority::Critical);
        assert!(
            md.alarms
                .iter()
                .any(|a| a.code == "11HAD50CL101-LL" && a.priority == Priority::High)
        );
    }
}
