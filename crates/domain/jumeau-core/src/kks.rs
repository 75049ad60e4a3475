//! KKS-style identifiers (VGB B 105): the one key that joins 3D nodes, tags, QR labels, logbook
//! entries and procedures.
//!
//! Accepted shapes (letters I and O are never used in KKS):
//! - system: `NN AAA NN` — e.g. `11MBD11` (GT1 bearing 1)
//! - equipment unit: system + `AA NNN` — e.g. `11LAC10AP001` (HRSG1 feedwater pump 1);
//!   measuring points use the same shape with a `C?` unit key, e.g. `11MBD11CY101`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KksError {
    #[error("KKS code `{0}` must be 7 characters (e.g. 11MBD11) or 12 (e.g. 11LAC10AP001)")]
    Length(String),
    #[error("KKS code `{code}`: character {position} (`{found}`) should be {expected}")]
    Character {
        code: String,
        position: usize,
        found: char,
        expected: &'static str,
    },
}

/// Checks a component or measuring-point code.
pub fn check_code(code: &str) -> Result<(), KksError> {
    let chars: Vec<char> = code.chars().collect();
    let pattern: &[Slot] = match chars.len() {
        7 => &SYSTEM,
        12 => &EQUIPMENT,
        _ => return Err(KksError::Length(code.to_owned())),
    };
    for (i, (c, slot)) in chars.iter().zip(pattern).enumerate() {
        let ok = match slot {
            Slot::Digit => c.is_ascii_digit(),
            Slot::Letter => c.is_ascii_uppercase() && *c != 'I' && *c != 'O',
        };
        if !ok {
            return Err(KksError::Character {
                code: code.to_owned(),
                position: i + 1,
                found: *c,
                expected: slot.describe(),
            });
        }
    }
    Ok(())
}

pub fn is_valid_code(code: &str) -> bool {
    check_code(code).is_ok()
}

/// The system part (first 7 characters) of a valid code.
pub fn system_part(code: &str) -> &str {
    &code[..code.len().min(7)]
}

#[derive(Clone, Copy)]
enum Slot {
    Digit,
    Letter,
}

impl Slot {
    fn describe(self) -> &'static str {
        match self {
            Slot::Digit => "a digit",
            Slot::Letter => "an upper-case letter other than I and O",
        }
    }
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

use Slot::{Digit as D, Letter as L};
const SYSTEM: [Slot; 7] = [D, D, L, L, L, D, D];
const EQUIPMENT: [Slot; 12] = [D, D, L, L, L, D, D, L, L, D, D, D];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_system_and_equipment_codes() {
        for code in ["11MBD11", "12HAD50", "11LAC10AP001", "10MAG10CP101"] {
            assert!(is_valid_code(code), "{code}");
        }
    }

    #[test]
    fn rejects_bad_codes_with_position() {
        assert_eq!(check_code("11MB"), Err(KksError::Length("11MB".to_owned())));
        // Letter O is not used in KKS.
        let err = check_code("11MBO11").unwrap_err();
        assert!(
            matches!(
                err,
                KksError::Character {
                    position: 5,
                    found: 'O',
                    ..
                }
            ),
            "{err}"
        );
        let err = check_code("11mbd11").unwrap_err();
        assert!(
            matches!(err, KksError::Character { position: 3, .. }),
            "{err}"
        );
        let err = check_code("11LAC10AP0X1").unwrap_err();
        assert!(
            matches!(err, KksError::Character { position: 11, .. }),
            "{err}"
        );
    }

    #[test]
    fn system_part_of_equipment_code() {
        assert_eq!(system_part("11LAC10AP001"), "11LAC10");
        assert_eq!(system_part("11MBD11"), "11MBD11");
    }
}
