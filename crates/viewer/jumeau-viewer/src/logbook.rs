//! Logbook panel (main courante): timeline with filters and full-text search, manual-entry
//! form with validation, latest entries of the selected component for its card, and automatic
//! login/logout entries. Reads and writes go through the runtime, which signs with this
//! device's key.

use super::i18n::{self, Language};
use super::plant::Session;
use super::selection::Selection;
use super::sets::{FrameSet, UiSet};
use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, RichText};
use jumeau_core::logbook::{Category, EntryDraft, EntryKind, EntryValue};
use jumeau_runtime::{Command, Pending, Reply, RuntimeEvent};
use jumeau_runtime::{LogEntry, LogFilter};
use std::time::Duration;

use super::live::LiveFeed;
use jumeau_core::Locale;

pub struct LogbookPlugin;

impl Plugin for LogbookPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LogbookView>()
            .init_resource::<ComponentEntries>()
            .add_systems(
                Update,
                (follow_new_entries, refresh_component_entries)
                    .chain()
                    .in_set(FrameSet::Sync),
            )
            .add_systems(
                EguiPrimaryContextPass,
                logbook_window.in_set(UiSet::Windows),
            );
    }
}

/// How long the form waits for the runtime to say an entry is in the store.
const APPEND_WAIT: Duration = Duration::from_secs(5);

/// The entries of a read in flight, once they have come (None while waiting).
fn collect(pending: &mut Option<Pending<Vec<LogEntry>>>) -> Option<Vec<LogEntry>> {
    let result = pending.as_ref()?.try_take()?;
    *pending = None;
    Some(result.unwrap_or_else(|e| {
        error!("cannot read the logbook: {e}");
        Vec::new()
    }))
}

#[derive(Resource)]
pub struct LogbookView {
    pub open: bool,
    /// Filters of the timeline.
    period: Period,
    only_selected: bool,
    category: Option<String>,
    author: String,
    tag: String,
    search: String,
    entries: Vec<LogEntry>,
    dirty: bool,
    fetching: Option<Pending<Vec<LogEntry>>>,
    form: Form,
    message: Option<(bool, String)>,
}

impl Default for LogbookView {
    fn default() -> Self {
        LogbookView {
            open: false,
            period: Period::All,
            only_selected: false,
            category: None,
            author: String::new(),
            tag: String::new(),
            search: String::new(),
            entries: Vec::new(),
            dirty: true,
            fetching: None,
            form: Form::default(),
            message: None,
        }
    }
}

impl LogbookView {
    /// The view with its window open or closed.
    pub fn opened(open: bool) -> Self {
        LogbookView {
            open,
            ..LogbookView::default()
        }
    }
}

#[derive(Default)]
struct Form {
    category: String,
    text: String,
    link_selection: bool,
    tags: String,
    values: String,
    training: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Period {
    All,
    Day,
    Week,
}

/// Latest entries about the selected component, for its card.
#[derive(Resource, Default)]
pub struct ComponentEntries {
    pub code: Option<String>,
    pub entries: Vec<LogEntry>,
    /// Set after an append so that the card reloads.
    pub stale: bool,
    fetching: Option<Pending<Vec<LogEntry>>>,
}

/// An entry written since the last frame (a trip's, an alarm's, an acknowledgement's, the
/// form's): the open timeline and the card reload, so neither shows an old logbook.
fn follow_new_entries(
    feed: Res<LiveFeed>,
    mut cursor: Local<u64>,
    mut view: ResMut<LogbookView>,
    mut latest: ResMut<ComponentEntries>,
) {
    let (events, next) = feed.0.events_since(*cursor);
    *cursor = next;
    if events.iter().any(|e| {
        matches!(
            e,
            RuntimeEvent::Logbook { .. } | RuntimeEvent::Synced { .. }
        )
    }) {
        view.dirty = true;
        latest.stale = true;
    }
}

fn refresh_component_entries(
    selection: Res<Selection>,
    feed: Res<LiveFeed>,
    mut latest: ResMut<ComponentEntries>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    if let Some(entries) = collect(&mut latest.fetching) {
        latest.entries = entries;
    }
    if latest.code == selection.code && !latest.stale {
        return;
    }
    latest.stale = false;
    latest.code = selection.code.clone();
    match &selection.code {
        Some(code) => {
            latest.fetching = Some(feed.0.logbook(LogFilter {
                component: Some(code.clone()),
                limit: Some(5),
                ..LogFilter::default()
            }))
        }
        None => latest.entries = Vec::new(),
    }
}

/// Parses the form's value lines, `NAME=NUMBER UNIT` each.
fn parse_values(text: &str) -> Result<Vec<EntryValue>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| EntryValue::parse(line).map_err(|e| e.to_string()))
        .collect()
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn logbook_window(
    mut contexts: EguiContexts,
    mut view: ResMut<LogbookView>,
    feed: Res<LiveFeed>,
    session: Res<Session>,
    selection: Res<Selection>,
    language: Res<Language>,
    mut latest: ResMut<ComponentEntries>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let locale = language.locale();
    let view = &mut *view;
    if let Some(mut entries) = collect(&mut view.fetching) {
        entries.reverse();
        view.entries = entries;
    }
    if view.dirty || selection.is_changed() && view.only_selected {
        view.fetching = Some(feed.0.logbook(timeline_filter(view, &selection)));
        view.dirty = false;
    }
    let mut open = true;
    egui::Window::new(language.texts().logbook)
        .open(&mut open)
        .default_size([720.0, 420.0])
        .default_pos([340.0, 440.0])
        .show(&ctx, |ui| {
            if entry_form(ui, view, &feed, &session, &selection, locale) {
                latest.stale = true;
            }
            ui.separator();
            filters(ui, view, &selection, locale);
            timeline(ui, view, &session, locale);
        });
    view.open = open;
    Ok(())
}

fn timeline_filter(view: &LogbookView, selection: &Selection) -> LogFilter {
    let days = match view.period {
        Period::All => None,
        Period::Day => Some(1),
        Period::Week => Some(7),
    };
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    LogFilter {
        from: days.map(since_days),
        component: if view.only_selected {
            selection.code.clone()
        } else {
            None
        },
        category: view.category.clone(),
        author: non_empty(&view.author),
        tag: non_empty(&view.tag),
        text: non_empty(&view.search),
        limit: Some(500),
        ..LogFilter::default()
    }
}

/// RFC 3339 UTC of `days` ago.
fn since_days(days: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(now.saturating_sub(days * 86_400))
}

/// RFC 3339 UTC of a Unix time (civil-date arithmetic, no time-zone database needed).
fn rfc3339(secs: u64) -> String {
    let (z, rem) = ((secs / 86_400) as i64 + 719_468, secs % 86_400);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Draws the form; true when an entry was recorded.
fn entry_form(
    ui: &mut egui::Ui,
    view: &mut LogbookView,
    feed: &LiveFeed,
    session: &Session,
    selection: &Selection,
    locale: Locale,
) -> bool {
    let lt = &Language(locale).texts().logbook_window;
    let mut recorded = false;
    let form = &mut view.form;
    ui.label(RichText::new(lt.new_entry).strong());
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("category")
            .selected_text(if form.category.is_empty() {
                lt.category_hint
            } else {
                form.category.as_str()
            })
            .show_ui(ui, |ui| {
                for c in Category::MANUAL.map(Category::as_str) {
                    ui.selectable_value(&mut form.category, c.to_owned(), c);
                }
            });
        let selected = selection.code.as_deref().and_then(|c| session.component(c));
        ui.add_enabled_ui(selected.is_some(), |ui| {
            let label = match selected {
                Some(c) => format!("{} {}", lt.link_to, c.alias),
                None => (lt.no_component_selected).to_owned(),
            };
            ui.checkbox(&mut form.link_selection, label);
        });
        ui.checkbox(&mut form.training, lt.training);
    });
    ui.add(
        egui::TextEdit::multiline(&mut form.text)
            .hint_text(lt.entry_hint)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    );
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut form.tags)
                .hint_text(lt.tags_hint)
                .desired_width(220.0),
        );
        ui.add(
            egui::TextEdit::multiline(&mut form.values)
                .hint_text(lt.values_hint)
                .desired_rows(1)
                .desired_width(280.0),
        );
        if ui.button(lt.sign_and_record).clicked() {
            let result = parse_values(&form.values).and_then(|values| {
                let draft = EntryDraft {
                    kind: EntryKind::Manual,
                    category: form.category.clone(),
                    text: form.text.clone(),
                    components: if form.link_selection {
                        selection.code.iter().cloned().collect()
                    } else {
                        Vec::new()
                    },
                    tags: split_list(&form.tags),
                    values,
                    training: form.training,
                    ..EntryDraft::default()
                };
                draft.check().map_err(|e| e.to_string())?;
                // Cleared only once the runtime says the entry is in the store.
                match feed
                    .0
                    .send(Command::AppendLogbook(draft))
                    .wait(APPEND_WAIT)?
                {
                    Reply::Entry(seq) => Ok(seq),
                    other => Err(format!("unexpected answer {other:?}")),
                }
            });
            view.message = Some(match result {
                Ok(seq) => {
                    *form = Form::default();
                    view.dirty = true;
                    recorded = true;
                    (true, format!("#{seq} {}", lt.recorded_and_signed))
                }
                Err(e) => (false, e),
            });
        }
    });
    if let Some((ok, msg)) = &view.message {
        let color = if *ok {
            Color32::from_rgb(0x9a, 0xd0, 0x9a)
        } else {
            Color32::from_rgb(0xff, 0x9a, 0x4a)
        };
        ui.label(RichText::new(msg).color(color));
    }
    recorded
}

fn filters(ui: &mut egui::Ui, view: &mut LogbookView, selection: &Selection, locale: Locale) {
    let lt = &Language(locale).texts().logbook_window;
    let before = (
        view.period,
        view.only_selected,
        view.category.clone(),
        view.author.clone(),
        view.tag.clone(),
        view.search.clone(),
    );
    ui.horizontal_wrapped(|ui| {
        for (p, label) in [
            (Period::All, lt.all_time),
            (Period::Day, "24 h"),
            (Period::Week, lt.seven_days),
        ] {
            ui.selectable_value(&mut view.period, p, label);
        }
        ui.add_enabled(
            selection.code.is_some(),
            egui::Checkbox::new(&mut view.only_selected, lt.selected_component),
        );
        egui::ComboBox::from_id_salt("filter-category")
            .selected_text(view.category.as_deref().unwrap_or(lt.all_categories))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.category, None, lt.all);
                for c in Category::ALL.map(Category::as_str) {
                    ui.selectable_value(&mut view.category, Some(c.to_owned()), c);
                }
            });
        ui.add(
            egui::TextEdit::singleline(&mut view.author)
                .hint_text(lt.author)
                .desired_width(90.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut view.tag)
                .hint_text("tag")
                .desired_width(80.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut view.search)
                .hint_text(lt.full_text_search)
                .desired_width(170.0),
        );
    });
    if before
        != (
            view.period,
            view.only_selected,
            view.category.clone(),
            view.author.clone(),
            view.tag.clone(),
            view.search.clone(),
        )
    {
        view.dirty = true;
    }
}

fn timeline(ui: &mut egui::Ui, view: &LogbookView, session: &Session, locale: Locale) {
    let lt = &Language(locale).texts().logbook_window;
    ui.label(
        RichText::new(format!(
            "{} {}",
            view.entries.len(),
            lt.entries_newest_first
        ))
        .small(),
    );
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("timeline")
                .num_columns(5)
                .striped(true)
                .show(ui, |ui| {
                    for e in &view.entries {
                        let b = &e.body;
                        ui.label(RichText::new(format!("#{}", b.seq)).monospace());
                        ui.label(
                            RichText::new(
                                b.recorded_at
                                    .get(..19)
                                    .unwrap_or(&b.recorded_at)
                                    .replace('T', " "),
                            )
                            .monospace(),
                        )
                        .on_hover_text(format!("{}\n{} {}", b.recorded_at, lt.hash, e.entry_hash));
                        ui.label(format!("{} ({})", b.author, b.role));
                        let mut cat = b.category.clone();
                        if b.training {
                            cat.push_str(lt.training_suffix);
                        }
                        ui.label(RichText::new(cat).color(Color32::from_gray(170)));
                        let aliases: Vec<&str> = b
                            .components
                            .iter()
                            .map(|c| {
                                session
                                    .component(c)
                                    .map_or(c.as_str(), |c| c.alias.as_str())
                            })
                            .collect();
                        let values: Vec<String> = b
                            .values
                            .iter()
                            .map(|v| {
                                let value = i18n::with_mark(&v.value, locale);
                                format!("{}={value} {}", v.name, v.unit)
                            })
                            .collect();
                        let mut text = b.text.replace('\n', " / ");
                        if !aliases.is_empty() {
                            text = format!("[{}] {text}", aliases.join(", "));
                        }
                        if !values.is_empty() {
                            text = format!("{text} — {}", values.join(", "));
                        }
                        ui.label(text);
                        ui.end_row();
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime on the built-in simulator with a set-up store, acting for j.martin.
    fn runtime(dir: &std::path::Path) -> jumeau_runtime::RuntimeHandle {
        use jumeau_store::testing;
        let path = dir.join("jumeau.sqlite");
        drop(testing::set_passwords(&path, "bench").unwrap());
        jumeau_runtime::Runtime::start(jumeau_runtime::RuntimeConfig {
            store: testing::files(&path),
            login: "j.martin".into(),
            password: testing::password(),
            device: "bench".into(),
            source: jumeau_runtime::SourceConfig::Simulator {
                scenario: "dispatch".into(),
                speed: 1.0,
                seed: 1,
                addr: "127.0.0.1:0".into(),
            },
        })
        .unwrap()
    }

    #[test]
    fn an_entry_written_while_the_window_is_open_reloads_it_and_the_card() {
        let dir = tempfile::tempdir().unwrap();
        let rt = runtime(dir.path());
        let mut app = App::new();
        app.insert_resource(LiveFeed(rt.clone()))
            .insert_resource(LogbookView::opened(true))
            .init_resource::<ComponentEntries>()
            .add_systems(Update, follow_new_entries);
        let settle = |app: &mut App| {
            app.update();
            app.world_mut().resource_mut::<LogbookView>().dirty = false;
            app.world_mut().resource_mut::<ComponentEntries>().stale = false;
        };
        settle(&mut app);
        app.update();
        assert!(!app.world().resource::<LogbookView>().dirty, "nothing new");
        // The session's opening is an entry the runtime writes, as a trip's or an alarm's.
        rt.send(Command::Session { opened: true })
            .wait(std::time::Duration::from_secs(10))
            .unwrap();
        app.update();
        assert!(
            app.world().resource::<LogbookView>().dirty,
            "the timeline reloads"
        );
        assert!(
            app.world().resource::<ComponentEntries>().stale,
            "the card reloads"
        );
    }

    #[test]
    fn form_values_parse_or_say_why() {
        let v = parse_values("NOx=31.5 mg/Nm³\n\n CO = 4 mg/Nm³ ").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[1].name.as_str(), v[1].value.as_str(), v[1].unit.as_str()),
            ("CO", "4", "mg/Nm³")
        );
        assert!(parse_values("NOx 31.5").is_err());
        assert!(
            parse_values("NOx=31.5")
                .unwrap_err()
                .contains("unit is required")
        );
    }

    #[test]
    fn civil_dates_from_unix_time() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_763_700_000), "2025-11-21T04:40:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
