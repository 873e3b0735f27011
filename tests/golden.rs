//! Golden tests over the Graph docs examples in `corpus/docs/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use callrecords::schema::{
    ClientPlatform, EndpointKind, Modality, ProductFamily, Root, UserAgentKind, UserFeedbackRating,
};
use callrecords::{events, Event, Events, MediaStream, Options, Shape};
use serde_json::{json, Value};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .filter(|(n, _)| n.ends_with(".json"))
        .collect();
    v.sort();
    v
}

fn doc(name: &str) -> Vec<u8> {
    let p = format!("{}/corpus/docs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(p).unwrap()
}

fn all(bytes: &[u8]) -> Vec<Event<'_>> {
    events(bytes).collect::<Result<_, _>>().unwrap()
}

/// The resource-page templates (`*_jsonrep.json`) hold a segment or a media object with type
/// names as values: not real payloads.
fn is_template(name: &str) -> bool {
    name.ends_with("_jsonrep.json")
}

#[test]
fn every_docs_example_parses_lenient() {
    let files = corpus();
    assert!(files.len() >= 15);
    for (name, bytes) in files {
        let mut it = events(&bytes);
        let evs: Vec<Event<'_>> = it
            .by_ref()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if is_template(&name) {
            // A bare segment or media object: valid JSON, not callRecords-shaped. The segment's
            // `id`, `startDateTime` and `endDateTime` are a call record's too, but no member
            // only a call record has is there.
            assert_eq!(it.shape(), Some(Shape::Other), "{name}");
            assert!(evs.is_empty(), "{name}");
            continue;
        }
        assert_ne!(it.shape(), Some(Shape::Other), "{name}");
        assert!(matches!(evs.first(), Some(Event::Page(_))), "{name}");
        for e in &evs {
            let errors = match e {
                Event::CallRecord(r) => r.errors,
                Event::Session(r) => r.errors,
                Event::Segment(r) => r.errors,
                Event::Media(r) => r.errors,
                Event::Stream(r) => r.errors,
                _ => Default::default(),
            };
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
    }
}

#[test]
fn every_real_docs_example_parses_strict() {
    for (name, bytes) in corpus() {
        let strict = Options::default().strict(true);
        let r: Result<Vec<_>, _> = Events::with_options(&bytes, strict).collect();
        if is_template(&name) {
            // The segment template has `"startDateTime": "String (timestamp)"`; the media
            // template is not callRecords-shaped.
            let e = r.expect_err(&name);
            assert!(e.is_value(), "{name}: {e}");
        } else {
            r.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

/// Compares `actual` with `expected`, where a key missing from `expected` means `null` (or an
/// absent key) in `actual`: so every field of every record is asserted.
fn assert_json(path: &str, actual: &Value, expected: &Value) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for k in a.keys().chain(e.keys()) {
                let av = a.get(k).unwrap_or(&Value::Null);
                let ev = e.get(k).unwrap_or(&Value::Null);
                assert_json(&format!("{path}/{k}"), av, ev);
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: {actual} vs {expected}");
            for (i, (av, ev)) in a.iter().zip(e).enumerate() {
                assert_json(&format!("{path}/{i}"), av, ev);
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            assert_eq!(a.as_f64(), e.as_f64(), "{path}");
            assert_eq!(a.as_i64(), e.as_i64(), "{path}");
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn record_json(e: &Event<'_>) -> Value {
    let v = serde_json::to_value(e).unwrap();
    v.get("record").cloned().unwrap()
}

fn user_agent_android() -> Value {
    json!({"kind": "Client", "@odata.type": "#microsoft.graph.callRecords.clientUserAgent",
        "headerValue": "RTCC/7.0.0.0 UCWA/7.0.0.0 AndroidLync/6.25.0.27 (SM-G930U Android 8.0.0)",
        "platform": "android", "productFamily": "skypeForBusiness"})
}

fn user_agent_windows() -> Value {
    json!({"kind": "Client", "@odata.type": "#microsoft.graph.callRecords.clientUserAgent",
        "headerValue": "UCCAPI/16.0.12527.20122 OC/16.0.12527.20194 (Skype for Business)",
        "platform": "windows", "productFamily": "skypeForBusiness"})
}

fn abbie() -> Value {
    json!({"id": "821809f5-0000-0000-0000-3b5136c0e777", "displayName": "Abbie Wilkins",
        "tenantId": "dc368399-474c-4d40-900c-6265431fd81f"})
}

fn owen() -> Value {
    json!({"id": "f69e2c00-0000-0000-0000-185e5f5f5d8a", "displayName": "Owen Franklin",
        "tenantId": "dc368399-474c-4d40-900c-6265431fd81f"})
}

const CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523d2ed-2966-4b6b-925b-754a88034cc5')/sessions";
const ID: &str = "e523d2ed-2966-4b6b-925b-754a88034cc5";

fn session_json(with_segments: u32) -> Value {
    json!({
        "at": "/value/0",
        "id": ID,
        "modalities": ["audio"],
        "startDateTime": "2020-02-25T18:52:21.2169889Z",
        "endDateTime": "2020-02-25T18:52:46.7640013Z",
        "caller": {"kind": "Participant",
            "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
            "userAgent": user_agent_android(),
            "identity": {"@odata.type": "#microsoft.graph.identitySet", "user": abbie()}},
        "callee": {"kind": "Participant",
            "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
            "userAgent": user_agent_windows(),
            "identity": {"user": owen()},
            "feedback": {"rating": "poor", "tokens": {"NoSound": false, "OtherNoSound": false,
                "Echo": false, "Noisy": true, "LowVolume": false, "Stopped": false,
                "DistortedSound": false, "Interruptions": false}}},
        "segmentCount": with_segments,
    })
}

fn check_session_typed(e: &Event<'_>) {
    let Event::Session(s) = e else {
        panic!("{e:?}")
    };
    assert_eq!(s.at.root(), Root::Value);
    assert_eq!(s.at.session_index(), Some(0));
    assert_eq!(s.id.unwrap().raw(), ID.as_bytes());
    let m = s.modalities.unwrap();
    assert_eq!(m.iter().collect::<Vec<_>>(), vec![Modality::Audio]);
    let start = s.start_date_time.unwrap();
    assert_eq!(
        (start.unix_seconds(), start.subsec_nanos()),
        (1_582_656_741, 216_988_900)
    );
    let end = s.end_date_time.unwrap();
    assert_eq!(
        (end.unix_seconds(), end.subsec_nanos()),
        (1_582_656_766, 764_001_300)
    );
    let caller = s.caller.unwrap();
    assert_eq!(caller.kind, EndpointKind::Participant);
    let ua = caller.user_agent.unwrap();
    assert_eq!(ua.kind, UserAgentKind::Client);
    assert_eq!(ua.platform, Some(ClientPlatform::Android));
    assert_eq!(ua.product_family, Some(ProductFamily::SkypeForBusiness));
    let user = caller.identity.unwrap().user().unwrap();
    assert_eq!(user.display_name.unwrap().raw(), b"Abbie Wilkins");
    assert!(user.extras.is_empty());
    let fb = s.callee.unwrap().feedback.unwrap();
    assert_eq!(fb.rating, Some(UserFeedbackRating::Poor));
    let tokens = fb.tokens.unwrap();
    let t: Vec<(String, bool)> = tokens
        .iter()
        .map(|(k, b)| (String::from_utf8(k.raw().to_vec()).unwrap(), b))
        .collect();
    assert_eq!(t.len(), 8);
    assert_eq!(t[3], ("Noisy".to_string(), true));
    assert_eq!(tokens.get("Noisy"), Some(true));
    assert_eq!(tokens.get("Echo"), Some(false));
    assert_eq!(tokens.get("Nope"), None);
}

#[test]
fn golden_v1_session_list_example1() {
    let bytes = doc("legacy2021_v1.0_callrecords-session-list_example1.json");
    let evs = all(&bytes);
    assert_eq!(evs.len(), 3, "{evs:#?}");
    assert_json(
        "page",
        &record_json(&evs[0]),
        &json!({"shape": "SessionsPage", "context": CONTEXT, "callRecordId": ID}),
    );
    assert_json("session", &record_json(&evs[1]), &session_json(0));
    check_session_typed(&evs[1]);
    let Event::Annotation(a) = evs[2] else {
        panic!()
    };
    assert!(a.is_next_link());
    assert_eq!(a.target, None);
    assert_eq!(a.to_string(), "/@odata.nextLink");
    assert_eq!(
        a.string().unwrap().raw(),
        format!("{CONTEXT}?$skiptoken=abc").as_bytes()
    );
}

fn stream_json(i: u32) -> Value {
    let common = json!({
        "sessionId": ID, "segmentId": ID, "mediaLabel": "main-audio",
        "at": format!("/value/0/segments/0/media/0/streams/{i}"),
        "wasMediaBypassed": false,
    });
    let specific = if i == 0 {
        json!({"streamId": "1504545584", "streamDirection": "callerToCallee",
            "averageJitter": 16_000_000, "maxJitter": 21_000_000,
            "averagePacketLossRate": 0.0, "maxPacketLossRate": 0.0,
            "averageRoundTripTime": 61_000_000, "maxRoundTripTime": 79_000_000,
            "packetUtilization": 67, "averageBandwidthEstimate": 9_965_083,
            "averageAudioNetworkJitter": 43_000_000, "maxAudioNetworkJitter": 46_000_000})
    } else {
        json!({"streamId": "1785122252", "streamDirection": "calleeToCaller",
            "averageAudioDegradation": 1.160898,
            "averageJitter": 7_000_000, "maxJitter": 12_000_000,
            "averagePacketLossRate": 0.01381693, "maxPacketLossRate": 0.03738318,
            "averageRatioOfConcealedSamples": 0.06233422, "maxRatioOfConcealedSamples": 0.07192807,
            "averageRoundTripTime": 64_000_000, "maxRoundTripTime": 106_000_000,
            "packetUtilization": 709, "averageBandwidthEstimate": 15_644_878,
            "averageAudioNetworkJitter": 266_000_000, "maxAudioNetworkJitter": 474_000_000})
    };
    let mut v = common;
    for (k, x) in specific.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[test]
fn golden_v1_session_list_example2() {
    let bytes = doc("legacy2021_v1.0_callrecords-session-list_example2.json");
    let evs = all(&bytes);
    assert_eq!(evs.len(), 8, "{evs:#?}");
    assert_json(
        "page",
        &record_json(&evs[0]),
        &json!({"shape": "SessionsPage", "context": CONTEXT, "callRecordId": ID}),
    );
    assert_json("session", &record_json(&evs[1]), &session_json(1));
    check_session_typed(&evs[1]);
    assert_json(
        "segment",
        &record_json(&evs[2]),
        &json!({
            "at": "/value/0/segments/0", "sessionId": ID, "id": ID,
            "startDateTime": "2020-02-25T18:52:21.2169889Z",
            "endDateTime": "2020-02-25T18:52:46.7640013Z",
            "caller": {"kind": "Participant",
                "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
                "userAgent": user_agent_android(), "identity": {"user": abbie()}},
            "callee": {"kind": "Participant",
                "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
                "userAgent": user_agent_windows(), "identity": {"user": owen()}},
            "mediaCount": 1,
        }),
    );
    assert_json(
        "media",
        &record_json(&evs[3]),
        &json!({
            "at": "/value/0/segments/0/media/0", "sessionId": ID, "segmentId": ID,
            "label": "main-audio",
            "callerNetwork": {"ipAddress": "10.150.0.2", "subnet": "10.150.0.0",
                "linkSpeed": 54_000_000, "connectionType": "wifi", "port": 27288,
                "reflexiveIPAddress": "127.0.0.2", "relayIPAddress": "52.114.188.32",
                "relayPort": 53889, "macAddress": "00-00-00-00-00-00",
                "sentQualityEventRatio": 0.0, "receivedQualityEventRatio": 0.27,
                "delayEventRatio": 0.0, "bandwidthLowEventRatio": 0.0},
            "calleeNetwork": {"ipAddress": "10.139.0.12", "subnet": "10.139.80.0",
                "linkSpeed": 4_294_967_295_i64, "connectionType": "wired", "port": 50011,
                "reflexiveIPAddress": "127.0.0.2", "relayIPAddress": "52.114.188.102",
                "relayPort": 52810, "macAddress": "00-00-00-00-00-00-00-00",
                "sentQualityEventRatio": 0.31, "receivedQualityEventRatio": 0.0,
                "delayEventRatio": 0.0, "bandwidthLowEventRatio": 0.0},
            "callerDevice": {"captureDeviceName": "Default input device",
                "renderDeviceName": "Default output device", "receivedSignalLevel": -10,
                "receivedNoiseLevel": -68, "initialSignalLevelRootMeanSquare": 60.25816,
                "renderZeroVolumeEventRatio": 1.0, "renderMuteEventRatio": 1.0,
                "micGlitchRate": 23.0, "speakerGlitchRate": 3830.0},
            "calleeDevice": {
                "captureDeviceName": "Microphone (Microsoft Virtual Audio Device (Simple) (WDM))",
                "captureDeviceDriver": "Microsoft: 5.0.8638.1100",
                "renderDeviceName": "Speakers (Microsoft Virtual Audio Device (Simple) (WDM))",
                "renderDeviceDriver": "Microsoft: 5.0.8638.1100", "receivedSignalLevel": -14,
                "receivedNoiseLevel": -86, "initialSignalLevelRootMeanSquare": 146.7885,
                "micGlitchRate": 143.0, "speakerGlitchRate": 182.0},
            "streamCount": 2,
        }),
    );
    assert_json("stream0", &record_json(&evs[4]), &stream_json(0));
    assert_json("stream1", &record_json(&evs[5]), &stream_json(1));

    // Typed checks of the same values (the JSON above goes through serde).
    let Event::Stream(s0) = evs[4] else { panic!() };
    let Event::Stream(s1) = evs[5] else { panic!() };
    let ns = |d: Option<callrecords::Duration>| d.map(|d| d.as_nanos());
    assert_eq!(ns(s0.average_jitter), Some(16_000_000));
    assert_eq!(s0.average_audio_degradation, None);
    assert_eq!(s0.average_ratio_of_concealed_samples, None);
    assert_eq!(s1.average_audio_degradation, Some(1.160898));
    assert_eq!(ns(s1.max_audio_network_jitter), Some(474_000_000));
    assert_eq!(s1.packet_utilization, Some(709));
    let expected0 = MediaStream {
        at: s0.at,
        session_id: s0.session_id,
        segment_id: s0.segment_id,
        media_label: s0.media_label,
        stream_id: s0.stream_id,
        stream_direction: s0.stream_direction,
        average_jitter: Some(callrecords::Duration::from_nanos(16_000_000)),
        max_jitter: Some(callrecords::Duration::from_nanos(21_000_000)),
        average_packet_loss_rate: Some(0.0),
        max_packet_loss_rate: Some(0.0),
        average_round_trip_time: Some(callrecords::Duration::from_nanos(61_000_000)),
        max_round_trip_time: Some(callrecords::Duration::from_nanos(79_000_000)),
        packet_utilization: Some(67),
        average_bandwidth_estimate: Some(9_965_083),
        was_media_bypassed: Some(false),
        average_audio_network_jitter: Some(callrecords::Duration::from_nanos(43_000_000)),
        max_audio_network_jitter: Some(callrecords::Duration::from_nanos(46_000_000)),
        ..MediaStream::default()
    };
    assert_eq!(s0, expected0);
    let Event::Media(m) = evs[3] else { panic!() };
    assert_eq!(m.callee_network.unwrap().link_speed, Some(4_294_967_295));
    assert_eq!(m.caller_network.unwrap().dns_suffix, None);

    // Then the session's own annotation, then the page's nextLink.
    let Event::Annotation(a) = evs[6] else {
        panic!()
    };
    assert_eq!(a.to_string(), "/value/0/segments@odata.context");
    let Event::Annotation(a) = evs[7] else {
        panic!()
    };
    assert!(a.is_next_link());
}

#[test]
fn current_v1_example2_duplicate_odata_type_and_new_fields() {
    let bytes = doc("v1.0_callrecords-callrecord-list-sessions_example2.json");
    let evs = all(&bytes);
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.is_test, Some(false));
    let caller = s.caller.unwrap();
    assert_eq!(caller.name.unwrap().raw(), b"machineName_1");
    assert_eq!(caller.cpu_cores_count, Some(8));
    assert_eq!(caller.cpu_processor_speed_in_mhz, Some(2346));
    let Event::Segment(g) = evs[2] else { panic!() };
    let callee = g.callee.unwrap();
    assert_eq!(callee.kind, EndpointKind::Participant);
    assert_eq!(callee.cpu_processor_speed_in_mhz, None);
    let Event::Stream(st) = evs[4] else { panic!() };
    assert_eq!(st.rms_freeze_duration, None);
    assert_eq!(st.is_audio_forward_error_correction_used, Some(true));
}

#[test]
fn callrecord_get_documents() {
    for name in [
        "v1.0_callrecords-callrecord-get_example2.json",
        "beta_callrecords-callrecord-get_example2.json",
        "legacy2021_v1.0_callrecords-callrecord-get_example2.json",
    ] {
        let bytes = doc(name);
        let evs = all(&bytes);
        let Event::Page(p) = evs[0] else { panic!() };
        assert_eq!(p.shape, Shape::CallRecord, "{name}");
        let Event::CallRecord(h) = evs[1] else {
            panic!("{name}")
        };
        assert!(h.id.is_some(), "{name}");
        assert!(h.version.is_some(), "{name}");
        assert!(h.start_date_time.is_some(), "{name}");
        assert!(h.modalities.is_some(), "{name}");
        let sessions = evs
            .iter()
            .filter(|e| matches!(e, Event::Session(_)))
            .count();
        assert!(sessions >= 1, "{name}");
        for e in &evs {
            if let Event::Session(s) = e {
                assert_eq!(s.at.root(), Root::Sessions);
            }
        }
    }
}
