//! Typed, borrowed serde structs covering every property reachable from `callRecord` and `session`
//! (see `shared/reference/callrecords-model.md`), shared by the three peers: serde_json, sonic-rs
//! and simd-json.
//!
//! * Strings are [`Str`]: borrowed from the input when it has no escapes, owned otherwise.
//!   (`Option<Cow<'a, str>>` with `#[serde(borrow)]` does not borrow in serde derive; `Str` does.)
//! * Enums are kept as borrowed strings (`Str`), so unknown members round-trip like `Unknown(raw)`.
//! * Durations are parsed to nanoseconds ([`Dur`]) and timestamps to seconds, nanoseconds and
//!   offset ([`Ts`]) inside `Deserialize`, so every peer pays the value-parsing cost.
//! * Unknown keys are ignored (skipped by each library's `IgnoredAny` path, still validated).
//! * `participantEndpoint` and `serviceEndpoint` are flattened into [`Endpoint`];
//!   `clientUserAgent` and `serviceUserAgent` into [`UserAgent`].
//! * Endpoint `@odata.type` is **not** read: serde derive rejects a struct field that appears twice,
//!   and the current v1.0 list-sessions example 2 has `"@odata.type"` twice in one callee. The
//!   endpoint kind is implied by which fields are present. (`userAgent` and identity `@odata.type`
//!   are read.)
//! * Both top-level shapes deserialize into one [`Document`].

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

use super::values::{parse_duration, parse_timestamp, Instant};

/// A JSON string: borrowed from the input when it needs no unescaping.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An Edm.Duration in nanoseconds, parsed during deserialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dur(pub(crate) i64);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 duration string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_duration(v)
                    .map(Dur)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// An Edm.DateTimeOffset, parsed during deserialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ts(pub(crate) Instant);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 date-time string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_timestamp(v)
                    .map(Ts)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// `feedbackTokenSet`: an open set of boolean tokens, kept as borrowed `(name, value)` pairs.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Tokens<'a>(pub(crate) Vec<(Str<'a>, Option<bool>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Tokens<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tokens<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of feedback tokens")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<Str<'de>, Option<bool>>()? {
                    out.push((k, v));
                }
                Ok(Tokens(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Both top-level shapes: a sessions page (`value`) and a callRecord document (`sessions`, with
/// the callRecord's own header fields).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(rename = "@odata.context", borrow)]
    pub(crate) odata_context: Option<Str<'a>>,
    #[serde(rename = "@odata.nextLink", borrow)]
    pub(crate) odata_next_link: Option<Str<'a>>,
    #[serde(rename = "@odata.count")]
    pub(crate) odata_count: Option<i64>,
    /// Sessions page.
    #[serde(borrow)]
    pub(crate) value: Option<Vec<Session<'a>>>,
    // callRecord header.
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
    pub(crate) version: Option<i64>,
    #[serde(rename = "type", borrow)]
    pub(crate) call_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) modalities: Option<Vec<Str<'a>>>,
    #[serde(rename = "startDateTime")]
    pub(crate) start_date_time: Option<Ts>,
    #[serde(rename = "endDateTime")]
    pub(crate) end_date_time: Option<Ts>,
    #[serde(rename = "lastModifiedDateTime")]
    pub(crate) last_modified_date_time: Option<Ts>,
    #[serde(rename = "joinWebUrl", borrow)]
    pub(crate) join_web_url: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) organizer: Option<IdentitySet<'a>>,
    #[serde(borrow)]
    pub(crate) participants: Option<Vec<IdentitySet<'a>>>,
    #[serde(borrow)]
    pub(crate) organizer_v2: Option<ParticipantBase<'a>>,
    #[serde(borrow)]
    pub(crate) participants_v2: Option<Vec<ParticipantBase<'a>>>,
    #[serde(rename = "participants_v2@odata.nextLink", borrow)]
    pub(crate) participants_v2_next_link: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) sessions: Option<Vec<Session<'a>>>,
    #[serde(rename = "sessions@odata.nextLink", borrow)]
    pub(crate) sessions_next_link: Option<Str<'a>>,
}

/// `participantBase` (organizer_v2, participants_v2 items).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct ParticipantBase<'a> {
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) identity: Option<IdentitySet<'a>>,
    #[serde(rename = "administrativeUnitInfos", borrow)]
    pub(crate) administrative_unit_infos: Option<Vec<AdministrativeUnitInfo<'a>>>,
}

/// `administrativeUnitInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct AdministrativeUnitInfo<'a> {
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
}

/// `identitySet` / `communicationsIdentitySet` (every identity slot, including the open
/// `acsUser` and `spoolUser`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentitySet<'a> {
    #[serde(rename = "@odata.type", borrow)]
    pub(crate) odata_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) user: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) application: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) application_instance: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) asserted_identity: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) azure_communication_services_user: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) device: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) encrypted: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) guest: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) on_premises: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) phone: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) acs_user: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) spool_user: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) endpoint_type: Option<Str<'a>>,
}

/// `identity` and its communications subtypes (flattened), and `associatedIdentity`
/// (`callRecords.userIdentity`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identity<'a> {
    #[serde(rename = "@odata.type", borrow)]
    pub(crate) odata_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) display_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) tenant_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) user_principal_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) email: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) application_type: Option<Str<'a>>,
    pub(crate) hidden: Option<bool>,
    #[serde(borrow)]
    pub(crate) azure_communication_services_resource_id: Option<Str<'a>>,
}

/// `session`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Session<'a> {
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) modalities: Option<Vec<Str<'a>>>,
    pub(crate) start_date_time: Option<Ts>,
    pub(crate) end_date_time: Option<Ts>,
    pub(crate) is_test: Option<bool>,
    #[serde(borrow)]
    pub(crate) caller: Option<Endpoint<'a>>,
    #[serde(borrow)]
    pub(crate) callee: Option<Endpoint<'a>>,
    #[serde(borrow)]
    pub(crate) failure_info: Option<FailureInfo<'a>>,
    #[serde(borrow)]
    pub(crate) segments: Option<Vec<Segment<'a>>>,
}

/// `segment`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Segment<'a> {
    #[serde(borrow)]
    pub(crate) id: Option<Str<'a>>,
    pub(crate) start_date_time: Option<Ts>,
    pub(crate) end_date_time: Option<Ts>,
    #[serde(borrow)]
    pub(crate) caller: Option<Endpoint<'a>>,
    #[serde(borrow)]
    pub(crate) callee: Option<Endpoint<'a>>,
    #[serde(borrow)]
    pub(crate) failure_info: Option<FailureInfo<'a>>,
    #[serde(borrow)]
    pub(crate) media: Option<Vec<Media<'a>>>,
}

/// `endpoint` / `participantEndpoint` / `serviceEndpoint`, flattened.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Endpoint<'a> {
    #[serde(borrow)]
    pub(crate) user_agent: Option<UserAgent<'a>>,
    #[serde(borrow)]
    pub(crate) name: Option<Str<'a>>,
    pub(crate) cpu_cores_count: Option<i32>,
    #[serde(borrow)]
    pub(crate) cpu_name: Option<Str<'a>>,
    pub(crate) cpu_processor_speed_in_mhz: Option<i32>,
    #[serde(borrow)]
    pub(crate) associated_identity: Option<Identity<'a>>,
    #[serde(borrow)]
    pub(crate) identity: Option<IdentitySet<'a>>,
    #[serde(borrow)]
    pub(crate) feedback: Option<Feedback<'a>>,
}

/// `userAgent` / `clientUserAgent` / `serviceUserAgent`, flattened.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserAgent<'a> {
    #[serde(rename = "@odata.type", borrow)]
    pub(crate) odata_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) header_value: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) application_version: Option<Str<'a>>,
    #[serde(rename = "azureADAppId", borrow)]
    pub(crate) azure_ad_app_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) communication_service_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) platform: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) product_family: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) role: Option<Str<'a>>,
}

/// `userFeedback`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Feedback<'a> {
    #[serde(borrow)]
    pub(crate) rating: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) text: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) tokens: Option<Tokens<'a>>,
}

/// `failureInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct FailureInfo<'a> {
    #[serde(borrow)]
    pub(crate) reason: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) stage: Option<Str<'a>>,
}

/// `media`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Media<'a> {
    #[serde(borrow)]
    pub(crate) label: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) caller_device: Option<DeviceInfo<'a>>,
    #[serde(borrow)]
    pub(crate) callee_device: Option<DeviceInfo<'a>>,
    #[serde(borrow)]
    pub(crate) caller_network: Option<NetworkInfo<'a>>,
    #[serde(borrow)]
    pub(crate) callee_network: Option<NetworkInfo<'a>>,
    #[serde(borrow)]
    pub(crate) streams: Option<Vec<MediaStream<'a>>>,
}

/// `deviceInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeviceInfo<'a> {
    #[serde(borrow)]
    pub(crate) capture_device_driver: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) capture_device_name: Option<Str<'a>>,
    pub(crate) capture_not_functioning_event_ratio: Option<f64>,
    pub(crate) cpu_insufficent_event_ratio: Option<f64>,
    pub(crate) device_clipping_event_ratio: Option<f64>,
    pub(crate) device_glitch_event_ratio: Option<f64>,
    pub(crate) howling_event_count: Option<i32>,
    pub(crate) initial_signal_level_root_mean_square: Option<f64>,
    pub(crate) low_speech_level_event_ratio: Option<f64>,
    pub(crate) low_speech_to_noise_event_ratio: Option<f64>,
    pub(crate) mic_glitch_rate: Option<f64>,
    pub(crate) received_noise_level: Option<i32>,
    pub(crate) received_signal_level: Option<i32>,
    #[serde(borrow)]
    pub(crate) render_device_driver: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) render_device_name: Option<Str<'a>>,
    pub(crate) render_mute_event_ratio: Option<f64>,
    pub(crate) render_not_functioning_event_ratio: Option<f64>,
    pub(crate) render_zero_volume_event_ratio: Option<f64>,
    pub(crate) sent_noise_level: Option<i32>,
    pub(crate) sent_signal_level: Option<i32>,
    pub(crate) speaker_glitch_rate: Option<f64>,
}

/// `networkInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkInfo<'a> {
    pub(crate) bandwidth_low_event_ratio: Option<f64>,
    #[serde(borrow)]
    pub(crate) basic_service_set_identifier: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) connection_type: Option<Str<'a>>,
    pub(crate) delay_event_ratio: Option<f64>,
    #[serde(borrow)]
    pub(crate) dns_suffix: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) ip_address: Option<Str<'a>>,
    pub(crate) link_speed: Option<i64>,
    #[serde(borrow)]
    pub(crate) mac_address: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) network_transport_protocol: Option<Str<'a>>,
    pub(crate) port: Option<i32>,
    pub(crate) received_quality_event_ratio: Option<f64>,
    #[serde(rename = "reflexiveIPAddress", borrow)]
    pub(crate) reflexive_ip_address: Option<Str<'a>>,
    #[serde(rename = "relayIPAddress", borrow)]
    pub(crate) relay_ip_address: Option<Str<'a>>,
    pub(crate) relay_port: Option<i32>,
    pub(crate) sent_quality_event_ratio: Option<f64>,
    #[serde(borrow)]
    pub(crate) subnet: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) trace_route_hops: Option<Vec<TraceRouteHop<'a>>>,
    #[serde(borrow)]
    pub(crate) wifi_band: Option<Str<'a>>,
    pub(crate) wifi_battery_charge: Option<i32>,
    pub(crate) wifi_channel: Option<i32>,
    #[serde(borrow)]
    pub(crate) wifi_microsoft_driver: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) wifi_microsoft_driver_version: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) wifi_radio_type: Option<Str<'a>>,
    pub(crate) wifi_signal_strength: Option<i32>,
    #[serde(borrow)]
    pub(crate) wifi_vendor_driver: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) wifi_vendor_driver_version: Option<Str<'a>>,
}

/// `traceRouteHop`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TraceRouteHop<'a> {
    pub(crate) hop_count: Option<i32>,
    #[serde(borrow)]
    pub(crate) ip_address: Option<Str<'a>>,
    pub(crate) round_trip_time: Option<Dur>,
}

/// `mediaStream`: every property of the model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MediaStream<'a> {
    #[serde(borrow)]
    pub(crate) audio_codec: Option<Str<'a>>,
    pub(crate) average_audio_degradation: Option<f64>,
    pub(crate) average_audio_network_jitter: Option<Dur>,
    pub(crate) average_bandwidth_estimate: Option<i64>,
    pub(crate) average_freeze_duration: Option<Dur>,
    pub(crate) average_jitter: Option<Dur>,
    pub(crate) average_packet_loss_rate: Option<f64>,
    pub(crate) average_ratio_of_concealed_samples: Option<f64>,
    pub(crate) average_received_frame_rate: Option<f64>,
    pub(crate) average_round_trip_time: Option<Dur>,
    pub(crate) average_video_frame_loss_percentage: Option<f64>,
    pub(crate) average_video_frame_rate: Option<f64>,
    pub(crate) average_video_packet_loss_rate: Option<f64>,
    pub(crate) end_date_time: Option<Ts>,
    pub(crate) is_audio_forward_error_correction_used: Option<bool>,
    pub(crate) low_frame_rate_ratio: Option<f64>,
    pub(crate) low_video_processing_capability_ratio: Option<f64>,
    pub(crate) max_audio_network_jitter: Option<Dur>,
    pub(crate) max_jitter: Option<Dur>,
    pub(crate) max_packet_loss_rate: Option<f64>,
    pub(crate) max_ratio_of_concealed_samples: Option<f64>,
    pub(crate) max_round_trip_time: Option<Dur>,
    pub(crate) packet_utilization: Option<i64>,
    pub(crate) post_forward_error_correction_packet_loss_rate: Option<f64>,
    pub(crate) rms_freeze_duration: Option<Dur>,
    pub(crate) start_date_time: Option<Ts>,
    #[serde(borrow)]
    pub(crate) stream_direction: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) stream_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) video_codec: Option<Str<'a>>,
    pub(crate) was_media_bypassed: Option<bool>,
}

/// Record counts of a document, the same numbers the crate's event iterator yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    pub(crate) sessions: usize,
    pub(crate) segments: usize,
    pub(crate) media: usize,
    pub(crate) streams: usize,
}

impl Document<'_> {
    /// All sessions of either shape.
    pub(crate) fn all_sessions(&self) -> impl Iterator<Item = &Session<'_>> {
        self.value.iter().chain(self.sessions.iter()).flatten()
    }

    /// Walks every session, segment, media and stream ("touches every record").
    pub(crate) fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in self.all_sessions() {
            c.sessions += 1;
            for g in s.segments.iter().flatten() {
                c.segments += 1;
                for m in g.media.iter().flatten() {
                    c.media += 1;
                    c.streams += m.streams.as_ref().map_or(0, Vec::len);
                }
            }
        }
        c
    }
}

/// serde_json peer: `serde_json::from_slice` into [`Document`].
pub(crate) fn serde_json_parse(bytes: &[u8]) -> serde_json::Result<Document<'_>> {
    serde_json::from_slice(bytes)
}

/// sonic-rs peer: `sonic_rs::from_slice` into [`Document`].
pub(crate) fn sonic_rs_parse(bytes: &[u8]) -> sonic_rs::Result<Document<'_>> {
    sonic_rs::from_slice(bytes)
}

/// simd-json peer: its fastest typed path, `simd_json::serde::from_slice_with_buffers` with
/// reused [`simd_json::Buffers`] and a reused scratch copy of the input (simd-json unescapes
/// strings in place, so it needs a mutable copy; the copy is part of the measured cost).
#[derive(Default)]
pub(crate) struct SimdJsonPeer {
    buffers: simd_json::Buffers,
    scratch: Vec<u8>,
}

impl SimdJsonPeer {
    /// Deserializes `bytes`; the result borrows this peer's scratch copy.
    pub(crate) fn parse(&mut self, bytes: &[u8]) -> simd_json::Result<Document<'_>> {
        self.scratch.clear();
        self.scratch.extend_from_slice(bytes);
        simd_json::serde::from_slice_with_buffers(&mut self.scratch, &mut self.buffers)
    }
}
