//! Behaviour of the event iterator: order, tolerance, value errors, strict mode, reuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use callrecords::schema::{
    ClientPlatform, EndpointKind, MediaStreamDirection, Modality, Root, UserAgentKind,
};
use callrecords::{
    events, Error, ErrorKind, Event, Events, Options, Parser, Shape, ValueErrorKind,
};

fn all(bytes: &[u8]) -> Vec<Event<'_>> {
    events(bytes)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn all_with(bytes: &[u8], o: Options) -> Result<Vec<Event<'_>>, Error> {
    Events::with_options(bytes, o).collect()
}

fn kinds(evs: &[Event<'_>]) -> Vec<&'static str> {
    evs.iter()
        .map(|e| match e {
            Event::Page(_) => "page",
            Event::CallRecord(_) => "callRecord",
            Event::Session(_) => "session",
            Event::Segment(_) => "segment",
            Event::Media(_) => "media",
            Event::Stream(_) => "stream",
            Event::Annotation(_) => "annotation",
            Event::Undeclared(_) => "undeclared",
        })
        .collect()
}

fn streams<'a>(evs: &[Event<'a>]) -> Vec<callrecords::MediaStream<'a>> {
    evs.iter()
        .filter_map(|e| match e {
            Event::Stream(s) => Some(*s),
            _ => None,
        })
        .collect()
}

const STREAM: &str =
    r#"{"streamId":"s","streamDirection":"callerToCallee","averageJitter":"PT0.016S"}"#;

fn session(id_first: bool) -> String {
    let segs = format!(
        r#""segments":[{{"id":"g1","media":[{{"label":"main-audio","streams":[{STREAM},{STREAM}]}},{{"streams":[{STREAM}],"label":"video"}}]}},{{"media":[],"id":"g2"}}]"#
    );
    let fields = r#""id":"s1","modalities":["audio","video"],"startDateTime":"2020-02-25T18:52:21.2169889Z""#;
    if id_first {
        format!("{{{fields},{segs}}}")
    } else {
        format!("{{{segs},{fields}}}")
    }
}

#[test]
fn order_independent_within_session() {
    let a = format!(r#"{{"@odata.context":"c","value":[{}]}}"#, session(true));
    let b = format!(r#"{{"@odata.context":"c","value":[{}]}}"#, session(false));
    let ea = all(a.as_bytes());
    let eb = all(b.as_bytes());
    assert_eq!(ea, eb);
    assert_eq!(
        kinds(&ea),
        ["page", "session", "segment", "media", "stream", "stream", "media", "stream", "segment"]
    );
    // Parents' identity is on every child, even when it arrives after the children.
    for s in streams(&eb) {
        assert_eq!(s.session_id.unwrap().raw(), b"s1");
        assert_eq!(s.segment_id.unwrap().raw(), b"g1");
        assert_eq!(s.average_jitter.unwrap().as_nanos(), 16_000_000);
    }
    let labels: Vec<_> = streams(&eb)
        .iter()
        .map(|s| s.media_label.unwrap().raw())
        .collect();
    assert_eq!(labels, [&b"main-audio"[..], b"main-audio", b"video"]);
    let Event::Stream(s) = eb[7] else { panic!() };
    assert_eq!(s.at.to_string(), "/value/0/segments/0/media/1/streams/0");
    let Event::Segment(g) = eb[8] else { panic!() };
    assert_eq!(g.id.unwrap().raw(), b"g2");
    assert_eq!(g.session_id.unwrap().raw(), b"s1");
    assert_eq!(g.media_count, 0);
}

#[test]
fn order_independent_top_level() {
    let a = format!(
        r#"{{"@odata.context":"https://g/v1.0/$metadata#communications/callRecords('abc')/sessions","value":[{}],"@odata.nextLink":"n"}}"#,
        session(true)
    );
    let b = format!(
        r#"{{"@odata.nextLink":"n","value":[{}],"@odata.context":"https://g/v1.0/$metadata#communications/callRecords('abc')/sessions"}}"#,
        session(true)
    );
    let ea = all(a.as_bytes());
    let eb = all(b.as_bytes());
    assert_eq!(kinds(&ea), kinds(&eb));
    assert_eq!(ea[..ea.len() - 1], eb[..eb.len() - 1]);
    let Event::Page(p) = eb[0] else { panic!() };
    assert_eq!(p.call_record_id.unwrap().raw(), b"abc");
    let (Event::Annotation(x), Event::Annotation(y)) = (ea[ea.len() - 1], eb[eb.len() - 1]) else {
        panic!()
    };
    assert!(x.is_next_link() && y.is_next_link());
    assert_eq!(x.string(), y.string());
}

#[test]
fn callrecord_document_header_after_sessions() {
    let doc = format!(
        r#"{{"sessions":[{}],"sessions@odata.nextLink":"next","participants_v2@odata.count":3,
        "id":"cr","version":7,"type":"groupCall","modalities":["audio"],
        "organizer_v2":{{"id":"o","identity":{{"user":{{"id":"u","displayName":"U"}},"acsUser":null}}}},
        "participants_v2":[{{"id":"p1","identity":{{"guest":{{"id":"g","email":"e@x"}}}},"administrativeUnitInfos":[{{"id":"au"}}]}},null,{{"id":"p2"}}],
        "participants":[{{"user":{{"id":"old"}}}}],
        "@odata.context":"https://g/$metadata#communications/callRecords/$entity"}}"#,
        session(false)
    );
    let evs = all(doc.as_bytes());
    assert_eq!(&kinds(&evs)[..3], ["page", "callRecord", "session"]);
    let Event::Page(p) = evs[0] else { panic!() };
    assert_eq!(p.shape, Shape::CallRecord);
    assert_eq!(p.call_record_id, None);
    let Event::CallRecord(h) = evs[1] else {
        panic!()
    };
    assert_eq!(h.id.unwrap().raw(), b"cr");
    assert_eq!(h.version, Some(7));
    assert_eq!(h.call_type, Some(callrecords::schema::CallType::GroupCall));
    let org = h.organizer_v2.unwrap();
    let ident = org.identity.unwrap();
    assert_eq!(ident.user().unwrap().display_name.unwrap().raw(), b"U");
    assert_eq!(ident.acs_user(), None);
    let parts: Vec<_> = h.participants_v2.unwrap().iter().collect();
    assert_eq!(parts.len(), 2);
    let guest = parts[0].identity.unwrap().guest().unwrap();
    assert_eq!(guest.id.unwrap().raw(), b"g");
    let extras: Vec<_> = guest.extras.iter().collect();
    assert_eq!(extras.len(), 1);
    assert_eq!(extras[0].0.raw(), b"email");
    assert_eq!(extras[0].1, br#""e@x""#);
    let au: Vec<_> = parts[0].administrative_unit_infos.unwrap().iter().collect();
    assert_eq!(au[0].id.unwrap().raw(), b"au");
    assert_eq!(parts[1].id.unwrap().raw(), b"p2");
    let old: Vec<_> = h.participants.unwrap().iter().collect();
    assert_eq!(old[0].user().unwrap().id.unwrap().raw(), b"old");
    // Sessions are under /sessions.
    let Event::Session(s) = evs[2] else { panic!() };
    assert_eq!(s.at.root(), Root::Sessions);
    assert_eq!(s.at.to_string(), "/sessions/0");
    // Annotations last, tagged with their scope.
    let n = evs.len();
    let (Event::Annotation(a), Event::Annotation(b)) = (evs[n - 2], evs[n - 1]) else {
        panic!("{:?}", kinds(&evs))
    };
    assert_eq!(a.target.unwrap().raw(), b"sessions");
    assert!(a.is_next_link());
    assert_eq!(a.string().unwrap().raw(), b"next");
    assert_eq!(b.to_string(), "/participants_v2@odata.count");
    assert_eq!(b.count(), Some(3));
}

#[test]
fn escaped_keys_match() {
    let doc = br#"{"v\u0061lue":[{"i\u0064":"s1","segments":[{"c\u0061ller":{"@odata.type":"microsoft.graph.callRecords.serviceEndpoint","userAgent":{"pl\u0061tform":"web","\u0072ole":"gateway"}}}]}]}"#;
    let evs = all(doc);
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.id.unwrap().raw(), b"s1");
    let Event::Segment(g) = evs[2] else { panic!() };
    let caller = g.caller.unwrap();
    // `@odata.type` without the leading `#` (as in the resource templates).
    assert_eq!(caller.kind, EndpointKind::Service);
    let ua = caller.user_agent.unwrap();
    assert_eq!(ua.platform, Some(ClientPlatform::Web));
    // No @odata.type: the kind is inferred from the first subtype's properties.
    assert_eq!(ua.kind, UserAgentKind::Client);
    // Escaped enum text is matched too.
    let doc = br#"{"value":[{"modalities":["\u0061udio"]}]}"#;
    let evs = all(doc);
    let Event::Session(s) = evs[1] else { panic!() };
    assert!(s.modalities.unwrap().contains(Modality::Audio));
}

#[test]
fn duplicate_keys_last_wins() {
    let doc = br#"{"value":[{"id":"a","segments":[{"id":"x"}],"id":"b","segments":[{"id":"y","media":[{"label":"l1"}],"media":[{"label":"l2"}]}]}]}"#;
    let evs = all(doc);
    assert_eq!(kinds(&evs), ["page", "session", "segment", "media"]);
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.id.unwrap().raw(), b"b");
    let Event::Segment(g) = evs[2] else { panic!() };
    assert_eq!(g.id.unwrap().raw(), b"y");
    assert_eq!(g.session_id.unwrap().raw(), b"b");
    let Event::Media(m) = evs[3] else { panic!() };
    assert_eq!(m.label.unwrap().raw(), b"l2");
    // A later null replaces an earlier value.
    let evs = all(br#"{"value":[{"id":"a","id":null}]}"#);
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.id, None);
}

const UNKNOWN_DOC: &[u8] = br#"{"value":[{"id":"s","futureSessionField":[1,{"a":null}],
  "segments":[{"media":[{"callerNetwork":{"newThing":true,"ipAddress":"1.2.3.4"},
  "streams":[{"streamId":"0"},{"fooBar":{"x":[1,2,"\u00e9"]},"streamDirection":"sideways"}]}]}]}],
  "topLevelThing":1}"#;

#[test]
fn unknown_keys_skipped_by_default() {
    let evs = all(UNKNOWN_DOC);
    assert_eq!(
        kinds(&evs),
        ["page", "session", "segment", "media", "stream", "stream"]
    );
    let Event::Media(m) = evs[3] else { panic!() };
    assert_eq!(
        m.caller_network.unwrap().ip_address.unwrap().raw(),
        b"1.2.3.4"
    );
    let Event::Stream(s) = evs[5] else { panic!() };
    // Unknown enum members are kept with their raw text.
    match s.stream_direction {
        Some(MediaStreamDirection::Unknown(raw)) => assert_eq!(raw.raw(), b"sideways"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.stream_direction.unwrap().as_str(), "sideways");
}

#[test]
fn unknown_keys_reported_with_paths() {
    let evs = all_with(UNKNOWN_DOC, Options::default().report_undeclared(true)).unwrap();
    assert_eq!(
        kinds(&evs),
        [
            "page",
            "session",
            "segment",
            "media",
            "stream",
            "stream",
            "undeclared",
            "undeclared",
            "undeclared",
            "undeclared"
        ]
    );
    let got: Vec<(String, String)> = evs
        .iter()
        .filter_map(|e| match e {
            Event::Undeclared(u) => {
                Some((u.to_string(), String::from_utf8(u.raw.to_vec()).unwrap()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/value/0/futureSessionField".into(),
                r#"[1,{"a":null}]"#.into()
            ),
            (
                "/value/0/segments/0/media/0/callerNetwork/newThing".into(),
                "true".into()
            ),
            (
                "/value/0/segments/0/media/0/streams/1/fooBar".into(),
                r#"{"x":[1,2,"\u00e9"]}"#.into()
            ),
            ("/topLevelThing".into(), "1".into()),
        ]
    );
}

#[test]
fn unknown_enum_members_and_sentinels() {
    let doc = br##"{"value":[{"modalities":["audio","hologram","unknownFutureValue","smell","taste"],
      "caller":{"userAgent":{"@odata.type":"#microsoft.graph.callRecords.clientUserAgent","platform":"visionOS","productFamily":"azureCommunicationServices"}}}]}"##;
    let evs = all(doc);
    let Event::Session(s) = evs[1] else { panic!() };
    let m = s.modalities.unwrap();
    let names: Vec<&str> = m.iter().map(|x| x.as_str()).collect();
    // Past the two unknown members kept inline, the rest is read from the array's text.
    assert_eq!(
        names,
        ["audio", "unknownFutureValue", "hologram", "smell", "taste"]
    );
    assert!(m.has_more_unknown());
    let ua = s.caller.unwrap().user_agent.unwrap();
    assert!(ua.platform.unwrap().is_unknown());
    assert_eq!(ua.platform.unwrap().as_str(), "visionOS");
    assert_eq!(
        ua.product_family,
        Some(callrecords::schema::ProductFamily::AzureCommunicationServices)
    );
}

#[test]
fn nulls_everywhere() {
    let doc = br#"{"@odata.context":null,"value":[null,{"id":null,"modalities":null,"startDateTime":null,
      "caller":null,"callee":{"userAgent":null,"identity":{"user":null,"acsUser":null},"feedback":{"tokens":null,"rating":null}},
      "failureInfo":null,"isTest":null,
      "segments":[null,{"id":null,"media":[{"label":null,"callerNetwork":{"traceRouteHops":null,"linkSpeed":null},
      "streams":[null,{"averageJitter":null,"averageAudioDegradation":null,"packetUtilization":null,"streamDirection":null,"wasMediaBypassed":null}]}]}]}],
      "@odata.nextLink":null}"#;
    let evs = all(doc);
    assert_eq!(
        kinds(&evs),
        [
            "page",
            "session",
            "segment",
            "media",
            "stream",
            "annotation"
        ]
    );
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.at.to_string(), "/value/1");
    assert!(s.errors.is_empty());
    let callee = s.callee.unwrap();
    assert_eq!(callee.identity.unwrap().user(), None);
    let Event::Segment(g) = evs[2] else { panic!() };
    assert_eq!(g.at.to_string(), "/value/1/segments/1");
    let Event::Stream(st) = evs[4] else { panic!() };
    assert_eq!(st.at.to_string(), "/value/1/segments/1/media/0/streams/1");
    assert_eq!(
        st,
        callrecords::MediaStream {
            at: st.at,
            ..Default::default()
        }
    );
}

const BAD_VALUES: &[u8] = br#"{"value":[{"id":"s","isTest":"yes","caller":5,"segments":[{"media":[{"label":"m",
  "callerNetwork":{"port":"abc","linkSpeed":1.5,"wifiChannel":99999999999,"ipAddress":"ok"},
  "streams":[{"streamId":"a","averageJitter":5,"maxJitter":"PT1Y","averagePacketLossRate":"lots","packetUtilization":12,"startDateTime":"2020-02-30T00:00:00Z"}]}]}]}]}"#;

#[test]
fn wrong_values_are_lenient_value_errors() {
    let evs = all(BAD_VALUES);
    assert_eq!(
        kinds(&evs),
        ["page", "session", "segment", "media", "stream"]
    );
    let Event::Session(s) = evs[1] else { panic!() };
    assert_eq!(s.id.unwrap().raw(), b"s");
    assert_eq!(s.is_test, None);
    assert_eq!(s.caller, None);
    let errs: Vec<String> = s.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errs, ["/value/0/isTest", "/value/0/caller"]);
    assert_eq!(s.errors.iter().next().unwrap().raw, b"yes");
    assert_eq!(
        s.errors.iter().next().unwrap().error.kind(),
        ValueErrorKind::WrongType
    );

    let Event::Media(m) = evs[3] else { panic!() };
    let net = m.caller_network.unwrap();
    assert_eq!(net.ip_address.unwrap().raw(), b"ok");
    assert_eq!(
        (net.port, net.link_speed, net.wifi_channel),
        (None, None, None)
    );
    let errs: Vec<(String, Vec<u8>)> = m
        .errors
        .iter()
        .map(|e| (e.to_string(), e.raw.to_vec()))
        .collect();
    assert_eq!(
        errs,
        [
            (
                "/value/0/segments/0/media/0/callerNetwork/port".to_string(),
                b"abc".to_vec()
            ),
            (
                "/value/0/segments/0/media/0/callerNetwork/linkSpeed".to_string(),
                b"1.5".to_vec()
            ),
            (
                "/value/0/segments/0/media/0/callerNetwork/wifiChannel".to_string(),
                b"99999999999".to_vec()
            ),
        ]
    );
    let overflow = m.errors.iter().nth(2).unwrap();
    assert_eq!(overflow.error.kind(), ValueErrorKind::Overflow);

    let Event::Stream(st) = evs[4] else { panic!() };
    assert_eq!(st.stream_id.unwrap().raw(), b"a");
    assert_eq!(st.packet_utilization, Some(12));
    assert_eq!(st.average_jitter, None);
    assert_eq!(st.max_jitter, None);
    assert_eq!(st.average_packet_loss_rate, None);
    assert_eq!(st.start_date_time, None);
    assert_eq!(st.errors.total(), 4);
    let kinds: Vec<_> = st.errors.iter().map(|e| e.error.kind()).collect();
    assert_eq!(
        kinds,
        [
            ValueErrorKind::WrongType,
            ValueErrorKind::NotFixedLength,
            ValueErrorKind::WrongType,
            ValueErrorKind::FieldOutOfRange
        ]
    );
    let first = st.errors.iter().next().unwrap();
    assert_eq!(
        first.to_string(),
        "/value/0/segments/0/media/0/streams/0/averageJitter"
    );
    // The offset points at the value in the input.
    let at = first.offset as usize;
    assert_eq!(&BAD_VALUES[at..at + 1], b"5");
}

#[test]
fn strict_mode_value_error() {
    let e = all_with(BAD_VALUES, Options::default().strict(true)).unwrap_err();
    assert!(e.is_value(), "{e}");
    assert_eq!(e.kind(), ErrorKind::Value(ValueErrorKind::WrongType));
    assert_eq!(e.path(), Some("/value/0/isTest"));
    // Events before the error are delivered.
    let mut it = Events::with_options(
        br#"{"value":[{"id":"ok"},{"segments":[{"media":[{"streams":[{"averageJitter":"PT1X"}]}]}]}]}"#,
        Options::default().strict(true),
    );
    assert!(matches!(it.next(), Some(Ok(Event::Page(_)))));
    assert!(matches!(it.next(), Some(Ok(Event::Session(_)))));
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(
        e.path(),
        Some("/value/1/segments/0/media/0/streams/0/averageJitter")
    );
    assert!(it.next().is_none());
}

#[test]
fn syntax_error_ends_iteration_at_its_offset() {
    let doc = br#"{"value":[{"id":"a"},{"id":"b",}]}"#;
    let mut it = events(doc);
    let e = it.next().unwrap().unwrap_err();
    assert!(e.is_syntax(), "{e}");
    assert_eq!(e.offset(), 31, "{e}");
    assert!(it.next().is_none());
    // Inside a header field, after the sessions.
    let doc = br#"{"sessions":[],"id":"a" "x"}"#;
    let mut it = events(doc);
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.offset(), 24, "{e}");
    assert!(it.next().is_none());
    // Truncated input.
    let doc = br#"{"value":[{"id":"a"}"#;
    let e = events(doc).find_map(Result::err).unwrap();
    assert!(e.is_eof(), "{e}");
}

#[test]
fn other_shapes_yield_no_records() {
    for doc in [&b"[1,2]"[..], b"3", br#"{"foo":{"bar":[]}}"#, b"{}"] {
        let mut it = events(doc);
        assert!(it.next().is_none());
        assert_eq!(it.shape(), Some(Shape::Other));
        let e = all_with(doc, Options::default().strict(true)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotCallRecords);
    }
    // Empty shapes are still callRecords-shaped.
    let mut it = events(br#"{"value":[]}"#);
    assert!(matches!(it.next(), Some(Ok(Event::Page(_)))));
    assert!(it.next().is_none());
    assert_eq!(it.shape(), Some(Shape::SessionsPage));
}

/// Which top-level objects are call records. A segment or session on its own shares `id`,
/// `startDateTime`, `endDateTime` and `modalities` with a call record, so those alone do not make
/// one; a `sessions` member, a member only a call record has, or an entity context does.
const SHAPE_TABLE: &[(&str, Shape)] = &[
    (
        r#"{"id":"s","startDateTime":"2020-01-01T00:00:00Z","endDateTime":"2020-01-01T00:01:00Z"}"#,
        Shape::Other,
    ),
    (
        r#"{"id":"s","caller":{},"callee":{},"media":[{}]}"#,
        Shape::Other,
    ),
    (r#"{"modalities":["audio"],"segments":[]}"#, Shape::Other),
    (r#"{"id":"c","sessions":[]}"#, Shape::CallRecord),
    (r#"{"sessions":null}"#, Shape::CallRecord),
    (r#"{"id":"c","version":1}"#, Shape::CallRecord),
    (r#"{"type":"groupCall"}"#, Shape::CallRecord),
    (r#"{"id":"c","organizer":null}"#, Shape::CallRecord),
    (
        r#"{"lastModifiedDateTime":"2020-01-01T00:00:00Z"}"#,
        Shape::CallRecord,
    ),
    (r#"{"joinWebUrl":null,"id":"c"}"#, Shape::CallRecord),
    (r#"{"participants_v2":[]}"#, Shape::CallRecord),
    (
        r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords/$entity","id":"c"}"#,
        Shape::CallRecord,
    ),
    (
        r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('c')/sessions/$entity","id":"s"}"#,
        Shape::Other,
    ),
    (r#"{"value":[],"id":"c","version":1}"#, Shape::SessionsPage),
];

#[test]
fn call_record_shape_needs_a_member_only_a_call_record_has() {
    for &(doc, shape) in SHAPE_TABLE {
        let mut it = events(doc.as_bytes());
        let evs: Vec<Event<'_>> = it.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(it.shape(), Some(shape), "{doc}");
        let header = evs.iter().any(|e| matches!(e, Event::CallRecord(_)));
        assert_eq!(header, shape == Shape::CallRecord, "{doc}");
        let strict = all_with(doc.as_bytes(), Options::default().strict(true));
        assert_eq!(
            strict.err().map(|e| e.kind()),
            (shape == Shape::Other).then_some(ErrorKind::NotCallRecords),
            "{doc}"
        );
    }
}

#[test]
fn depth_limit_applies_to_unknown_subtrees() {
    let deep = format!(
        r#"{{"value":[{{"x":{}{}}}]}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let e = events(deep.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind(), ErrorKind::DepthLimitExceeded);
    let shallow = r#"{"value":[{"x":[[[]]]}]}"#;
    let e = all_with(shallow.as_bytes(), Options::default().depth_limit(4)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DepthLimitExceeded);
    assert!(all_with(shallow.as_bytes(), Options::default().depth_limit(6)).is_ok());
}

#[test]
fn trace_route_hops_are_lazy() {
    let doc = br#"{"value":[{"segments":[{"media":[{"calleeNetwork":{"traceRouteHops":[
        {"hopCount":1,"ipAddress":"10.0.0.1","roundTripTime":"PT0.001S"},null,
        {"hopCount":"x","roundTripTime":"PT0.5S","extra":1}]}}]}]}]}"#;
    let evs = all(doc);
    let Event::Media(m) = evs[3] else { panic!() };
    let hops: Vec<_> = m
        .callee_network
        .unwrap()
        .trace_route_hops
        .unwrap()
        .iter()
        .collect();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].hop_count, Some(1));
    assert_eq!(hops[0].round_trip_time.unwrap().as_nanos(), 1_000_000);
    assert_eq!(hops[1].hop_count, None);
    assert_eq!(hops[1].errors.total(), 1);
    assert_eq!(hops[1].round_trip_time.unwrap().as_nanos(), 500_000_000);
}

#[test]
fn one_corrupted_duration_in_a_thousand_streams() {
    let mut doc = String::from(
        r#"{"value":[{"id":"s","segments":[{"id":"g","media":[{"label":"main-audio","streams":["#,
    );
    for i in 0..1000 {
        if i > 0 {
            doc.push(',');
        }
        let jitter = if i == 617 { "PT0.0X6S" } else { "PT0.016S" };
        doc.push_str(&format!(
            r#"{{"streamId":"{i}","averageJitter":"{jitter}","maxJitter":"PT0.021S","packetUtilization":{i},"wasMediaBypassed":false}}"#
        ));
    }
    doc.push_str("]}]}]}]}");
    let evs = all(doc.as_bytes());
    let st = streams(&evs);
    assert_eq!(st.len(), 1000);
    for (i, s) in st.iter().enumerate() {
        assert_eq!(s.stream_id.unwrap().raw(), i.to_string().as_bytes());
        assert_eq!(s.packet_utilization, Some(i as i64));
        assert_eq!(s.max_jitter.unwrap().as_nanos(), 21_000_000);
        assert_eq!(s.was_media_bypassed, Some(false));
        assert_eq!(s.segment_id.unwrap().raw(), b"g");
        if i == 617 {
            assert_eq!(s.average_jitter, None);
            assert_eq!(s.errors.total(), 1);
            let e = s.errors.iter().next().unwrap();
            assert_eq!(e.raw, b"PT0.0X6S");
            assert_eq!(
                e.to_string(),
                "/value/0/segments/0/media/0/streams/617/averageJitter"
            );
        } else {
            assert_eq!(s.average_jitter.unwrap().as_nanos(), 16_000_000);
            assert!(s.errors.is_empty());
        }
    }
}

#[test]
fn parser_reuse_gives_the_same_events() {
    let a = format!(r#"{{"@odata.context":"c","value":[{}]}}"#, session(true));
    let b = br#"{"id":"cr","sessions":[{"id":"x"}],"sessions@odata.nextLink":"n"}"#;
    let mut parser = Parser::new();
    for _ in 0..3 {
        let got: Vec<_> = parser
            .events(a.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, all(a.as_bytes()));
        let mut it = parser.events(b);
        let got: Vec<_> = it.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(it.shape(), Some(Shape::CallRecord));
        drop(it);
        assert_eq!(got, all(b));
        // Dropped early, mid-document.
        let mut it = parser.events(a.as_bytes());
        it.next();
        it.next();
    }
    // An error mid-way does not poison the parser.
    assert!(parser
        .events(br#"{"value":[{"id":1,}]}"#)
        .any(|e| e.is_err()));
    assert_eq!(
        parser.events(b).collect::<Result<Vec<_>, _>>().unwrap(),
        all(b)
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_output() {
    let doc = br#"{"value":[{"id":"s\u00e9","segments":[{"media":[{"streams":[{"averageJitter":"PT0.016S","startDateTime":"2020-02-25T18:52:21.2169889Z","streamDirection":"x"}]}]}]}]}"#;
    let evs = all(doc);
    let v = serde_json::to_value(evs[1]).unwrap();
    assert_eq!(v["event"], "session");
    assert_eq!(v["record"]["id"], "sé");
    let v = serde_json::to_value(evs[4]).unwrap();
    assert_eq!(v["record"]["averageJitter"], 16_000_000);
    assert_eq!(v["record"]["startDateTime"], "2020-02-25T18:52:21.2169889Z");
    assert_eq!(v["record"]["streamDirection"], "x");
    assert_eq!(v["record"]["sessionId"], "sé");
}

/// Record counts from `serde_json::Value`, for a sanity check on generated documents.
fn reference_counts(v: &serde_json::Value) -> [usize; 4] {
    let mut c = [0; 4];
    let sessions = v
        .get("value")
        .or_else(|| v.get("sessions"))
        .and_then(|s| s.as_array());
    for s in sessions.into_iter().flatten().filter(|s| s.is_object()) {
        c[0] += 1;
        for g in s["segments"].as_array().into_iter().flatten() {
            c[1] += 1;
            for m in g["media"].as_array().into_iter().flatten() {
                c[2] += 1;
                c[3] += m["streams"].as_array().map_or(0, |a| a.len());
            }
        }
    }
    c
}

#[test]
fn generated_documents_parse_in_both_shapes() {
    use callrecords::generate::{to_vec, GenOptions, Shape as GenShape};
    for (shape, compact) in [
        (GenShape::Sessions, false),
        (GenShape::Sessions, true),
        (GenShape::CallRecord, false),
        (GenShape::CallRecord, true),
    ] {
        let doc = to_vec(&GenOptions {
            seed: 7,
            target_bytes: 300_000,
            compact,
            shape,
        });
        let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
        let mut c = [0usize; 4];
        let mut value_errors = 0;
        for e in events(&doc) {
            match e.unwrap() {
                Event::Session(s) => {
                    c[0] += 1;
                    value_errors += s.errors.total();
                }
                Event::Segment(s) => {
                    c[1] += 1;
                    value_errors += s.errors.total();
                }
                Event::Media(s) => {
                    c[2] += 1;
                    value_errors += s.errors.total();
                }
                Event::Stream(s) => {
                    c[3] += 1;
                    value_errors += s.errors.total();
                }
                _ => {}
            }
        }
        assert_eq!(c, reference_counts(&v), "{shape:?} compact={compact}");
        assert!(c[3] > 20);
        eprintln!("{shape:?} compact={compact}: {c:?}, {value_errors} value errors");
    }
}

#[test]
fn single_pass_page_delivers_sessions_before_a_later_error() {
    // `@odata.context` first: sessions are parsed in place, in one pass.
    let doc = br#"{"@odata.context":"c","@odata.count":2,"value":[{"id":"a"},{"id":"b",}]}"#;
    let mut it = events(doc);
    assert!(matches!(it.next(), Some(Ok(Event::Page(_)))));
    assert!(matches!(it.next(), Some(Ok(Event::Session(_)))));
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.offset(), 69, "{e}");
    assert!(it.next().is_none());
    // Annotations before and after `value` come last, in input order.
    let doc = br#"{"@odata.context":"c","@odata.count":2,"value":[{"id":"a"}],"x":1,"@odata.nextLink":"n"}"#;
    let evs = all_with(doc, Options::default().report_undeclared(true)).unwrap();
    assert_eq!(
        kinds(&evs),
        ["page", "session", "annotation", "undeclared", "annotation"]
    );
    let Event::Annotation(a) = evs[2] else {
        panic!()
    };
    assert_eq!(a.count(), Some(2));
}

/// Runs every event and every lazy view of a document, returning the error if any.
fn drain_everything(bytes: &[u8], o: Options) -> Option<Error> {
    for e in Events::with_options(bytes, o) {
        let e = match e {
            Ok(e) => e,
            Err(e) => return Some(e),
        };
        let _ = format!("{e:?}");
        #[cfg(feature = "serde")]
        let _ = serde_json::to_string(&e).unwrap();
        let mut endpoints = Vec::new();
        match e {
            Event::CallRecord(h) => {
                for p in h.participants_v2.iter().flat_map(|p| p.iter()) {
                    for a in p.administrative_unit_infos.iter().flat_map(|a| a.iter()) {
                        let _ = a.id;
                    }
                }
                for s in h.participants.iter().flat_map(|p| p.iter()) {
                    let _ = s.extras.iter().count();
                }
            }
            Event::Session(s) => endpoints.extend([s.caller, s.callee]),
            Event::Segment(s) => endpoints.extend([s.caller, s.callee]),
            Event::Media(m) => {
                for n in [m.caller_network, m.callee_network].into_iter().flatten() {
                    let _ = n.trace_route_hops.iter().flat_map(|h| h.iter()).count();
                }
            }
            _ => {}
        }
        for ep in endpoints.into_iter().flatten() {
            if let Some(f) = ep.feedback {
                let _ = f.tokens.iter().flat_map(|t| t.iter()).count();
            }
            if let Some(i) = ep.identity {
                let _ = i.extras.iter().count();
                let _ = i.user().map(|u| u.extras.iter().count());
            }
        }
    }
    None
}

#[test]
fn no_panics_on_truncated_or_mutated_docs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let opts = [
        Options::default(),
        Options::default().strict(true).report_undeclared(true),
    ];
    for entry in std::fs::read_dir(dir).unwrap() {
        let doc = std::fs::read(entry.unwrap().path()).unwrap();
        // Every 13th prefix: an end-of-input error (or a complete document).
        let complete = doc.trim_ascii_end().len();
        for cut in (0..complete).step_by(13) {
            let e = drain_everything(&doc[..cut], opts[cut % 2]);
            assert!(e.is_some(), "prefix {cut} accepted");
        }
        // Random byte mutations, some of them structural.
        const BYTES: &[u8] = b"{}[],:\"\\ 0a-.eE\x00\xff";
        for _ in 0..300 {
            let mut m = doc.clone();
            for _ in 0..1 + rnd() % 3 {
                let at = (rnd() as usize) % m.len();
                m[at] = BYTES[(rnd() as usize) % BYTES.len()];
            }
            let _ = drain_everything(&m, opts[(rnd() % 2) as usize]);
        }
    }
}

#[test]
fn identity_sets_beyond_the_inline_capacity() {
    use callrecords::schema::IdentityKind;
    let doc = br#"{"value":[{"caller":{"identity":{"user":{"id":"u0"},"phone":{"id":"p"},"guest":{"id":"g"},
        "acsUser":null,"device":{"id":"d"},"user":{"id":"u1"},"endpointType":"voicemail","custom":{"x":1}}},
        "callee":{"identity":{"user":{"id":"a"},"user":null,"guest":{"id":"b"}}}}]}"#;
    let evs = all(doc);
    let Event::Session(s) = evs[1] else { panic!() };
    let set = s.caller.unwrap().identity.unwrap();
    let id = |i: Option<callrecords::Identity<'_>>| i.and_then(|i| i.id).map(|j| j.raw().to_vec());
    assert_eq!(id(set.user()), Some(b"u1".to_vec()));
    assert_eq!(id(set.device()), Some(b"d".to_vec()));
    assert_eq!(id(set.guest()), Some(b"g".to_vec()));
    assert_eq!(set.acs_user(), None);
    let kinds: Vec<_> = set.iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            IdentityKind::User,
            IdentityKind::Device,
            IdentityKind::Guest,
            IdentityKind::Phone
        ]
    );
    assert_eq!(
        set.endpoint_type,
        Some(callrecords::schema::EndpointType::Voicemail)
    );
    let extras: Vec<_> = set.extras.iter().map(|(k, v)| (k.raw(), v)).collect();
    assert_eq!(extras, [(&b"custom"[..], &br#"{"x":1}"#[..])]);
    let set = s.callee.unwrap().identity.unwrap();
    assert_eq!(set.user(), None);
    assert_eq!(id(set.guest()), Some(b"b".to_vec()));
}

/// Counts this thread's heap allocations (tests run in parallel threads).
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! { static COUNT: Cell<u64> = const { Cell::new(0) }; }

    pub(crate) struct Counting;

    // SAFETY: forwards to the system allocator; only counts.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
            // SAFETY: same contract as the caller's.
            unsafe { System.alloc(l) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            // SAFETY: same contract as the caller's.
            unsafe { System.dealloc(p, l) }
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
            // SAFETY: same contract as the caller's.
            unsafe { System.realloc(p, l, n) }
        }
    }

    pub(crate) fn count() -> u64 {
        COUNT.with(|c| c.get())
    }
}

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

#[test]
fn parser_second_pass_makes_no_allocations() {
    use callrecords::generate::{to_vec, GenOptions, Shape as GenShape};
    for shape in [GenShape::Sessions, GenShape::CallRecord] {
        // Issue 4: documents of more than 10 MiB, at two sizes, so that a count growing with
        // the document's size would show.
        for size in [11 << 20, 22 << 20] {
            let doc = to_vec(&GenOptions {
                seed: 11,
                target_bytes: size,
                compact: false,
                shape,
            });
            assert!(doc.len() > 10 << 20, "{shape:?} {}", doc.len());
            let mut parser = Parser::new();
            let before = counting::count();
            let first = parser.events(&doc).inspect(|e| assert!(e.is_ok())).count();
            // The counter is live: the first pass allocates the parser's buffers.
            assert!(counting::count() > before, "{shape:?} {size}");
            let before = counting::count();
            let second = parser.events(&doc).inspect(|e| assert!(e.is_ok())).count();
            let allocs = counting::count() - before;
            assert_eq!(first, second);
            assert_eq!(allocs, 0, "{shape:?} {size}");
        }
    }
}

#[test]
fn call_records_list_page() {
    let elements = r#"[{"id":"a","version":1,"type":"groupCall","modalities":["audio"],
        "organizer":{"user":{"id":"u","displayName":null},"acsUser":null,"spoolUser":null},
        "participants_v2@odata.context":"x","startDateTime":"2023-09-25T10:36:40Z"},
        {"sessions":[{"segments":[{"id":"g"}],"id":"s"}],"id":"b","version":"9"}]"#;
    let ctx = r#""https://graph.microsoft.com/v1.0/$metadata#communications/callRecords""#;
    let first = format!(r#"{{"@odata.context":{ctx},"value":{elements},"@odata.nextLink":"n"}}"#);
    let last = format!(r#"{{"value":{elements},"@odata.nextLink":"n","@odata.context":{ctx}}}"#);
    let a = all(first.as_bytes());
    let b = all(last.as_bytes());
    // The same events (annotation offsets differ between the two texts).
    let records = |v: &[Event<'_>]| -> Vec<String> {
        v.iter()
            .map(|e| match e {
                Event::Annotation(x) => x.to_string(),
                e => format!("{e:?}"),
            })
            .collect()
    };
    assert_eq!(records(&a), records(&b));
    assert_eq!(
        kinds(&a),
        [
            "page",
            "callRecord",
            "annotation",
            "callRecord",
            "session",
            "segment",
            "annotation"
        ]
    );
    let Event::Page(p) = a[0] else { panic!() };
    assert_eq!(p.shape, Shape::CallRecordsPage);
    let Event::CallRecord(h) = a[1] else { panic!() };
    assert_eq!(h.id.unwrap().raw(), b"a");
    assert_eq!(h.version, Some(1));
    let user = h.organizer.unwrap().user().unwrap();
    assert_eq!(user.id.unwrap().raw(), b"u");
    assert_eq!(user.display_name, None);
    assert_eq!(h.start_date_time.unwrap().unix_seconds(), 1_695_638_200);
    let Event::Annotation(x) = a[2] else { panic!() };
    assert_eq!(x.to_string(), "/value/0/participants_v2@odata.context");
    let Event::CallRecord(h) = a[3] else { panic!() };
    assert_eq!(h.id.unwrap().raw(), b"b");
    // IEEE754Compatible string form of an Int64.
    assert_eq!(h.version, Some(9));
    let Event::Session(s) = a[4] else { panic!() };
    assert_eq!(s.at.to_string(), "/value/1/sessions/0");
    assert_eq!(s.at.root(), Root::Record(1));
    let Event::Segment(g) = a[5] else { panic!() };
    assert_eq!(g.session_id.unwrap().raw(), b"s");
    assert_eq!(g.at.to_string(), "/value/1/sessions/0/segments/0");
    // A sessions page's context is not a list of call records.
    let page = br#"{"@odata.context":"https://g/v1.0/$metadata#communications/callRecords('x')/sessions","value":[{"id":"s"}]}"#;
    let mut it = events(page);
    it.by_ref().for_each(drop);
    assert_eq!(it.shape(), Some(Shape::SessionsPage));
}

/// A callRecord document whose `sessions` array is followed only by annotations is parsed in one
/// pass (the sessions in place); any other layout takes the two-pass path. Both give the same
/// events, and the same error kind and offset for the same fault.
#[test]
fn callrecord_document_single_pass_and_two_pass_agree() {
    let header = r#""@odata.context":"https://g/$metadata#communications/callRecords/$entity","id":"cr","version":2,"type":"peerToPeer""#;
    let sessions = format!(r#""sessions":[{},{}]"#, session(true), session(false));
    // (layout name, document, expected shape of the trailing events)
    let layouts = [
        // Single pass: the sessions close the object, or only annotations follow them.
        ("last", format!("{{{header},{sessions}}}")),
        (
            "annotations after",
            format!(
                r#"{{{header},{sessions} , "sessions@odata.nextLink" : "n" ,"x@odata.count":2, "y@odata.z":{{"a":[1,"]"]}}, "z@odata.w":true}}"#
            ),
        ),
        // Two passes: a header field, `@odata.context` or an undeclared key follows.
        (
            "header after",
            format!(
                r#"{{"id":"cr",{sessions},"version":2,"type":"peerToPeer","@odata.context":"https://g/$metadata#communications/callRecords/$entity"}}"#
            ),
        ),
        (
            "context after",
            format!(
                r#"{{"id":"cr","version":2,"type":"peerToPeer",{sessions},"@odata.context":"https://g/$metadata#communications/callRecords/$entity"}}"#
            ),
        ),
        (
            "undeclared after",
            format!(r#"{{{header},{sessions},"other":1}}"#),
        ),
    ];
    let mut reference: Option<Vec<String>> = None;
    for (name, doc) in &layouts {
        let evs = all(doc.as_bytes());
        assert_eq!(
            &kinds(&evs)[..3],
            ["page", "callRecord", "session"],
            "{name}"
        );
        let Event::Page(p) = evs[0] else { panic!() };
        assert_eq!(p.shape, Shape::CallRecord, "{name}");
        assert!(p.context.is_some(), "{name}");
        let Event::CallRecord(h) = evs[1] else {
            panic!()
        };
        assert_eq!(
            (h.id.map(|i| i.raw()), h.version),
            (Some(&b"cr"[..]), Some(2)),
            "{name}"
        );
        // The records (not the annotations, which differ by layout) are the same in every layout.
        let records: Vec<String> = evs
            .iter()
            .filter(|e| !matches!(e, Event::Annotation(_) | Event::Undeclared(_)))
            .map(|e| format!("{e:?}"))
            .collect();
        match &reference {
            None => reference = Some(records),
            Some(r) => assert_eq!(&records, r, "{name}"),
        }
        if *name == "annotations after" {
            let annotations: Vec<String> = evs
                .iter()
                .filter_map(|e| match e {
                    Event::Annotation(a) => Some(a.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(
                annotations,
                [
                    "/sessions@odata.nextLink",
                    "/x@odata.count",
                    "/y@odata.z",
                    "/z@odata.w"
                ],
                "{name}"
            );
        }

        // A syntax error inside the second session: the same kind and offset on either path (the
        // single pass reports it after the header and the first session's events).
        let at = doc.rfind("\"video\"").unwrap() + 1;
        let mut bad = doc.clone().into_bytes();
        bad[at] = b'\x01';
        let got: Vec<Result<Event<'_>, Error>> = events(&bad).collect();
        let e = got.last().unwrap().as_ref().unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::ControlCharacterInString, at as u64),
            "{name}"
        );
        // A truncated document never takes the single pass: the end of input comes first.
        let cut = &doc.as_bytes()[..doc.len() - 1];
        let first = events(cut).next().unwrap();
        assert!(first.is_err_and(|e| e.is_eof()), "{name}");
    }
}
