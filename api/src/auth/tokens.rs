use std::time::Duration;

use chrono::Utc;
use gridops_domain::access::{Actor, Grant};
use gridops_domain::area::AreaCode;
use gridops_domain::role::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The one algorithm accepted. The token's own `alg` header is never
/// trusted: a token claiming `none`, RS256 or anything else is refused.
const ALGORITHM: Algorithm = Algorithm::HS256;
pub const ISSUER: &str = "gridops";
pub const AUDIENCE: &str = "gridops-api";

/// One role grant as carried in the token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClaimGrant {
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub roles: Vec<ClaimGrant>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the signing key is shorter than 32 bytes")]
    WeakKey,
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("{0}")]
    Invalid(String),
}

/// Signs and checks access tokens: HS256 with a key of at least 256 bits,
/// issuer and audience pinned.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("TokenKeys")
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration) -> Result<TokenKeys, TokenError> {
        if secret.len() < 32 {
            return Err(TokenError::WeakKey);
        }
        let mut validation = Validation::new(ALGORITHM);
        validation.algorithms = vec![ALGORITHM];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        // Phones' clocks drift; a minute either way is tolerated.
        validation.leeway = 60;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
        })
    }

    /// A signed access token for `actor`, valid from now for `access_ttl`.
    pub fn issue(&self, actor: &Actor) -> Result<String, TokenError> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(self.access_ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = AccessClaims {
            sub: actor.user_id.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: now.saturating_add(ttl),
            iat: now,
            nbf: now,
            jti: uuid::Uuid::now_v7().to_string(),
            roles: actor
                .grants
                .iter()
                .map(|g| ClaimGrant {
                    role: g.role.as_str().into(),
                    area: g.area.as_ref().map(ToString::to_string),
                    party: g.party.clone(),
                })
                .collect(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests forge expired or foreign tokens with it).
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        encode(&Header::new(ALGORITHM), claims, &self.encoding)
            .map_err(|e| TokenError::Sign(e.to_string()))
    }

    /// The actor a token speaks for, if it is ours, current and intact.
    pub fn verify(&self, token: &str) -> Result<Actor, TokenError> {
        let claims = decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?
            .claims;
        let grants = claims
            .roles
            .iter()
            .map(|g| {
                Ok(Grant {
                    role: Role::parse(&g.role)
                        .ok_or_else(|| TokenError::Invalid(format!("unknown role {}", g.role)))?,
                    area: g
                        .area
                        .as_deref()
                        .map(AreaCode::parse)
                        .transpose()
                        .map_err(|e| TokenError::Invalid(e.to_string()))?,
                    party: g.party.clone(),
                })
            })
            .collect::<Result<Vec<_>, TokenError>>()?;
        Ok(Actor {
            user_id: claims.sub,
            grants,
        })
    }
}
