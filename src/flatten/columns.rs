//! The column contracts of the five tables: each column's name, kind and source record.
//!
//! Columns are declared in groups (a record kind's scalar properties, an endpoint's fields, …)
//! together with the function that reads their cells from the record, in `cells.rs`; a table is a
//! list of groups. Every group of the `streams` table is also a group of the table of its record,
//! under the same names, so the tables join on their key columns.

use super::Table;

/// How a column's value is typed; [`crate::table`] maps each kind to one Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnKind {
    /// A string (an id or free text).
    Str,
    /// An enum member, as the input's text (unknown members included).
    Enum,
    /// An `Edm.Int32`.
    Int32,
    /// An `Edm.Int64`.
    Int64,
    /// An `Edm.Single`, widened to `f64` exactly; `"INF"`, `"-INF"` and `"NaN"` are the IEEE values.
    Float,
    /// An `Edm.Boolean`.
    Bool,
    /// An `Edm.DateTimeOffset`, as an instant.
    Time,
    /// An `Edm.Duration`, as integer nanoseconds (the column's name ends in `Ns`).
    Nanos,
    /// A list of strings (`modalities`, `qualityReasons`).
    List,
    /// The value errors of the row's records: JSON path, error kind and raw text of each.
    Errors,
}

impl ColumnKind {
    /// A short description, as `flatten --help` shows it.
    pub fn describe(self) -> &'static str {
        match self {
            ColumnKind::Str => "string",
            ColumnKind::Enum => "enum text",
            ColumnKind::Int32 | ColumnKind::Int64 => "integer",
            ColumnKind::Float => "number",
            ColumnKind::Bool => "boolean",
            ColumnKind::Time => "RFC 3339 UTC",
            ColumnKind::Nanos => "integer nanoseconds",
            ColumnKind::List => "list (CSV: `;`-joined)",
            ColumnKind::Errors => "value errors (path, error, raw)",
        }
    }
}

/// The record a column's value comes from.
///
/// In the `streams` table a new record of a level clears the cells of its level and of every
/// deeper one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The input (`file`) and its callRecord (`callRecordId`).
    File,
    /// The callRecord header.
    CallRecord,
    /// The session.
    Session,
    /// The segment.
    Segment,
    /// The media.
    Media,
    /// The stream, and the columns derived from it.
    Stream,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    name: &'static str,
    path: &'static str,
    kind: ColumnKind,
    level: Level,
}

impl Column {
    /// The column's name (dotted for a property of a nested complex type: `caller.userAgent.platform`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Its kind.
    pub const fn kind(&self) -> ColumnKind {
        self.kind
    }

    /// The record it comes from.
    pub const fn level(&self) -> Level {
        self.level
    }

    /// The property it holds, dot-separated, relative to the record of [`Column::level`]
    /// (`startDateTime` for `sessionStart`); derived columns name themselves.
    pub const fn property(&self) -> &'static str {
        self.path
    }
}

/// Declares groups of columns: `NAME = Level "prefix" [Kind "name" (= "property")?; …]`.
///
/// The names and properties get the prefix; a group listed with several prefixes is declared once
/// per prefix (the field list is passed on whole, as one token tree, for that).
macro_rules! groups {
    ($( $konst:ident = $level:ident $prefix:literal $fields:tt )*) => {
        $( groups!(@one $konst $level $prefix $fields); )*
    };
    (@one $konst:ident $level:ident $prefix:literal [$( $kind:ident $name:literal $(= $path:literal)?; )*]) => {
        pub(crate) const $konst: [Column; [$($name),*].len()] = [
            $( Column {
                name: concat!($prefix, $name),
                path: concat!($prefix, groups!(@path $name $(, $path)?)),
                kind: ColumnKind::$kind,
                level: Level::$level,
            }, )*
        ];
    };
    (@path $name:literal) => { $name };
    (@path $name:literal, $path:literal) => { $path };
}

/// The fields of a callRecords `endpoint` (and `participantEndpoint`), as flatten writes them.
macro_rules! endpoint_fields {
    ($($konst:ident = $level:ident $prefix:literal)*) => {
        groups! { $( $konst = $level $prefix [
            Str "name";
            Str "cpuName";
            Int32 "cpuCoresCount";
            Int32 "cpuProcessorSpeedInMhz";
            Str "userAgent.headerValue";
            Str "userAgent.applicationVersion";
            Enum "userAgent.platform";
            Enum "userAgent.productFamily";
            Str "userAgent.azureADAppId";
            Str "userAgent.communicationServiceId";
            Enum "userAgent.role";
            Str "identity.user.id";
            Str "identity.user.displayName";
            Str "identity.user.tenantId";
            Str "identity.application.id";
            Str "identity.application.displayName";
            Str "identity.device.id";
            Str "identity.device.displayName";
            Str "identity.phone.id";
            Str "identity.phone.displayName";
            Str "associatedIdentity.id";
            Str "associatedIdentity.displayName";
            Str "associatedIdentity.tenantId";
            Str "associatedIdentity.userPrincipalName";
            Enum "feedback.rating";
            Str "feedback.text";
        ] )* }
    };
}

/// The scalar fields of a `networkInfo` (`traceRouteHops` left out).
macro_rules! network_fields {
    ($($konst:ident = $prefix:literal)*) => {
        groups! { $( $konst = Media $prefix [
            Float "bandwidthLowEventRatio";
            Str "basicServiceSetIdentifier";
            Enum "connectionType";
            Float "delayEventRatio";
            Str "dnsSuffix";
            Str "ipAddress";
            Int64 "linkSpeed";
            Str "macAddress";
            Enum "networkTransportProtocol";
            Int32 "port";
            Float "receivedQualityEventRatio";
            Str "reflexiveIPAddress";
            Str "relayIPAddress";
            Int32 "relayPort";
            Float "sentQualityEventRatio";
            Str "subnet";
            Enum "wifiBand";
            Int32 "wifiBatteryCharge";
            Int32 "wifiChannel";
            Str "wifiMicrosoftDriver";
            Str "wifiMicrosoftDriverVersion";
            Enum "wifiRadioType";
            Int32 "wifiSignalStrength";
            Str "wifiVendorDriver";
            Str "wifiVendorDriverVersion";
        ] )* }
    };
}

/// The fields of a `deviceInfo`.
macro_rules! device_fields {
    ($($konst:ident = $prefix:literal)*) => {
        groups! { $( $konst = Media $prefix [
            Str "captureDeviceDriver";
            Str "captureDeviceName";
            Float "captureNotFunctioningEventRatio";
            Float "cpuInsufficentEventRatio";
            Float "deviceClippingEventRatio";
            Float "deviceGlitchEventRatio";
            Int32 "howlingEventCount";
            Float "initialSignalLevelRootMeanSquare";
            Float "lowSpeechLevelEventRatio";
            Float "lowSpeechToNoiseEventRatio";
            Float "micGlitchRate";
            Int32 "receivedNoiseLevel";
            Int32 "receivedSignalLevel";
            Str "renderDeviceDriver";
            Str "renderDeviceName";
            Float "renderMuteEventRatio";
            Float "renderNotFunctioningEventRatio";
            Float "renderZeroVolumeEventRatio";
            Int32 "sentNoiseLevel";
            Int32 "sentSignalLevel";
            Float "speakerGlitchRate";
        ] )* }
    };
}

/// The identities of an `identitySet` that flatten keeps.
macro_rules! identity_set_fields {
    ($($konst:ident = $prefix:literal)*) => {
        groups! { $( $konst = CallRecord $prefix [
            Str "user.id";
            Str "user.displayName";
            Str "user.tenantId";
            Str "application.id";
            Str "application.displayName";
            Str "device.id";
            Str "device.displayName";
            Str "phone.id";
            Str "phone.displayName";
        ] )* }
    };
}

groups! {
    FILE = File "" [
        Str "file";
        Str "callRecordId";
    ]
    RECORD = CallRecord "" [
        Int64 "version";
        Enum "type";
        List "modalities";
        Time "startDateTime";
        Time "endDateTime";
        Time "lastModifiedDateTime";
        Str "joinWebUrl";
    ]
    ORGANIZER_V2_ID = CallRecord "organizer_v2." [
        Str "id";
    ]
    SESSION_ID = Session "" [
        Str "sessionId" = "id";
    ]
    SESSION = Session "" [
        Time "sessionStart" = "startDateTime";
        Time "sessionEnd" = "endDateTime";
        List "modalities";
    ]
    SESSION_MORE = Session "" [
        Bool "isTest";
    ]
    SESSION_FAILURE = Session "failureInfo." [
        Enum "stage";
        Str "reason";
    ]
    SEGMENT_ID = Segment "" [
        Str "segmentId" = "id";
    ]
    SEGMENT = Segment "" [
        Time "segmentStart" = "startDateTime";
        Time "segmentEnd" = "endDateTime";
    ]
    SEGMENT_FAILURE = Segment "failureInfo." [
        Enum "stage";
        Str "reason";
    ]
    MEDIA_LABEL = Media "" [
        Str "mediaLabel" = "label";
    ]
    // mediaStream: identity first, then every other property in Graph (alphabetical) order.
    STREAM = Stream "" [
        Str "streamId";
        Enum "streamDirection";
        Enum "audioCodec";
        Float "averageAudioDegradation";
        Nanos "averageAudioNetworkJitterNs" = "averageAudioNetworkJitter";
        Int64 "averageBandwidthEstimate";
        Nanos "averageFreezeDurationNs" = "averageFreezeDuration";
        Nanos "averageJitterNs" = "averageJitter";
        Float "averagePacketLossRate";
        Float "averageRatioOfConcealedSamples";
        Float "averageReceivedFrameRate";
        Nanos "averageRoundTripTimeNs" = "averageRoundTripTime";
        Float "averageVideoFrameLossPercentage";
        Float "averageVideoFrameRate";
        Float "averageVideoPacketLossRate";
        Time "endDateTime";
        Bool "isAudioForwardErrorCorrectionUsed";
        Float "lowFrameRateRatio";
        Float "lowVideoProcessingCapabilityRatio";
        Nanos "maxAudioNetworkJitterNs" = "maxAudioNetworkJitter";
        Nanos "maxJitterNs" = "maxJitter";
        Float "maxPacketLossRate";
        Float "maxRatioOfConcealedSamples";
        Nanos "maxRoundTripTimeNs" = "maxRoundTripTime";
        Int64 "packetUtilization";
        Float "postForwardErrorCorrectionPacketLossRate";
        Nanos "rmsFreezeDurationNs" = "rmsFreezeDuration";
        Time "startDateTime";
        Enum "videoCodec";
        Bool "wasMediaBypassed";
    ]
    // Derived: CQD classification (see `crate::quality`).
    QUALITY = Stream "" [
        Enum "quality";
        List "qualityReasons";
    ]
    RECORD_ERRORS = CallRecord "" [ Errors "valueErrors"; ]
    SESSION_ERRORS = Session "" [ Errors "valueErrors"; ]
    SEGMENT_ERRORS = Segment "" [ Errors "valueErrors"; ]
    MEDIA_ERRORS = Media "" [ Errors "valueErrors"; ]
    STREAM_ERRORS = Stream "" [ Errors "valueErrors"; ]
}

endpoint_fields! {
    SESSION_CALLER = Session "caller."
    SESSION_CALLEE = Session "callee."
    SEGMENT_CALLER = Segment "caller."
    SEGMENT_CALLEE = Segment "callee."
}
network_fields! {
    CALLER_NETWORK = "callerNetwork."
    CALLEE_NETWORK = "calleeNetwork."
}
device_fields! {
    CALLER_DEVICE = "callerDevice."
    CALLEE_DEVICE = "calleeDevice."
}
identity_set_fields! {
    ORGANIZER = "organizer."
    ORGANIZER_V2 = "organizer_v2.identity."
}

/// The number of columns in `parts`.
const fn total(parts: &[&[Column]]) -> usize {
    let mut n = 0;
    let mut p = 0;
    while p < parts.len() {
        n += parts[p].len();
        p += 1;
    }
    n
}

/// `parts` one after the other.
const fn join<const N: usize>(parts: &[&[Column]]) -> [Column; N] {
    let mut out = [FILE[0]; N];
    let mut n = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    out
}

macro_rules! table {
    ($(#[$m:meta])* $name:ident = [$($part:expr),* $(,)?]) => {
        $(#[$m])*
        pub(crate) const $name: [Column; total(&[$(&$part),*])] = join(&[$(&$part),*]);
    };
}

table! {
    /// `streams`: the `flatten` columns, the tool's contract. New columns only ever go at the end.
    STREAMS = [
        FILE, SESSION_ID, SESSION, SEGMENT_ID, SEGMENT, MEDIA_LABEL, STREAM, CALLER_NETWORK,
        CALLEE_NETWORK, CALLER_DEVICE, CALLEE_DEVICE, SEGMENT_CALLER, SEGMENT_CALLEE, QUALITY,
        STREAM_ERRORS,
    ]
}

table! {
    /// `callRecords`: one row per callRecord header.
    CALL_RECORDS = [FILE, RECORD, ORGANIZER, ORGANIZER_V2_ID, ORGANIZER_V2, RECORD_ERRORS]
}

table! {
    /// `sessions`: one row per session.
    SESSIONS = [
        FILE, SESSION_ID, SESSION, SESSION_MORE, SESSION_FAILURE, SESSION_CALLER, SESSION_CALLEE,
        SESSION_ERRORS,
    ]
}

table! {
    /// `segments`: one row per segment.
    SEGMENTS = [
        FILE, SESSION_ID, SEGMENT_ID, SEGMENT, SEGMENT_FAILURE, SEGMENT_CALLER, SEGMENT_CALLEE,
        SEGMENT_ERRORS,
    ]
}

table! {
    /// `media`: one row per media.
    MEDIA = [
        FILE, SESSION_ID, SEGMENT_ID, MEDIA_LABEL, CALLER_NETWORK, CALLEE_NETWORK, CALLER_DEVICE,
        CALLEE_DEVICE, MEDIA_ERRORS,
    ]
}

/// The columns of `table`, in order.
pub(crate) const fn of(table: Table) -> &'static [Column] {
    match table {
        Table::CallRecords => &CALL_RECORDS,
        Table::Sessions => &SESSIONS,
        Table::Segments => &SEGMENTS,
        Table::Media => &MEDIA,
        Table::Streams => &STREAMS,
    }
}

/// The index of the column called `name` in `columns`.
pub(crate) const fn position(columns: &[Column], name: &str) -> Option<usize> {
    let mut i = 0;
    while i < columns.len() {
        if str_eq(columns[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the column called `name` in `columns`; a build error when there is none.
#[allow(clippy::panic)] // reason: only evaluated in const context, where a panic is a build error
pub(crate) const fn index_of(columns: &[Column], name: &str) -> usize {
    match position(columns, name) {
        Some(i) => i,
        None => panic!("no such column"),
    }
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

/// Indices of the `streams` columns the crate reads by name.
pub(crate) mod col {
    use super::{index_of, STREAMS};

    macro_rules! cols {
        ($($konst:ident = $name:literal;)*) => {
            $( pub(crate) const $konst: usize = index_of(&STREAMS, $name); )*
        };
    }

    cols! {
        FILE = "file";
        CALL_RECORD_ID = "callRecordId";
        SESSION_ID = "sessionId";
        MODALITIES = "modalities";
        SEGMENT_ID = "segmentId";
        MEDIA_LABEL = "mediaLabel";
        CALLER_NETWORK = "callerNetwork.bandwidthLowEventRatio";
        CALLEE_NETWORK = "calleeNetwork.bandwidthLowEventRatio";
        CALLER_DEVICE = "callerDevice.captureDeviceDriver";
        CALLEE_DEVICE = "calleeDevice.captureDeviceDriver";
        CALLER = "caller.name";
        CALLEE = "callee.name";
        QUALITY = "quality";
        QUALITY_REASONS = "qualityReasons";
        VALUE_ERRORS = "valueErrors";
        PACKET_UTILIZATION = "packetUtilization";
        AVERAGE_ROUND_TRIP_TIME = "averageRoundTripTimeNs";
        AVERAGE_PACKET_LOSS_RATE = "averagePacketLossRate";
        AVERAGE_JITTER = "averageJitterNs";
        AVERAGE_VIDEO_FRAME_LOSS_PERCENTAGE = "averageVideoFrameLossPercentage";
        AVERAGE_VIDEO_FRAME_RATE = "averageVideoFrameRate";
        AVERAGE_RECEIVED_FRAME_RATE = "averageReceivedFrameRate";
        POST_FEC_PACKET_LOSS_RATE = "postForwardErrorCorrectionPacketLossRate";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_durations_end_in_ns() {
        for table in Table::ALL {
            let columns = of(table);
            let mut names: Vec<&str> = columns.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), columns.len(), "{table:?}");
            for c in columns {
                assert_eq!(
                    c.kind == ColumnKind::Nanos,
                    c.name.ends_with("Ns"),
                    "{}",
                    c.name
                );
                assert!(!c.name.contains("traceRouteHops"));
            }
            assert_eq!(columns[0].name, "file");
            assert_eq!(columns[columns.len() - 1].name, "valueErrors");
        }
    }

    #[test]
    fn streams_keep_the_flatten_contract() {
        // The first and last columns of each group of the 0.1 contract, at their positions.
        let names: Vec<&str> = STREAMS.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), 187);
        assert_eq!(
            names[..11],
            [
                "file",
                "callRecordId",
                "sessionId",
                "sessionStart",
                "sessionEnd",
                "modalities",
                "segmentId",
                "segmentStart",
                "segmentEnd",
                "mediaLabel",
                "streamId"
            ]
        );
        assert_eq!(names[40], "callerNetwork.bandwidthLowEventRatio");
        assert_eq!(names[132], "caller.name");
        assert_eq!(names[184..], ["quality", "qualityReasons", "valueErrors"]);
    }

    #[test]
    fn key_columns_are_shared_across_tables() {
        for (table, keys) in [
            (Table::Sessions, &["file", "callRecordId", "sessionId"][..]),
            (
                Table::Segments,
                &["file", "callRecordId", "sessionId", "segmentId"],
            ),
            (
                Table::Media,
                &[
                    "file",
                    "callRecordId",
                    "sessionId",
                    "segmentId",
                    "mediaLabel",
                ],
            ),
        ] {
            for k in keys {
                let here = of(table).iter().find(|c| c.name == *k).copied();
                let there = STREAMS.iter().find(|c| c.name == *k).copied();
                assert_eq!(here, there, "{table:?} {k}");
            }
        }
    }
}
