//! Password hashing: argon2id, PHC strings, parameters from configuration.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// argon2id cost. The defaults follow OWASP's minimum for argon2id
/// (19 MiB, 2 passes, 1 lane); raise them where login volume allows.
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct PasswordError(String);

impl PasswordPolicy {
    fn hasher(&self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| PasswordError(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        self.hasher()?
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| PasswordError(e.to_string()))
    }
}

/// Checks `password` against a stored PHC string, with the parameters stored
/// in it (so raising the policy does not lock anyone out).
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() -> Result<(), PasswordError> {
        let policy = PasswordPolicy::default();
        let hash = policy.hash("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse", &hash));
        assert!(!verify("correct horse ", &hash));
        assert_ne!(policy.hash("correct horse")?, hash, "salts differ");
        Ok(())
    }
}
