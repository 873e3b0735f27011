//! The `flatten` column table: the tool's output contract.
//!
//! One table, [`COLUMNS`], drives both writers (NDJSON and CSV), `flatten --help`,
//! `flatten --columns` and the README's column list. Columns are only ever added at the end.

/// How a column's value is typed and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// An enum member, written as the input's text (unknown members included).
    Enum,
    /// An integer.
    Int,
    /// A floating-point number, written in the shortest form that reads back exactly.
    Float,
    /// `true` or `false`.
    Bool,
    /// A timestamp, written as RFC 3339 in UTC with `Z`.
    Time,
    /// A duration, written as integer nanoseconds (the column name ends in `Ns`).
    Nanos,
    /// A list of enum members (NDJSON array; CSV joined with `;`).
    List,
}

/// Which record a column's value comes from; a new record of a level clears its columns and the
/// columns of every deeper level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// The input file and its callRecord.
    File,
    /// The session.
    Session,
    /// The segment.
    Segment,
    /// The media.
    Media,
    /// The stream, and the derived quality columns.
    Stream,
}

/// One output column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The column name in the output.
    pub(crate) name: &'static str,
    /// The property path, dot-separated, relative to the record of `level`.
    #[cfg_attr(not(test), allow(dead_code))] // reason: read by the reference walker in tests
    pub(crate) path: &'static str,
    /// Its type.
    pub(crate) kind: Kind,
    /// The record it comes from.
    pub(crate) level: Level,
}

macro_rules! columns {
    ($( $level:ident $kind:ident $name:literal $(= $path:literal)? ;)*) => {
        /// Every `flatten` column, in output order.
        pub(crate) const COLUMNS: &[Column] = &[
            $( Column {
                name: $name,
                path: columns!(@path $name $(, $path)?),
                kind: Kind::$kind,
                level: Level::$level,
            }, )*
        ];
    };
    (@path $name:literal) => { $name };
    (@path $name:literal, $path:literal) => { $path };
}

columns! {
    File Str "file";
    File Str "callRecordId";
    Session Str "sessionId" = "id";
    Session Time "sessionStart" = "startDateTime";
    Session Time "sessionEnd" = "endDateTime";
    Session List "modalities";
    Segment Str "segmentId" = "id";
    Segment Time "segmentStart" = "startDateTime";
    Segment Time "segmentEnd" = "endDateTime";
    Media Str "mediaLabel" = "label";
    // mediaStream: identity first, then every other property in Graph (alphabetical) order.
    Stream Str "streamId";
    Stream Enum "streamDirection";
    Stream Enum "audioCodec";
    Stream Float "averageAudioDegradation";
    Stream Nanos "averageAudioNetworkJitterNs" = "averageAudioNetworkJitter";
    Stream Int "averageBandwidthEstimate";
    Stream Nanos "averageFreezeDurationNs" = "averageFreezeDuration";
    Stream Nanos "averageJitterNs" = "averageJitter";
    Stream Float "averagePacketLossRate";
    Stream Float "averageRatioOfConcealedSamples";
    Stream Float "averageReceivedFrameRate";
    Stream Nanos "averageRoundTripTimeNs" = "averageRoundTripTime";
    Stream Float "averageVideoFrameLossPercentage";
    Stream Float "averageVideoFrameRate";
    Stream Float "averageVideoPacketLossRate";
    Stream Time "endDateTime";
    Stream Bool "isAudioForwardErrorCorrectionUsed";
    Stream Float "lowFrameRateRatio";
    Stream Float "lowVideoProcessingCapabilityRatio";
    Stream Nanos "maxAudioNetworkJitterNs" = "maxAudioNetworkJitter";
    Stream Nanos "maxJitterNs" = "maxJitter";
    Stream Float "maxPacketLossRate";
    Stream Float "maxRatioOfConcealedSamples";
    Stream Nanos "maxRoundTripTimeNs" = "maxRoundTripTime";
    Stream Int "packetUtilization";
    Stream Float "postForwardErrorCorrectionPacketLossRate";
    Stream Nanos "rmsFreezeDurationNs" = "rmsFreezeDuration";
    Stream Time "startDateTime";
    Stream Enum "videoCodec";
    Stream Bool "wasMediaBypassed";
    // media.callerNetwork / calleeNetwork: networkInfo scalars (traceRouteHops left out).
    Media Float "callerNetwork.bandwidthLowEventRatio";
    Media Str "callerNetwork.basicServiceSetIdentifier";
    Media Enum "callerNetwork.connectionType";
    Media Float "callerNetwork.delayEventRatio";
    Media Str "callerNetwork.dnsSuffix";
    Media Str "callerNetwork.ipAddress";
    Media Int "callerNetwork.linkSpeed";
    Media Str "callerNetwork.macAddress";
    Media Enum "callerNetwork.networkTransportProtocol";
    Media Int "callerNetwork.port";
    Media Float "callerNetwork.receivedQualityEventRatio";
    Media Str "callerNetwork.reflexiveIPAddress";
    Media Str "callerNetwork.relayIPAddress";
    Media Int "callerNetwork.relayPort";
    Media Float "callerNetwork.sentQualityEventRatio";
    Media Str "callerNetwork.subnet";
    Media Enum "callerNetwork.wifiBand";
    Media Int "callerNetwork.wifiBatteryCharge";
    Media Int "callerNetwork.wifiChannel";
    Media Str "callerNetwork.wifiMicrosoftDriver";
    Media Str "callerNetwork.wifiMicrosoftDriverVersion";
    Media Enum "callerNetwork.wifiRadioType";
    Media Int "callerNetwork.wifiSignalStrength";
    Media Str "callerNetwork.wifiVendorDriver";
    Media Str "callerNetwork.wifiVendorDriverVersion";
    Media Float "calleeNetwork.bandwidthLowEventRatio";
    Media Str "calleeNetwork.basicServiceSetIdentifier";
    Media Enum "calleeNetwork.connectionType";
    Media Float "calleeNetwork.delayEventRatio";
    Media Str "calleeNetwork.dnsSuffix";
    Media Str "calleeNetwork.ipAddress";
    Media Int "calleeNetwork.linkSpeed";
    Media Str "calleeNetwork.macAddress";
    Media Enum "calleeNetwork.networkTransportProtocol";
    Media Int "calleeNetwork.port";
    Media Float "calleeNetwork.receivedQualityEventRatio";
    Media Str "calleeNetwork.reflexiveIPAddress";
    Media Str "calleeNetwork.relayIPAddress";
    Media Int "calleeNetwork.relayPort";
    Media Float "calleeNetwork.sentQualityEventRatio";
    Media Str "calleeNetwork.subnet";
    Media Enum "calleeNetwork.wifiBand";
    Media Int "calleeNetwork.wifiBatteryCharge";
    Media Int "calleeNetwork.wifiChannel";
    Media Str "calleeNetwork.wifiMicrosoftDriver";
    Media Str "calleeNetwork.wifiMicrosoftDriverVersion";
    Media Enum "calleeNetwork.wifiRadioType";
    Media Int "calleeNetwork.wifiSignalStrength";
    Media Str "calleeNetwork.wifiVendorDriver";
    Media Str "calleeNetwork.wifiVendorDriverVersion";
    // media.callerDevice / calleeDevice: deviceInfo.
    Media Str "callerDevice.captureDeviceDriver";
    Media Str "callerDevice.captureDeviceName";
    Media Float "callerDevice.captureNotFunctioningEventRatio";
    Media Float "callerDevice.cpuInsufficentEventRatio";
    Media Float "callerDevice.deviceClippingEventRatio";
    Media Float "callerDevice.deviceGlitchEventRatio";
    Media Int "callerDevice.howlingEventCount";
    Media Float "callerDevice.initialSignalLevelRootMeanSquare";
    Media Float "callerDevice.lowSpeechLevelEventRatio";
    Media Float "callerDevice.lowSpeechToNoiseEventRatio";
    Media Float "callerDevice.micGlitchRate";
    Media Int "callerDevice.receivedNoiseLevel";
    Media Int "callerDevice.receivedSignalLevel";
    Media Str "callerDevice.renderDeviceDriver";
    Media Str "callerDevice.renderDeviceName";
    Media Float "callerDevice.renderMuteEventRatio";
    Media Float "callerDevice.renderNotFunctioningEventRatio";
    Media Float "callerDevice.renderZeroVolumeEventRatio";
    Media Int "callerDevice.sentNoiseLevel";
    Media Int "callerDevice.sentSignalLevel";
    Media Float "callerDevice.speakerGlitchRate";
    Media Str "calleeDevice.captureDeviceDriver";
    Media Str "calleeDevice.captureDeviceName";
    Media Float "calleeDevice.captureNotFunctioningEventRatio";
    Media Float "calleeDevice.cpuInsufficentEventRatio";
    Media Float "calleeDevice.deviceClippingEventRatio";
    Media Float "calleeDevice.deviceGlitchEventRatio";
    Media Int "calleeDevice.howlingEventCount";
    Media Float "calleeDevice.initialSignalLevelRootMeanSquare";
    Media Float "calleeDevice.lowSpeechLevelEventRatio";
    Media Float "calleeDevice.lowSpeechToNoiseEventRatio";
    Media Float "calleeDevice.micGlitchRate";
    Media Int "calleeDevice.receivedNoiseLevel";
    Media Int "calleeDevice.receivedSignalLevel";
    Media Str "calleeDevice.renderDeviceDriver";
    Media Str "calleeDevice.renderDeviceName";
    Media Float "calleeDevice.renderMuteEventRatio";
    Media Float "calleeDevice.renderNotFunctioningEventRatio";
    Media Float "calleeDevice.renderZeroVolumeEventRatio";
    Media Int "calleeDevice.sentNoiseLevel";
    Media Int "calleeDevice.sentSignalLevel";
    Media Float "calleeDevice.speakerGlitchRate";
    // segment.caller / callee: endpoint, participantEndpoint, user agent, identities, feedback.
    Segment Str "caller.name";
    Segment Str "caller.cpuName";
    Segment Int "caller.cpuCoresCount";
    Segment Int "caller.cpuProcessorSpeedInMhz";
    Segment Str "caller.userAgent.headerValue";
    Segment Str "caller.userAgent.applicationVersion";
    Segment Enum "caller.userAgent.platform";
    Segment Enum "caller.userAgent.productFamily";
    Segment Str "caller.userAgent.azureADAppId";
    Segment Str "caller.userAgent.communicationServiceId";
    Segment Enum "caller.userAgent.role";
    Segment Str "caller.identity.user.id";
    Segment Str "caller.identity.user.displayName";
    Segment Str "caller.identity.user.tenantId";
    Segment Str "caller.identity.application.id";
    Segment Str "caller.identity.application.displayName";
    Segment Str "caller.identity.device.id";
    Segment Str "caller.identity.device.displayName";
    Segment Str "caller.identity.phone.id";
    Segment Str "caller.identity.phone.displayName";
    Segment Str "caller.associatedIdentity.id";
    Segment Str "caller.associatedIdentity.displayName";
    Segment Str "caller.associatedIdentity.tenantId";
    Segment Str "caller.associatedIdentity.userPrincipalName";
    Segment Enum "caller.feedback.rating";
    Segment Str "caller.feedback.text";
    Segment Str "callee.name";
    Segment Str "callee.cpuName";
    Segment Int "callee.cpuCoresCount";
    Segment Int "callee.cpuProcessorSpeedInMhz";
    Segment Str "callee.userAgent.headerValue";
    Segment Str "callee.userAgent.applicationVersion";
    Segment Enum "callee.userAgent.platform";
    Segment Enum "callee.userAgent.productFamily";
    Segment Str "callee.userAgent.azureADAppId";
    Segment Str "callee.userAgent.communicationServiceId";
    Segment Enum "callee.userAgent.role";
    Segment Str "callee.identity.user.id";
    Segment Str "callee.identity.user.displayName";
    Segment Str "callee.identity.user.tenantId";
    Segment Str "callee.identity.application.id";
    Segment Str "callee.identity.application.displayName";
    Segment Str "callee.identity.device.id";
    Segment Str "callee.identity.device.displayName";
    Segment Str "callee.identity.phone.id";
    Segment Str "callee.identity.phone.displayName";
    Segment Str "callee.associatedIdentity.id";
    Segment Str "callee.associatedIdentity.displayName";
    Segment Str "callee.associatedIdentity.tenantId";
    Segment Str "callee.associatedIdentity.userPrincipalName";
    Segment Enum "callee.feedback.rating";
    Segment Str "callee.feedback.text";
    // Derived: CQD classification (see `callrecords::quality`).
    Stream Enum "quality";
    Stream Str "qualityReasons";
}

/// The index of the column called `name`; a compile-time error when there is none.
#[allow(clippy::panic)] // reason: only evaluated in const context, where a panic is a build error
pub(crate) const fn index_of(name: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS.len() {
        if str_eq(COLUMNS[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no such column")
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Column indices the code reads or writes by name.
pub(crate) mod col {
    use super::index_of;

    /// `file`.
    pub(crate) const FILE: usize = index_of("file");
    /// `callRecordId`.
    pub(crate) const CALL_RECORD_ID: usize = index_of("callRecordId");
    /// `sessionId`.
    pub(crate) const SESSION_ID: usize = index_of("sessionId");
    /// `sessionStart`.
    pub(crate) const SESSION_START: usize = index_of("sessionStart");
    /// `sessionEnd`.
    pub(crate) const SESSION_END: usize = index_of("sessionEnd");
    /// `segmentId`.
    pub(crate) const SEGMENT_ID: usize = index_of("segmentId");
    /// `segmentStart`.
    pub(crate) const SEGMENT_START: usize = index_of("segmentStart");
    /// `segmentEnd`.
    pub(crate) const SEGMENT_END: usize = index_of("segmentEnd");
    /// `modalities`.
    pub(crate) const MODALITIES: usize = index_of("modalities");
    /// `mediaLabel`.
    pub(crate) const MEDIA_LABEL: usize = index_of("mediaLabel");
    /// `streamDirection`.
    pub(crate) const STREAM_DIRECTION: usize = index_of("streamDirection");
    /// `packetUtilization`.
    pub(crate) const PACKET_UTILIZATION: usize = index_of("packetUtilization");
    /// `averageRoundTripTimeNs`.
    pub(crate) const AVERAGE_ROUND_TRIP_TIME: usize = index_of("averageRoundTripTimeNs");
    /// `averagePacketLossRate`.
    pub(crate) const AVERAGE_PACKET_LOSS_RATE: usize = index_of("averagePacketLossRate");
    /// `averageJitterNs`.
    pub(crate) const AVERAGE_JITTER: usize = index_of("averageJitterNs");
    /// `averageVideoFrameLossPercentage`.
    pub(crate) const AVERAGE_VIDEO_FRAME_LOSS_PERCENTAGE: usize =
        index_of("averageVideoFrameLossPercentage");
    /// `averageVideoFrameRate`.
    pub(crate) const AVERAGE_VIDEO_FRAME_RATE: usize = index_of("averageVideoFrameRate");
    /// `averageReceivedFrameRate`.
    pub(crate) const AVERAGE_RECEIVED_FRAME_RATE: usize = index_of("averageReceivedFrameRate");
    /// `postForwardErrorCorrectionPacketLossRate`.
    pub(crate) const POST_FEC_PACKET_LOSS_RATE: usize =
        index_of("postForwardErrorCorrectionPacketLossRate");
    /// `quality`.
    pub(crate) const QUALITY: usize = index_of("quality");
    /// `qualityReasons`.
    pub(crate) const QUALITY_REASONS: usize = index_of("qualityReasons");
}

/// The column list as help text: one `name  (type)` line per column.
pub(crate) fn help_text() -> String {
    let mut s = String::new();
    for c in COLUMNS {
        let kind = match c.kind {
            Kind::Str => "string",
            Kind::Enum => "enum text",
            Kind::Int => "integer",
            Kind::Float => "number",
            Kind::Bool => "boolean",
            Kind::Time => "RFC 3339 UTC",
            Kind::Nanos => "integer nanoseconds",
            Kind::List => "list (CSV: `;`-joined)",
        };
        s.push_str(&format!("  {:<52} {kind}\n", c.name));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_durations_end_in_ns() {
        let mut names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
        for c in COLUMNS {
            assert_eq!(c.kind == Kind::Nanos, c.name.ends_with("Ns"), "{}", c.name);
            assert!(!c.name.contains("traceRouteHops"));
        }
        assert_eq!(COLUMNS[0].name, "file");
        assert_eq!(COLUMNS[COLUMNS.len() - 1].name, "qualityReasons");
    }
}
