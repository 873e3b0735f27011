//! The page loop: one page's body into a `Feeder` as it arrives, its sections to the sink, its
//! next links queued; the tries of a page; the list of call records in a time range.

use std::collections::{HashSet, VecDeque};
use std::io::Read;
use std::time::Duration;

use super::{encode_path, Client, GraphError};
use crate::event::Event;
use crate::schema::{Path, Shape};
use crate::stream::{Feeder, StreamOptions};

/// The page being read, as a [`PageSink`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Page<'u> {
    /// The call record it belongs to (empty for a page of the call records list).
    pub call_record_id: &'u str,
    /// Its number within the call record, from 0 (the callRecord document itself).
    pub index: u32,
    /// Its URL.
    pub url: &'u str,
    /// The try, from 1.
    pub attempt: u32,
}

/// Where the events of a call record's pages go.
///
/// The events of a page come section by section as its body arrives. A try that fails is
/// followed by [`PageSink::page_failed`] and the page is read again from its start: a sink that
/// keeps what it got since the page began, and makes it final at [`PageSink::page_done`], gives
/// every page exactly once.
///
/// ```
/// use callrecords::graph::{Page, PageSink};
/// use callrecords::Event;
///
/// /// Counts sessions, a page's only once it arrived whole.
/// #[derive(Default)]
/// struct Sessions { done: usize, this_page: usize }
///
/// impl PageSink for Sessions {
///     fn section(&mut self, _: &Page<'_>, events: &[Event<'_>]) -> Result<(), callrecords::graph::SinkError> {
///         self.this_page += events.iter().filter(|e| matches!(e, Event::Session(_))).count();
///         Ok(())
///     }
///     fn page_done(&mut self, _: &Page<'_>) -> Result<(), callrecords::graph::SinkError> {
///         self.done += std::mem::take(&mut self.this_page);
///         Ok(())
///     }
///     fn page_failed(&mut self, _: &Page<'_>) {
///         self.this_page = 0;
///     }
/// }
/// ```
pub trait PageSink {
    /// The events of one section of the page being read.
    ///
    /// # Errors
    ///
    /// An error stops the fetch ([`GraphError::Sink`]).
    fn section(&mut self, page: &Page<'_>, events: &[Event<'_>]) -> Result<(), SinkError>;

    /// The page arrived whole: what [`PageSink::section`] got since it began is final.
    ///
    /// # Errors
    ///
    /// An error stops the fetch ([`GraphError::Sink`]).
    fn page_done(&mut self, page: &Page<'_>) -> Result<(), SinkError>;

    /// The try failed and the page will be read again from its start: forget what
    /// [`PageSink::section`] got since it began.
    fn page_failed(&mut self, page: &Page<'_>);

    /// A chunk of the page's body as received (to keep the pages as they came). The default
    /// does nothing.
    ///
    /// # Errors
    ///
    /// An error stops the fetch ([`GraphError::Sink`]).
    fn body(&mut self, page: &Page<'_>, chunk: &[u8]) -> Result<(), SinkError> {
        let _ = (page, chunk);
        Ok(())
    }

    /// A try failed and the next one waits `wait`; `why` says what went wrong (with the
    /// `client-request-id`). The default does nothing.
    fn retrying(&mut self, page: &Page<'_>, why: &str, wait: Duration) {
        let _ = (page, why, wait);
    }
}

/// The error a [`PageSink`] returns.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// What fetching one call record took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchStats {
    /// Pages read whole.
    pub pages: u32,
    /// Sessions in them.
    pub sessions: u64,
    /// Body bytes of the pages read whole.
    pub bytes: u64,
    /// Tries that failed and were made again.
    pub retries: u32,
    /// Time spent waiting before tries (back-off, `Retry-After`, the shared throttle).
    pub waited: Duration,
}

/// How a try ended.
enum Try {
    /// The page, read whole: its next links.
    Done(Vec<String>),
    /// Try again after `wait` (or the back-off, when `None`).
    Again { why: String, wait: Option<Duration> },
}

/// The size of the body reads pushed into the feeder.
const CHUNK: usize = 64 << 10;

impl Client {
    /// Fetches call record `id` with all its sessions, giving the events of every page to `sink`.
    ///
    /// # Errors
    ///
    /// See [`GraphError`]; the pages before the error were given to the sink.
    pub fn fetch_call_record(
        &self,
        id: &str,
        sink: &mut dyn PageSink,
    ) -> Result<FetchStats, GraphError> {
        let first = format!(
            "{}/communications/callRecords/{}?$expand=sessions($expand=segments)",
            self.options.graph_url,
            encode_path(id)
        );
        self.follow(id, first, sink)
    }

    /// The ids of the call records whose `startDateTime` is at or after `since` and, when given,
    /// before `until` (RFC 3339 instants), following every `@odata.nextLink`.
    ///
    /// # Errors
    ///
    /// See [`GraphError`]; an instant that is not RFC 3339 is [`GraphError::Usage`].
    pub fn list_call_records(
        &self,
        since: &str,
        until: Option<&str>,
    ) -> Result<Vec<String>, GraphError> {
        let instant = |s: &str| {
            crate::Timestamp::parse(s.as_bytes())
                .map(|t| t.display_utc().to_string())
                .map_err(|e| GraphError::Usage {
                    message: format!("{s:?} is not an RFC 3339 instant ({})", e.kind()),
                })
        };
        let mut filter = format!("startDateTime ge {}", instant(since)?);
        if let Some(until) = until {
            filter.push_str(&format!(" and startDateTime lt {}", instant(until)?));
        }
        let url = format!(
            "{}/communications/callRecords?$filter={}",
            self.options.graph_url,
            encode_path(&filter)
        );
        let mut ids = IdList::default();
        self.follow("", url, &mut ids)?;
        Ok(ids.done)
    }

    /// Reads `first` and every page its next links lead to, in order.
    fn follow(
        &self,
        id: &str,
        first: String,
        sink: &mut dyn PageSink,
    ) -> Result<FetchStats, GraphError> {
        let mut stats = FetchStats::default();
        let mut queue = VecDeque::from([first]);
        let mut seen = HashSet::new();
        let mut index = 0u32;
        while let Some(url) = queue.pop_front() {
            if !seen.insert(url.clone()) {
                continue;
            }
            if index >= self.options.max_pages {
                return Err(GraphError::TooManyPages {
                    limit: self.options.max_pages,
                });
            }
            for link in self.page(id, index, &url, sink, &mut stats)? {
                if super::origin(&link) != self.origin {
                    return Err(GraphError::ForeignLink { link });
                }
                queue.push_back(link);
            }
            index += 1;
        }
        Ok(stats)
    }

    /// Reads one page, trying again as the policy says.
    fn page(
        &self,
        id: &str,
        index: u32,
        url: &str,
        sink: &mut dyn PageSink,
        stats: &mut FetchStats,
    ) -> Result<Vec<String>, GraphError> {
        let policy = self.options.retry;
        let tries = policy.max_tries.max(1);
        let mut last = String::new();
        let mut request_id = String::new();
        for attempt in 1..=tries {
            stats.waited += self.throttle.wait(self.clock.as_ref());
            let page = Page {
                call_record_id: id,
                index,
                url,
                attempt,
            };
            request_id = self.jitter().uuid();
            match self.try_page(&page, &request_id, sink, stats)? {
                Try::Done(links) => {
                    sink.page_done(&page).map_err(GraphError::Sink)?;
                    stats.pages += 1;
                    return Ok(links);
                }
                Try::Again { why, wait } => {
                    sink.page_failed(&page);
                    last = why;
                    if attempt == tries {
                        break;
                    }
                    let wait = match wait {
                        Some(w) => w.min(policy.max_delay),
                        None => policy.backoff(attempt, self.jitter().unit()),
                    };
                    stats.retries += 1;
                    sink.retrying(
                        &page,
                        &format!("{last} (client-request-id {request_id})"),
                        wait,
                    );
                    self.clock.sleep(wait);
                    stats.waited += wait;
                }
            }
        }
        Err(GraphError::GaveUp {
            tries,
            url: url.to_owned(),
            last,
            request_id,
        })
    }

    fn jitter(&self) -> std::sync::MutexGuard<'_, super::retry::Jitter> {
        self.jitter.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One try of one page.
    fn try_page(
        &self,
        page: &Page<'_>,
        request_id: &str,
        sink: &mut dyn PageSink,
        stats: &mut FetchStats,
    ) -> Result<Try, GraphError> {
        let token = self.auth.token(&self.http, self.clock.as_ref())?;
        let response = self
            .http
            .get(page.url)
            .header("Authorization", format!("Bearer {}", token.expose()))
            .header("Prefer", "include-unknown-enum-members")
            .header("client-request-id", request_id)
            .header("Accept", "application/json")
            .call();
        let mut response = match response {
            Ok(r) => r,
            Err(e) => {
                return Ok(Try::Again {
                    why: e.to_string(),
                    wait: None,
                })
            }
        };
        let status = response.status().as_u16();
        if status != 200 {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| super::retry_after(v, self.clock.wall()));
            let message = error_message(response.body_mut());
            return match status {
                429 | 503 | 504 => {
                    if let (429, Some(wait)) = (status, retry_after) {
                        // Throttled: every worker waits.
                        self.throttle.pause_until(self.clock.now() + wait);
                    }
                    Ok(Try::Again {
                        why: format!("{status} {message}"),
                        wait: retry_after,
                    })
                }
                401 | 403 => Err(GraphError::Denied {
                    status,
                    message,
                    request_id: request_id.to_owned(),
                }),
                404 if page.index == 0 && !page.call_record_id.is_empty() => {
                    Err(GraphError::NotFound {
                        id: page.call_record_id.to_owned(),
                        request_id: request_id.to_owned(),
                    })
                }
                _ => Err(GraphError::Status {
                    status,
                    url: page.url.to_owned(),
                    message,
                    request_id: request_id.to_owned(),
                }),
            };
        }
        let mut body = response.into_body().into_reader();
        let mut feeder = Feeder::with_options(StreamOptions::new().events(self.options.events));
        let mut links = Links::default();
        let mut chunk = vec![0u8; CHUNK];
        let mut bytes = 0u64;
        let mut sessions = 0u64;
        loop {
            let n = match body.read(&mut chunk) {
                Ok(n) => n,
                Err(e) => {
                    return Ok(Try::Again {
                        why: format!("the body broke off after {bytes} bytes: {e}"),
                        wait: None,
                    })
                }
            };
            if n == 0 {
                feeder.finish();
            } else {
                let part = &chunk[..n];
                sink.body(page, part).map_err(GraphError::Sink)?;
                feeder.feed(part);
                bytes += n as u64;
            }
            match drain(&mut feeder, page, sink, &mut links, &mut sessions) {
                Ok(()) => {}
                Err(Drained::Sink(e)) => return Err(GraphError::Sink(e)),
                Err(Drained::Parse(e)) if e.is_eof() => {
                    return Ok(Try::Again {
                        why: format!("the body ended after {bytes} bytes, inside the document"),
                        wait: None,
                    })
                }
                Err(Drained::Parse(error)) => {
                    return Err(GraphError::Parse {
                        url: page.url.to_owned(),
                        error,
                    })
                }
            }
            if n == 0 {
                break;
            }
        }
        stats.bytes += bytes;
        stats.sessions += sessions;
        Ok(Try::Done(links.urls))
    }
}

enum Drained {
    Sink(SinkError),
    Parse(crate::Error),
}

/// Gives the sink every section the feeder has complete.
fn drain(
    feeder: &mut Feeder,
    page: &Page<'_>,
    sink: &mut dyn PageSink,
    links: &mut Links,
    sessions: &mut u64,
) -> Result<(), Drained> {
    let mut capacity = 0;
    while let Some(mut section) = feeder.next_section().map_err(Drained::Parse)? {
        // The events borrow the section, so each section gets its own buffer.
        let mut events = Vec::with_capacity(capacity);
        for e in section.events() {
            let e = e.map_err(Drained::Parse)?;
            links.note(&e);
            *sessions += u64::from(matches!(e, Event::Session(_)));
            events.push(e);
        }
        sink.section(page, &events).map_err(Drained::Sink)?;
        capacity = events.len();
    }
    Ok(())
}

/// The next links of a page: `sessions@odata.nextLink` and `@odata.nextLink` at its top level.
#[derive(Default)]
struct Links {
    urls: Vec<String>,
}

impl Links {
    fn note(&mut self, e: &Event<'_>) {
        let Event::Annotation(a) = e else {
            return;
        };
        if a.at != Path::document() || !a.is_next_link() {
            return;
        }
        let target = a.target.map(|t| t.decode_lossy());
        if !matches!(target.as_deref(), None | Some("sessions")) {
            return;
        }
        if let Some(url) = a.string() {
            let url = url.decode_lossy().into_owned();
            if !self.urls.contains(&url) {
                self.urls.push(url);
            }
        }
    }
}

/// Graph's error code and message from an error body (`{"error": {"code", "message"}}`).
fn error_message(body: &mut ureq::Body) -> String {
    let text = body
        .with_config()
        .limit(64 << 10)
        .read_to_string()
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let code = json["error"]["code"].as_str();
    let message = json["error"]["message"].as_str();
    match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_owned(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => "no error body".to_owned(),
    }
}

/// The ids of a call records list, a page's only once it arrived whole.
#[derive(Default)]
struct IdList {
    done: Vec<String>,
    page: Vec<String>,
}

impl PageSink for IdList {
    fn section(&mut self, _: &Page<'_>, events: &[Event<'_>]) -> Result<(), SinkError> {
        for e in events {
            if let Event::CallRecord(r) = e {
                if let Some(id) = r.id {
                    self.page.push(id.decode_lossy().into_owned());
                }
            }
            if let Event::Page(p) = e {
                if p.shape != Shape::CallRecordsPage && p.shape != Shape::Other {
                    return Err("the answer is not a list of call records".into());
                }
            }
        }
        Ok(())
    }

    fn page_done(&mut self, _: &Page<'_>) -> Result<(), SinkError> {
        self.done.append(&mut self.page);
        Ok(())
    }

    fn page_failed(&mut self, _: &Page<'_>) {
        self.page.clear();
    }
}
