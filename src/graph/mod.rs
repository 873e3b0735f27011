//! A Microsoft Graph client for call records (feature `graph`): every page of a call record, read
//! while it arrives, with throttling and faults survived.
//!
//! [`Client::fetch_call_record`] asks for `GET /communications/callRecords/{id}
//! ?$expand=sessions($expand=segments)`, then follows every `sessions@odata.nextLink` and every
//! `@odata.nextLink` of the pages that follow, until none is left. Each page is a document of its
//! own: its body is pushed into a [`Feeder`](crate::Feeder) chunk by chunk as it arrives, never
//! held whole, and the events of each section go to a [`PageSink`]. [`Client::list_call_records`]
//! lists the ids of the call records that started in a time range.
//!
//! # Faults
//!
//! A 429, 503 or 504 answer is tried again after its `Retry-After` (seconds or an HTTP date), else
//! after an exponential back-off with jitter ([`RetryPolicy`]); a 429 pauses every request of the
//! client, not only the one that got it. A connection that fails, a timeout, and a body cut off
//! are tried again from the page's start: the sink is told ([`PageSink::page_failed`]) to forget
//! what it got from the failed try, so that a consumer that keeps a page's rows until
//! [`PageSink::page_done`] never sees a page twice. 401 and 403 are not tried again and name the
//! permission needed; 404 names the id. Every request carries a `client-request-id`, which the
//! errors give.
//!
//! # Secrets
//!
//! Tokens and client secrets are [`Secret`]s, which show as `***`; no error names one. The bearer
//! token goes only to the origin of [`ClientOptions::graph_url`]: a next link elsewhere is an
//! error.
//!
//! ```no_run
//! use callrecords::graph::{Client, ClientOptions, Page, PageSink, Secret, SinkError, StaticToken};
//! use callrecords::Event;
//!
//! /// Prints each page's stream count once the page arrived whole.
//! #[derive(Default)]
//! struct Count(usize);
//!
//! impl PageSink for Count {
//!     fn section(&mut self, _: &Page<'_>, events: &[Event<'_>]) -> Result<(), SinkError> {
//!         self.0 += events.iter().filter(|e| matches!(e, Event::Stream(_))).count();
//!         Ok(())
//!     }
//!     fn page_done(&mut self, page: &Page<'_>) -> Result<(), SinkError> {
//!         println!("page {}: {} streams", page.index, std::mem::take(&mut self.0));
//!         Ok(())
//!     }
//!     fn page_failed(&mut self, _: &Page<'_>) {
//!         self.0 = 0;
//!     }
//! }
//!
//! let token = StaticToken(Secret::new(std::env::var("GRAPH_TOKEN").unwrap_or_default()));
//! let client = Client::new(ClientOptions::default(), Box::new(token));
//! let stats = client.fetch_call_record("e523d2ed-2966-4b6b-925b-754a88034cc5", &mut Count::default())?;
//! println!("{} pages, {} sessions, {} retries", stats.pages, stats.sessions, stats.retries);
//! # Ok::<(), callrecords::graph::GraphError>(())
//! ```

mod auth;
mod fetch;
mod retry;

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

pub use auth::{ClientCredentials, Secret, StaticToken, TokenSource};
pub use fetch::{FetchStats, Page, PageSink, SinkError};
pub use retry::{retry_after, Clock, RetryPolicy, SystemClock};

use crate::event::Options;
use retry::{Jitter, Throttle};

/// The Graph of the global cloud, v1.0.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";

/// The Microsoft identity platform of the global cloud.
pub const DEFAULT_AUTHORITY_URL: &str = "https://login.microsoftonline.com";

/// How a [`Client`] talks to Graph.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The Graph root, without a trailing `/` (national clouds: `https://graph.microsoft.us/v1.0`,
    /// …; tests: a local server).
    pub graph_url: String,
    /// The longest a request may take, its body included.
    pub timeout: Duration,
    /// When to try again.
    pub retry: RetryPolicy,
    /// How the pages are parsed.
    pub events: Options,
    /// The most pages one call record may have (a guard against a service that loops).
    pub max_pages: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            graph_url: DEFAULT_GRAPH_URL.to_owned(),
            timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            events: Options::default(),
            max_pages: 100_000,
        }
    }
}

impl ClientOptions {
    /// Sets [`ClientOptions::graph_url`].
    pub fn graph_url(mut self, url: impl Into<String>) -> Self {
        self.graph_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets [`ClientOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`ClientOptions::retry`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets [`ClientOptions::events`].
    pub fn events(mut self, events: Options) -> Self {
        self.events = events;
        self
    }
}

/// Why a call record (or a list of them) could not be fetched.
#[derive(Debug)]
#[non_exhaustive]
pub enum GraphError {
    /// No token could be had.
    Auth {
        /// What went wrong.
        message: String,
    },
    /// 401 or 403: the token was refused.
    Denied {
        /// The status.
        status: u16,
        /// Graph's error code and message.
        message: String,
        /// The request's `client-request-id`.
        request_id: String,
    },
    /// 404: no call record of this id (they live 30 days).
    NotFound {
        /// The id asked for.
        id: String,
        /// The request's `client-request-id`.
        request_id: String,
    },
    /// Another answer that is not tried again.
    Status {
        /// The status.
        status: u16,
        /// The URL asked for.
        url: String,
        /// Graph's error code and message.
        message: String,
        /// The request's `client-request-id`.
        request_id: String,
    },
    /// Every try failed.
    GaveUp {
        /// Tries made.
        tries: u32,
        /// The URL asked for.
        url: String,
        /// What the last try met.
        last: String,
        /// The last try's `client-request-id`.
        request_id: String,
    },
    /// A page that arrived whole is not valid JSON, or not a callRecords page (strict mode).
    Parse {
        /// The page's URL.
        url: String,
        /// The parser's error, its position within the page.
        error: crate::Error,
    },
    /// A next link to another origin than [`ClientOptions::graph_url`]'s: the token is not sent
    /// there.
    ForeignLink {
        /// The link.
        link: String,
    },
    /// An argument that cannot be used (a time that is not RFC 3339).
    Usage {
        /// What is wrong.
        message: String,
    },
    /// More pages than [`ClientOptions::max_pages`].
    TooManyPages {
        /// The limit.
        limit: u32,
    },
    /// The sink failed.
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Auth { message } => write!(f, "authentication failed: {message}"),
            GraphError::Denied {
                status,
                message,
                request_id,
            } => write!(
                f,
                "Graph answered {status} ({message}); reading call records needs the application permission CallRecords.Read.All, granted with admin consent, and a token for Graph (client-request-id {request_id})"
            ),
            GraphError::NotFound { id, request_id } => write!(
                f,
                "no call record {id} (404; call records are kept 30 days) (client-request-id {request_id})"
            ),
            GraphError::Status {
                status,
                url,
                message,
                request_id,
            } => write!(
                f,
                "Graph answered {status} to {url}: {message} (client-request-id {request_id})"
            ),
            GraphError::GaveUp {
                tries,
                url,
                last,
                request_id,
            } => write!(
                f,
                "gave up on {url} after {tries} tries; the last: {last} (client-request-id {request_id})"
            ),
            GraphError::Parse { url, error } => write!(f, "{url}: {error}"),
            GraphError::ForeignLink { link } => write!(
                f,
                "a next link leaves the Graph URL given ({link}); the token is not sent there"
            ),
            GraphError::Usage { message } => f.write_str(message),
            GraphError::TooManyPages { limit } => {
                write!(f, "more than {limit} pages for one call record")
            }
            GraphError::Sink(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GraphError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GraphError::Parse { error, .. } => Some(error),
            GraphError::Sink(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// A Graph client: one HTTP agent (its connections reused), one token source, one throttle.
/// It is `Sync`: workers share one client, and so its throttle.
#[derive(Debug)]
pub struct Client {
    http: ureq::Agent,
    options: ClientOptions,
    origin: String,
    auth: Box<dyn TokenSource>,
    clock: Box<dyn Clock>,
    throttle: Throttle,
    jitter: Mutex<Jitter>,
}

impl Client {
    /// A client with `options`, its tokens from `auth`.
    pub fn new(options: ClientOptions, auth: Box<dyn TokenSource>) -> Self {
        Self::with_clock(options, auth, Box::new(SystemClock))
    }

    /// A client whose waits and token expiries follow `clock` (tests give a fake one).
    pub fn with_clock(
        options: ClientOptions,
        auth: Box<dyn TokenSource>,
        clock: Box<dyn Clock>,
    ) -> Self {
        let http = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!(
                "callrecords/",
                env!("CARGO_PKG_VERSION"),
                " (+https://crates.io/crates/callrecords)"
            ))
            .build()
            .new_agent();
        let origin = origin(&options.graph_url).to_owned();
        Client {
            http,
            options,
            origin,
            auth,
            clock,
            throttle: Throttle::default(),
            jitter: Mutex::new(Jitter::new()),
        }
    }

    /// The options.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }
}

/// `scheme://host[:port]` of a URL.
pub(crate) fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// Percent-encodes a path segment or query value: everything but RFC 3986's unreserved
/// characters.
pub(crate) fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_encoding() {
        assert_eq!(
            origin("https://graph.microsoft.com/v1.0"),
            "https://graph.microsoft.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/v1.0/x?y"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(encode_path("e523-d2ed_1.a~"), "e523-d2ed_1.a~");
        assert_eq!(encode_path("a b/c'é"), "a%20b%2Fc%27%C3%A9");
    }

    #[test]
    fn errors_say_what_to_do_and_the_request_id() {
        let e = GraphError::Denied {
            status: 403,
            message: "Forbidden".into(),
            request_id: "r-1".into(),
        };
        let s = e.to_string();
        assert!(
            s.contains("CallRecords.Read.All") && s.contains("r-1"),
            "{s}"
        );
        let e = GraphError::NotFound {
            id: "abc".into(),
            request_id: "r-2".into(),
        };
        assert!(e.to_string().contains("no call record abc"));
    }
}
