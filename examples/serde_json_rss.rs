//! The serde_json side of the peak-memory comparison: reads a callRecords sessions page or
//! callRecord document whole and deserialises it into typed structs (or, with `--value`, into a
//! `serde_json::Value`), as an ingester without streaming would.
//!
//! ```text
//! cargo run --release --example serde_json_rss -- page.json [--value]
//! /usr/bin/time -v target/release/examples/serde_json_rss page.json   # "Maximum resident set size"
//! ```

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // reason: fields are read by serde, not by this example
struct Doc {
    #[serde(rename = "@odata.context")]
    context: Option<String>,
    id: Option<String>,
    value: Option<Vec<Session>>,
    sessions: Option<Vec<Session>>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // reason: fields are read by serde, not by this example
struct Session {
    id: Option<String>,
    modalities: Option<Vec<String>>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
    is_test: Option<bool>,
    caller: Option<serde_json::Value>,
    callee: Option<serde_json::Value>,
    failure_info: Option<serde_json::Value>,
    segments: Option<Vec<Segment>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // reason: fields are read by serde, not by this example
struct Segment {
    id: Option<String>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
    caller: Option<serde_json::Value>,
    callee: Option<serde_json::Value>,
    failure_info: Option<serde_json::Value>,
    media: Option<Vec<Media>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // reason: fields are read by serde, not by this example
struct Media {
    label: Option<String>,
    caller_device: Option<serde_json::Value>,
    callee_device: Option<serde_json::Value>,
    caller_network: Option<serde_json::Value>,
    callee_network: Option<serde_json::Value>,
    streams: Option<Vec<Stream>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // reason: fields are read by serde, not by this example
struct Stream {
    stream_id: Option<String>,
    stream_direction: Option<String>,
    average_jitter: Option<String>,
    max_jitter: Option<String>,
    average_round_trip_time: Option<String>,
    max_round_trip_time: Option<String>,
    average_packet_loss_rate: Option<f64>,
    max_packet_loss_rate: Option<f64>,
    packet_utilization: Option<i64>,
    average_audio_degradation: Option<f64>,
    average_bandwidth_estimate: Option<i64>,
    was_media_bypassed: Option<bool>,
    low_video_processing_capability_ratio: Option<f64>,
    average_video_frame_rate: Option<f64>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next() else {
        return Err("usage: serde_json_rss FILE.json [--value]".into());
    };
    let as_value = args.next().is_some_and(|a| a == "--value");
    let bytes = std::fs::read(&path)?;
    if as_value {
        let v: serde_json::Value = serde_json::from_slice(&bytes)?;
        let n = ["value", "sessions"]
            .iter()
            .find_map(|k| v.get(*k).and_then(|a| a.as_array()).map(Vec::len))
            .unwrap_or(0);
        println!("{} bytes: {n} sessions (serde_json::Value)", bytes.len());
    } else {
        let doc: Doc = serde_json::from_slice(&bytes)?;
        let sessions = doc.value.iter().chain(&doc.sessions).flatten();
        let streams: usize = sessions
            .clone()
            .flat_map(|s| s.segments.iter().flatten())
            .flat_map(|g| g.media.iter().flatten())
            .map(|m| m.streams.as_ref().map_or(0, Vec::len))
            .sum();
        println!(
            "{} bytes: {} sessions, {streams} streams (typed structs)",
            bytes.len(),
            sessions.count()
        );
    }
    Ok(())
}
