//! `Serialize` for every event: the two docs session-list examples re-emitted with serde_json,
//! with spot checks of the value forms (durations as integer nanoseconds, timestamps as RFC 3339
//! text, enums as their Graph text, lazy collections as arrays and objects).

#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use callrecords::events;
use serde_json::{json, Value};

fn doc(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/corpus/docs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every event of `bytes`, serialised: `{"event": kind, "record": {...}}`.
fn serialised(bytes: &[u8]) -> Vec<Value> {
    events(bytes)
        .map(|e| {
            let e = e.unwrap();
            let v = serde_json::to_value(e).unwrap();
            // The text form agrees with the value form.
            let text = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
            v
        })
        .collect()
}

fn kinds(v: &[Value]) -> Vec<&str> {
    v.iter().map(|e| e["event"].as_str().unwrap()).collect()
}

fn record<'v>(v: &'v [Value], kind: &str, n: usize) -> &'v Value {
    &v.iter()
        .filter(|e| e["event"] == kind)
        .nth(n)
        .unwrap_or_else(|| panic!("no {kind} #{n}"))["record"]
}

const ID: &str = "e523d2ed-2966-4b6b-925b-754a88034cc5";

#[test]
fn session_list_example1() {
    let v = serialised(&doc(
        "legacy2021_v1.0_callrecords-session-list_example1.json",
    ));
    assert_eq!(kinds(&v), ["page", "session", "annotation"]);
    let page = record(&v, "page", 0);
    assert_eq!(page["shape"], "SessionsPage");
    assert_eq!(page["callRecordId"], ID);
    let s = record(&v, "session", 0);
    assert_eq!(s["at"], "/value/0");
    assert_eq!(s["id"], ID);
    // A set serialises as an array of its members' texts.
    assert_eq!(s["modalities"], json!(["audio"]));
    // Timestamps: RFC 3339 text with all seven fractional digits.
    assert_eq!(s["startDateTime"], "2020-02-25T18:52:21.2169889Z");
    assert_eq!(s["endDateTime"], "2020-02-25T18:52:46.7640013Z");
    let caller = &s["caller"];
    assert_eq!(caller["kind"], "Participant");
    assert_eq!(
        caller["@odata.type"],
        "#microsoft.graph.callRecords.participantEndpoint"
    );
    // Enums: their Graph text.
    assert_eq!(caller["userAgent"]["platform"], "android");
    assert_eq!(caller["userAgent"]["productFamily"], "skypeForBusiness");
    assert_eq!(caller["userAgent"]["kind"], "Client");
    assert_eq!(caller["identity"]["user"]["displayName"], "Abbie Wilkins");
    assert_eq!(
        caller["identity"]["@odata.type"],
        "#microsoft.graph.identitySet"
    );
    // Feedback tokens: a lazy view serialised as an object of booleans.
    let fb = &s["callee"]["feedback"];
    assert_eq!(fb["rating"], "poor");
    assert_eq!(
        fb["tokens"],
        json!({"NoSound": false, "OtherNoSound": false, "Echo": false, "Noisy": true,
            "LowVolume": false, "Stopped": false, "DistortedSound": false, "Interruptions": false})
    );
    assert_eq!(s["segmentCount"], 0);
    // No value errors: the field is left out.
    assert!(s.get("errors").is_none());
    let a = record(&v, "annotation", 0);
    assert_eq!(a["path"], "/@odata.nextLink");
    assert_eq!(a["term"], "odata.nextLink");
}

#[test]
fn session_list_example2() {
    let v = serialised(&doc(
        "legacy2021_v1.0_callrecords-session-list_example2.json",
    ));
    assert_eq!(
        kinds(&v),
        [
            "page",
            "session",
            "segment",
            "media",
            "stream",
            "stream",
            "annotation",
            "annotation"
        ]
    );
    let g = record(&v, "segment", 0);
    assert_eq!(g["at"], "/value/0/segments/0");
    assert_eq!(g["sessionId"], ID);
    assert_eq!(g["startDateTime"], "2020-02-25T18:52:21.2169889Z");
    assert_eq!(g["mediaCount"], 1);
    let m = record(&v, "media", 0);
    assert_eq!(m["label"], "main-audio");
    assert_eq!(m["segmentId"], ID);
    // Float fields written as integer literals serialise as numbers.
    assert_eq!(m["callerDevice"]["micGlitchRate"].as_f64(), Some(23.0));
    assert_eq!(m["callerDevice"]["receivedNoiseLevel"], -68);
    assert_eq!(m["callerNetwork"]["connectionType"], "wifi");
    // Int64 beyond Int32.
    assert_eq!(m["calleeNetwork"]["linkSpeed"], 4_294_967_295u64);
    assert_eq!(m["calleeNetwork"]["macAddress"], "00-00-00-00-00-00-00-00");
    assert_eq!(m["calleeNetwork"]["dnsSuffix"], Value::Null);
    let s0 = record(&v, "stream", 0);
    assert_eq!(s0["at"], "/value/0/segments/0/media/0/streams/0");
    assert_eq!(s0["mediaLabel"], "main-audio");
    // Durations: integer nanoseconds.
    assert_eq!(s0["averageJitter"], 16_000_000);
    assert!(s0["averageJitter"].is_i64());
    assert_eq!(s0["averageAudioNetworkJitter"], 43_000_000);
    assert_eq!(s0["maxRoundTripTime"], 79_000_000);
    assert_eq!(s0["streamDirection"], "callerToCallee");
    assert_eq!(s0["wasMediaBypassed"], false);
    assert_eq!(s0["averageBandwidthEstimate"], 9_965_083);
    let s1 = record(&v, "stream", 1);
    assert_eq!(s1["streamDirection"], "calleeToCaller");
    assert_eq!(s1["averageAudioDegradation"].as_f64(), Some(1.160898));
    assert_eq!(s1["averageAudioNetworkJitter"], 266_000_000);
    // `averageFreezeDuration: null` in the input, and absent fields, serialise as null.
    assert_eq!(s1["averageFreezeDuration"], Value::Null);
    assert_eq!(s1["videoCodec"], Value::Null);
    let a = record(&v, "annotation", 0);
    assert_eq!(a["path"], "/value/0/segments@odata.context");
}

#[test]
fn lazy_collections_and_extras_serialise_as_arrays_and_objects() {
    let doc = br#"{"id":"c","version":3,"type":"groupCall",
        "participants":[{"user":{"id":"u1"}},null],
        "participants_v2":[{"id":"p","identity":{"guest":{"id":"g","email":"e@x"}},
            "administrativeUnitInfos":[{"id":"a1"}]}],
        "sessions":[{"id":"s","modalities":["video","hologram"],"segments":[{"media":[{
            "callerNetwork":{"traceRouteHops":[{"hopCount":1,"roundTripTime":"PT0.5S"},null]},
            "streams":[{"startDateTime":"2023-09-25T12:36:40.5+02:00","audioCodec":"n\u00e9w",
                "averageJitter":"-PT1M"}]}]}]}]}"#;
    let v = serialised(doc);
    assert_eq!(
        kinds(&v),
        [
            "page",
            "callRecord",
            "session",
            "segment",
            "media",
            "stream"
        ]
    );
    let h = record(&v, "callRecord", 0);
    assert_eq!(h["version"], 3);
    assert_eq!(h["type"], "groupCall");
    assert_eq!(
        h["participants"],
        json!([{"user": {"id": "u1", "displayName": null,
        "tenantId": null, "userPrincipalName": null}}])
    );
    let p = &h["participants_v2"];
    assert!(p.is_array());
    assert_eq!(p[0]["id"], "p");
    assert_eq!(p[0]["administrativeUnitInfos"], json!([{"id": "a1"}]));
    // An identity's undeclared properties: an object of their raw JSON texts.
    assert_eq!(
        p[0]["identity"]["guest"]["extras"],
        json!({"email": "\"e@x\""})
    );
    let s = record(&v, "session", 0);
    // Unknown members keep their text.
    assert_eq!(s["modalities"], json!(["video", "hologram"]));
    let m = record(&v, "media", 0);
    assert_eq!(
        m["callerNetwork"]["traceRouteHops"],
        json!([{"hopCount": 1, "ipAddress": null, "roundTripTime": 500_000_000}])
    );
    let st = record(&v, "stream", 0);
    // The original offset is kept.
    assert_eq!(st["startDateTime"], "2023-09-25T12:36:40.5+02:00");
    // Unknown enum members serialise as their decoded text.
    assert_eq!(st["audioCodec"], "néw");
    assert_eq!(st["averageJitter"], -60_000_000_000i64);
}
