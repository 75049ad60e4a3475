//! UI language: French by default, English available. All UI strings live here.

use crate::cli::Lang;
use bevy::prelude::Resource;

#[derive(Resource, Clone, Copy, PartialEq, Eq)]
pub struct Language(pub Lang);

impl Language {
    pub fn fr(self) -> bool {
        self.0 == Lang::Fr
    }
    pub fn texts(self) -> &'static Texts {
        match self.0 {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }
}

pub struct Texts {
    pub app_title: &'static str,
    pub plant_state: &'static str,
    pub no_live_data: &'static str,
    pub no_live_data_hint: &'static str,
    pub master_data: &'static str,
    pub validated_by: &'static str,
    pub search: &'static str,
    pub code: &'static str,
    pub kind: &'static str,
    pub unit: &'static str,
    pub parent: &'static str,
    pub manufacturer: &'static str,
    pub model: &'static str,
    pub rated: &'static str,
    pub parameters: &'static str,
    pub parameter: &'static str,
    pub normal: &'static str,
    pub startup: &'static str,
    pub trip_low: &'static str,
    pub trip_high: &'static str,
    pub tags: &'static str,
    pub source: &'static str,
    pub alarms: &'static str,
    pub documents: &'static str,
    pub circuits: &'static str,
    pub subcomponents: &'static str,
    pub fly_to: &'static str,
    pub close: &'static str,
    pub overview: &'static str,
    pub help: &'static str,
    pub no_match: &'static str,
    pub logbook: &'static str,
    pub latest_entries: &'static str,
    pub no_entries: &'static str,
}

pub const FR: Texts = Texts {
    app_title: "Jumeau — Cycle combiné 2×1",
    plant_state: "État tranche",
    no_live_data: "Pas de données temps réel",
    no_live_data_hint: "Aucune source SCADA raccordée : seules les données de référence sont affichées.",
    master_data: "Référentiel",
    validated_by: "validé par",
    search: "Rechercher (code, repère, nom)…",
    code: "Code KKS",
    kind: "Type",
    unit: "Unité",
    parent: "Parent",
    manufacturer: "Constructeur",
    model: "Modèle",
    rated: "Caractéristiques nominales",
    parameters: "Paramètres et seuils",
    parameter: "Paramètre",
    normal: "Normal",
    startup: "Démarrage",
    trip_low: "Décl. bas",
    trip_high: "Décl. haut",
    tags: "Repères de mesure",
    source: "Source",
    alarms: "Alarmes de référence",
    documents: "Documents",
    circuits: "Circuits",
    subcomponents: "Sous-ensembles",
    fly_to: "Centrer la vue",
    close: "Fermer",
    overview: "Vue d'ensemble",
    help: "Clic gauche + glisser : orbite · clic droit : déplacer · molette : zoom · 0–5 : vues · Échap : désélectionner",
    no_match: "Aucun composant ne correspond.",
    logbook: "Main courante",
    latest_entries: "Dernières entrées de main courante",
    no_entries: "Aucune entrée.",
};

pub const EN: Texts = Texts {
    app_title: "Jumeau — 2×1 combined cycle",
    plant_state: "Block state",
    no_live_data: "No live data",
    no_live_data_hint: "No SCADA source connected: only master data is shown.",
    master_data: "Master data",
    validated_by: "validated by",
    search: "Search (code, alias, name)…",
    code: "KKS code",
    kind: "Kind",
    unit: "Unit",
    parent: "Parent",
    manufacturer: "Manufacturer",
    model: "Model",
    rated: "Rated data",
    parameters: "Parameters and limits",
    parameter: "Parameter",
    normal: "Normal",
    startup: "Start-up",
    trip_low: "Trip low",
    trip_high: "Trip high",
    tags: "Measuring points",
    source: "Source",
    alarms: "Alarm references",
    documents: "Documents",
    circuits: "Circuits",
    subcomponents: "Sub-assemblies",
    fly_to: "Fly to",
    close: "Close",
    overview: "Overview",
    help: "Left drag: orbit · right drag: pan · wheel: zoom · 0–5: views · Esc: clear selection",
    no_match: "No component matches.",
    logbook: "Logbook",
    latest_entries: "Latest logbook entries",
    no_entries: "No entries.",
};
