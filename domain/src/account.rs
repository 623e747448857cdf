//! Accounts: what a username and a password must be.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidUsername {
    #[error("a username has 3 to 64 characters")]
    Length,
    #[error("a username has only letters, digits and . _ -")]
    Characters,
}

impl Username {
    /// 3–64 ASCII letters, digits, `.`, `_` or `-`: safe in URLs and logs, and
    /// free of look-alike Unicode. Stored lower-case so `Wang.Li` and `wang.li`
    /// cannot be two accounts.
    pub fn parse(raw: &str) -> Result<Username, InvalidUsername> {
        let s = raw.trim();
        if !(3..=64).contains(&s.len()) {
            return Err(InvalidUsername::Length);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(InvalidUsername::Characters);
        }
        Ok(Username(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password accepted (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
pub struct WeakPassword;

pub fn check_password(password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(WeakPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_short_ascii_and_case_folded() {
        assert_eq!(
            Username::parse(" Wang.Li ").map(|u| u.to_string()),
            Ok("wang.li".to_owned())
        );
        assert_eq!(Username::parse("ab"), Err(InvalidUsername::Length));
        assert_eq!(Username::parse("王丽丽"), Err(InvalidUsername::Characters));
        assert_eq!(Username::parse("a b c"), Err(InvalidUsername::Characters));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_password("1234567"), Err(WeakPassword));
        assert_eq!(check_password("12345678"), Ok(()));
    }
}

/// A mainland mobile number, as users type it: 11 digits starting with 1,
/// optionally after `+86` / `86`; spaces and dashes are dropped.
pub fn normalise_phone(raw: &str) -> Result<String, InvalidPhone> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
        .unwrap_or(&digits);
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits.to_owned())
    } else {
        Err(InvalidPhone)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a mobile number has 11 digits and starts with 1")]
pub struct InvalidPhone;

#[cfg(test)]
mod phone_tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_normalised() {
        assert_eq!(
            normalise_phone("138 1234 5678"),
            Ok("13812345678".to_owned())
        );
        assert_eq!(
            normalise_phone("+86-13812345678"),
            Ok("13812345678".to_owned())
        );
        assert_eq!(
            normalise_phone("8613812345678"),
            Ok("13812345678".to_owned())
        );
        assert_eq!(normalise_phone("0371-6000-0001"), Err(InvalidPhone));
        assert_eq!(normalise_phone("1381234567"), Err(InvalidPhone));
    }
}
