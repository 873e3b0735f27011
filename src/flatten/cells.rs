//! Reading a record's cells: one function per group of columns (see `columns.rs`), each giving
//! `(name, cell)` pairs in the group's order, the names relative to the group's prefix.

use std::borrow::Cow;

use crate::schema::{
    CallRecord, DeviceInfo, Endpoint, FailureInfo, FieldErrors, Identity, IdentitySet, MediaStream,
    ModalitySet, NetworkInfo, Segment, Session,
};
use crate::value::{Duration, JsonStr, Timestamp};

use super::row::{Cell, ErrorItem};

/// A string's text; an escaped lone surrogate, which JSON allows and no Rust string holds, is
/// U+FFFD.
pub(crate) fn text<'a>(s: Option<JsonStr<'a>>) -> Cell<'a> {
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

/// The value errors of `records`, in order; null when there are none. A record that had more
/// errors than it keeps adds an item saying how many more, at the record's path.
pub(crate) fn errors<'a>(records: &[&FieldErrors<'a>]) -> Cell<'a> {
    if records.iter().all(|e| e.is_empty()) {
        return Cell::Null;
    }
    let mut items = Vec::new();
    for errors in records {
        let mut kept = 0u32;
        for e in errors.iter() {
            items.push(ErrorItem::of(e));
            kept += 1;
        }
        if let (true, Some(first)) = (errors.total() > kept, errors.iter().next()) {
            items.push(ErrorItem {
                path: first.at.to_string(),
                kind: None,
                raw: Cow::Owned(format!("{} more value errors", errors.total() - kept)),
            });
        }
    }
    Cell::Errors(items)
}

pub(crate) fn session<'a>(s: &Session<'a>) -> [(&'static str, Cell<'a>); 3] {
    [
        ("sessionStart", time(s.start_date_time)),
        ("sessionEnd", time(s.end_date_time)),
        ("modalities", modalities(s.modalities)),
    ]
}

pub(crate) fn segment<'a>(g: &Segment<'a>) -> [(&'static str, Cell<'a>); 2] {
    [
        ("segmentStart", time(g.start_date_time)),
        ("segmentEnd", time(g.end_date_time)),
    ]
}

pub(crate) fn failure<'a>(f: Option<&FailureInfo<'a>>) -> [(&'static str, Cell<'a>); 2] {
    [
        (
            "stage",
            enumeration(f.and_then(|f| f.stage).map(|e| e.text())),
        ),
        ("reason", text(f.and_then(|f| f.reason))),
    ]
}

pub(crate) fn record<'a>(h: &CallRecord<'a>) -> [(&'static str, Cell<'a>); 7] {
    [
        ("version", int(h.version)),
        ("type", enumeration(h.call_type.map(|e| e.text()))),
        ("modalities", modalities(h.modalities)),
        ("startDateTime", time(h.start_date_time)),
        ("endDateTime", time(h.end_date_time)),
        ("lastModifiedDateTime", time(h.last_modified_date_time)),
        ("joinWebUrl", text(h.join_web_url)),
    ]
}

pub(crate) fn identity_set<'a>(set: Option<&IdentitySet<'a>>) -> [(&'static str, Cell<'a>); 9] {
    let user = set.and_then(|s| s.user());
    let [user_id, user_name] = identity(user.as_ref());
    let [app_id, app_name] = identity(set.and_then(|s| s.application()).as_ref());
    let [device_id, device_name] = identity(set.and_then(|s| s.device()).as_ref());
    let [phone_id, phone_name] = identity(set.and_then(|s| s.phone()).as_ref());
    [
        ("user.id", user_id),
        ("user.displayName", user_name),
        ("user.tenantId", text(user.and_then(|u| u.tenant_id))),
        ("application.id", app_id),
        ("application.displayName", app_name),
        ("device.id", device_id),
        ("device.displayName", device_name),
        ("phone.id", phone_id),
        ("phone.displayName", phone_name),
    ]
}

pub(crate) fn stream<'a>(s: &MediaStream<'a>) -> [(&'static str, Cell<'a>); 30] {
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

pub(crate) fn network<'a>(n: Option<&NetworkInfo<'a>>) -> [(&'static str, Cell<'a>); 25] {
    let Some(n) = n else {
        return network(Some(&NetworkInfo::default()));
    };
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

pub(crate) fn device<'a>(d: Option<&DeviceInfo<'a>>) -> [(&'static str, Cell<'a>); 21] {
    let Some(d) = d else {
        return device(Some(&DeviceInfo::default()));
    };
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

pub(crate) fn endpoint<'a>(e: Option<&Endpoint<'a>>) -> [(&'static str, Cell<'a>); 26] {
    let Some(e) = e else {
        return endpoint(Some(&Endpoint::default()));
    };
    let ua = e.user_agent.as_ref();
    let [(_, user_id), (_, user_name), (_, user_tenant), (_, app_id), (_, app_name), (_, device_id), (_, device_name), (_, phone_id), (_, phone_name)] =
        identity_set(e.identity.as_ref());
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
        ("identity.user.tenantId", user_tenant),
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
