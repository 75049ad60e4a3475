//! The hub's Ed25519 signing key (its countersignatures), made at the first start.

use anyhow::Context;
use ed25519_dalek::SigningKey;
use std::path::Path;

const KEY_FILE: &str = "hub-signing.key";

/// Reads the key in `dir`, making one if absent.
pub fn load_or_create(dir: &Path) -> anyhow::Result<SigningKey> {
    let path = dir.join(KEY_FILE);
    if !path.exists() {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        crate::files::write_private(&path, format!("{}\n", hex::encode(seed)).as_bytes())?;
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{} is not a hub key", path.display()))?;
    Ok(SigningKey::from_bytes(&seed))
}
