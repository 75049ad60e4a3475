//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), as phone
//! authenticator apps compute them; base32 secrets and `otpauth://` URIs to enrol them. No I/O.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_S: u64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;

/// The step a Unix time (seconds) falls in.
pub fn step(unix_s: u64) -> u64 {
    unix_s / STEP_S
}

/// The code of `secret` at `step` (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The code at a Unix time, as six digits.
pub fn code(secret: &[u8], unix_s: u64) -> String {
    format!("{:06}", code_at_step(secret, step(unix_s)))
}

/// The step among `now`'s and its two neighbours (clock drift) whose code `typed` is, if any.
/// Spaces in what was typed are ignored; anything but six digits matches nothing.
pub fn matching_step(secret: &[u8], typed: &str, unix_s: u64) -> Option<u64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = digits.parse().ok()?;
    let now = step(unix_s);
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|&s| code_at_step(secret, s) == typed)
}

/// RFC 4648 base32 without padding, as authenticator apps read secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The enrolment URI an authenticator app reads from a QR code.
pub fn uri(issuer: &str, login: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_S}",
        enc(issuer),
        enc(login),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 here).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(secret, t), eight[2..], "t = {t}");
        }
    }

    #[test]
    fn drift_of_one_step_is_accepted_and_garbage_never() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let previous = code(secret, t - STEP_S);
        assert_eq!(matching_step(secret, &previous, t), Some(step(t) - 1));
        assert_eq!(
            matching_step(secret, &code(secret, t - 3 * STEP_S), t),
            None
        );
        for bad in ["", "12345", "1234567", "abcdef", "８９００５９"] {
            assert_eq!(matching_step(secret, bad, t), None, "{bad}");
        }
        assert_eq!(matching_step(secret, "005 924", t + 1), Some(step(t)));
    }

    #[test]
    fn base32_as_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert!(
            uri("Jumeau", "c.bernard", b"12345678901234567890").starts_with(
                "otpauth://totp/Jumeau:c.bernard?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
            )
        );
    }
}
