//! `media`, `mediaStream`, `networkInfo`, `traceRouteHop` and `deviceInfo`.

use super::keys::{key_bytes, KeyBuf};
use super::lazy::{LazyItem, LazyIter};
use super::{
    view, Acc, AudioCodec, Cx, FieldErrors, FieldPath, MediaStreamDirection, NetworkConnectionType,
    NetworkTransportProtocol, Path, VideoCodec, WifiBand, WifiRadioType, R,
};
use crate::value::{Duration, JsonStr, Timestamp};

view! {
    /// `callRecords.networkInfo`.
    NetworkInfo {
        bandwidth_low_event_ratio: Option<f64> = f64 "bandwidthLowEventRatio",
        basic_service_set_identifier: Option<JsonStr<'a>> = str "basicServiceSetIdentifier",
        connection_type: Option<NetworkConnectionType<'a>> = enumeration "connectionType",
        delay_event_ratio: Option<f64> = f64 "delayEventRatio",
        dns_suffix: Option<JsonStr<'a>> = str "dnsSuffix",
        ip_address: Option<JsonStr<'a>> = str "ipAddress",
        link_speed: Option<i64> = i64 "linkSpeed",
        mac_address: Option<JsonStr<'a>> = str "macAddress",
        network_transport_protocol: Option<NetworkTransportProtocol<'a>> = enumeration "networkTransportProtocol",
        port: Option<i32> = i32 "port",
        received_quality_event_ratio: Option<f64> = f64 "receivedQualityEventRatio",
        #[cfg_attr(feature = "serde", serde(rename = "reflexiveIPAddress"))]
        reflexive_ip_address: Option<JsonStr<'a>> = str "reflexiveIPAddress",
        #[cfg_attr(feature = "serde", serde(rename = "relayIPAddress"))]
        relay_ip_address: Option<JsonStr<'a>> = str "relayIPAddress",
        relay_port: Option<i32> = i32 "relayPort",
        sent_quality_event_ratio: Option<f64> = f64 "sentQualityEventRatio",
        subnet: Option<JsonStr<'a>> = str "subnet",
        trace_route_hops: Option<TraceRouteHops<'a>> = trace_route_hops "traceRouteHops",
        wifi_band: Option<WifiBand<'a>> = enumeration "wifiBand",
        wifi_battery_charge: Option<i32> = i32 "wifiBatteryCharge",
        wifi_channel: Option<i32> = i32 "wifiChannel",
        wifi_microsoft_driver: Option<JsonStr<'a>> = str "wifiMicrosoftDriver",
        wifi_microsoft_driver_version: Option<JsonStr<'a>> = str "wifiMicrosoftDriverVersion",
        wifi_radio_type: Option<WifiRadioType<'a>> = enumeration "wifiRadioType",
        wifi_signal_strength: Option<i32> = i32 "wifiSignalStrength",
        wifi_vendor_driver: Option<JsonStr<'a>> = str "wifiVendorDriver",
        wifi_vendor_driver_version: Option<JsonStr<'a>> = str "wifiVendorDriverVersion",
    }
}

view! {
    /// `callRecords.deviceInfo`.
    DeviceInfo {
        capture_device_driver: Option<JsonStr<'a>> = str "captureDeviceDriver",
        capture_device_name: Option<JsonStr<'a>> = str "captureDeviceName",
        capture_not_functioning_event_ratio: Option<f64> = f64 "captureNotFunctioningEventRatio",
        cpu_insufficent_event_ratio: Option<f64> = f64 "cpuInsufficentEventRatio",
        device_clipping_event_ratio: Option<f64> = f64 "deviceClippingEventRatio",
        device_glitch_event_ratio: Option<f64> = f64 "deviceGlitchEventRatio",
        howling_event_count: Option<i32> = i32 "howlingEventCount",
        initial_signal_level_root_mean_square: Option<f64> = f64 "initialSignalLevelRootMeanSquare",
        low_speech_level_event_ratio: Option<f64> = f64 "lowSpeechLevelEventRatio",
        low_speech_to_noise_event_ratio: Option<f64> = f64 "lowSpeechToNoiseEventRatio",
        mic_glitch_rate: Option<f64> = f64 "micGlitchRate",
        received_noise_level: Option<i32> = i32 "receivedNoiseLevel",
        received_signal_level: Option<i32> = i32 "receivedSignalLevel",
        render_device_driver: Option<JsonStr<'a>> = str "renderDeviceDriver",
        render_device_name: Option<JsonStr<'a>> = str "renderDeviceName",
        render_mute_event_ratio: Option<f64> = f64 "renderMuteEventRatio",
        render_not_functioning_event_ratio: Option<f64> = f64 "renderNotFunctioningEventRatio",
        render_zero_volume_event_ratio: Option<f64> = f64 "renderZeroVolumeEventRatio",
        sent_noise_level: Option<i32> = i32 "sentNoiseLevel",
        sent_signal_level: Option<i32> = i32 "sentSignalLevel",
        speaker_glitch_rate: Option<f64> = f64 "speakerGlitchRate",
    }
}

view! {
    /// `callRecords.traceRouteHop` (an element of [`TraceRouteHops`]).
    TraceRouteHop {
        hop_count: Option<i32> = i32 "hopCount",
        ip_address: Option<JsonStr<'a>> = str "ipAddress",
        round_trip_time: Option<Duration> = duration "roundTripTime",
    }
    extra {
        /// Value errors in this hop.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "FieldErrors::is_empty"))]
        errors: FieldErrors<'a>,
    }
}

view! {
    /// A media stream record (`callRecords.mediaStream`), with the identity of its parents.
    MediaStream {
        audio_codec: Option<AudioCodec<'a>> = enumeration "audioCodec",
        average_audio_degradation: Option<f64> = f64 "averageAudioDegradation",
        average_audio_network_jitter: Option<Duration> = duration "averageAudioNetworkJitter",
        average_bandwidth_estimate: Option<i64> = i64 "averageBandwidthEstimate",
        average_freeze_duration: Option<Duration> = duration "averageFreezeDuration",
        average_jitter: Option<Duration> = duration "averageJitter",
        average_packet_loss_rate: Option<f64> = f64 "averagePacketLossRate",
        average_ratio_of_concealed_samples: Option<f64> = f64 "averageRatioOfConcealedSamples",
        average_received_frame_rate: Option<f64> = f64 "averageReceivedFrameRate",
        average_round_trip_time: Option<Duration> = duration "averageRoundTripTime",
        average_video_frame_loss_percentage: Option<f64> = f64 "averageVideoFrameLossPercentage",
        average_video_frame_rate: Option<f64> = f64 "averageVideoFrameRate",
        average_video_packet_loss_rate: Option<f64> = f64 "averageVideoPacketLossRate",
        end_date_time: Option<Timestamp> = timestamp "endDateTime",
        is_audio_forward_error_correction_used: Option<bool> = bool "isAudioForwardErrorCorrectionUsed",
        low_frame_rate_ratio: Option<f64> = f64 "lowFrameRateRatio",
        low_video_processing_capability_ratio: Option<f64> = f64 "lowVideoProcessingCapabilityRatio",
        max_audio_network_jitter: Option<Duration> = duration "maxAudioNetworkJitter",
        max_jitter: Option<Duration> = duration "maxJitter",
        max_packet_loss_rate: Option<f64> = f64 "maxPacketLossRate",
        max_ratio_of_concealed_samples: Option<f64> = f64 "maxRatioOfConcealedSamples",
        max_round_trip_time: Option<Duration> = duration "maxRoundTripTime",
        packet_utilization: Option<i64> = i64 "packetUtilization",
        post_forward_error_correction_packet_loss_rate: Option<f64> = f64 "postForwardErrorCorrectionPacketLossRate",
        rms_freeze_duration: Option<Duration> = duration "rmsFreezeDuration",
        start_date_time: Option<Timestamp> = timestamp "startDateTime",
        stream_direction: Option<MediaStreamDirection<'a>> = enumeration "streamDirection",
        stream_id: Option<JsonStr<'a>> = str "streamId",
        video_codec: Option<VideoCodec<'a>> = enumeration "videoCodec",
        was_media_bypassed: Option<bool> = bool "wasMediaBypassed",
    }
    extra {
        /// Where the stream is in the document.
        at: Path,
        /// The `id` of the session holding the stream.
        session_id: Option<JsonStr<'a>>,
        /// The `id` of the segment holding the stream.
        segment_id: Option<JsonStr<'a>>,
        /// The `label` of the media holding the stream.
        media_label: Option<JsonStr<'a>>,
        /// Value errors in this record (lenient mode).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "FieldErrors::is_empty"))]
        errors: FieldErrors<'a>,
    }
}

/// A media record (`callRecords.media`), with the identity of its parents. Its streams follow it
/// as [`MediaStream`] events.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Media<'a> {
    /// Where the media is in the document.
    pub at: Path,
    /// The `id` of the session holding the media.
    pub session_id: Option<JsonStr<'a>>,
    /// The `id` of the segment holding the media.
    pub segment_id: Option<JsonStr<'a>>,
    /// `label`.
    pub label: Option<JsonStr<'a>>,
    /// `callerDevice`.
    pub caller_device: Option<DeviceInfo<'a>>,
    /// `calleeDevice`.
    pub callee_device: Option<DeviceInfo<'a>>,
    /// `callerNetwork`.
    pub caller_network: Option<NetworkInfo<'a>>,
    /// `calleeNetwork`.
    pub callee_network: Option<NetworkInfo<'a>>,
    /// How many elements `streams` had (objects only; each is a [`MediaStream`] event).
    pub stream_count: u32,
    /// Value errors in this record (lenient mode).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "FieldErrors::is_empty")
    )]
    pub errors: FieldErrors<'a>,
}

impl<'a> NetworkInfo<'a> {
    /// Parses a networkInfo-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = NetworkInfo::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            if !v.field(cx, acc, fp, key_bytes(&key, &mut kb))? {
                cx.unknown(acc.at, fp, key)?;
            }
        }
        Ok(Some(v))
    }
}

impl<'a> DeviceInfo<'a> {
    /// Parses a deviceInfo-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = DeviceInfo::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            if !v.field(cx, acc, fp, key_bytes(&key, &mut kb))? {
                cx.unknown(acc.at, fp, key)?;
            }
        }
        Ok(Some(v))
    }
}

impl<'a> LazyItem<'a> for TraceRouteHop<'a> {
    fn parse_item(cx: &mut Cx<'a>, acc: &mut Acc<'a>) -> R<Option<Self>> {
        let fp = FieldPath::new();
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = TraceRouteHop::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            if !v.field(cx, acc, fp, key_bytes(&key, &mut kb))? {
                cx.tok.skip_value()?;
            }
        }
        v.errors = acc.errs;
        Ok(Some(v))
    }
}

/// `traceRouteHops`: a lazy array of [`TraceRouteHop`]s over the borrowed array text.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct TraceRouteHops<'a> {
    raw: &'a [u8],
}

impl<'a> TraceRouteHops<'a> {
    /// The hops, parsed on demand (`null` elements skipped).
    pub fn iter(&self) -> LazyIter<'a, TraceRouteHop<'a>> {
        LazyIter::new(self.raw)
    }

    /// The raw JSON text of the array.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TraceRouteHops<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'a> Cx<'a> {
    /// Reads `traceRouteHops` as a lazy view.
    pub(crate) fn trace_route_hops(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
    ) -> R<Option<TraceRouteHops<'a>>> {
        Ok(self.raw_array(acc, fp)?.map(|raw| TraceRouteHops { raw }))
    }
}

impl core::fmt::Debug for TraceRouteHops<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TraceRouteHops")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}
