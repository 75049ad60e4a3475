//! Automatic SCADA conditions: `TG1.speed >= 2950 rpm`, `CR1-BHP.pressure > 40 bar`,
//! `TG1-ALT.breaker == 1`, or a KKS measuring point (`11MBA00CS101 >= 2950 rpm`). The unit is
//! required for a measured value and must be the tag's own: a bar limit is never compared to °C.

use serde::Serialize;

use crate::masterdata::{MasterData, Tag};
use crate::units::Quantity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    Ge,
    Le,
    Gt,
    Lt,
    Eq,
    Ne,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// Equality on measured values is within half a unit of the last digit given.
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            Op::Ge => value >= target,
            Op::Le => value <= target,
            Op::Gt => value > target,
            Op::Lt => value < target,
            Op::Eq => (value - target).abs() < 0.5,
            Op::Ne => (value - target).abs() >= 0.5,
        }
    }
}

/// A resolved comparison on one tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// KKS measuring point.
    pub tag: String,
    pub op: Op,
    pub target: f64,
    pub unit: String,
    /// As written in the file.
    pub text: String,
}

impl Comparison {
    /// Parses and resolves `text` against master data.
    pub fn parse(text: &str, md: &MasterData) -> Result<Comparison, String> {
        let ops = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
        ];
        let (lhs, op, rhs) = ops
            .iter()
            .find_map(|(sym, op)| text.split_once(sym).map(|(l, r)| (l.trim(), *op, r.trim())))
            .ok_or_else(|| {
                format!("`{text}`: expected TAG OP VALUE UNIT, e.g. `TG1.speed >= 2950 rpm`")
            })?;
        let tag = resolve(lhs, md)?;
        let (number, unit) = match rhs.split_once(char::is_whitespace) {
            Some((n, u)) => (n.trim(), u.trim()),
            None => (rhs, ""),
        };
        let target: f64 = number
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| format!("`{text}`: `{number}` is not a finite number"))?;
        let state = tag.quantity == Quantity::State;
        if !state && unit.is_empty() {
            return Err(format!(
                "`{text}`: a unit is required ({} is in {})",
                tag.name, tag.unit
            ));
        }
        if !unit.is_empty() && unit != tag.unit && !(state && unit == "-") {
            return Err(format!(
                "`{text}`: unit `{unit}` does not match {} ({}, in {})",
                tag.name,
                tag.quantity.as_str(),
                tag.unit
            ));
        }
        Ok(Comparison {
            tag: tag.name.clone(),
            op,
            target,
            unit: tag.unit.clone(),
            text: text.trim().to_owned(),
        })
    }

    pub fn holds(&self, value: f64) -> bool {
        self.op.holds(value, self.target)
    }

    /// `11MBA00CS101 >= 2950 rpm`, as recorded with a result.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {} {}",
            self.tag,
            self.op.symbol(),
            self.target,
            self.unit
        )
    }
}

/// `ALIAS.signal`, `CODE.signal` or a KKS measuring point.
fn resolve<'a>(name: &str, md: &'a MasterData) -> Result<&'a Tag, String> {
    if let Some(t) = md.tags.iter().find(|t| t.name.eq_ignore_ascii_case(name)) {
        return Ok(t);
    }
    let (component, signal) = name
        .split_once('.')
        .ok_or_else(|| format!("unknown tag `{name}`"))?;
    let c = md
        .components
        .iter()
        .find(|c| c.alias.eq_ignore_ascii_case(component) || c.code.eq_ignore_ascii_case(component))
        .ok_or_else(|| format!("unknown component `{component}` in `{name}`"))?;
    md.tags
        .iter()
        .find(|t| t.component == c.code && t.signal == signal)
        .ok_or_else(|| format!("unknown tag `{name}`: {} has no signal `{signal}`", c.alias))
}
