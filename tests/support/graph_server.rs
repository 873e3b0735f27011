//! A Graph-shaped HTTP server on 127.0.0.1 for the `fetch` tests and the fetch benchmark.
//!
//! It serves call records split into pages the way Graph sends them: the callRecord with
//! `$expand=sessions($expand=segments)` and its first sessions, `sessions@odata.nextLink` to the
//! second page, and `@odata.nextLink` from page to page after that. It checks the bearer token,
//! issues tokens at a client-credentials endpoint, lists call records for a `$filter`, answers
//! faults from a queue (429 with `Retry-After`, 503, a body cut off halfway, a slow body, 401),
//! and logs every request.
//!
//! HTTP/1.1 with `Connection: close` after every answer: a thread per connection, nothing more.

#![allow(dead_code)] // reason: the tests and the benchmark server each use a part
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test support

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use callrecords::tokenizer::Tokenizer;

/// One call record as pages: raw JSON header members and raw session values.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub id: String,
    /// `"key":value` members of the callRecord other than `sessions` and its next link.
    header: Vec<u8>,
    /// Each session's JSON, as in the document.
    sessions: Vec<Vec<u8>>,
    /// Sessions per page.
    per_page: usize,
}

impl Record {
    /// Splits a callRecord document (`{..., "sessions": [...], ...}`) into pages of `per_page`
    /// sessions. The session values are kept byte for byte.
    pub(crate) fn split(doc: &[u8], per_page: usize) -> Record {
        let mut t = Tokenizer::new(doc);
        let mut header = Vec::new();
        let mut sessions = Vec::new();
        let mut id = None;
        t.begin_object().expect("a callRecord object");
        while let Some(key) = t.next_key().expect("a key") {
            let key = key.decode_lossy().into_owned();
            if key == "sessions" {
                t.begin_array().expect("sessions is an array");
                while t.next_element().expect("a session") {
                    let range = t.skip_value().expect("a session value");
                    sessions.push(doc[range].to_vec());
                }
                continue;
            }
            let range = t.skip_value().expect("a value");
            if key == "sessions@odata.nextLink" {
                continue;
            }
            if key == "id" {
                id = Some(String::from_utf8_lossy(&doc[range.start + 1..range.end - 1]).into());
            }
            if !header.is_empty() {
                header.push(b',');
            }
            header.extend_from_slice(json_string(&key).as_bytes());
            header.push(b':');
            header.extend_from_slice(&doc[range]);
        }
        Record {
            id: id.expect("the callRecord has an id"),
            header,
            sessions,
            per_page: per_page.max(1),
        }
    }

    /// Pages in all (at least one, the callRecord's).
    pub(crate) fn pages(&self) -> usize {
        self.sessions.len().div_ceil(self.per_page).max(1)
    }

    /// Page `index` as served, its next link pointing into `base` (`http://127.0.0.1:port/v1.0`).
    pub(crate) fn page(&self, index: usize, base: &str) -> Vec<u8> {
        let from = (index * self.per_page).min(self.sessions.len());
        let to = (from + self.per_page).min(self.sessions.len());
        let mut out = Vec::new();
        out.push(b'{');
        let array_key = if index == 0 {
            out.extend_from_slice(&self.header);
            out.extend_from_slice(b",\"sessions\":[");
            "sessions@odata.nextLink"
        } else {
            out.extend_from_slice(
                format!(
                    "\"@odata.context\":\"{base}/$metadata#communications/callRecords('{}')/sessions(segments())\",\"value\":[",
                    self.id
                )
                .as_bytes(),
            );
            "@odata.nextLink"
        };
        for (i, s) in self.sessions[from..to].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(s);
        }
        out.push(b']');
        if index + 1 < self.pages() {
            out.extend_from_slice(
                format!(
                    ",\"{array_key}\":\"{base}/communications/callRecords/{}/sessions?$expand=segments&$skiptoken={}\"",
                    self.id,
                    index + 1
                )
                .as_bytes(),
            );
        }
        out.push(b'}');
        out
    }
}

/// A JSON string literal for `s`.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A fault the server answers with, once, instead of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// 429 with this `Retry-After` value (seconds or an HTTP date), or none.
    TooMany(Option<String>),
    /// 503 with no `Retry-After`.
    Unavailable,
    /// The page's status line and headers, then half its body, then the connection closes.
    CutBody,
    /// The page in chunks of this many bytes with this pause between them.
    Slow { chunk: usize, pause: Duration },
    /// 401, as for an expired or wrong token.
    Unauthorized,
    /// 403, as when the app lacks the permission.
    Forbidden,
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct When {
    /// The call record id, or any.
    pub id: Option<String>,
    /// The page index, or any.
    pub page: Option<usize>,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Logged {
    pub at: Instant,
    pub method: String,
    /// Path and query, percent-decoded.
    pub target: String,
    pub headers: HashMap<String, String>,
    /// What the server answered: the status, and the fault if one was served.
    pub status: u16,
    pub fault: Option<Fault>,
    /// The call record and page, for page requests.
    pub page: Option<(String, usize)>,
}

#[derive(Debug, Default)]
struct State {
    records: Vec<Record>,
    /// Accepted bearer tokens and when each stops being accepted.
    tokens: HashMap<String, Option<Instant>>,
    faults: VecDeque<(When, Fault)>,
    log: Vec<Logged>,
    /// The client-credentials endpoint: the secret it wants and the life of its tokens.
    client_secret: Option<String>,
    token_life: u64,
    issued: usize,
    /// Call record ids per list page (`$filter`).
    list_pages: usize,
}

/// The server; it stops when dropped.
pub(crate) struct GraphServer {
    pub base: String,
    pub authority: String,
    state: Arc<Mutex<State>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
}

impl GraphServer {
    /// Starts a server on an ephemeral port of 127.0.0.1, accepting the bearer `token`.
    pub(crate) fn start(token: &str) -> GraphServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let mut state = State {
            token_life: 3600,
            list_pages: 2,
            ..State::default()
        };
        state.tokens.insert(token.to_owned(), None);
        let state = Arc::new(Mutex::new(state));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let base = format!("http://{addr}/v1.0");
        {
            let (state, stop, base) = (state.clone(), stop.clone(), base.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (state, base) = (state.clone(), base.clone());
                    thread::spawn(move || {
                        let _ = serve(stream, &state, &base);
                    });
                }
            });
        }
        GraphServer {
            base,
            authority: format!("http://{addr}"),
            state,
            stop,
            addr,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serves `record`.
    pub(crate) fn add(&self, record: Record) {
        self.state().records.push(record);
    }

    /// Queues `fault` for the next request `when` matches.
    pub(crate) fn fault(&self, when: When, fault: Fault) {
        self.state().faults.push_back((when, fault));
    }

    /// Turns on the client-credentials endpoint (`POST /{tenant}/oauth2/v2.0/token`), wanting
    /// `secret` and issuing tokens that live `life` seconds (and are refused after that).
    pub(crate) fn client_credentials(&self, secret: &str, life: u64) {
        let mut s = self.state();
        s.client_secret = Some(secret.to_owned());
        s.token_life = life;
    }

    /// Tokens the endpoint issued.
    pub(crate) fn issued(&self) -> usize {
        self.state().issued
    }

    /// Every request so far.
    pub(crate) fn log(&self) -> Vec<Logged> {
        self.state().log.clone()
    }
}

impl Drop for GraphServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// A request: method, target, headers, body.
struct Request {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = percent_decode(parts.next().unwrap_or_default());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Request {
        method,
        target,
        headers,
        body,
    })
}

/// Decodes `%XX` escapes and, in the query, `+` as a space.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let query = s.find('?').unwrap_or(s.len());
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if i > query => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a request asks for.
enum Route {
    Page(usize, usize),
    List(usize),
    Token(String),
    Missing(String),
}

fn route(state: &State, req: &Request) -> Route {
    let path = req.target.split('?').next().unwrap_or_default();
    if req.method == "POST" && path.ends_with("/oauth2/v2.0/token") {
        return Route::Token(String::from_utf8_lossy(&req.body).into_owned());
    }
    let Some(rest) = path.strip_prefix("/v1.0/communications/callRecords") else {
        return Route::Missing(path.to_owned());
    };
    if rest.is_empty() {
        let page = skiptoken(&req.target).unwrap_or(0);
        return Route::List(page);
    }
    let rest = rest.trim_start_matches('/');
    let (id, sessions) = match rest.split_once('/') {
        Some((id, "sessions")) => (id, true),
        Some(_) => return Route::Missing(path.to_owned()),
        None => (rest, false),
    };
    let Some(r) = state.records.iter().position(|r| r.id == id) else {
        return Route::Missing(id.to_owned());
    };
    let page = if sessions {
        skiptoken(&req.target).unwrap_or(usize::MAX)
    } else {
        0
    };
    if page >= state.records[r].pages() {
        return Route::Missing(id.to_owned());
    }
    Route::Page(r, page)
}

fn skiptoken(target: &str) -> Option<usize> {
    let i = target.find("$skiptoken=")?;
    target[i + 11..]
        .split('&')
        .next()
        .and_then(|v| v.parse().ok())
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, base: &str) -> std::io::Result<()> {
    let req = read_request(&stream)?;
    let lock = || state.lock().unwrap_or_else(|p| p.into_inner());
    let mut s = lock();
    let route = route(&s, &req);
    let page_of = match &route {
        Route::Page(r, p) => Some((s.records[*r].id.clone(), *p)),
        _ => None,
    };
    let mut logged = Logged {
        at: Instant::now(),
        method: req.method.clone(),
        target: req.target.clone(),
        headers: req.headers.clone(),
        status: 200,
        fault: None,
        page: page_of.clone(),
    };
    if let Route::Token(form) = &route {
        let answer = token_answer(&mut s, form);
        logged.status = answer.0;
        s.log.push(logged);
        drop(s);
        return respond(&mut stream, answer.0, &[], answer.1.as_bytes());
    }
    // The bearer token.
    let now = Instant::now();
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let authorized = matches!(s.tokens.get(bearer), Some(None))
        || matches!(s.tokens.get(bearer), Some(Some(until)) if now < *until);
    // A queued fault for this request.
    let fault = page_of.as_ref().and_then(|(id, page)| {
        let i = s.faults.iter().position(|(w, _)| {
            w.id.as_ref().is_none_or(|x| x == id) && w.page.is_none_or(|x| x == *page)
        })?;
        s.faults.remove(i).map(|(_, f)| f)
    });
    if !authorized || fault == Some(Fault::Unauthorized) {
        logged.status = 401;
        logged.fault = fault;
        s.log.push(logged);
        drop(s);
        let body = r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}"#;
        return respond(&mut stream, 401, &[], body.as_bytes());
    }
    let body = match &route {
        Route::Page(r, p) => s.records[*r].page(*p, base),
        Route::List(p) => list_page(&s, *p, base),
        Route::Missing(what) => {
            logged.status = 404;
            s.log.push(logged);
            drop(s);
            let body = format!(
                r#"{{"error":{{"code":"NotFound","message":"no resource {}"}}}}"#,
                json_string(what).trim_matches('"')
            );
            return respond(&mut stream, 404, &[], body.as_bytes());
        }
        Route::Token(_) => unreachable!("answered above"),
    };
    logged.fault = fault.clone();
    logged.status = match &fault {
        Some(Fault::TooMany(_)) => 429,
        Some(Fault::Unavailable) => 503,
        Some(Fault::Forbidden) => 403,
        _ => 200,
    };
    s.log.push(logged);
    drop(s);
    match fault {
        Some(Fault::TooMany(after)) => {
            let headers: Vec<(&str, &str)> = after
                .as_deref()
                .map(|a| vec![("Retry-After", a)])
                .unwrap_or_default();
            let body = r#"{"error":{"code":"TooManyRequests","message":"Too many requests."}}"#;
            respond(&mut stream, 429, &headers, body.as_bytes())
        }
        Some(Fault::Unavailable) => respond(&mut stream, 503, &[], b""),
        Some(Fault::Forbidden) => {
            let body = r#"{"error":{"code":"Forbidden","message":"Insufficient privileges to complete the operation."}}"#;
            respond(&mut stream, 403, &[], body.as_bytes())
        }
        Some(Fault::CutBody) => {
            write_head(&mut stream, 200, &[], body.len())?;
            stream.write_all(&body[..body.len() / 2])?;
            stream.flush()?;
            // Closing the connection now cuts the body off.
            Ok(())
        }
        Some(Fault::Slow { chunk, pause }) => {
            write_head(&mut stream, 200, &[], body.len())?;
            for part in body.chunks(chunk.max(1)) {
                stream.write_all(part)?;
                stream.flush()?;
                thread::sleep(pause);
            }
            Ok(())
        }
        _ => respond(&mut stream, 200, &[], &body),
    }
}

/// The client-credentials endpoint's answer to `form`.
fn token_answer(s: &mut State, form: &str) -> (u16, String) {
    let field = |name: &str| {
        form.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| percent_decode(&format!("?{v}"))[1..].to_owned())
        })
    };
    let wanted = s.client_secret.clone();
    if wanted.is_none()
        || field("client_secret") != wanted
        || field("grant_type").as_deref() != Some("client_credentials")
    {
        return (
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#
                .to_owned(),
        );
    }
    s.issued += 1;
    let token = format!("issued-token-{}", s.issued);
    let until = Instant::now() + Duration::from_secs(s.token_life);
    s.tokens.insert(token.clone(), Some(until));
    (
        200,
        format!(
            r#"{{"token_type":"Bearer","expires_in":{},"access_token":"{token}"}}"#,
            s.token_life
        ),
    )
}

/// Page `page` of the call records list: the records' ids spread over `list_pages` pages.
fn list_page(s: &State, page: usize, base: &str) -> Vec<u8> {
    let per = s.records.len().div_ceil(s.list_pages).max(1);
    let ids: Vec<String> = s
        .records
        .iter()
        .skip(page * per)
        .take(per)
        .map(|r| format!(r#"{{"id":"{}","version":1,"type":"groupCall"}}"#, r.id))
        .collect();
    let mut out = format!(
        r#"{{"@odata.context":"{base}/$metadata#communications/callRecords","value":[{}]"#,
        ids.join(",")
    );
    if (page + 1) * per < s.records.len() {
        out.push_str(&format!(
            r#","@odata.nextLink":"{base}/communications/callRecords?$skiptoken={}""#,
            page + 1
        ));
    }
    out.push('}');
    out.into_bytes()
}

fn write_head(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    len: usize,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Other",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    write_head(stream, status, headers, body.len())?;
    stream.write_all(body)?;
    stream.flush()
}
