//! The alarm engine: rules compiled against a fixed tag list, evaluated on each update cycle,
//! with the ISA-18.2 / IEC 62682 lifecycle (unacknowledged → acknowledged → return to normal,
//! return-to-normal unacknowledged, latching, shelving with expiry, suppression by design, out
//! of service). Pure: the caller supplies the inputs and the time and journals the events.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::masterdata::rule::{Condition, limit_is_high};
use crate::masterdata::{MasterData, MdIndex, Priority};

/// One tag's input to a cycle. `good` is false when the value is stale or of bad quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Input {
    pub value: f64,
    /// Source time of the value (rates are measured on it, so a faster simulator clock does
    /// not fake a fast rise).
    pub ts_ms: i64,
    pub good: bool,
}

impl Input {
    pub const MISSING: Input = Input {
        value: f64::NAN,
        ts_ms: 0,
        good: false,
    };
}

/// The annunciation state of an alarm (ISA-18.2 state diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    Normal,
    Unacknowledged,
    Acknowledged,
    /// Returned to normal before anyone acknowledged it.
    ReturnedUnacknowledged,
    /// A latching alarm whose condition has cleared, waiting for a reset.
    Latched,
}

/// What happened to an alarm; one journal row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Raised,
    Cleared,
    Acknowledged,
    /// A latched alarm reset by an operator.
    Reset,
    Shelved,
    Unshelved,
    ShelfExpired,
    /// Hidden by design while its suppression condition holds (it was showing or active).
    Suppressed,
    OutOfService,
    InService,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Raised => "raised",
            EventKind::Cleared => "cleared",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Reset => "reset",
            EventKind::Shelved => "shelved",
            EventKind::Unshelved => "unshelved",
            EventKind::ShelfExpired => "shelf_expired",
            EventKind::Suppressed => "suppressed",
            EventKind::OutOfService => "out_of_service",
            EventKind::InService => "in_service",
        }
    }

    /// The inverse of [`EventKind::as_str`] (the serde names are the same).
    pub fn parse(s: &str) -> Option<EventKind> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// One alarm transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvent {
    pub ts_ms: i64,
    pub code: String,
    pub component: String,
    pub priority: Priority,
    pub kind: EventKind,
    /// The rule's value and limit at the transition (NaN for discrete rules).
    pub value: f64,
    pub limit: f64,
    /// Operator for acknowledgements, shelving and out-of-service; none for the process.
    pub user: Option<String>,
    pub note: Option<String>,
}

/// A shelved alarm: hidden until `until_ms`, with who and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shelf {
    pub until_ms: i64,
    pub reason: String,
    pub by: String,
}

/// The live status of one alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    pub code: String,
    pub component: String,
    pub priority: Priority,
    /// The tag whose value the rule reports (for trends and values).
    pub tag: Option<String>,
    pub state: AlarmState,
    /// The condition, after on/off delays, whether annunciated or not.
    pub condition: bool,
    pub shelved: Option<Shelf>,
    pub suppressed: bool,
    pub out_of_service: Option<String>,
    pub value: f64,
    pub limit: f64,
    /// When the state last changed.
    pub since_ms: i64,
}

impl Alarm {
    /// Shown to the operator (banner, list, colours).
    pub fn annunciated(&self) -> bool {
        self.state != AlarmState::Normal
    }

    /// Blinks: annunciated and not yet acknowledged.
    pub fn unacknowledged(&self) -> bool {
        matches!(
            self.state,
            AlarmState::Unacknowledged | AlarmState::ReturnedUnacknowledged | AlarmState::Latched
        )
    }

    fn hidden(&self) -> bool {
        self.shelved.is_some() || self.suppressed || self.out_of_service.is_some()
    }
}

/// Why a rule could not be compiled (the rest still run).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    #[error("alarm `{code}`: unknown tag `{tag}`")]
    UnknownTag { code: String, tag: String },
    #[error("alarm `{code}`: tag `{tag}` has no `{limit}` limit in master data")]
    NoLimit {
        code: String,
        tag: String,
        limit: String,
    },
    #[error("alarm `{code}`: {problem}")]
    Invalid { code: String, problem: String },
}

/// A request the engine refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    #[error("no alarm `{0}`")]
    Unknown(String),
    #[error("alarm `{0}` is not waiting for acknowledgement")]
    NothingToAcknowledge(String),
    #[error("a reason is required")]
    NoReason,
    #[error("shelving must end in the future and within {max_h} h")]
    ShelfDuration { max_h: i64 },
    #[error("alarm `{0}` is not shelved")]
    NotShelved(String),
}

/// Longest a shelf may last: shelving is a temporary measure, never a way to disable an alarm.
pub const MAX_SHELF_MS: i64 = 12 * 3_600_000;

enum Cond {
    Above {
        i: usize,
        v: f64,
        db: f64,
    },
    Below {
        i: usize,
        v: f64,
        db: f64,
    },
    Rate {
        i: usize,
        per_min: f64,
        window_ms: i64,
        rising: bool,
        slot: usize,
    },
    Deviation {
        a: usize,
        b: usize,
        max: f64,
        db: f64,
    },
    OffCurve {
        i: usize,
        x: usize,
        curve: Vec<[f64; 2]>,
        max: f64,
        db: f64,
    },
    Bad {
        i: usize,
    },
    On {
        i: usize,
        want: bool,
    },
    All(Vec<Cond>),
    Any(Vec<Cond>),
}

/// A condition's verdict: `None` when an input is missing or bad (the alarm holds its state).
struct Verdict {
    on: Option<bool>,
    value: f64,
    limit: f64,
}

#[derive(Clone, Copy)]
struct RateState {
    ref_ts: i64,
    ref_v: f64,
    last_ts: i64,
    rate: f64,
}

struct Compiled {
    when: Cond,
    suppress: Option<Cond>,
    on_ms: i64,
    off_ms: i64,
    latching: bool,
    pending_since: Option<i64>,
}

/// Rules compiled against master data, with each alarm's state.
pub struct AlarmEngine {
    tags: Vec<String>,
    rules: Vec<Compiled>,
    alarms: Vec<Alarm>,
    by_code: HashMap<String, usize>,
    rates: Vec<RateState>,
    problems: Vec<RuleError>,
}

impl AlarmEngine {
    /// Compiles every alarm reference of `md` whose rule resolves; inputs are indexed like
    /// `md.tags`. Rules that do not resolve are listed in [`AlarmEngine::problems`].
    pub fn new(md: &MasterData) -> AlarmEngine {
        let tags: Vec<String> = md.tags.iter().map(|t| t.name.clone()).collect();
        let md_index = md.index();
        let index: HashMap<&str, usize> = tags
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let mut engine = AlarmEngine {
            tags: Vec::new(),
            rules: Vec::new(),
            alarms: Vec::new(),
            by_code: HashMap::new(),
            rates: Vec::new(),
            problems: Vec::new(),
        };
        for a in &md.alarms {
            let Some(rule) = md_index.alarm_rule(a) else {
                continue;
            };
            let mut cx = CompileCx {
                md: &md_index,
                index: &index,
                code: &a.code,
                rates: &mut engine.rates,
            };
            let compiled = cx.cond(&rule.when).and_then(|when| {
                let suppress = rule
                    .suppress_when
                    .as_ref()
                    .map(|c| cx.cond(c))
                    .transpose()?;
                Ok((when, suppress))
            });
            match compiled {
                Ok((when, suppress)) => {
                    engine.by_code.insert(a.code.clone(), engine.alarms.len());
                    engine.alarms.push(Alarm {
                        code: a.code.clone(),
                        component: a.component.clone(),
                        priority: a.priority,
                        tag: primary_tag(&rule.when).map(str::to_owned),
                        state: AlarmState::Normal,
                        condition: false,
                        shelved: None,
                        suppressed: false,
                        out_of_service: None,
                        value: f64::NAN,
                        limit: f64::NAN,
                        since_ms: 0,
                    });
                    engine.rules.push(Compiled {
                        when,
                        suppress,
                        on_ms: (rule.on_delay_s * 1000.0) as i64,
                        off_ms: (rule.off_delay_s * 1000.0) as i64,
                        latching: rule.latching,
                        pending_since: None,
                    });
                }
                Err(e) => engine.problems.push(e),
            }
        }
        engine.tags = tags;
        engine
    }

    /// The tag names, in the order [`AlarmEngine::evaluate`] reads its inputs.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }

    pub fn alarm(&self, code: &str) -> Option<&Alarm> {
        self.by_code.get(code).map(|&i| &self.alarms[i])
    }

    pub fn problems(&self) -> &[RuleError] {
        &self.problems
    }

    /// The annunciated alarms, highest priority first, newest first within a priority: the
    /// order of the banner and the alarm list.
    pub fn annunciated(&self) -> Vec<&Alarm> {
        let mut rows: Vec<&Alarm> = self.alarms.iter().filter(|a| a.annunciated()).collect();
        rows.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then(b.since_ms.cmp(&a.since_ms))
        });
        rows
    }

    /// Per component with annunciated alarms: the worst priority and whether any is
    /// unacknowledged (what the 3D view paints and blinks).
    pub fn worst_by_component(&self) -> HashMap<&str, (Priority, bool)> {
        let mut out: HashMap<&str, (Priority, bool)> = HashMap::new();
        for a in self.alarms.iter().filter(|a| a.annunciated()) {
            let e = out
                .entry(a.component.as_str())
                .or_insert((a.priority, false));
            e.0 = e.0.min(a.priority);
            e.1 |= a.unacknowledged();
        }
        out
    }

    /// One update cycle at wall-clock `now_ms`: evaluates every rule on `inputs` (indexed like
    /// [`AlarmEngine::tags`]), applies delays, shelf expiry and suppression, and returns the
    /// transitions in order.
    pub fn evaluate(&mut self, now_ms: i64, inputs: &[Input]) -> Vec<AlarmEvent> {
        let mut events = Vec::new();
        for (rule, alarm) in self.rules.iter_mut().zip(self.alarms.iter_mut()) {
            if let Some(shelf) = &alarm.shelved
                && now_ms >= shelf.until_ms
            {
                alarm.shelved = None;
                events.push(event(alarm, now_ms, EventKind::ShelfExpired, None, None));
                reannunciate(alarm, now_ms, &mut events);
            }
            let v = eval(&rule.when, inputs, &mut self.rates, alarm.condition);
            if v.on.is_some() {
                alarm.value = v.value;
                alarm.limit = v.limit;
            }
            if let Some(s) = &rule.suppress {
                let suppressed = eval(s, inputs, &mut self.rates, alarm.suppressed)
                    .on
                    .unwrap_or(alarm.suppressed);
                if suppressed != alarm.suppressed {
                    alarm.suppressed = suppressed;
                    if suppressed && (alarm.annunciated() || alarm.condition) {
                        events.push(event(alarm, now_ms, EventKind::Suppressed, None, None));
                        set_state(alarm, AlarmState::Normal, now_ms);
                    } else if !suppressed {
                        // What held during suppression counts for nothing: only a condition
                        // present now is raised.
                        if v.on == Some(false) {
                            alarm.condition = false;
                            rule.pending_since = None;
                        }
                        reannunciate(alarm, now_ms, &mut events);
                    }
                }
            }
            let Some(on) = v.on.filter(|&on| on != alarm.condition) else {
                rule.pending_since = None;
                continue;
            };
            let since = *rule.pending_since.get_or_insert(now_ms);
            let delay = if on { rule.on_ms } else { rule.off_ms };
            if now_ms - since < delay {
                continue;
            }
            rule.pending_since = None;
            alarm.condition = on;
            if alarm.hidden() {
                continue;
            }
            if on {
                raise(alarm, now_ms, &mut events);
            } else {
                let next = match (alarm.state, rule.latching) {
                    (AlarmState::Normal | AlarmState::Latched, _) => continue,
                    (_, true) => AlarmState::Latched,
                    (AlarmState::Acknowledged, false) => AlarmState::Normal,
                    (_, false) => AlarmState::ReturnedUnacknowledged,
                };
                set_state(alarm, next, now_ms);
                events.push(event(alarm, now_ms, EventKind::Cleared, None, None));
            }
        }
        events
    }

    /// Acknowledges (or resets, when latched) an annunciated, unacknowledged alarm.
    pub fn acknowledge(
        &mut self,
        code: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<AlarmEvent, CommandError> {
        let alarm = self.alarm_mut(code)?;
        let (next, kind) = match alarm.state {
            AlarmState::Unacknowledged => (AlarmState::Acknowledged, EventKind::Acknowledged),
            AlarmState::ReturnedUnacknowledged => (AlarmState::Normal, EventKind::Acknowledged),
            AlarmState::Latched => (AlarmState::Normal, EventKind::Reset),
            _ => return Err(CommandError::NothingToAcknowledge(code.to_owned())),
        };
        set_state(alarm, next, now_ms);
        Ok(event(alarm, now_ms, kind, Some(user), None))
    }

    /// Shelves an alarm until `until_ms` (at most [`MAX_SHELF_MS`] ahead), with a reason.
    pub fn shelve(
        &mut self,
        code: &str,
        until_ms: i64,
        reason: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<AlarmEvent, CommandError> {
        if reason.trim().is_empty() {
            return Err(CommandError::NoReason);
        }
        if until_ms <= now_ms || until_ms - now_ms > MAX_SHELF_MS {
            return Err(CommandError::ShelfDuration {
                max_h: MAX_SHELF_MS / 3_600_000,
            });
        }
        let alarm = self.alarm_mut(code)?;
        alarm.shelved = Some(Shelf {
            until_ms,
            reason: reason.trim().to_owned(),
            by: user.to_owned(),
        });
        set_state(alarm, AlarmState::Normal, now_ms);
        Ok(event(
            alarm,
            now_ms,
            EventKind::Shelved,
            Some(user),
            Some(reason.trim()),
        ))
    }

    /// Ends a shelf early; an alarm whose condition still holds is raised again.
    pub fn unshelve(
        &mut self,
        code: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<Vec<AlarmEvent>, CommandError> {
        let alarm = self.alarm_mut(code)?;
        if alarm.shelved.take().is_none() {
            return Err(CommandError::NotShelved(code.to_owned()));
        }
        let mut events = vec![event(alarm, now_ms, EventKind::Unshelved, Some(user), None)];
        reannunciate(alarm, now_ms, &mut events);
        Ok(events)
    }

    /// Takes an alarm out of service (maintenance on its instrument) or puts it back.
    pub fn set_out_of_service(
        &mut self,
        code: &str,
        reason: Option<&str>,
        user: &str,
        now_ms: i64,
    ) -> Result<Vec<AlarmEvent>, CommandError> {
        let alarm = self.alarm_mut(code)?;
        match reason {
            Some(r) if r.trim().is_empty() => Err(CommandError::NoReason),
            Some(r) => {
                alarm.out_of_service = Some(r.trim().to_owned());
                set_state(alarm, AlarmState::Normal, now_ms);
                let e = event(alarm, now_ms, EventKind::OutOfService, Some(user), Some(r));
                Ok(vec![e])
            }
            None => {
                alarm.out_of_service = None;
                let mut events = vec![event(alarm, now_ms, EventKind::InService, Some(user), None)];
                reannunciate(alarm, now_ms, &mut events);
                Ok(events)
            }
        }
    }

    fn alarm_mut(&mut self, code: &str) -> Result<&mut Alarm, CommandError> {
        let i = *self
            .by_code
            .get(code)
            .ok_or_else(|| CommandError::Unknown(code.to_owned()))?;
        Ok(&mut self.alarms[i])
    }
}

fn set_state(alarm: &mut Alarm, state: AlarmState, now_ms: i64) {
    if alarm.state != state {
        alarm.state = state;
        alarm.since_ms = now_ms;
    }
}

fn raise(alarm: &mut Alarm, now_ms: i64, events: &mut Vec<AlarmEvent>) {
    set_state(alarm, AlarmState::Unacknowledged, now_ms);
    events.push(event(alarm, now_ms, EventKind::Raised, None, None));
}

/// After a shelf, a suppression or an out-of-service period: a condition still present is
/// raised again, as new.
fn reannunciate(alarm: &mut Alarm, now_ms: i64, events: &mut Vec<AlarmEvent>) {
    if alarm.condition && !alarm.hidden() && !alarm.annunciated() {
        raise(alarm, now_ms, events);
    }
}

fn event(
    alarm: &Alarm,
    ts_ms: i64,
    kind: EventKind,
    user: Option<&str>,
    note: Option<&str>,
) -> AlarmEvent {
    AlarmEvent {
        ts_ms,
        code: alarm.code.clone(),
        component: alarm.component.clone(),
        priority: alarm.priority,
        kind,
        value: alarm.value,
        limit: alarm.limit,
        user: user.map(str::to_owned),
        note: note.map(str::to_owned),
    }
}

fn primary_tag(c: &Condition) -> Option<&str> {
    use Condition::*;
    match c {
        Limit { tag, .. }
        | Above { tag, .. }
        | Below { tag, .. }
        | RisingFaster { tag, .. }
        | FallingFaster { tag, .. }
        | OffCurve { tag, .. }
        | BadQuality { tag }
        | IsOn { tag }
        | IsOff { tag } => Some(tag),
        Deviation { a, .. } => Some(a),
        All { of } | Any { of } => of.first().and_then(primary_tag),
    }
}

struct CompileCx<'a> {
    md: &'a MdIndex<'a>,
    index: &'a HashMap<&'a str, usize>,
    code: &'a str,
    rates: &'a mut Vec<RateState>,
}

impl CompileCx<'_> {
    fn tag(&self, tag: &str) -> Result<usize, RuleError> {
        self.index
            .get(tag)
            .copied()
            .ok_or_else(|| RuleError::UnknownTag {
                code: self.code.to_owned(),
                tag: tag.to_owned(),
            })
    }

    fn invalid(&self, problem: &str) -> RuleError {
        RuleError::Invalid {
            code: self.code.to_owned(),
            problem: problem.to_owned(),
        }
    }

    fn cond(&mut self, c: &Condition) -> Result<Cond, RuleError> {
        use Condition::*;
        Ok(match c {
            Limit {
                tag,
                limit,
                deadband,
            } => {
                let i = self.tag(tag)?;
                let no_limit = || RuleError::NoLimit {
                    code: self.code.to_owned(),
                    tag: tag.clone(),
                    limit: limit.clone(),
                };
                let high = limit_is_high(limit).ok_or_else(no_limit)?;
                let v = self.md.limit_of_tag(tag, limit).ok_or_else(no_limit)?;
                let db = deadband.abs();
                if high {
                    Cond::Above { i, v, db }
                } else {
                    Cond::Below { i, v, db }
                }
            }
            Above {
                tag,
                value,
                deadband,
            } => Cond::Above {
                i: self.tag(tag)?,
                v: *value,
                db: deadband.abs(),
            },
            Below {
                tag,
                value,
                deadband,
            } => Cond::Below {
                i: self.tag(tag)?,
                v: *value,
                db: deadband.abs(),
            },
            RisingFaster {
                tag,
                per_min,
                window_s,
            }
            | FallingFaster {
                tag,
                per_min,
                window_s,
            } => {
                if *window_s <= 0.0 || *per_min <= 0.0 {
                    return Err(self.invalid("rate and window must be positive"));
                }
                self.rates.push(RateState {
                    ref_ts: i64::MIN,
                    ref_v: f64::NAN,
                    last_ts: i64::MIN,
                    rate: f64::NAN,
                });
                Cond::Rate {
                    i: self.tag(tag)?,
                    per_min: *per_min,
                    window_ms: (window_s * 1000.0) as i64,
                    rising: matches!(c, RisingFaster { .. }),
                    slot: self.rates.len() - 1,
                }
            }
            Deviation {
                a,
                b,
                max,
                deadband,
            } => Cond::Deviation {
                a: self.tag(a)?,
                b: self.tag(b)?,
                max: *max,
                db: deadband.abs(),
            },
            OffCurve {
                tag,
                x,
                curve,
                max,
                deadband,
            } => {
                if curve.is_empty() || curve.windows(2).any(|w| w[1][0] <= w[0][0]) {
                    return Err(self.invalid("curve points must be given in increasing x"));
                }
                Cond::OffCurve {
                    i: self.tag(tag)?,
                    x: self.tag(x)?,
                    curve: curve.clone(),
                    max: *max,
                    db: deadband.abs(),
                }
            }
            BadQuality { tag } => Cond::Bad { i: self.tag(tag)? },
            IsOn { tag } => Cond::On {
                i: self.tag(tag)?,
                want: true,
            },
            IsOff { tag } => Cond::On {
                i: self.tag(tag)?,
                want: false,
            },
            All { of } | Any { of } => {
                if of.is_empty() {
                    return Err(self.invalid("a combined condition needs at least one part"));
                }
                let parts = of.iter().map(|c| self.cond(c)).collect::<Result<_, _>>()?;
                if matches!(c, All { .. }) {
                    Cond::All(parts)
                } else {
                    Cond::Any(parts)
                }
            }
        })
    }
}

/// `was` is the condition's current state: a holding condition clears only past the deadband,
/// so noise around a limit cannot make the alarm chatter.
fn eval(c: &Cond, inputs: &[Input], rates: &mut [RateState], was: bool) -> Verdict {
    let get = |i: usize| inputs.get(i).copied().unwrap_or(Input::MISSING);
    let unknown = Verdict {
        on: None,
        value: f64::NAN,
        limit: f64::NAN,
    };
    let above = |value: f64, limit: f64, db: f64| Verdict {
        on: Some(if was {
            value > limit - db
        } else {
            value > limit
        }),
        value,
        limit,
    };
    match c {
        Cond::Above { i, v, db } => match get(*i) {
            x if x.good => above(x.value, *v, *db),
            _ => unknown,
        },
        Cond::Below { i, v, db } => match get(*i) {
            x if x.good => Verdict {
                on: Some(if was { x.value < v + db } else { x.value < *v }),
                value: x.value,
                limit: *v,
            },
            _ => unknown,
        },
        Cond::Rate {
            i,
            per_min,
            window_ms,
            rising,
            slot,
        } => {
            let x = get(*i);
            if !x.good {
                return unknown;
            }
            let r = &mut rates[*slot];
            if x.ts_ms != r.last_ts {
                r.last_ts = x.ts_ms;
                if r.ref_ts == i64::MIN || x.ts_ms < r.ref_ts {
                    (r.ref_ts, r.ref_v) = (x.ts_ms, x.value);
                } else if x.ts_ms - r.ref_ts >= *window_ms {
                    r.rate = (x.value - r.ref_v) / (x.ts_ms - r.ref_ts) as f64 * 60_000.0;
                    (r.ref_ts, r.ref_v) = (x.ts_ms, x.value);
                }
            }
            if r.rate.is_nan() {
                return unknown;
            }
            let signed = if *rising { r.rate } else { -r.rate };
            above(signed, *per_min, 0.0)
        }
        Cond::Deviation { a, b, max, db } => match (get(*a), get(*b)) {
            (x, y) if x.good && y.good => above((x.value - y.value).abs(), *max, *db),
            _ => unknown,
        },
        Cond::OffCurve {
            i,
            x,
            curve,
            max,
            db,
        } => match (get(*i), get(*x)) {
            (y, x) if y.good && x.good => {
                above((y.value - interpolate(curve, x.value)).abs(), *max, *db)
            }
            _ => unknown,
        },
        Cond::Bad { i } => Verdict {
            on: Some(!get(*i).good),
            value: f64::NAN,
            limit: f64::NAN,
        },
        Cond::On { i, want } => match get(*i) {
            x if x.good => Verdict {
                on: Some((x.value >= 0.5) == *want),
                value: x.value,
                limit: f64::NAN,
            },
            _ => unknown,
        },
        Cond::All(parts) | Cond::Any(parts) => {
            let all = matches!(c, Cond::All(_));
            let mut first: Option<Verdict> = None;
            let mut unknown_part = false;
            let mut decided = None;
            for p in parts {
                let v = eval(p, inputs, rates, was);
                match v.on {
                    None => unknown_part = true,
                    // All: one false part decides; Any: one true part decides.
                    Some(on) if on != all => decided = decided.or(Some(on)),
                    Some(_) => {}
                }
                first.get_or_insert(v);
            }
            let first = first.unwrap_or(unknown);
            let on = match (decided, unknown_part) {
                (Some(d), _) => Some(d),
                (None, true) => None,
                (None, false) => Some(all),
            };
            Verdict { on, ..first }
        }
    }
}

/// Piecewise-linear interpolation, flat beyond the ends.
fn interpolate(curve: &[[f64; 2]], x: f64) -> f64 {
    let (first, last) = (curve[0], curve[curve.len() - 1]);
    if x <= first[0] {
        return first[1];
    }
    if x >= last[0] {
        return last[1];
    }
    let k = curve.partition_point(|p| p[0] <= x);
    let ([x0, y0], [x1, y1]) = (curve[k - 1], curve[k]);
    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
}
