//! Authenticated encryption of small secrets (account keys, device keys): XChaCha20-Poly1305
//! with a random nonce, bound to a context so a sealed secret moved elsewhere does not open.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// XChaCha20-Poly1305 with a random nonce, bound to `context` (the login, or login@device):
/// nonce ‖ ciphertext.
pub(crate) fn seal(key: &[u8; 32], plain: &[u8], context: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut nonce = [0u8; 24];
    random(&mut nonce)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: context,
            },
        )
        .map_err(|_| StoreError::Invalid("encryption failed".into()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// The plain text of [`seal`]'s output; None if the key, the context or a byte is wrong.
pub(crate) fn open_sealed(
    key: &[u8; 32],
    sealed: &[u8],
    context: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 24 {
        return None;
    }
    let (nonce, body) = sealed.split_at(24);
    XChaCha20Poly1305::new(Key::from_slice(key))
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: context,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

pub(crate) fn random(buf: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buf).map_err(|e| StoreError::Invalid(format!("no randomness from the OS: {e}")))
}
