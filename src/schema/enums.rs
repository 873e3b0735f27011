//! One Rust enum per Graph enum, members in the model's declared order, plus [`ModalitySet`].
//!
//! Every enum has an `Unknown(JsonStr)` variant that keeps the raw text of a member this crate does
//! not know (for example one added to Graph later), so no member is ever lost or an error.
//! `unknownFutureValue` is a known member (`UnknownFutureValue`).

use crate::tokenizer::{NextValue, Scalar, Tokenizer};
use crate::value::JsonStr;

use super::keys::unescape_small;

/// A Graph enum: built from the JSON string, printed back as the Graph text.
pub trait GraphEnum<'a>: Sized + Copy {
    /// The members' Graph texts in declared order.
    const MEMBERS: &'static [&'static str];
    /// Maps the JSON string to a member, or to `Unknown` keeping the raw text.
    fn from_json(s: JsonStr<'a>) -> Self;
    /// The Graph text of the member. For `Unknown`, the raw text as it appeared (escapes not decoded).
    fn as_str(&self) -> &'a str;
}

macro_rules! graph_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name<'a> {
            $($(#[$vm])* #[doc = concat!("`", $text, "`")] $var,)*
            /// A member this crate does not know, with its raw JSON text (escapes undecoded).
            Unknown(JsonStr<'a>),
        }

        impl<'a> $name<'a> {
            fn from_bytes(b: &[u8]) -> Option<Self> {
                $(if b == $text.as_bytes() { return Some($name::$var); })*
                None
            }

            /// The Graph text of the member (for `Unknown`, its raw text, escapes undecoded).
            pub fn as_str(&self) -> &'a str {
                GraphEnum::as_str(self)
            }

            /// The member's text, decoded: the Graph text of a known member, and an unknown
            /// member's text with its escapes decoded ([`JsonStr::decode_lossy`]). This is the
            /// text to show or store; [`as_str`](Self::as_str) is the input's spelling.
            pub fn text(&self) -> std::borrow::Cow<'a, str> {
                match self {
                    $name::Unknown(s) => s.decode_lossy(),
                    _ => std::borrow::Cow::Borrowed(self.as_str()),
                }
            }

            /// True for a member this crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl<'a> GraphEnum<'a> for $name<'a> {
            const MEMBERS: &'static [&'static str] = &[$($text),*];

            fn from_json(s: JsonStr<'a>) -> Self {
                let found = if s.has_escapes() {
                    let mut buf = [0u8; 64];
                    unescape_small(s.raw(), &mut buf).and_then(Self::from_bytes)
                } else {
                    Self::from_bytes(s.raw())
                };
                found.unwrap_or($name::Unknown(s))
            }

            fn as_str(&self) -> &'a str {
                match self {
                    $($name::$var => $text,)*
                    $name::Unknown(s) => core::str::from_utf8(s.raw()).unwrap_or(""),
                }
            }
        }

        impl core::fmt::Display for $name<'_> {
            /// Writes [`text`](Self::text): an unknown member's escapes decoded.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.text())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $name::Unknown(raw) => raw.serialize(s),
                    _ => s.serialize_str(self.as_str()),
                }
            }
        }
    };
}

graph_enum! {
    /// `microsoft.graph.callRecords.audioCodec`.
    AudioCodec {
        Unknown_ = "unknown", Invalid = "invalid", Cn = "cn", Pcma = "pcma", Pcmu = "pcmu",
        AmrWide = "amrWide", G722 = "g722", G7221 = "g7221", G7221c = "g7221c", G729 = "g729",
        MultiChannelAudio = "multiChannelAudio", Muchv2 = "muchv2", Opus = "opus", Satin = "satin",
        SatinFullband = "satinFullband", RtAudio8 = "rtAudio8", RtAudio16 = "rtAudio16", Silk = "silk",
        SilkNarrow = "silkNarrow", SilkWide = "silkWide", Siren = "siren", XmsRta = "xmsRta",
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.callRecords.callType`.
    CallType { Unknown_ = "unknown", GroupCall = "groupCall", PeerToPeer = "peerToPeer",
        UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.clientPlatform`.
    ClientPlatform {
        Unknown_ = "unknown", Windows = "windows", MacOs = "macOS", Ios = "iOS", Android = "android",
        Web = "web", IpPhone = "ipPhone", RoomSystem = "roomSystem", SurfaceHub = "surfaceHub",
        HoloLens = "holoLens", UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.callRecords.failureStage`.
    FailureStage { Unknown_ = "unknown", CallSetup = "callSetup", Midcall = "midcall",
        UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.mediaStreamDirection` (closed: no `unknownFutureValue`).
    MediaStreamDirection { CallerToCallee = "callerToCallee", CalleeToCaller = "calleeToCaller", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.modality`.
    Modality {
        Audio = "audio", Video = "video", VideoBasedScreenSharing = "videoBasedScreenSharing",
        Data = "data", ScreenSharing = "screenSharing", UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.callRecords.networkConnectionType`.
    NetworkConnectionType { Unknown_ = "unknown", Wired = "wired", Wifi = "wifi", Mobile = "mobile",
        Tunnel = "tunnel", UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.networkTransportProtocol`.
    NetworkTransportProtocol { Unknown_ = "unknown", Udp = "udp", Tcp = "tcp",
        UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.productFamily`. `azureCommunicationServices` comes after the
    /// sentinel: Graph sends it only with `Prefer: include-unknown-enum-members`.
    ProductFamily { Unknown_ = "unknown", Teams = "teams", SkypeForBusiness = "skypeForBusiness",
        Lync = "lync", UnknownFutureValue = "unknownFutureValue",
        AzureCommunicationServices = "azureCommunicationServices", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.pstnCallDurationSource` (log rows only; closed).
    PstnCallDurationSource { Microsoft = "microsoft", Operator = "operator", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.serviceRole`.
    ServiceRole {
        Unknown_ = "unknown", CustomBot = "customBot",
        SkypeForBusinessMicrosoftTeamsGateway = "skypeForBusinessMicrosoftTeamsGateway",
        SkypeForBusinessAudioVideoMcu = "skypeForBusinessAudioVideoMcu",
        SkypeForBusinessApplicationSharingMcu = "skypeForBusinessApplicationSharingMcu",
        SkypeForBusinessCallQueues = "skypeForBusinessCallQueues",
        SkypeForBusinessAutoAttendant = "skypeForBusinessAutoAttendant",
        MediationServer = "mediationServer",
        MediationServerCloudConnectorEdition = "mediationServerCloudConnectorEdition",
        ExchangeUnifiedMessagingService = "exchangeUnifiedMessagingService",
        MediaController = "mediaController",
        ConferencingAnnouncementService = "conferencingAnnouncementService",
        ConferencingAttendant = "conferencingAttendant",
        AudioTeleconferencerController = "audioTeleconferencerController",
        SkypeForBusinessUnifiedCommunicationApplicationPlatform =
            "skypeForBusinessUnifiedCommunicationApplicationPlatform",
        ResponseGroupServiceAnnouncementService = "responseGroupServiceAnnouncementService",
        Gateway = "gateway", SkypeTranslator = "skypeTranslator",
        SkypeForBusinessAttendant = "skypeForBusinessAttendant",
        ResponseGroupService = "responseGroupService", Voicemail = "voicemail",
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.callRecords.userFeedbackRating`.
    UserFeedbackRating { NotRated = "notRated", Bad = "bad", Poor = "poor", Fair = "fair",
        Good = "good", Excellent = "excellent", UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.videoCodec`.
    VideoCodec {
        Unknown_ = "unknown", Invalid = "invalid", Av1 = "av1", H263 = "h263", H264 = "h264",
        H264s = "h264s", H264uc = "h264uc", H265 = "h265", Rtvc1 = "rtvc1", RtVideo = "rtVideo",
        Xrtvc1 = "xrtvc1", UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.callRecords.wifiBand`.
    WifiBand { Unknown_ = "unknown", Frequency24GHz = "frequency24GHz",
        Frequency50GHz = "frequency50GHz", Frequency60GHz = "frequency60GHz",
        UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.wifiRadioType`.
    WifiRadioType {
        Unknown_ = "unknown", Wifi80211a = "wifi80211a", Wifi80211b = "wifi80211b",
        Wifi80211g = "wifi80211g", Wifi80211n = "wifi80211n", Wifi80211ac = "wifi80211ac",
        Wifi80211ax = "wifi80211ax", UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// `microsoft.graph.endpointType` (on `communicationsIdentitySet.endpointType`).
    EndpointType { Default = "default", Voicemail = "voicemail",
        SkypeForBusiness = "skypeForBusiness", SkypeForBusinessVoipPhone = "skypeForBusinessVoipPhone",
        UnknownFutureValue = "unknownFutureValue", }
}

graph_enum! {
    /// `microsoft.graph.callRecords.pstnUserBlockMode` (beta log rows only).
    PstnUserBlockMode { Blocked = "blocked", Unblocked = "unblocked",
        UnknownFutureValue = "unknownFutureValue", }
}

/// How many unknown modality texts a [`ModalitySet`] keeps inline.
pub const MODALITY_UNKNOWN_INLINE: usize = 2;

/// The set of `modalities` of a call record or session: a bitset of the known members, plus the
/// first [`MODALITY_UNKNOWN_INLINE`] unknown members' raw texts and a flag when there were more.
///
/// Order and duplicates of the input array are not kept (it is a set); iteration yields the known
/// members in declared order, then the unknown ones in input order. Building the set makes no
/// allocation. When the parser finds more unknown members than it keeps inline, it keeps the
/// array's text as well, so that none is lost: [`iter`](Self::iter), [`len`](Self::len) and
/// [`contains`](Self::contains) then read the rest from that text (which allocates a little, in
/// this rare case only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModalitySet<'a> {
    bits: u8,
    unknown: [Option<JsonStr<'a>>; MODALITY_UNKNOWN_INLINE],
    more_unknown: bool,
    /// The input's `[...]` text, kept by the parser when `more_unknown` is set.
    array: Option<&'a [u8]>,
}

const MODALITY_KNOWN: [Modality<'static>; 6] = [
    Modality::Audio,
    Modality::Video,
    Modality::VideoBasedScreenSharing,
    Modality::Data,
    Modality::ScreenSharing,
    Modality::UnknownFutureValue,
];

fn modality_bit(m: &Modality<'_>) -> Option<u8> {
    MODALITY_KNOWN.iter().position(|k| k == m).map(|i| 1u8 << i)
}

impl<'a> ModalitySet<'a> {
    /// The empty set.
    pub const fn new() -> Self {
        ModalitySet {
            bits: 0,
            unknown: [None; MODALITY_UNKNOWN_INLINE],
            more_unknown: false,
            array: None,
        }
    }

    /// Keeps `array`, the input text of the array this set was read from, when it had more
    /// unknown members than the set keeps inline.
    pub(crate) fn keep_array(&mut self, array: &'a [u8]) {
        if self.more_unknown {
            self.array = Some(array);
        }
    }

    /// Every unknown member, in input order without repeats, read from the kept array text; empty
    /// when no text was kept.
    fn all_unknown(&self) -> Vec<JsonStr<'a>> {
        let mut out: Vec<JsonStr<'a>> = Vec::new();
        let Some(array) = self.array else {
            return out;
        };
        let mut tok = Tokenizer::new(array);
        if tok.begin_array().is_err() {
            return out;
        }
        // The text was validated when the set was read; the members that are not strings were
        // value errors then, and are skipped here.
        while let Ok(true) = tok.next_element() {
            match tok.next_value() {
                Ok((NextValue::Scalar(Scalar::String(s)), _)) => {
                    let unknown = matches!(Modality::from_json(s), Modality::Unknown(_));
                    if unknown && !out.iter().any(|k| k.raw() == s.raw()) {
                        out.push(s);
                    }
                }
                // `next_value` consumes a scalar, but not an object or array.
                Ok((NextValue::Object | NextValue::Array, _)) => {
                    if tok.skip_value().is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        out
    }

    /// Adds a member. Unknown members beyond the inline capacity only set [`Self::has_more_unknown`].
    pub fn insert(&mut self, m: Modality<'a>) {
        if let Some(bit) = modality_bit(&m) {
            self.bits |= bit;
            return;
        }
        if let Modality::Unknown(raw) = m {
            for slot in self.unknown.iter_mut() {
                match slot {
                    Some(s) if *s == raw => return,
                    Some(_) => {}
                    None => {
                        *slot = Some(raw);
                        return;
                    }
                }
            }
            self.more_unknown = true;
        }
    }

    /// True when `m` is in the set (unknown members compare by raw text).
    pub fn contains(&self, m: Modality<'_>) -> bool {
        match modality_bit(&m) {
            Some(bit) => self.bits & bit != 0,
            None => match m {
                Modality::Unknown(raw) => {
                    self.unknown.iter().flatten().any(|s| s.raw() == raw.raw())
                        || self.all_unknown().iter().any(|s| s.raw() == raw.raw())
                }
                _ => false,
            },
        }
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == 0 && self.unknown[0].is_none()
    }

    /// The number of members: known ones plus unknown ones (inline, or read from the kept array
    /// text).
    pub fn len(&self) -> usize {
        let unknown = match self.array {
            Some(_) => self.all_unknown().len(),
            None => self.unknown.iter().flatten().count(),
        };
        self.bits.count_ones() as usize + unknown
    }

    /// True when more unknown members appeared than the set keeps inline. A set read by the
    /// parser still yields them all (see the type's docs); one built with
    /// [`insert`](Self::insert) has dropped them.
    pub fn has_more_unknown(&self) -> bool {
        self.more_unknown
    }

    /// The members: known ones in declared order, then the unknown ones in input order.
    pub fn iter(&self) -> impl Iterator<Item = Modality<'a>> + '_ {
        let inline = self
            .unknown
            .iter()
            .flatten()
            .filter(|_| self.array.is_none());
        MODALITY_KNOWN
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.bits & (1 << i) != 0)
            .map(|(_, m)| *m)
            .chain(
                inline
                    .copied()
                    .chain(self.all_unknown())
                    .map(Modality::Unknown),
            )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ModalitySet<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parsed_set_keeps_every_unknown_member() {
        let doc = br#"{"value": [{"id": "s", "modalities": ["hologram", "audio", "smell",
            "ta\u0073te", "hologram", null, {"x": ["y"]}, "touch", 3, "video"]}]}"#;
        let mut sets = Vec::new();
        for ev in crate::events(doc) {
            if let Ok(crate::Event::Session(s)) = ev {
                sets.extend(s.modalities);
            }
        }
        assert_eq!(sets.len(), 1, "one session with modalities: {sets:?}");
        let Some(set) = sets.first().copied() else {
            return;
        };
        let texts: Vec<String> = set.iter().map(|m| m.text().into_owned()).collect();
        assert_eq!(
            texts,
            ["audio", "video", "hologram", "smell", "taste", "touch"]
        );
        assert_eq!(set.len(), 6);
        assert!(set.has_more_unknown());
        for raw in [&b"touch"[..], b"smell", b"hologram"] {
            assert!(
                set.contains(Modality::Unknown(JsonStr::from_raw(raw))),
                "{raw:?}"
            );
        }
        assert!(
            !set.contains(Modality::Unknown(JsonStr::from_raw(b"taste"))),
            "raw text differs"
        );
        assert!(!set.contains(Modality::Data));

        // Built by hand, the set has no text to read the rest from: it keeps two.
        let mut built = ModalitySet::new();
        for raw in [&b"a"[..], b"b", b"c"] {
            built.insert(Modality::Unknown(JsonStr::from_raw(raw)));
        }
        assert_eq!((built.len(), built.has_more_unknown()), (2, true));
    }

    #[test]
    fn text_decodes_an_unknown_members_escapes() {
        let cases: &[(&[u8], &str, &str)] = &[
            (br"new\u0041", r"new\u0041", "newA"),
            (br#"x\"y"#, r#"x\"y"#, "x\"y"),
            (br"\ud800", r"\ud800", "\u{FFFD}"),
            // A known member spelled with an escape is the known member.
            (br"caller\u0054oCallee", "callerToCallee", "callerToCallee"),
        ];
        for &(raw, spelled, text) in cases {
            let e = MediaStreamDirection::from_json(JsonStr::from_raw(raw));
            assert_eq!((e.as_str(), &*e.text()), (spelled, text), "{raw:?}");
            assert_eq!(e.to_string(), text, "{raw:?}");
        }
    }

    #[test]
    fn known_and_unknown_members() {
        let s = JsonStr::new(b"unknownFutureValue", false);
        assert_eq!(Modality::from_json(s), Modality::UnknownFutureValue);
        let s = JsonStr::new(b"hologram", false);
        assert_eq!(Modality::from_json(s), Modality::Unknown(s));
        assert_eq!(Modality::from_json(s).as_str(), "hologram");
        let s = JsonStr::new(b"\\u0061udio", true);
        assert_eq!(Modality::from_json(s), Modality::Audio);
        let s = JsonStr::new(b"azureCommunicationServices", false);
        assert_eq!(
            ProductFamily::from_json(s),
            ProductFamily::AzureCommunicationServices
        );
        assert_eq!(ClientPlatform::MacOs.as_str(), "macOS");
        assert_eq!(AudioCodec::MEMBERS.len(), 23);
        assert_eq!(ServiceRole::MEMBERS.len(), 22);
    }

    #[test]
    fn modality_set() {
        let mut set = ModalitySet::new();
        assert!(set.is_empty());
        set.insert(Modality::Video);
        set.insert(Modality::Audio);
        set.insert(Modality::Audio);
        let a = JsonStr::new(b"x1", false);
        let b = JsonStr::new(b"x2", false);
        let c = JsonStr::new(b"x3", false);
        set.insert(Modality::Unknown(a));
        set.insert(Modality::Unknown(b));
        set.insert(Modality::Unknown(a));
        assert!(!set.has_more_unknown());
        set.insert(Modality::Unknown(c));
        assert!(set.has_more_unknown());
        let v: Vec<_> = set.iter().collect();
        assert_eq!(
            v,
            vec![
                Modality::Audio,
                Modality::Video,
                Modality::Unknown(a),
                Modality::Unknown(b)
            ]
        );
        assert!(set.contains(Modality::Unknown(b)));
        assert!(!set.contains(Modality::Data));
        assert_eq!(set.len(), 4);
    }
}
