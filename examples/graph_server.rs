//! Serves a callRecord document on 127.0.0.1 the way Graph pages it, for measuring
//! `callrecords fetch` against `callrecords flatten` over the same pages on disk
//! (`benches/scripts/fetch_vs_files.sh`).
//!
//! ```text
//! callrecords gen --shape callrecord --compact --size 256MiB -o record.json
//! cargo run --release --example graph_server -- record.json [more.json ...]
//! ```
//!
//! It prints the Graph root URL, then each call record's id, one per line, then serves until it
//! is killed. Pages hold `GRAPH_SERVER_PER_PAGE` sessions (default 60, Graph's page size); the
//! bearer token is `GRAPH_SERVER_TOKEN` (default `bench-token`).

#[path = "../tests/support/graph_server.rs"]
mod graph_server;

use std::io::Write;

use graph_server::{GraphServer, Record};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let docs: Vec<String> = std::env::args().skip(1).collect();
    if docs.is_empty() {
        return Err("usage: graph_server DOC...".into());
    }
    let per_page = match std::env::var("GRAPH_SERVER_PER_PAGE") {
        Ok(n) => n.parse()?,
        Err(_) => 60,
    };
    let token = std::env::var("GRAPH_SERVER_TOKEN").unwrap_or_else(|_| "bench-token".to_owned());
    let server = GraphServer::start(&token);
    let mut ids = Vec::new();
    for path in &docs {
        let record = Record::split(&std::fs::read(path)?, per_page);
        ids.push(record.id.clone());
        server.add(record);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.base)?;
    for id in ids {
        writeln!(out, "{id}")?;
    }
    out.flush()?;
    drop(out);
    loop {
        std::thread::park();
    }
}
