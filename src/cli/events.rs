//! The walker the commands use: the crate's streaming [`Reader`] and its events, filling rows.
//!
//! Every file is read through [`Reader`], one section (about one session) at a time, so memory
//! follows the largest session, not the file. Rows borrow the reader's window; the file name and
//! the callRecord id are the only cells kept across sessions.

use std::borrow::Cow;
use std::io::Read;

use callrecords::schema::{DeviceInfo, NetworkInfo};
use callrecords::{
    Duration, Endpoint, Error, Event, Events, FieldErrors, Identity, JsonStr, MediaStream,
    ModalitySet, Options, Reader, Shape as DocShape, StreamOptions, Timestamp,
};

use super::columns::{col, index_of, Level};
use super::row::{Cell, Row};
use super::walk::{finish_stream, DocStats, Problem, Shape, StreamRow, WalkOptions};

/// Walks one document read from `input` through the streaming [`Reader`], calling `consumer`
/// for every stream row.
///
/// Returns the number of document bytes read, and the document's stats or the problem that made
/// it invalid (a syntax error, an I/O error, or with `strict` a value error or a non-callRecords
/// shape).
///
/// A stream cannot look ahead: when the callRecord id (the document's `id`, or the one in
/// `@odata.context`) comes only after the session array, the rows before it were given without
/// it, and [`DocStats::late_call_record_id`] is set so the caller can walk the document again
/// with [`walk_slice`], which finds the id first.
pub(crate) fn walk_reader(
    file: &str,
    input: impl Read,
    options: WalkOptions,
    consumer: &mut dyn FnMut(&StreamRow<'_, '_>) -> std::io::Result<()>,
) -> (u64, Result<DocStats, Problem>) {
    let mut reader =
        Reader::with_options(input, StreamOptions::new().events(event_options(options)));
    let mut state = State::new();
    let result = (|| {
        while let Some(mut section) = reader.next_section().map_err(|e| problem(&e, &[]))? {
            // Rows borrow the section; each section starts a fresh row with the file's cells.
            let mut row = state.row(file);
            for event in section.events() {
                let event = event.map_err(|e| problem(&e, &[]))?;
                state.event(event, &mut row, consumer)?;
            }
        }
        Ok(())
    })();
    let bytes = reader.offset();
    (bytes, result.map(|()| state.finish()))
}

/// Walks one document in memory with the slice iterator, calling `consumer` for every stream row.
pub(crate) fn walk_slice(
    file: &str,
    bytes: &[u8],
    options: WalkOptions,
    consumer: &mut dyn FnMut(&StreamRow<'_, '_>) -> std::io::Result<()>,
) -> Result<DocStats, Problem> {
    let mut state = State::new();
    let mut row = state.row(file);
    for event in Events::with_options(bytes, event_options(options)) {
        let event = event.map_err(|e| problem(&e, bytes))?;
        state.event(event, &mut row, consumer)?;
    }
    Ok(state.finish())
}

fn event_options(options: WalkOptions) -> Options {
    Options::default()
        .strict(options.strict)
        .report_undeclared(options.report_unknown)
}

/// What a walk keeps across events (and across the reader's sections).
struct State {
    stats: DocStats,
    context_id: Option<String>,
    document_id: Option<String>,
}

impl State {
    fn new() -> Self {
        State {
            stats: DocStats {
                shape: Shape::Other,
                ..DocStats::default()
            },
            context_id: None,
            document_id: None,
        }
    }

    /// A fresh row holding the file-level cells.
    fn row<'a>(&self, file: &'a str) -> Row<'a> {
        let mut row = Row::new();
        row.set(col::FILE, Cell::Str(Cow::Borrowed(file)));
        if let Some(id) = self.document_id.as_ref().or(self.context_id.as_ref()) {
            row.set(col::CALL_RECORD_ID, Cell::Str(Cow::Owned(id.clone())));
        }
        row
    }

    fn finish(mut self) -> DocStats {
        if self.stats.call_record_ids.is_empty() {
            self.stats.call_record_ids.extend(self.context_id);
        }
        // A streamed callRecord document whose fields also follow the sessions repeats its
        // header in the trailer: it is still one call record.
        if self.stats.shape == Shape::CallRecord {
            self.stats.call_records = self.stats.call_records.min(1);
        }
        self.stats.late_call_record_id &= !self.stats.call_record_ids.is_empty();
        self.stats
    }

    fn event<'a>(
        &mut self,
        event: Event<'a>,
        row: &mut Row<'a>,
        consumer: &mut dyn FnMut(&StreamRow<'_, '_>) -> std::io::Result<()>,
    ) -> Result<(), Problem> {
        let stats = &mut self.stats;
        match event {
            Event::Page(page) => {
                stats.shape = match page.shape {
                    DocShape::SessionsPage => Shape::SessionsPage,
                    DocShape::CallRecord => Shape::CallRecord,
                    DocShape::CallRecordsPage => Shape::CallRecordsPage,
                    DocShape::Other => Shape::Other,
                };
                if let Some(id) = page.call_record_id.map(owned) {
                    if self.document_id.is_none() {
                        row.set(col::CALL_RECORD_ID, Cell::Str(Cow::Owned(id.clone())));
                    }
                    self.context_id = Some(id);
                }
            }
            Event::CallRecord(record) => {
                stats.call_records += 1;
                if stats.shape == Shape::Other {
                    stats.shape = Shape::CallRecord;
                }
                value_errors(stats, &record.errors);
                let id = record.id.map(owned);
                if stats.shape == Shape::CallRecordsPage {
                    // Each element of a list page is its own call record.
                    self.document_id = id;
                } else if id.is_some() {
                    self.document_id = id;
                }
                let shown = self.document_id.as_ref().or(self.context_id.as_ref());
                row.set(
                    col::CALL_RECORD_ID,
                    shown.map_or(Cell::Null, |id| Cell::Str(Cow::Owned(id.clone()))),
                );
                stats.call_record_ids.extend(self.document_id.clone());
            }
            Event::Session(s) => {
                stats.sessions += 1;
                value_errors(stats, &s.errors);
                row.clear_from(Level::Session);
                row.set(col::SESSION_ID, text(s.id));
                row.set(col::SESSION_START, time(s.start_date_time));
                row.set(col::SESSION_END, time(s.end_date_time));
                row.set(col::MODALITIES, modalities(s.modalities));
            }
            Event::Segment(g) => {
                stats.segments += 1;
                value_errors(stats, &g.errors);
                row.clear_from(Level::Segment);
                row.set(col::SEGMENT_ID, text(g.id));
                row.set(col::SEGMENT_START, time(g.start_date_time));
                row.set(col::SEGMENT_END, time(g.end_date_time));
                if let Some(e) = &g.caller {
                    put(row, CALLER, endpoint(e));
                }
                if let Some(e) = &g.callee {
                    put(row, CALLEE, endpoint(e));
                }
            }
            Event::Media(m) => {
                stats.media += 1;
                value_errors(stats, &m.errors);
                row.clear_from(Level::Media);
                row.set(col::MEDIA_LABEL, text(m.label));
                if let Some(n) = &m.caller_network {
                    put(row, CALLER_NETWORK, network(n));
                }
                if let Some(n) = &m.callee_network {
                    put(row, CALLEE_NETWORK, network(n));
                }
                if let Some(d) = &m.caller_device {
                    put(row, CALLER_DEVICE, device(d));
                }
                if let Some(d) = &m.callee_device {
                    put(row, CALLEE_DEVICE, device(d));
                }
            }
            Event::Stream(t) => {
                stats.streams += 1;
                value_errors(stats, &t.errors);
                row.clear_from(Level::Stream);
                put(row, STREAM, stream(&t));
                if self.document_id.is_none() && self.context_id.is_none() {
                    stats.late_call_record_id = true;
                }
                finish_stream(row, consumer).map_err(|e| Problem::io(e.to_string()))?;
            }
            Event::Annotation(a) => {
                if a.is_next_link() {
                    stats.next_links += 1;
                }
            }
            Event::Undeclared(u) => stats.unknown_key(&u.to_string()),
        }
        Ok(())
    }
}

/// The error line's position and message for a parse or I/O error.
///
/// `input` is the document for the slice iterator; the streaming reader records positions in its
/// errors, so it passes an empty slice.
pub(crate) fn problem(e: &Error, input: &[u8]) -> Problem {
    let text = e.to_string();
    // `Display` ends with the position (`at line L column C` or `at byte N`); it goes first.
    let message = match text.rfind(" at line ").or_else(|| text.rfind(" at byte ")) {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if e.is_io() {
        // A corrupt or truncated gzip stream is invalid input, not an I/O failure.
        let source = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
        if let Some(io) = source {
            use std::io::ErrorKind::{InvalidData, InvalidInput, UnexpectedEof};
            if matches!(io.kind(), InvalidData | InvalidInput | UnexpectedEof) {
                return Problem::invalid(format!(
                    "invalid gzip data: {}",
                    super::files::io_message(io)
                ));
            }
            return Problem::io(super::files::io_message(io));
        }
        return Problem::io(message);
    }
    let (line, column) = e.line_column(input);
    Problem::at(line, column, message)
}

fn value_errors(stats: &mut DocStats, errors: &FieldErrors<'_>) {
    let mut kept = 0;
    for e in errors.iter() {
        kept += 1;
        let path = e.to_string();
        stats.value_error(&path, || {
            Problem::invalid(format!(
                "invalid value: {} at {path} (byte {})",
                e.error.kind(),
                e.offset
            ))
        });
    }
    if errors.total() > kept {
        *stats
            .value_errors
            .entry("(more in the same record)".to_string())
            .or_insert(0) += u64::from(errors.total() - kept);
    }
}

fn owned(s: JsonStr<'_>) -> String {
    s.decode_lossy().into_owned()
}

/// A string's text; an escaped lone surrogate, which JSON allows and no Rust string holds, is
/// written as U+FFFD rather than losing the whole value.
fn text<'a>(s: Option<JsonStr<'a>>) -> Cell<'a> {
    s.map_or(Cell::Null, |s| Cell::Str(s.decode_lossy()))
}

/// An enum member's text, an unknown member's escapes decoded.
fn enumeration(e: Option<Cow<'_, str>>) -> Cell<'_> {
    e.map_or(Cell::Null, Cell::Str)
}

fn time<'a>(t: Option<Timestamp>) -> Cell<'a> {
    t.map_or(Cell::Null, Cell::Time)
}

fn nanos<'a>(d: Option<Duration>) -> Cell<'a> {
    d.map_or(Cell::Null, |d| Cell::Nanos(d.as_nanos()))
}

fn float<'a>(v: Option<f64>) -> Cell<'a> {
    v.map_or(Cell::Null, Cell::Float)
}

fn int<'a>(v: Option<i64>) -> Cell<'a> {
    v.map_or(Cell::Null, Cell::Int)
}

fn int32<'a>(v: Option<i32>) -> Cell<'a> {
    v.map_or(Cell::Null, |v| Cell::Int(i64::from(v)))
}

fn boolean<'a>(v: Option<bool>) -> Cell<'a> {
    v.map_or(Cell::Null, Cell::Bool)
}

fn modalities<'a>(m: Option<ModalitySet<'a>>) -> Cell<'a> {
    match m {
        Some(m) => Cell::List(m.iter().map(|x| x.text()).collect()),
        None => Cell::Null,
    }
}

/// Sets consecutive cells from `base`; the names are checked against the table in tests.
fn put<'a, const N: usize>(row: &mut Row<'a>, base: usize, cells: [(&'static str, Cell<'a>); N]) {
    for (i, (_, cell)) in cells.into_iter().enumerate() {
        row.set(base + i, cell);
    }
}

const STREAM: usize = index_of("streamId");
const CALLER_NETWORK: usize = index_of("callerNetwork.bandwidthLowEventRatio");
const CALLEE_NETWORK: usize = index_of("calleeNetwork.bandwidthLowEventRatio");
const CALLER_DEVICE: usize = index_of("callerDevice.captureDeviceDriver");
const CALLEE_DEVICE: usize = index_of("calleeDevice.captureDeviceDriver");
const CALLER: usize = index_of("caller.name");
const CALLEE: usize = index_of("callee.name");

fn stream<'a>(s: &MediaStream<'a>) -> [(&'static str, Cell<'a>); 30] {
    [
        ("streamId", text(s.stream_id)),
        (
            "streamDirection",
            enumeration(s.stream_direction.map(|e| e.text())),
        ),
        ("audioCodec", enumeration(s.audio_codec.map(|e| e.text()))),
        (
            "averageAudioDegradation",
            float(s.average_audio_degradation),
        ),
        (
            "averageAudioNetworkJitterNs",
            nanos(s.average_audio_network_jitter),
        ),
        (
            "averageBandwidthEstimate",
            int(s.average_bandwidth_estimate),
        ),
        ("averageFreezeDurationNs", nanos(s.average_freeze_duration)),
        ("averageJitterNs", nanos(s.average_jitter)),
        ("averagePacketLossRate", float(s.average_packet_loss_rate)),
        (
            "averageRatioOfConcealedSamples",
            float(s.average_ratio_of_concealed_samples),
        ),
        (
            "averageReceivedFrameRate",
            float(s.average_received_frame_rate),
        ),
        ("averageRoundTripTimeNs", nanos(s.average_round_trip_time)),
        (
            "averageVideoFrameLossPercentage",
            float(s.average_video_frame_loss_percentage),
        ),
        ("averageVideoFrameRate", float(s.average_video_frame_rate)),
        (
            "averageVideoPacketLossRate",
            float(s.average_video_packet_loss_rate),
        ),
        ("endDateTime", time(s.end_date_time)),
        (
            "isAudioForwardErrorCorrectionUsed",
            boolean(s.is_audio_forward_error_correction_used),
        ),
        ("lowFrameRateRatio", float(s.low_frame_rate_ratio)),
        (
            "lowVideoProcessingCapabilityRatio",
            float(s.low_video_processing_capability_ratio),
        ),
        ("maxAudioNetworkJitterNs", nanos(s.max_audio_network_jitter)),
        ("maxJitterNs", nanos(s.max_jitter)),
        ("maxPacketLossRate", float(s.max_packet_loss_rate)),
        (
            "maxRatioOfConcealedSamples",
            float(s.max_ratio_of_concealed_samples),
        ),
        ("maxRoundTripTimeNs", nanos(s.max_round_trip_time)),
        ("packetUtilization", int(s.packet_utilization)),
        (
            "postForwardErrorCorrectionPacketLossRate",
            float(s.post_forward_error_correction_packet_loss_rate),
        ),
        ("rmsFreezeDurationNs", nanos(s.rms_freeze_duration)),
        ("startDateTime", time(s.start_date_time)),
        ("videoCodec", enumeration(s.video_codec.map(|e| e.text()))),
        ("wasMediaBypassed", boolean(s.was_media_bypassed)),
    ]
}

fn network<'a>(n: &NetworkInfo<'a>) -> [(&'static str, Cell<'a>); 25] {
    [
        ("bandwidthLowEventRatio", float(n.bandwidth_low_event_ratio)),
        (
            "basicServiceSetIdentifier",
            text(n.basic_service_set_identifier),
        ),
        (
            "connectionType",
            enumeration(n.connection_type.map(|e| e.text())),
        ),
        ("delayEventRatio", float(n.delay_event_ratio)),
        ("dnsSuffix", text(n.dns_suffix)),
        ("ipAddress", text(n.ip_address)),
        ("linkSpeed", int(n.link_speed)),
        ("macAddress", text(n.mac_address)),
        (
            "networkTransportProtocol",
            enumeration(n.network_transport_protocol.map(|e| e.text())),
        ),
        ("port", int32(n.port)),
        (
            "receivedQualityEventRatio",
            float(n.received_quality_event_ratio),
        ),
        ("reflexiveIPAddress", text(n.reflexive_ip_address)),
        ("relayIPAddress", text(n.relay_ip_address)),
        ("relayPort", int32(n.relay_port)),
        ("sentQualityEventRatio", float(n.sent_quality_event_ratio)),
        ("subnet", text(n.subnet)),
        ("wifiBand", enumeration(n.wifi_band.map(|e| e.text()))),
        ("wifiBatteryCharge", int32(n.wifi_battery_charge)),
        ("wifiChannel", int32(n.wifi_channel)),
        ("wifiMicrosoftDriver", text(n.wifi_microsoft_driver)),
        (
            "wifiMicrosoftDriverVersion",
            text(n.wifi_microsoft_driver_version),
        ),
        (
            "wifiRadioType",
            enumeration(n.wifi_radio_type.map(|e| e.text())),
        ),
        ("wifiSignalStrength", int32(n.wifi_signal_strength)),
        ("wifiVendorDriver", text(n.wifi_vendor_driver)),
        (
            "wifiVendorDriverVersion",
            text(n.wifi_vendor_driver_version),
        ),
    ]
}

fn device<'a>(d: &DeviceInfo<'a>) -> [(&'static str, Cell<'a>); 21] {
    [
        ("captureDeviceDriver", text(d.capture_device_driver)),
        ("captureDeviceName", text(d.capture_device_name)),
        (
            "captureNotFunctioningEventRatio",
            float(d.capture_not_functioning_event_ratio),
        ),
        (
            "cpuInsufficentEventRatio",
            float(d.cpu_insufficent_event_ratio),
        ),
        (
            "deviceClippingEventRatio",
            float(d.device_clipping_event_ratio),
        ),
        ("deviceGlitchEventRatio", float(d.device_glitch_event_ratio)),
        ("howlingEventCount", int32(d.howling_event_count)),
        (
            "initialSignalLevelRootMeanSquare",
            float(d.initial_signal_level_root_mean_square),
        ),
        (
            "lowSpeechLevelEventRatio",
            float(d.low_speech_level_event_ratio),
        ),
        (
            "lowSpeechToNoiseEventRatio",
            float(d.low_speech_to_noise_event_ratio),
        ),
        ("micGlitchRate", float(d.mic_glitch_rate)),
        ("receivedNoiseLevel", int32(d.received_noise_level)),
        ("receivedSignalLevel", int32(d.received_signal_level)),
        ("renderDeviceDriver", text(d.render_device_driver)),
        ("renderDeviceName", text(d.render_device_name)),
        ("renderMuteEventRatio", float(d.render_mute_event_ratio)),
        (
            "renderNotFunctioningEventRatio",
            float(d.render_not_functioning_event_ratio),
        ),
        (
            "renderZeroVolumeEventRatio",
            float(d.render_zero_volume_event_ratio),
        ),
        ("sentNoiseLevel", int32(d.sent_noise_level)),
        ("sentSignalLevel", int32(d.sent_signal_level)),
        ("speakerGlitchRate", float(d.speaker_glitch_rate)),
    ]
}

fn identity<'a>(i: Option<&Identity<'a>>) -> [Cell<'a>; 2] {
    match i {
        Some(i) => [text(i.id), text(i.display_name)],
        None => [Cell::Null, Cell::Null],
    }
}

fn endpoint<'a>(e: &Endpoint<'a>) -> [(&'static str, Cell<'a>); 26] {
    let ua = e.user_agent.as_ref();
    let set = e.identity.as_ref();
    let user = set.and_then(|s| s.user());
    let [user_id, user_name] = identity(user.as_ref());
    let [app_id, app_name] = identity(set.and_then(|s| s.application()).as_ref());
    let [device_id, device_name] = identity(set.and_then(|s| s.device()).as_ref());
    let [phone_id, phone_name] = identity(set.and_then(|s| s.phone()).as_ref());
    let assoc = e.associated_identity.as_ref();
    let feedback = e.feedback.as_ref();
    [
        ("name", text(e.name)),
        ("cpuName", text(e.cpu_name)),
        ("cpuCoresCount", int32(e.cpu_cores_count)),
        (
            "cpuProcessorSpeedInMhz",
            int32(e.cpu_processor_speed_in_mhz),
        ),
        (
            "userAgent.headerValue",
            text(ua.and_then(|u| u.header_value)),
        ),
        (
            "userAgent.applicationVersion",
            text(ua.and_then(|u| u.application_version)),
        ),
        (
            "userAgent.platform",
            enumeration(ua.and_then(|u| u.platform).map(|e| e.text())),
        ),
        (
            "userAgent.productFamily",
            enumeration(ua.and_then(|u| u.product_family).map(|e| e.text())),
        ),
        (
            "userAgent.azureADAppId",
            text(ua.and_then(|u| u.azure_ad_app_id)),
        ),
        (
            "userAgent.communicationServiceId",
            text(ua.and_then(|u| u.communication_service_id)),
        ),
        (
            "userAgent.role",
            enumeration(ua.and_then(|u| u.role).map(|e| e.text())),
        ),
        ("identity.user.id", user_id),
        ("identity.user.displayName", user_name),
        (
            "identity.user.tenantId",
            text(user.and_then(|u| u.tenant_id)),
        ),
        ("identity.application.id", app_id),
        ("identity.application.displayName", app_name),
        ("identity.device.id", device_id),
        ("identity.device.displayName", device_name),
        ("identity.phone.id", phone_id),
        ("identity.phone.displayName", phone_name),
        ("associatedIdentity.id", text(assoc.and_then(|i| i.id))),
        (
            "associatedIdentity.displayName",
            text(assoc.and_then(|i| i.display_name)),
        ),
        (
            "associatedIdentity.tenantId",
            text(assoc.and_then(|i| i.tenant_id)),
        ),
        (
            "associatedIdentity.userPrincipalName",
            text(assoc.and_then(|i| i.user_principal_name)),
        ),
        (
            "feedback.rating",
            enumeration(feedback.and_then(|f| f.rating).map(|e| e.text())),
        ),
        ("feedback.text", text(feedback.and_then(|f| f.text))),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::columns::COLUMNS;
    use super::*;

    fn check<const N: usize>(base: usize, prefix: &str, cells: [(&'static str, Cell<'_>); N]) {
        for (i, (name, _)) in cells.iter().enumerate() {
            assert_eq!(COLUMNS[base + i].name, format!("{prefix}{name}"));
        }
    }

    use super::super::fallback;
    use super::super::row::NdjsonWriter;
    use super::super::walk::Sink;
    use callrecords::generate::{self, GenOptions};

    /// Collects NDJSON rows.
    struct Rows<'w>(&'w NdjsonWriter, Vec<u8>);

    impl Sink for Rows<'_> {
        fn row(&mut self, s: &StreamRow<'_, '_>) -> std::io::Result<()> {
            self.0.write_row(&mut self.1, s.row)
        }
        fn restart(&mut self) {
            self.1.clear();
        }
    }

    type Counts = Option<(u64, u64, u64, u64, u64)>;

    /// NDJSON rows and counts of `bytes` through the reference walker (0), the slice iterator (1)
    /// or what the commands do (2): the streaming reader over a file, walked again with the slice
    /// iterator when the callRecord id came late.
    fn rows(which: u8, path: &std::path::Path, bytes: &[u8]) -> (String, Counts) {
        let writer = NdjsonWriter::new();
        let mut sink = Rows(&writer, Vec::new());
        let options = WalkOptions::default();
        let input = super::super::files::Input::File(path.to_path_buf());
        let name = input.name();
        let stats = match which {
            0 => fallback::walk(&name, bytes, options, &mut |s| sink.row(s)).ok(),
            1 => walk_slice(&name, bytes, options, &mut |s| sink.row(s)).ok(),
            _ => {
                let counter = std::sync::atomic::AtomicU64::new(0);
                super::super::common::process(&input, options, &counter, &mut sink).stats
            }
        };
        let counts = stats.map(|s| (s.sessions, s.segments, s.media, s.streams, s.next_links));
        (String::from_utf8(sink.1).unwrap_or_default(), counts)
    }

    fn agree(name: &str, bytes: &[u8]) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cli-unit");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("doc-{}-{}.json", std::process::id(), bytes.len()));
        std::fs::write(&path, bytes).ok();
        let reference = rows(0, &path, bytes);
        assert!(reference.1.is_some(), "{name}: reference walker failed");
        assert_eq!(
            rows(1, &path, bytes),
            reference,
            "{name}: slice iterator differs"
        );
        assert_eq!(
            rows(2, &path, bytes),
            reference,
            "{name}: streaming reader differs"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn walkers_agree_on_the_corpus() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            agree(&entry.path().display().to_string(), &bytes);
            n += 1;
        }
        assert!(n >= 15);
    }

    #[test]
    fn walkers_agree_on_generated_documents() {
        for (seed, shape, compact) in [
            (1, generate::Shape::Sessions, false),
            (2, generate::Shape::CallRecord, true),
            (3, generate::Shape::Sessions, true),
            (4, generate::Shape::CallRecord, false),
        ] {
            let doc = generate::to_vec(&GenOptions {
                seed,
                target_bytes: 256 << 10,
                compact,
                shape,
            });
            agree(&format!("seed {seed}"), &doc);
        }
    }

    #[test]
    fn groups_match_the_column_table() {
        check(STREAM, "", stream(&MediaStream::default()));
        check(
            CALLER_NETWORK,
            "callerNetwork.",
            network(&NetworkInfo::default()),
        );
        check(
            CALLEE_NETWORK,
            "calleeNetwork.",
            network(&NetworkInfo::default()),
        );
        check(
            CALLER_DEVICE,
            "callerDevice.",
            device(&DeviceInfo::default()),
        );
        check(
            CALLEE_DEVICE,
            "calleeDevice.",
            device(&DeviceInfo::default()),
        );
        check(CALLER, "caller.", endpoint(&Endpoint::default()));
        check(CALLEE, "callee.", endpoint(&Endpoint::default()));
    }
}
