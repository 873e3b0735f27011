//! Bearer tokens: a static one, or OAuth 2 client credentials refreshed before they expire.
//! No token or secret is ever shown: [`Secret`]'s `Debug` and `Display` print `***`.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::retry::Clock;
use super::GraphError;

/// A token or a client secret. It shows as `***`; [`Secret::expose`] gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `text` (surrounding whitespace, as a token file's newline, removed).
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into().trim().to_owned())
    }

    /// The text, to send. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when it holds no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where the client's bearer tokens come from.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A token valid for the next request.
    ///
    /// # Errors
    ///
    /// [`GraphError::Auth`] when no token can be had.
    fn token(&self, http: &ureq::Agent, clock: &dyn Clock) -> Result<Secret, GraphError>;
}

/// A token given as it is (`GRAPH_TOKEN`, `--token-file`).
#[derive(Debug, Clone)]
pub struct StaticToken(pub Secret);

impl TokenSource for StaticToken {
    fn token(&self, _: &ureq::Agent, _: &dyn Clock) -> Result<Secret, GraphError> {
        Ok(self.0.clone())
    }
}

/// The OAuth 2 client-credentials flow against a Microsoft identity platform authority
/// (`POST {authority}/{tenant}/oauth2/v2.0/token`, scope `https://graph.microsoft.com/.default`).
/// The token is requested once, reused, and requested again [`ClientCredentials::REFRESH_MARGIN`]
/// before it expires.
#[derive(Debug)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    secret: Secret,
    scope: String,
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl ClientCredentials {
    /// How long before its expiry a token is replaced (a tenth of its life for short tokens).
    pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

    /// Client credentials for `client_id` in `tenant`, against `authority`
    /// (`https://login.microsoftonline.com`, or a national cloud's), for the Graph at
    /// `graph_url` (its scope is the URL's origin plus `/.default`).
    pub fn new(
        authority: &str,
        tenant: &str,
        client_id: impl Into<String>,
        secret: Secret,
        graph_url: &str,
    ) -> Self {
        ClientCredentials {
            token_url: format!(
                "{}/{}/oauth2/v2.0/token",
                authority.trim_end_matches('/'),
                super::encode_path(tenant)
            ),
            client_id: client_id.into(),
            secret,
            scope: format!("{}/.default", super::origin(graph_url)),
            cached: Mutex::new(None),
        }
    }

    fn request(
        &self,
        http: &ureq::Agent,
        clock: &dyn Clock,
    ) -> Result<(Secret, Instant), GraphError> {
        let auth_error = |message: String| GraphError::Auth { message };
        let response = http.post(&self.token_url).send_form([
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", self.scope.as_str()),
        ]);
        let mut response = response.map_err(|e| {
            auth_error(format!(
                "the token request to {} failed: {e}",
                self.token_url
            ))
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| auth_error(format!("reading the token response failed: {e}")))?;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        if status != 200 {
            // The identity platform's error and description name the problem, never the secret.
            let what = json["error_description"]
                .as_str()
                .or(json["error"].as_str())
                .unwrap_or("no error description");
            return Err(auth_error(format!(
                "the token endpoint {} answered {status}: {what}",
                self.token_url
            )));
        }
        let token = json["access_token"]
            .as_str()
            .ok_or_else(|| auth_error("the token response has no access_token".into()))?;
        let life = Duration::from_secs(json["expires_in"].as_u64().unwrap_or(3600));
        let margin = Self::REFRESH_MARGIN.min(life / 10);
        Ok((Secret::new(token), clock.now() + life - margin))
    }
}

impl TokenSource for ClientCredentials {
    fn token(&self, http: &ureq::Agent, clock: &dyn Clock) -> Result<Secret, GraphError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, until)) = cached.as_ref() {
            if clock.now() < *until {
                return Ok(token.clone());
            }
        }
        let (token, until) = self.request(http, clock)?;
        *cached = Some((token.clone(), until));
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show() {
        let s = Secret::new(" eyJ0eXAi.secret \n");
        assert_eq!(s.expose(), "eyJ0eXAi.secret");
        assert_eq!(
            format!("{s} {s:?} {:?}", StaticToken(s.clone())),
            "*** *** StaticToken(***)"
        );
        let c = ClientCredentials::new(
            "https://login.example/",
            "contoso",
            "app",
            Secret::new("hunter2"),
            "https://graph.microsoft.com/v1.0",
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("https://login.example/contoso/oauth2/v2.0/token"),
            "{shown}"
        );
        assert!(
            shown.contains("https://graph.microsoft.com/.default"),
            "{shown}"
        );
    }
}
