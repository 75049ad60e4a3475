//! The language a person reads: French, the plant's language and the default, or English.
//! Master data carries both (`name_fr`, `name_en`…); the viewer's texts are in its i18n module.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    /// The French or the English one of two texts.
    pub fn pick<'a, T: ?Sized>(self, fr: &'a T, en: &'a T) -> &'a T {
        match self {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }

    /// The English text when there is one, else the French (master data filled in French only).
    pub fn pick_or_fr<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::En if !en.trim().is_empty() => en,
            _ => fr,
        }
    }

    /// French writes 3,5 where English writes 3.5.
    pub fn decimal_comma(self) -> bool {
        self == Locale::Fr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_text_of_its_language() {
        assert_eq!(Locale::Fr.pick("Pompe", "Pump"), "Pompe");
        assert_eq!(Locale::En.pick("Pompe", "Pump"), "Pump");
        assert_eq!(Locale::En.pick_or_fr("Pompe", " "), "Pompe");
        assert_eq!(Locale::default(), Locale::Fr);
    }
}
