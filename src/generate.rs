//! A deterministic generator of large, realistic callRecords payloads for tests and benchmarks.
//!
//! [`to_vec`] builds a whole document in memory; [`GenReader`] produces the very same bytes through
//! [`std::io::Read`], one session at a time, so a document of any size can be streamed with a few
//! kilobytes of memory. The same [`GenOptions`] always give the same bytes, on every platform: the
//! generator uses its own SplitMix64 sequence, no hash-map iteration and no float formatting (every
//! number is written from integers).
//!
//! # Shapes
//!
//! * [`Shape::Sessions`]: a "list sessions" page,
//!   `{"@odata.context": "…/callRecords('<id>')/sessions", "value": [session…], "@odata.nextLink": "…"}`
//!   (the next link is left out now and then, as on a last page).
//! * [`Shape::CallRecord`]: a callRecord fetched with `$expand=sessions($expand=segments)`: `@odata.context`,
//!   `id`, `version`, `type`, `modalities`, `lastModifiedDateTime`, `startDateTime`, `endDateTime`,
//!   `joinWebUrl`, `organizer_v2` (with `organizer_v2@odata.context`), `participants_v2@odata.context` and
//!   sometimes `participants_v2`, the deprecated `organizer` and `participants` sometimes, then
//!   `"sessions": [...]` and `"sessions@odata.nextLink"`. The header keys are shuffled, so header fields
//!   also come **after** `sessions`.
//!
//! Both shapes come pretty-printed (4-space indent, `"key": value`, like the Graph docs) or compact.
//! The document is closed just past [`GenOptions::target_bytes`]: sessions are added while the output is
//! shorter than the target, then the arrays and objects are closed. A page therefore holds as many
//! sessions as the size needs (Graph itself sends at most 60 per page). Pretty sessions average about
//! 55 KiB (3 KiB to about 160 KiB).
//!
//! # What the output covers
//!
//! * **Structure.** 1–6 segments per session, 1–4 media per segment, one or two streams per media (both
//!   `streamDirection`s). Media labels `main-audio`, `main-video`, `panoramic-video`,
//!   `applicationsharing-video`, `data` (and rarely an unlisted label), following the session
//!   `modalities` (`audio`, `video`, `screenSharing`, `videoBasedScreenSharing`, `data`). Audio streams
//!   carry the audio metrics, video and screen-sharing streams the video metrics, the others `null`.
//!   Some audio streams are "poor" by the Call Quality Dashboard rules (jitter, round trip or packet loss
//!   over the thresholds with more than 500 packets); some video streams have low frame rates.
//! * **Endpoints.** `participantEndpoint` (with `name`, `cpu*`, a `clientUserAgent`, the deprecated
//!   `identity` identitySet or `associatedIdentity`, and sometimes `feedback` with a `rating`, `text` and an
//!   open `tokens` set of booleans) and `serviceEndpoint` (with a `serviceUserAgent` and a `role`). Rarely
//!   an endpoint or user agent has no `@odata.type`, and a segment has no caller or callee.
//! * **Other types.** `failureInfo` sometimes (on sessions and segments), `networkInfo` with
//!   `traceRouteHops`, Wi-Fi fields on Wi-Fi connections, `deviceInfo` with every property,
//!   `organizer_v2`/`participants_v2` with `communicationsIdentitySet` identities, `administrativeUnitInfos`
//!   and the dynamic `acsUser: null` / `spoolUser: null` members.
//! * **Key order** is shuffled per object (about one object in eight keeps the docs' order).
//! * **Nulls** on nullable fields, both for metrics that do not apply and at random.
//! * **Text.** Display names, device names and feedback text with non-ASCII characters written raw
//!   (accents, CJK, Cyrillic, Arabic, emoji) and escaped (`\"`, `\\`, `\/`, `\n`, `\t`, `\u00e9`, surrogate
//!   pairs such as `\ud83d\ude00`). About one key in 400 is spelled with a `\u00XX` escape
//!   (`"c\u0061ller"`), which decodes to the known key.
//! * **Numbers.** Integers in Edm.Single fields (`"micGlitchRate": 23`, `"averagePacketLossRate": 0`),
//!   decimals with 1 to 8 fractional digits, rarely an exponent form (`1.5E-05`) or a trailing `.0`;
//!   negative Int32 values (signal levels); `linkSpeed` up to 4294967295; Int64 bandwidth estimates and
//!   packet counts.
//! * **Durations** in every form the model's pattern allows except negative ones: `PT0.016S`, `PT0.02S`,
//!   `PT0S`, `PT1S`, `PT0.0000001S`, 0 to 12 fractional digits (beyond 9 are sub-nanosecond),
//!   `PT1M2.5S`, `PT1H2M3S`, `P1DT2H`, `P0DT0.016S`, `P0D`, and `null`.
//! * **Timestamps** with 0, 3, 6 and 7 fractional digits (trailing zeros kept or trimmed), mostly `Z`,
//!   sometimes a `+01:00`, `-05:30` or `+00:00` offset (the local time is shifted to match, so the
//!   instant is the same). Stream start and end times appear only now and then, as for SIP streams.
//! * **Schema drift.** Now and then an undeclared key (a number, a string, `null`, an array or a nested
//!   object), an instance annotation such as `segments@odata.context`, `unknownFutureValue` in an
//!   evolvable enum, a made-up future member (`"quantumMesh"`), and `azureCommunicationServices` (the
//!   member after the sentinel in `productFamily`). The closed `mediaStreamDirection` is never unknown.
//!
//! Not generated: duplicate keys, invalid JSON, the `"NaN"`/`"INF"` number strings, negative durations,
//! and the PSTN/direct-routing log rows.
//!
//! ```
//! use callrecords::generate::{to_vec, GenOptions, Shape};
//! let options = GenOptions { seed: 7, target_bytes: 100_000, compact: false, shape: Shape::Sessions };
//! let doc = to_vec(&options);
//! assert!(doc.len() >= 100_000);
//! assert_eq!(doc, to_vec(&options)); // deterministic
//! ```

use std::io;

/// The document shape to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// `{"@odata.context", "value": [session...], "@odata.nextLink"}`.
    #[default]
    Sessions,
    /// A callRecord with its own fields and `"sessions": [...]`.
    CallRecord,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Seed of the deterministic pseudo-random sequence.
    pub seed: u64,
    /// Approximate output size in bytes (the document is closed just past it).
    pub target_bytes: usize,
    /// Compact (no whitespace) rather than pretty-printed output.
    pub compact: bool,
    /// Sessions page or callRecord document.
    pub shape: Shape,
}

/// Generates a whole document into a `Vec`.
pub fn to_vec(options: &GenOptions) -> Vec<u8> {
    let mut g = Gen::new(options);
    g.out
        .reserve(options.target_bytes.saturating_add(256 * 1024));
    while g.step() {}
    g.out
}

/// The generated document as a [`std::io::Read`]: the same bytes as [`to_vec`] for the same
/// options, produced one session at a time into an internal buffer that grows only to the largest
/// session (pretty sessions average about 55 KiB and stay under about 200 KiB), so memory does not
/// grow with `target_bytes`.
#[derive(Debug)]
pub struct GenReader {
    gen: Gen,
    pos: usize,
    done: bool,
}

impl GenReader {
    /// A reader over the document described by `options`.
    pub fn new(options: &GenOptions) -> Self {
        GenReader {
            gen: Gen::new(options),
            pos: 0,
            done: false,
        }
    }

    /// Bytes handed out so far.
    pub fn bytes_read(&self) -> u64 {
        self.gen.emitted + self.pos as u64
    }
}

impl io::Read for GenReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pos == self.gen.out.len() {
            if self.done {
                return Ok(0);
            }
            self.gen.emitted += self.gen.out.len() as u64;
            self.gen.out.clear();
            self.pos = 0;
            if !self.gen.step() {
                self.done = true;
            }
        }
        let avail = &self.gen.out[self.pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// Pseudo-random numbers

/// SplitMix64: tiny, fast, and the same on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    #[inline]
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    #[inline]
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists. Strings are JSON string *contents*, already escaped where they contain escapes.

/// Display names: plain, accented (raw and `\u` escaped), CJK, Cyrillic, Arabic, emoji (raw and as
/// surrogate pairs), and ones with `\"`, `\\`, `\/`, `\n`, `\t`.
const NAMES: &[&str] = &[
    "Abbie Wilkins",
    "Owen Franklin",
    "Megan Bowen",
    "Adele Vance",
    "Alex Wilber",
    "Lynne Robbins",
    "Diego Siciliani",
    "Patti Fernandez",
    "Zoë Ångström",
    "Ren\\u00e9e L\\u00e9vesque",
    "J\\u00fcrgen M\\u00fcller-Wei\\u00df",
    "Siobhán Ó Súilleabháin",
    "王小明",
    "佐藤 花子",
    "김민준",
    "Дмитрий Иванов",
    "محمد الأحمد",
    "José \\\"Pepe\\\" García",
    "Back\\\\slash Admin",
    "Line\\nBreak Guest",
    "Tab\\tSeparated",
    "Smiley \\ud83d\\ude00 Team",
    "🎧 Studio B",
    "Conference Room 4\\/12",
    "Ωmega Ψ Lab",
    "Nguyễn Văn An",
    "\\u00c9lodie Dupr\\u00e9",
    "Łukasz Żółć",
    "Priya Ramanathan",
    "Chloë \\ud83c\\udf89 Party",
];

const UPN_DOMAINS: &[&str] = &["contoso.com", "fabrikam.onmicrosoft.com", "contoso.co.jp"];

const CPU_NAMES: &[&str] = &[
    "AMD EPYC 7452 32-Core Processor",
    "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz",
    "Intel(R) Core(TM) i7-1185G7 @ 3.00GHz",
    "Apple M2 Pro",
    "Qualcomm(R) Snapdragon(TM) 8cx Gen 3 @ 3.0 GHz",
    "11th Gen Intel(R) Core(TM) i5-1145G7 @ 2.60GHz",
];

const MACHINE_NAMES: &[&str] = &[
    "machineName_1",
    "machineName_2",
    "DESKTOP-7Q2K3LM",
    "LAPTOP-ÆØÅ",
    "会議室-PC",
    "Mac\\u2019s MacBook Pro",
    "surface-hub-12",
];

const CLIENT_AGENTS: &[&str] = &[
    "RTCC/7.0.0.0 UCWA/7.0.0.0 AndroidLync/6.25.0.27 (SM-G930U Android 8.0.0)",
    "UCCAPI/16.0.12527.20122 OC/16.0.12527.20194 (Skype for Business)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Teams/1.6.00.1381",
    "CallSignalingAgent (49.1.0.0; Windows 10.0.22631; x64; MSTeams 24004.1403.2634.2418)",
    "Teams-iOS/6.2.0 (iPhone14,2; iOS 17.2)",
    "MicrosoftTeams-Room/4.19.57.0 (Windows_NT 10.0.19045)",
    "acs-web/1.21.1 azsdk-js-communication-calling/1.21.1",
];

const SERVICE_AGENTS: &[&str] = &[
    "Microsoft.Skype.Platform.MCU/1.0 (AudioVideoMcu)",
    "Microsoft.Graph.Communications.Bot/1.2.0 \\\"Recorder\\\"",
    "MediationServer/7.0.0.0 (PSTN gateway)",
    "CCA/2024.3.1 (Call queue \\u2192 agent)",
];

const DEVICE_NAMES: &[&str] = &[
    "Default input device",
    "Default output device",
    "Microphone (Microsoft Virtual Audio Device (Simple) (WDM))",
    "Speakers (Microsoft Virtual Audio Device (Simple) (WDM))",
    "Headset Microphone (Jabra Evolve2 85)",
    "Lautsprecher (Realtek(R) Audio)",
    "マイク (USB Audio Device)",
    "Haut-parleurs (Périphérique audio haute définition)",
    "AirPods Pro \\ud83c\\udfa7",
    "Echo \\\"Cancelling\\\" Speakerphone",
];

const DRIVERS: &[&str] = &[
    "Microsoft: 5.0.8638.1100",
    "Realtek Semiconductor Corp.: 6.0.9235.1",
    "Jabra: 2.12.0.0",
    "Apple Inc.: 1.0",
    "C:\\\\Windows\\\\System32\\\\drivers\\\\usbaudio.sys",
];

const FEEDBACK_TEXT: &[&str] = &[
    "The audio kept cutting out.",
    "Echo on the other side.\\nVideo froze twice.",
    "Très bien, merci !",
    "音声が途切れた",
    "Great call \\ud83d\\udc4d",
    "They said \\\"can you hear me?\\\" five times",
    "",
];

const FEEDBACK_TOKENS: &[&str] = &[
    "NoSound",
    "OtherNoSound",
    "Echo",
    "Noisy",
    "LowVolume",
    "Stopped",
    "DistortedSound",
    "Interruptions",
    "FrozenVideo",
    "PoorColor",
    "BlurryImage",
    "AudioVideoOutOfSync",
    "DarkVideo",
    "CallDropped",
];

const FAILURE_REASONS: &[&str] = &[
    "Unknown",
    "Call failed due to network issue",
    "The remote party did not answer (408 Request Timeout)",
    "Media connectivity failure: ICE negotiation \\\"failed\\\"",
    "Échec de l\\u2019établissement de l\\u2019appel",
];

const DNS_SUFFIXES: &[&str] = &["corp.contoso.com", "home", "fabrikam.local", "wlan.例え.jp"];

const WIFI_VENDORS: &[&str] = &[
    "Intel(R) Wi-Fi 6E AX211 160MHz",
    "Qualcomm Atheros QCA61x4A",
    "Realtek RTL8822CE 802.11ac PCIe Adapter",
    "Broadcom 802.11ac Network Adapter",
];

// Enum members, without `unknownFutureValue` (added by `Gen::enum_value` for evolvable enums).
const MODALITIES: &[&str] = &[
    "audio",
    "video",
    "videoBasedScreenSharing",
    "data",
    "screenSharing",
];
const CALL_TYPES: &[&str] = &["groupCall", "peerToPeer", "unknown"];
const AUDIO_CODECS: &[&str] = &[
    "opus",
    "satin",
    "satinFullband",
    "silk",
    "silkWide",
    "silkNarrow",
    "g722",
    "pcmu",
    "pcma",
    "amrWide",
    "g729",
    "g7221",
    "g7221c",
    "rtAudio8",
    "rtAudio16",
    "siren",
    "xmsRta",
    "multiChannelAudio",
    "muchv2",
    "cn",
    "unknown",
    "invalid",
];
const VIDEO_CODECS: &[&str] = &[
    "h264", "h264s", "h264uc", "h265", "av1", "rtVideo", "rtvc1", "xrtvc1", "h263", "unknown",
    "invalid",
];
const PLATFORMS: &[&str] = &[
    "windows",
    "macOS",
    "iOS",
    "android",
    "web",
    "ipPhone",
    "roomSystem",
    "surfaceHub",
    "holoLens",
    "unknown",
];
const PRODUCT_FAMILIES: &[&str] = &["teams", "skypeForBusiness", "lync", "unknown"];
const SERVICE_ROLES: &[&str] = &[
    "skypeForBusinessAudioVideoMcu",
    "skypeForBusinessApplicationSharingMcu",
    "mediationServer",
    "customBot",
    "conferencingAnnouncementService",
    "skypeForBusinessCallQueues",
    "skypeForBusinessAutoAttendant",
    "skypeForBusinessMicrosoftTeamsGateway",
    "mediationServerCloudConnectorEdition",
    "exchangeUnifiedMessagingService",
    "mediaController",
    "conferencingAttendant",
    "audioTeleconferencerController",
    "skypeForBusinessUnifiedCommunicationApplicationPlatform",
    "responseGroupServiceAnnouncementService",
    "gateway",
    "skypeTranslator",
    "skypeForBusinessAttendant",
    "responseGroupService",
    "voicemail",
    "unknown",
];
const RATINGS: &[&str] = &["notRated", "bad", "poor", "fair", "good", "excellent"];
const FAILURE_STAGES: &[&str] = &["callSetup", "midcall", "unknown"];
const CONNECTION_TYPES: &[&str] = &["wired", "wifi", "mobile", "tunnel", "unknown"];
const TRANSPORTS: &[&str] = &["udp", "tcp", "unknown"];
const WIFI_BANDS: &[&str] = &[
    "frequency24GHz",
    "frequency50GHz",
    "frequency60GHz",
    "unknown",
];
const WIFI_RADIOS: &[&str] = &[
    "wifi80211ac",
    "wifi80211ax",
    "wifi80211n",
    "wifi80211g",
    "wifi80211a",
    "wifi80211b",
    "unknown",
];
const ENDPOINT_TYPES: &[&str] = &[
    "default",
    "voicemail",
    "skypeForBusiness",
    "skypeForBusinessVoipPhone",
];
/// Made-up members a future service version might send.
const FUTURE_MEMBERS: &[&str] = &[
    "quantumMesh",
    "holographic",
    "satelliteLink",
    "futureMember42",
];

const SPACES: &[u8] = &[b' '; 256];

// ---------------------------------------------------------------------------------------------
// The generator

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Sessions,
    Done,
}

/// Top-level members of a callRecord document (besides `sessions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    Context,
    Id,
    Version,
    Type,
    Modalities,
    LastModified,
    Start,
    End,
    JoinWebUrl,
    OrganizerV2Context,
    OrganizerV2,
    ParticipantsV2Context,
    ParticipantsV2,
    ParticipantsV2NextLink,
    Organizer,
    Participants,
    SessionsNextLink,
    Drift,
}

/// The kind of a media stream, from the media label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Audio,
    Video,
    Screen,
    Data,
}

#[derive(Debug)]
struct Gen {
    rng: Rng,
    out: Vec<u8>,
    compact: bool,
    /// Per open container: true while it has no member yet.
    first: Vec<bool>,
    shape: Shape,
    target: u64,
    /// Bytes drained from `out` by a [`GenReader`].
    emitted: u64,
    state: State,
    api: &'static str,
    call_id: [u8; 36],
    tenant: [u8; 36],
    call_start: i64,
    /// Start of the next session, in nanoseconds since the Unix epoch.
    clock: i64,
    pre: Vec<Top>,
    post: Vec<Top>,
    sessions_context: bool,
    /// Seed of the person pool (person ids are derived from it).
    people_seed: u64,
}

const NS: i64 = 1_000_000_000;

impl Gen {
    fn new(options: &GenOptions) -> Self {
        let mut rng = Rng::new(options.seed ^ 0x6361_6c6c_7265_6373);
        let mut call_id = [0u8; 36];
        guid_into(&mut rng, &mut call_id);
        let mut tenant = [0u8; 36];
        guid_into(&mut rng, &mut tenant);
        let api = if rng.chance(700) { "v1.0" } else { "beta" };
        // 2020-01-01 .. ~2026-06.
        let call_start =
            (1_577_836_800 + rng.below(205_000_000) as i64) * NS + rng.below(NS as u64) as i64;
        let people_seed = rng.next();
        let mut g = Gen {
            rng,
            out: Vec::with_capacity(64 * 1024),
            compact: options.compact,
            first: Vec::with_capacity(32),
            shape: options.shape,
            target: options.target_bytes as u64,
            emitted: 0,
            state: State::Header,
            api,
            call_id,
            tenant,
            call_start,
            clock: call_start,
            pre: Vec::new(),
            post: Vec::new(),
            sessions_context: false,
            people_seed,
        };
        g.plan_top();
        g
    }

    fn total(&self) -> u64 {
        self.emitted + self.out.len() as u64
    }

    /// Writes the next piece (header, one session, or trailer). Returns false after the last piece.
    fn step(&mut self) -> bool {
        match self.state {
            State::Header => {
                self.header();
                self.state = State::Sessions;
                true
            }
            State::Sessions => {
                if self.total() < self.target {
                    self.elem();
                    self.session();
                    true
                } else {
                    self.trailer();
                    self.state = State::Done;
                    false
                }
            }
            State::Done => false,
        }
    }

    /// Decides which top-level members come before and after the sessions array.
    fn plan_top(&mut self) {
        match self.shape {
            Shape::Sessions => {
                self.pre = vec![Top::Context];
                if self.rng.chance(850) {
                    self.post.push(Top::SessionsNextLink);
                }
                if self.rng.chance(50) {
                    self.post.push(Top::Drift);
                }
            }
            Shape::CallRecord => {
                let mut keys = vec![
                    Top::Context,
                    Top::Version,
                    Top::Type,
                    Top::Modalities,
                    Top::LastModified,
                    Top::Start,
                    Top::End,
                    Top::Id,
                    Top::JoinWebUrl,
                    Top::OrganizerV2Context,
                    Top::OrganizerV2,
                    Top::ParticipantsV2Context,
                ];
                if self.rng.chance(400) {
                    keys.push(Top::ParticipantsV2);
                    if self.rng.chance(500) {
                        keys.push(Top::ParticipantsV2NextLink);
                    }
                }
                if self.rng.chance(300) {
                    keys.push(Top::Organizer);
                }
                if self.rng.chance(300) {
                    keys.push(Top::Participants);
                }
                if self.rng.chance(100) {
                    keys.push(Top::Drift);
                }
                if self.rng.chance(750) {
                    shuffle(&mut self.rng, &mut keys);
                }
                // `sessions` goes at a random position, most often at the end of the header.
                let at = if self.rng.chance(500) {
                    keys.len()
                } else {
                    self.rng.below(keys.len() as u64 + 1) as usize
                };
                self.post = keys.split_off(at);
                self.pre = keys;
                self.sessions_context = self.rng.chance(250);
                if self.rng.chance(850) {
                    self.post.insert(0, Top::SessionsNextLink);
                }
            }
        }
    }

    fn header(&mut self) {
        self.begin_obj();
        let pre = std::mem::take(&mut self.pre);
        for &t in &pre {
            self.top_field(t);
        }
        self.pre = pre;
        match self.shape {
            Shape::Sessions => self.key("value"),
            Shape::CallRecord => {
                if self.sessions_context {
                    self.key("sessions@odata.context");
                    self.context_url("/sessions(segments())");
                }
                self.key("sessions");
            }
        }
        self.begin_arr();
    }

    fn trailer(&mut self) {
        self.end_arr();
        let post = std::mem::take(&mut self.post);
        for &t in &post {
            self.top_field(t);
        }
        self.post = post;
        self.end_obj();
        if !self.compact {
            self.out.push(b'\n');
        }
    }

    fn push_call_id(&mut self) {
        let id = self.call_id;
        self.out.extend_from_slice(&id);
    }

    /// `"https://graph.microsoft.com/<api>/$metadata#communications/callRecords('<id>')<suffix>"`.
    fn context_url(&mut self, suffix: &str) {
        self.out
            .extend_from_slice(b"\"https://graph.microsoft.com/");
        self.out.extend_from_slice(self.api.as_bytes());
        self.out
            .extend_from_slice(b"/$metadata#communications/callRecords('");
        self.push_call_id();
        self.out.extend_from_slice(b"')");
        self.out.extend_from_slice(suffix.as_bytes());
        self.out.push(b'"');
    }

    /// A request URL with a skip token: `https://graph.microsoft.com/<api>/communications/callRecords/<id><suffix>`.
    fn next_link(&mut self, suffix: &str) {
        self.out
            .extend_from_slice(b"\"https://graph.microsoft.com/");
        self.out.extend_from_slice(self.api.as_bytes());
        self.out.extend_from_slice(b"/communications/callRecords/");
        self.push_call_id();
        self.out.extend_from_slice(suffix.as_bytes());
        let token = self.rng.next();
        self.hex(token, 16);
        self.out.push(b'"');
    }

    fn top_field(&mut self, t: Top) {
        match t {
            Top::Context => {
                self.key("@odata.context");
                match self.shape {
                    Shape::Sessions => self.context_url("/sessions"),
                    Shape::CallRecord => {
                        self.out
                            .extend_from_slice(b"\"https://graph.microsoft.com/");
                        self.out.extend_from_slice(self.api.as_bytes());
                        self.out.extend_from_slice(
                            b"/$metadata#communications/callRecords(sessions(segments()))/$entity\"",
                        );
                    }
                }
            }
            Top::Id => {
                self.key("id");
                self.out.push(b'"');
                self.push_call_id();
                self.out.push(b'"');
            }
            Top::Version => {
                self.key("version");
                let v = if self.rng.chance(100) {
                    self.rng.range(1 << 32, 1 << 40)
                } else {
                    self.rng.range(1, 40)
                };
                self.uint(v);
            }
            Top::Type => {
                self.key("type");
                self.enum_value(CALL_TYPES, true);
            }
            Top::Modalities => {
                self.key("modalities");
                let m = self.rng.range(1, 31) as u32;
                self.modalities(m | 1);
            }
            Top::LastModified => {
                self.key("lastModifiedDateTime");
                let t = self.call_start + 7_200 * NS + self.rng.below(3_600 * NS as u64) as i64;
                self.timestamp(t);
            }
            Top::Start => {
                self.key("startDateTime");
                self.timestamp(self.call_start);
            }
            Top::End => {
                self.key("endDateTime");
                let t = self.call_start + self.rng.range(60, 7_200) as i64 * NS + 1_234_567;
                self.timestamp(t);
            }
            Top::JoinWebUrl => {
                self.key("joinWebUrl");
                if self.rng.chance(300) {
                    self.null();
                } else {
                    self.out.extend_from_slice(
                        b"\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_",
                    );
                    let a = self.rng.next();
                    self.hex(a, 16);
                    self.out
                        .extend_from_slice(b"%40thread.v2/0?context=%7b%22Tid%22%3a%22");
                    let tenant = self.tenant;
                    self.out.extend_from_slice(&tenant);
                    self.out.extend_from_slice(b"%22%7d\"");
                }
            }
            Top::OrganizerV2Context => {
                self.key("organizer_v2@odata.context");
                self.context_url("/organizer_v2/$entity");
            }
            Top::OrganizerV2 => {
                self.key("organizer_v2");
                self.participant_base();
            }
            Top::ParticipantsV2Context => {
                self.key("participants_v2@odata.context");
                self.context_url("/participants_v2/$entity");
            }
            Top::ParticipantsV2 => {
                self.key("participants_v2");
                self.begin_arr();
                for _ in 0..self.rng.range(1, 5) {
                    self.elem();
                    self.participant_base();
                }
                self.end_arr();
            }
            Top::ParticipantsV2NextLink => {
                self.key("participants_v2@odata.nextLink");
                self.next_link("/participants_v2?$skiptoken=");
            }
            Top::Organizer => {
                self.key("organizer");
                self.identity_set(false);
            }
            Top::Participants => {
                self.key("participants");
                self.begin_arr();
                for _ in 0..self.rng.range(0, 4) {
                    self.elem();
                    self.identity_set(false);
                }
                self.end_arr();
            }
            Top::SessionsNextLink => {
                match self.shape {
                    Shape::Sessions => self.key("@odata.nextLink"),
                    Shape::CallRecord => self.key("sessions@odata.nextLink"),
                }
                self.next_link("/sessions?$expand=segments&$skiptoken=");
            }
            Top::Drift => self.drift_member(),
        }
    }

    // ---- JSON writing primitives ----

    #[inline]
    fn newline(&mut self) {
        if !self.compact {
            let n = (self.first.len() * 4).min(SPACES.len());
            self.out.push(b'\n');
            self.out.extend_from_slice(&SPACES[..n]);
        }
    }

    /// The separator before a member or element: `,` unless first, then the newline and indent.
    #[inline]
    fn elem(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.out.push(b',');
            }
        }
        self.newline();
    }

    /// Writes a key (with its separator before and `:` after). About one key in 400 is spelled with a
    /// `\u00XX` escape for one of its letters.
    #[inline]
    fn key(&mut self, k: &str) {
        self.elem();
        self.out.push(b'"');
        if self.rng.chance(3) {
            let bytes = k.as_bytes();
            match bytes.iter().position(|b| b.is_ascii_lowercase()) {
                Some(i) => {
                    self.out.extend_from_slice(&bytes[..i]);
                    self.out.extend_from_slice(b"\\u00");
                    let hex: &[u8; 16] = if self.rng.chance(500) {
                        b"0123456789abcdef"
                    } else {
                        b"0123456789ABCDEF"
                    };
                    self.out.push(hex[usize::from(bytes[i] >> 4)]);
                    self.out.push(hex[usize::from(bytes[i] & 15)]);
                    self.out.extend_from_slice(&bytes[i + 1..]);
                }
                None => self.out.extend_from_slice(bytes),
            }
        } else {
            self.out.extend_from_slice(k.as_bytes());
        }
        self.out
            .extend_from_slice(if self.compact { b"\":" } else { b"\": " });
    }

    fn begin_obj(&mut self) {
        self.out.push(b'{');
        self.first.push(true);
    }

    fn end_obj(&mut self) {
        let empty = self.first.pop().unwrap_or(true);
        if !empty {
            self.newline();
        }
        self.out.push(b'}');
    }

    fn begin_arr(&mut self) {
        self.out.push(b'[');
        self.first.push(true);
    }

    fn end_arr(&mut self) {
        let empty = self.first.pop().unwrap_or(true);
        if !empty {
            self.newline();
        }
        self.out.push(b']');
    }

    /// An object whose `N` members are written by `f(self, index)` in a shuffled order (about one
    /// object in eight keeps the declared order). `f` may write nothing for an absent member.
    #[inline]
    fn object<const N: usize>(&mut self, mut f: impl FnMut(&mut Self, usize)) {
        let mut order: [u8; N] = core::array::from_fn(|i| i as u8);
        if !self.rng.chance(125) {
            shuffle(&mut self.rng, &mut order);
        }
        self.begin_obj();
        for i in order {
            f(self, usize::from(i));
        }
        self.end_obj();
    }

    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    fn boolean(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" as &[u8] } else { b"false" });
    }

    /// A string from a list of already-escaped contents.
    fn str_from(&mut self, items: &[&str]) {
        let s = self.rng.pick(items);
        self.str_raw(s);
    }

    fn str_raw(&mut self, s: &str) {
        self.out.push(b'"');
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'"');
    }

    #[inline]
    fn uint(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&buf[i..]);
    }

    fn int(&mut self, v: i64) {
        if v < 0 {
            self.out.push(b'-');
        }
        self.uint(v.unsigned_abs());
    }

    /// `digits` lowercase hex digits of `v` (lowest digits).
    fn hex(&mut self, v: u64, digits: u32) {
        for i in (0..digits).rev() {
            self.out
                .push(b"0123456789abcdef"[((v >> (i * 4)) & 15) as usize]);
        }
    }

    /// `digits` decimal digits of `v`, zero-padded.
    fn padded(&mut self, v: u64, digits: u32) {
        let mut buf = [b'0'; 20];
        let mut v = v;
        let n = digits as usize;
        for i in (0..n).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.out.extend_from_slice(&buf[..n]);
    }

    fn guid(&mut self) {
        let mut id = [0u8; 36];
        guid_into(&mut self.rng, &mut id);
        self.out.push(b'"');
        self.out.extend_from_slice(&id);
        self.out.push(b'"');
    }

    /// An Edm.Single value `int + frac / 10^digits`, written without trailing zeros, as an integer
    /// when the fraction is zero (now and then with `.0`, or in exponent form).
    fn fixed(&mut self, int: u64, frac: u64, digits: u32) {
        let mut frac = frac;
        let mut digits = digits;
        while digits > 0 && frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        if int == 0 && digits >= 4 && self.rng.chance(40) {
            // 0.00001234 → 1.234E-05
            let lead = digits - count_digits(frac);
            let exp = lead + 1;
            let mant_digits = count_digits(frac) - 1;
            let p = 10u64.pow(mant_digits);
            self.uint(frac / p);
            if mant_digits > 0 {
                self.out.push(b'.');
                self.padded(frac % p, mant_digits);
            }
            self.out
                .extend_from_slice(if self.rng.chance(500) { b"E-" } else { b"e-" });
            self.padded(u64::from(exp), 2);
            return;
        }
        self.uint(int);
        if digits > 0 {
            self.out.push(b'.');
            self.padded(frac, digits);
        } else if self.rng.chance(30) {
            self.out.extend_from_slice(b".0");
        }
    }

    /// A ratio in `0..=max_percent/100`, often exactly 0, with 1 to 8 fractional digits.
    fn ratio(&mut self, zero_per_mille: u64, max_percent: u64) {
        if self.rng.chance(zero_per_mille) {
            self.out.push(b'0');
            return;
        }
        let digits = self.rng.range(1, 8) as u32;
        let scale = 10u64.pow(digits);
        let v = self.rng.below(max_percent * scale / 100 + 1);
        self.fixed(v / scale, v % scale, digits);
    }

    /// A nullable Single from `lo..=hi` (integers), with random decimals.
    fn single(&mut self, lo: u64, hi: u64, int_per_mille: u64) {
        let int = self.rng.range(lo, hi);
        if self.rng.chance(int_per_mille) {
            self.uint(int);
        } else {
            let digits = self.rng.range(1, 6) as u32;
            let frac = self.rng.below(10u64.pow(digits));
            self.fixed(int, frac, digits);
        }
    }

    /// An evolvable (`evolvable = true`) or closed enum member; evolvable ones are now and then
    /// `unknownFutureValue` or a made-up future member.
    fn enum_value(&mut self, members: &[&str], evolvable: bool) {
        if evolvable {
            let r = self.rng.below(1000);
            if r < 4 {
                self.str_raw("unknownFutureValue");
                return;
            }
            if r < 6 {
                self.str_from(FUTURE_MEMBERS);
                return;
            }
        }
        // Favour the first members (the realistic ones).
        let i = if self.rng.chance(700) {
            self.rng.below((members.len() as u64).min(3))
        } else {
            self.rng.below(members.len() as u64)
        };
        self.str_raw(members[i as usize]);
    }

    /// `modalities` from a bit set over [`MODALITIES`].
    fn modalities(&mut self, bits: u32) {
        self.begin_arr();
        for (i, m) in MODALITIES.iter().enumerate() {
            if bits & (1 << i) != 0 {
                self.elem();
                self.str_raw(m);
            }
        }
        if self.rng.chance(3) {
            self.elem();
            self.str_raw("unknownFutureValue");
        }
        self.end_arr();
    }

    /// An Edm.DateTimeOffset for `t` (nanoseconds since the Unix epoch, UTC).
    fn timestamp(&mut self, t: i64) {
        let offset_min: i64 = match self.rng.below(1000) {
            0..=29 => 60,
            30..=49 => -330,
            50..=59 => 0,
            60..=64 => 345,
            _ => i64::MIN,
        };
        let local = t + if offset_min == i64::MIN {
            0
        } else {
            offset_min * 60 * NS
        };
        let secs = local.div_euclid(NS);
        let nanos = local.rem_euclid(NS) as u64;
        let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400) as u64;
        self.out.push(b'"');
        self.padded(y as u64, 4);
        self.out.push(b'-');
        self.padded(u64::from(mo), 2);
        self.out.push(b'-');
        self.padded(u64::from(d), 2);
        self.out.push(b'T');
        self.padded(sod / 3600, 2);
        self.out.push(b':');
        self.padded(sod / 60 % 60, 2);
        self.out.push(b':');
        self.padded(sod % 60, 2);
        let (frac, digits) = match self.rng.below(100) {
            0..=44 => (nanos / 100, 7),
            45..=69 => (nanos / 1000, 6),
            70..=84 => (0, 0),
            85..=89 => (nanos / 1_000_000, 3),
            _ => {
                // .NET round-trip style with trailing zeros trimmed.
                let mut f = nanos / 100;
                let mut d = 7;
                while d > 0 && f.is_multiple_of(10) {
                    f /= 10;
                    d -= 1;
                }
                (f, d)
            }
        };
        if digits > 0 {
            self.out.push(b'.');
            self.padded(frac, digits);
        }
        if offset_min == i64::MIN {
            self.out.push(b'Z');
        } else {
            self.out.push(if offset_min < 0 { b'-' } else { b'+' });
            let o = offset_min.unsigned_abs();
            self.padded(o / 60, 2);
            self.out.push(b':');
            self.padded(o % 60, 2);
        }
        self.out.push(b'"');
    }

    /// An Edm.Duration for `nanos`, in one of the forms the model's pattern allows.
    fn duration(&mut self, nanos: u64) {
        self.out.extend_from_slice(b"\"P");
        let r = self.rng.below(1000);
        let mut secs = nanos / NS as u64;
        let mut frac = nanos % NS as u64; // 9 digits
        let mut digits = 9u32;
        let mut extra = 0u32; // sub-nanosecond digits
        match r {
            // Graph's usual millisecond form: PT0.016S, PT0.02S, PT1S, PT0S.
            0..=699 => {
                frac /= 1_000_000;
                digits = 3;
            }
            // Full nanoseconds.
            700..=799 => {}
            // .NET ticks: 7 digits, trailing zeros kept (PT0.0160000S, PT0.0000001S).
            800..=859 => {
                frac /= 100;
                digits = 7;
            }
            // More than 9 digits.
            860..=899 => extra = self.rng.range(1, 3) as u32,
            _ => {}
        }
        let trim = !(800..=859).contains(&r);
        if trim {
            while digits > 0 && frac.is_multiple_of(10) {
                frac /= 10;
                digits -= 1;
            }
        }
        let zero = secs == 0 && frac == 0 && extra == 0;
        if zero && (900..=929).contains(&r) {
            self.out.extend_from_slice(b"0D\"");
            return;
        }
        // Days, hours and minutes.
        let split = (900..=999).contains(&r);
        if split || secs >= 86_400 {
            let days = secs / 86_400;
            if days > 0 || r >= 970 {
                self.uint(days);
                self.out.push(b'D');
            }
            secs %= 86_400;
        }
        self.out.push(b'T');
        if split || secs >= 3_600 {
            let h = secs / 3600;
            if h > 0 {
                self.uint(h);
                self.out.push(b'H');
            }
            secs %= 3600;
            let m = secs / 60;
            if m > 0 || r >= 950 {
                self.uint(m);
                self.out.push(b'M');
            }
            secs %= 60;
            if secs == 0 && frac == 0 && extra == 0 && r < 990 {
                // `PT1H`, `P1DT2M`: no seconds component.
                if self.out.last() == Some(&b'T') {
                    self.out.extend_from_slice(b"0S");
                }
                self.out.push(b'"');
                return;
            }
        }
        self.uint(secs);
        if digits > 0 || extra > 0 {
            self.out.push(b'.');
            self.padded(frac, digits);
            if extra > 0 {
                let e = self.rng.below(10u64.pow(extra));
                self.padded(e, extra);
            }
        }
        self.out.extend_from_slice(b"S\"");
    }

    /// A freeze duration: usually under `hi_ms` milliseconds, now and then minutes, hours or days
    /// (so the `M`, `H` and `D` designators appear in real fields).
    fn freeze_duration(&mut self, hi_ms: u64) {
        if self.rng.chance(50) {
            let secs = self
                .rng
                .pick(&[62u64, 75, 3_600, 3_723, 7_260, 86_400, 93_600]);
            let frac = if self.rng.chance(500) { 500_000_000 } else { 0 };
            self.duration(secs * NS as u64 + frac);
        } else {
            self.duration_ms(0, hi_ms);
        }
    }

    /// A nullable duration between `lo_ms` and `hi_ms` milliseconds (with sub-millisecond digits).
    fn duration_ms(&mut self, lo_ms: u64, hi_ms: u64) {
        let mut ms = self.rng.range(lo_ms, hi_ms);
        if self.rng.chance(30) {
            // Whole seconds: `PT0S`, `PT1S`, `PT2S`.
            ms = (ms + 500) / 1000 * 1000;
        }
        let sub = if self.rng.chance(300) {
            self.rng.below(1_000_000)
        } else {
            0
        };
        self.duration(ms * 1_000_000 + sub);
    }

    /// An undeclared member (schema drift).
    fn drift_member(&mut self) {
        match self.rng.below(8) {
            0 => {
                self.key("newFutureMetricRatio");
                self.ratio(100, 100);
            }
            1 => {
                self.key("x-ms-debug");
                self.begin_obj();
                self.key("trace");
                self.begin_arr();
                for i in 0..3 {
                    self.elem();
                    self.uint(i);
                }
                self.end_arr();
                self.key("ok");
                self.boolean(true);
                self.key("nested");
                self.begin_obj();
                self.key("note");
                self.str_raw("caf\\u00e9 \\ud83d\\ude80");
                self.end_obj();
                self.end_obj();
            }
            2 => {
                self.key("experimentalFlags");
                self.begin_arr();
                self.elem();
                self.str_raw("aiNoiseSuppression");
                self.elem();
                self.str_raw("spatialAudio");
                self.end_arr();
            }
            3 => {
                self.key("vendorNote");
                self.null();
            }
            4 => {
                self.key("régionDeDonnées");
                self.str_raw("EU-Ouest");
            }
            5 => {
                self.key("emptyThing");
                self.begin_obj();
                self.end_obj();
            }
            6 => {
                self.key("qualityScore@odata.type");
                self.str_raw("#Single");
            }
            _ => {
                self.key("largeCounter");
                self.uint(9_007_199_254_740_993);
            }
        }
    }

    /// Writes a drift member with probability `per_mille / 1000` (for the last index of `object`).
    fn maybe_drift(&mut self, per_mille: u64) {
        if self.rng.chance(per_mille) {
            self.drift_member();
        }
    }

    // ---- callRecords types ----

    /// One person: an id (stable per person index), a display name and a user principal name.
    fn person(&mut self) -> (u32, [u8; 36]) {
        let p = self.rng.below(NAMES.len() as u64 * 4) as u32;
        let mut r = Rng::new(self.people_seed ^ u64::from(p).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut id = [0u8; 36];
        guid_into(&mut r, &mut id);
        (p, id)
    }

    fn user_fields(&mut self, p: u32, id: &[u8; 36], upn: bool, tenant_id: bool) {
        let idx = p as usize % NAMES.len();
        self.object::<6>(|g, i| match i {
            0 => {
                g.key("id");
                g.out.push(b'"');
                g.out.extend_from_slice(id);
                g.out.push(b'"');
            }
            1 => {
                g.key("displayName");
                if g.rng.chance(20) {
                    g.null();
                } else {
                    g.str_raw(NAMES[idx]);
                }
            }
            2 if tenant_id => {
                g.key("tenantId");
                g.out.push(b'"');
                let t = g.tenant;
                g.out.extend_from_slice(&t);
                g.out.push(b'"');
            }
            3 if upn => {
                g.key("userPrincipalName");
                g.out.push(b'"');
                g.out.extend_from_slice(b"user");
                g.uint(u64::from(p));
                g.out.push(b'@');
                let d = UPN_DOMAINS[p as usize % UPN_DOMAINS.len()];
                g.out.extend_from_slice(d.as_bytes());
                g.out.push(b'"');
            }
            4 if upn && g.rng.chance(100) => {
                g.key("@odata.type");
                g.str_raw("#microsoft.graph.callRecords.userIdentity");
            }
            5 => g.maybe_drift(5),
            _ => {}
        });
    }

    /// `identitySet` (deprecated `identity`, `organizer`, `participants`).
    fn identity_set(&mut self, typed: bool) {
        let (p, id) = self.person();
        let typed = typed && self.rng.chance(500);
        self.object::<5>(|g, i| match i {
            0 if typed => {
                g.key("@odata.type");
                g.str_raw("#microsoft.graph.identitySet");
            }
            1 => {
                g.key("user");
                g.user_fields(p, &id, false, true);
            }
            2 if g.rng.chance(200) => {
                g.key("application");
                g.null();
            }
            3 if g.rng.chance(200) => {
                g.key("device");
                g.null();
            }
            4 => g.maybe_drift(5),
            _ => {}
        });
    }

    /// `organizer` / `participant` (participantBase) with a `communicationsIdentitySet`.
    fn participant_base(&mut self) {
        let (p, id) = self.person();
        self.object::<3>(|g, i| match i {
            0 => {
                g.key("id");
                g.out.push(b'"');
                g.out.extend_from_slice(&id);
                g.out.push(b'"');
            }
            1 => {
                g.key("identity");
                g.object::<8>(|g, j| match j {
                    0 => {
                        g.key("user");
                        g.user_fields(p, &id, false, true);
                    }
                    1 => {
                        g.key("acsUser");
                        g.null();
                    }
                    2 => {
                        g.key("spoolUser");
                        g.null();
                    }
                    3 if g.rng.chance(300) => {
                        g.key("endpointType");
                        g.enum_value(ENDPOINT_TYPES, true);
                    }
                    4 if g.rng.chance(200) => {
                        g.key("guest");
                        g.null();
                    }
                    5 if g.rng.chance(200) => {
                        g.key("phone");
                        g.object::<2>(|g, k| match k {
                            0 => {
                                g.key("id");
                                g.str_raw("+1 425 555 0100");
                            }
                            _ => {
                                g.key("displayName");
                                g.null();
                            }
                        });
                    }
                    6 if g.rng.chance(100) => {
                        g.key("@odata.type");
                        g.str_raw("#microsoft.graph.communicationsIdentitySet");
                    }
                    7 => g.maybe_drift(5),
                    _ => {}
                });
            }
            _ => {
                if g.rng.chance(300) {
                    g.key("administrativeUnitInfos");
                    g.begin_arr();
                    for _ in 0..g.rng.range(0, 2) {
                        g.elem();
                        g.object::<1>(|g, _| {
                            g.key("id");
                            g.guid();
                        });
                    }
                    g.end_arr();
                }
            }
        });
    }

    /// A caller or callee endpoint. Uses its own sequence from `seed`, so a session's caller and the
    /// same caller in its segments come out the same.
    fn endpoint(&mut self, seed: u64) {
        let saved = std::mem::replace(&mut self.rng, Rng::new(seed));
        let service = self.rng.chance(150);
        let typed = !self.rng.chance(20);
        if service {
            self.object::<3>(|g, i| match i {
                0 if typed => {
                    g.key("@odata.type");
                    g.str_raw("#microsoft.graph.callRecords.serviceEndpoint");
                }
                1 => {
                    g.key("userAgent");
                    g.service_user_agent();
                }
                2 => g.maybe_drift(5),
                _ => {}
            });
        } else {
            let (p, id) = self.person();
            let deprecated = self.rng.chance(500);
            let feedback = self.rng.chance(150);
            let cpu = self.rng.chance(600);
            let cpu_idx = self.rng.below(CPU_NAMES.len() as u64) as usize;
            self.object::<11>(|g, i| match i {
                0 if typed => {
                    g.key("@odata.type");
                    g.str_raw("#microsoft.graph.callRecords.participantEndpoint");
                }
                1 => {
                    g.key("userAgent");
                    g.client_user_agent();
                }
                2 if deprecated => {
                    g.key("identity");
                    // identitySet, as in the v1.0 list-sessions examples.
                    let t = g.rng.chance(500);
                    g.object::<2>(|g, j| match j {
                        0 if t => {
                            g.key("@odata.type");
                            g.str_raw("#microsoft.graph.identitySet");
                        }
                        1 => {
                            g.key("user");
                            g.user_fields(p, &id, false, true);
                        }
                        _ => {}
                    });
                }
                3 if !deprecated => {
                    g.key("associatedIdentity");
                    g.user_fields(p, &id, true, true);
                }
                4 if feedback => {
                    g.key("feedback");
                    g.feedback();
                }
                5 if g.rng.chance(700) => {
                    g.key("name");
                    g.str_from(MACHINE_NAMES);
                }
                6 if cpu => {
                    g.key("cpuName");
                    g.str_raw(CPU_NAMES[cpu_idx]);
                }
                7 if cpu => {
                    g.key("cpuCoresCount");
                    let c = g.rng.pick(&[2, 4, 8, 12, 16, 64]);
                    g.uint(c);
                }
                8 if cpu && g.rng.chance(900) => {
                    g.key("cpuProcessorSpeedInMhz");
                    if g.rng.chance(50) {
                        g.null();
                    } else {
                        let s = g.rng.range(1_200, 4_800);
                        g.uint(s);
                    }
                }
                9 if !typed && g.rng.chance(300) => {
                    g.key("@odata.type");
                    g.str_raw("#microsoft.graph.callRecords.endpoint");
                }
                10 => g.maybe_drift(8),
                _ => {}
            });
        }
        self.rng = saved;
    }

    fn client_user_agent(&mut self) {
        let typed = !self.rng.chance(20);
        self.object::<8>(|g, i| match i {
            0 if typed => {
                g.key("@odata.type");
                g.str_raw("#microsoft.graph.callRecords.clientUserAgent");
            }
            1 => {
                g.key("headerValue");
                if g.rng.chance(30) {
                    g.null();
                } else {
                    g.str_from(CLIENT_AGENTS);
                }
            }
            2 => {
                g.key("platform");
                g.enum_value(PLATFORMS, true);
            }
            3 => {
                g.key("productFamily");
                if g.rng.chance(30) {
                    g.str_raw("azureCommunicationServices");
                } else {
                    g.enum_value(PRODUCT_FAMILIES, true);
                }
            }
            4 if g.rng.chance(300) => {
                g.key("applicationVersion");
                g.str_raw("1.6.00.1381");
            }
            5 if g.rng.chance(200) => {
                g.key("azureADAppId");
                if g.rng.chance(300) {
                    g.null();
                } else {
                    g.guid();
                }
            }
            6 if g.rng.chance(100) => {
                g.key("communicationServiceId");
                g.guid();
            }
            7 => g.maybe_drift(5),
            _ => {}
        });
    }

    fn service_user_agent(&mut self) {
        self.object::<5>(|g, i| match i {
            0 => {
                g.key("@odata.type");
                g.str_raw("#microsoft.graph.callRecords.serviceUserAgent");
            }
            1 => {
                g.key("headerValue");
                g.str_from(SERVICE_AGENTS);
            }
            2 => {
                g.key("role");
                g.enum_value(SERVICE_ROLES, true);
            }
            3 if g.rng.chance(400) => {
                g.key("applicationVersion");
                if g.rng.chance(200) {
                    g.null();
                } else {
                    g.str_raw("2024.10.2");
                }
            }
            4 => g.maybe_drift(5),
            _ => {}
        });
    }

    fn feedback(&mut self) {
        self.object::<4>(|g, i| match i {
            0 => {
                g.key("rating");
                g.enum_value(RATINGS, true);
            }
            1 if g.rng.chance(400) => {
                g.key("text");
                if g.rng.chance(200) {
                    g.null();
                } else {
                    g.str_from(FEEDBACK_TEXT);
                }
            }
            2 => {
                g.key("tokens");
                if g.rng.chance(30) {
                    g.null();
                    return;
                }
                g.begin_obj();
                let n = g.rng.range(0, 8);
                let start = g.rng.below(FEEDBACK_TOKENS.len() as u64) as usize;
                for k in 0..n as usize {
                    g.key(FEEDBACK_TOKENS[(start + k) % FEEDBACK_TOKENS.len()]);
                    let b = g.rng.chance(250);
                    g.boolean(b);
                }
                if g.rng.chance(50) {
                    g.key("HolographicGlitch");
                    g.boolean(true);
                }
                g.end_obj();
            }
            3 => g.maybe_drift(5),
            _ => {}
        });
    }

    fn failure_info(&mut self) {
        self.object::<3>(|g, i| match i {
            0 => {
                g.key("stage");
                g.enum_value(FAILURE_STAGES, true);
            }
            1 => {
                g.key("reason");
                if g.rng.chance(100) {
                    g.null();
                } else {
                    g.str_from(FAILURE_REASONS);
                }
            }
            _ => g.maybe_drift(5),
        });
    }

    fn session(&mut self) {
        let dur = self.rng.range(5, 3_600) as i64 * NS + self.rng.below(NS as u64) as i64;
        let start = self.clock;
        let end = start + dur;
        // Sessions overlap and move on.
        self.clock += self.rng.below(dur as u64 / 2 + NS as u64) as i64;
        let mut bits = 1u32; // audio
        if self.rng.chance(450) {
            bits |= 1 << 1;
        }
        if self.rng.chance(250) {
            bits |= 1 << 4;
        }
        if self.rng.chance(80) {
            bits |= 1 << 2;
        }
        if self.rng.chance(60) {
            bits |= 1 << 3;
        }
        if self.rng.chance(30) {
            bits &= !1; // no audio
            if bits == 0 {
                bits = 1 << 4;
            }
        }
        let caller_seed = self.rng.next();
        let callee_seed = self.rng.next();
        let legacy = self.rng.chance(100);
        let n_segments = self.rng.range(1, 6);
        let mut sid = [0u8; 36];
        guid_into(&mut self.rng, &mut sid);
        self.object::<10>(|g, i| match i {
            0 => {
                g.key("id");
                g.out.push(b'"');
                g.out.extend_from_slice(&sid);
                g.out.push(b'"');
            }
            1 => {
                g.key("modalities");
                g.modalities(bits);
            }
            2 => {
                g.key("startDateTime");
                g.timestamp(start);
            }
            3 => {
                g.key("endDateTime");
                g.timestamp(end);
            }
            4 if g.rng.chance(700) => {
                g.key("isTest");
                if g.rng.chance(50) {
                    g.null();
                } else {
                    let t = g.rng.chance(20);
                    g.boolean(t);
                }
            }
            5 => {
                g.key("caller");
                g.endpoint(caller_seed);
            }
            6 => {
                g.key("callee");
                g.endpoint(callee_seed);
            }
            7 => {
                let r = g.rng.below(1000);
                if r < 60 {
                    g.key("failureInfo");
                    g.failure_info();
                } else if r < 120 {
                    g.key("failureInfo");
                    g.null();
                }
            }
            8 => {
                if legacy {
                    g.key("segments@odata.context");
                    g.context_url("/sessions('");
                    g.out.pop(); // reopen the string to append the session id
                    g.out.extend_from_slice(&sid);
                    g.out.extend_from_slice(b"')/segments\"");
                }
                g.key("segments");
                g.begin_arr();
                let seg_len = dur / n_segments as i64;
                for s in 0..n_segments as i64 {
                    g.elem();
                    g.segment(
                        start + s * seg_len,
                        start + (s + 1) * seg_len,
                        bits,
                        caller_seed,
                        callee_seed,
                    );
                }
                g.end_arr();
            }
            _ => g.maybe_drift(20),
        });
    }

    fn segment(&mut self, start: i64, end: i64, bits: u32, caller_seed: u64, callee_seed: u64) {
        // Media follow the session modalities.
        let mut labels: [(&'static str, Kind); 6] = [("", Kind::Data); 6];
        let mut n = 0;
        if bits & 1 != 0 {
            labels[n] = ("main-audio", Kind::Audio);
            n += 1;
        }
        if bits & (1 << 1) != 0 && self.rng.chance(800) {
            labels[n] = if self.rng.chance(900) {
                ("main-video", Kind::Video)
            } else {
                ("panoramic-video", Kind::Video)
            };
            n += 1;
        }
        if bits & ((1 << 4) | (1 << 2)) != 0 && self.rng.chance(700) {
            labels[n] = ("applicationsharing-video", Kind::Screen);
            n += 1;
        }
        if bits & (1 << 3) != 0 && self.rng.chance(500) {
            labels[n] = ("data", Kind::Data);
            n += 1;
        }
        if self.rng.chance(10) {
            labels[n] = ("transcription-audio", Kind::Audio);
            n += 1;
        }
        let no_caller = self.rng.chance(20);
        let no_callee = self.rng.chance(20);
        self.object::<7>(|g, i| match i {
            0 => {
                g.key("id");
                g.guid();
            }
            1 => {
                g.key("startDateTime");
                g.timestamp(start);
            }
            2 => {
                g.key("endDateTime");
                g.timestamp(end);
            }
            3 if !no_caller => {
                g.key("caller");
                let seed = if g.rng.chance(800) {
                    caller_seed
                } else {
                    g.rng.next()
                };
                g.endpoint(seed);
            }
            4 if !no_callee => {
                g.key("callee");
                let seed = if g.rng.chance(800) {
                    callee_seed
                } else {
                    g.rng.next()
                };
                g.endpoint(seed);
            }
            5 => {
                if g.rng.chance(40) {
                    g.key("failureInfo");
                    g.failure_info();
                }
                if g.rng.chance(20) {
                    g.key("media");
                    g.null();
                    return;
                }
                g.key("media");
                g.begin_arr();
                for &(label, kind) in &labels[..n] {
                    g.elem();
                    g.media(label, kind, start, end);
                }
                g.end_arr();
            }
            _ => g.maybe_drift(10),
        });
    }

    fn media(&mut self, label: &'static str, kind: Kind, start: i64, end: i64) {
        let caller_wifi = self.rng.chance(350);
        let callee_wifi = self.rng.chance(200);
        self.object::<7>(|g, i| match i {
            0 => {
                g.key("label");
                if g.rng.chance(10) {
                    g.null();
                } else {
                    g.str_raw(label);
                }
            }
            1 => {
                g.key("callerNetwork");
                g.network(caller_wifi);
            }
            2 => {
                g.key("calleeNetwork");
                g.network(callee_wifi);
            }
            3 => {
                g.key("callerDevice");
                g.device(kind);
            }
            4 => {
                g.key("calleeDevice");
                g.device(kind);
            }
            5 => {
                g.key("streams");
                if g.rng.chance(10) {
                    g.null();
                    return;
                }
                g.begin_arr();
                let both = !g.rng.chance(100);
                let first_dir = g.rng.chance(500);
                for k in 0..(1 + u32::from(both)) {
                    g.elem();
                    let dir = if (k == 0) == first_dir {
                        "callerToCallee"
                    } else {
                        "calleeToCaller"
                    };
                    g.stream(kind, dir, start, end);
                }
                g.end_arr();
            }
            _ => g.maybe_drift(10),
        });
    }

    fn stream(&mut self, kind: Kind, direction: &'static str, start: i64, end: i64) {
        let audio = kind == Kind::Audio;
        let video = kind == Kind::Video || kind == Kind::Screen;
        let sip = self.rng.chance(30);
        let poor = self.rng.chance(80);
        let packets = if self.rng.chance(100) {
            self.rng.range(0, 500)
        } else {
            self.rng.range(501, 200_000)
        };
        // Audio metric or null.
        macro_rules! when {
            ($g:ident, $cond:expr, $body:expr) => {
                if $cond && !$g.rng.chance(30) {
                    $body
                } else {
                    $g.null()
                }
            };
        }
        self.object::<31>(|g, i| match i {
            0 => {
                g.key("streamId");
                if g.rng.chance(20) {
                    g.null();
                } else {
                    g.out.push(b'"');
                    let id = g.rng.range(1_000_000, 4_294_967_295);
                    g.uint(id);
                    g.out.push(b'"');
                }
            }
            1 => {
                g.key("streamDirection");
                g.str_raw(direction);
            }
            2 => {
                g.key("audioCodec");
                when!(g, audio, g.enum_value(AUDIO_CODECS, true));
            }
            3 => {
                g.key("videoCodec");
                when!(g, video, g.enum_value(VIDEO_CODECS, true));
            }
            4 => {
                g.key("averageAudioDegradation");
                when!(g, audio, g.single(0, 3, 50));
            }
            5 => {
                g.key("averageAudioNetworkJitter");
                when!(g, audio, g.duration_ms(0, if poor { 400 } else { 60 }));
            }
            6 => {
                g.key("averageBandwidthEstimate");
                if g.rng.chance(50) {
                    g.null();
                } else {
                    let b = g.rng.range(10_000, 80_000_000);
                    g.uint(b);
                }
            }
            7 => {
                g.key("averageFreezeDuration");
                when!(g, video, g.freeze_duration(2_000));
            }
            8 => {
                g.key("averageJitter");
                when!(
                    g,
                    audio || video,
                    g.duration_ms(0, if poor { 120 } else { 29 })
                );
            }
            9 => {
                g.key("averagePacketLossRate");
                if g.rng.chance(30) {
                    g.null();
                } else {
                    g.ratio(400, if poor { 40 } else { 5 });
                }
            }
            10 => {
                g.key("averageRatioOfConcealedSamples");
                when!(g, audio, g.ratio(200, 20));
            }
            11 => {
                g.key("averageReceivedFrameRate");
                when!(g, video, g.single(0, 30, 300));
            }
            12 => {
                g.key("averageRoundTripTime");
                when!(
                    g,
                    audio || video,
                    g.duration_ms(5, if poor { 1_500 } else { 400 })
                );
            }
            13 => {
                g.key("averageVideoFrameLossPercentage");
                when!(g, video, g.single(0, if poor { 90 } else { 20 }, 300));
            }
            14 => {
                g.key("averageVideoFrameRate");
                when!(
                    g,
                    video,
                    if poor {
                        g.single(0, 6, 300)
                    } else {
                        g.single(5, 30, 300)
                    }
                );
            }
            15 => {
                g.key("averageVideoPacketLossRate");
                when!(g, video, g.ratio(400, 30));
            }
            16 if sip || g.rng.chance(50) => {
                g.key("endDateTime");
                if sip {
                    g.timestamp(end);
                } else {
                    g.null();
                }
            }
            17 => {
                g.key("isAudioForwardErrorCorrectionUsed");
                when!(g, audio, {
                    let b = g.rng.chance(400);
                    g.boolean(b);
                });
            }
            18 => {
                g.key("lowFrameRateRatio");
                when!(g, video, g.ratio(300, 100));
            }
            19 => {
                g.key("lowVideoProcessingCapabilityRatio");
                when!(g, video, g.ratio(500, 100));
            }
            20 => {
                g.key("maxAudioNetworkJitter");
                when!(g, audio, g.duration_ms(0, if poor { 900 } else { 120 }));
            }
            21 => {
                g.key("maxJitter");
                when!(
                    g,
                    audio || video,
                    g.duration_ms(0, if poor { 300 } else { 60 })
                );
            }
            22 => {
                g.key("maxPacketLossRate");
                if g.rng.chance(30) {
                    g.null();
                } else {
                    g.ratio(300, if poor { 80 } else { 15 });
                }
            }
            23 => {
                g.key("maxRatioOfConcealedSamples");
                when!(g, audio, g.ratio(200, 50));
            }
            24 => {
                g.key("maxRoundTripTime");
                when!(
                    g,
                    audio || video,
                    g.duration_ms(5, if poor { 3_000 } else { 800 })
                );
            }
            25 => {
                g.key("packetUtilization");
                if g.rng.chance(20) {
                    g.null();
                } else {
                    g.uint(packets);
                }
            }
            26 => {
                g.key("postForwardErrorCorrectionPacketLossRate");
                when!(g, audio || video, g.ratio(500, if poor { 30 } else { 5 }));
            }
            27 => {
                g.key("rmsFreezeDuration");
                when!(g, video, g.freeze_duration(3_000));
            }
            28 if sip || g.rng.chance(50) => {
                g.key("startDateTime");
                if sip {
                    g.timestamp(start);
                } else {
                    g.null();
                }
            }
            29 => {
                g.key("wasMediaBypassed");
                if g.rng.chance(50) {
                    g.null();
                } else {
                    let b = g.rng.chance(50);
                    g.boolean(b);
                }
            }
            30 => g.maybe_drift(8),
            _ => {}
        });
    }

    fn network(&mut self, wifi: bool) {
        self.object::<27>(|g, i| match i {
            0 => {
                g.key("bandwidthLowEventRatio");
                g.ratio(600, 100);
            }
            1 if wifi => {
                g.key("basicServiceSetIdentifier");
                g.mac(6, b':');
            }
            2 => {
                g.key("connectionType");
                if wifi {
                    g.str_raw("wifi");
                } else {
                    g.enum_value(CONNECTION_TYPES, true);
                }
            }
            3 => {
                g.key("delayEventRatio");
                g.ratio(600, 100);
            }
            4 => {
                g.key("dnsSuffix");
                if g.rng.chance(600) {
                    g.null();
                } else {
                    g.str_from(DNS_SUFFIXES);
                }
            }
            5 => {
                g.key("ipAddress");
                g.ip();
            }
            6 => {
                g.key("linkSpeed");
                match g.rng.below(10) {
                    0 => g.null(),
                    1..=3 => g.uint(4_294_967_295),
                    _ => {
                        let s = g.rng.pick(&[
                            54_000_000u64,
                            100_000_000,
                            300_000_000,
                            866_700_000,
                            1_000_000_000,
                            2_401_000_000,
                            10_000_000_000,
                        ]);
                        g.uint(s);
                    }
                }
            }
            7 => {
                g.key("macAddress");
                if g.rng.chance(100) {
                    g.null();
                } else if g.rng.chance(300) {
                    g.mac(8, b'-');
                } else {
                    g.mac(6, b'-');
                }
            }
            8 if !g.rng.chance(300) => {
                g.key("networkTransportProtocol");
                g.enum_value(TRANSPORTS, true);
            }
            9 => {
                g.key("port");
                let p = g.rng.range(1024, 65_535);
                g.uint(p);
            }
            10 => {
                g.key("receivedQualityEventRatio");
                g.ratio(600, 100);
            }
            11 => {
                g.key("reflexiveIPAddress");
                g.ip();
            }
            12 => {
                g.key("relayIPAddress");
                g.ip();
            }
            13 => {
                g.key("relayPort");
                if g.rng.chance(100) {
                    g.null();
                } else {
                    let p = g.rng.range(3478, 65_535);
                    g.uint(p);
                }
            }
            14 => {
                g.key("sentQualityEventRatio");
                g.ratio(600, 100);
            }
            15 => {
                g.key("subnet");
                g.ip();
            }
            16 if !g.rng.chance(200) => {
                g.key("traceRouteHops");
                g.begin_arr();
                for hop in 0..g.rng.range(0, 4) {
                    g.elem();
                    g.object::<3>(|g, k| match k {
                        0 => {
                            g.key("hopCount");
                            g.uint(hop + 1);
                        }
                        1 => {
                            g.key("ipAddress");
                            g.ip();
                        }
                        _ => {
                            g.key("roundTripTime");
                            if g.rng.chance(100) {
                                g.null();
                            } else {
                                g.duration_ms(0, 80);
                            }
                        }
                    });
                }
                g.end_arr();
            }
            17 if wifi || !g.rng.chance(300) => {
                g.key("wifiBand");
                if wifi {
                    g.enum_value(WIFI_BANDS, true);
                } else {
                    g.str_raw("unknown");
                }
            }
            18 if wifi => {
                g.key("wifiBatteryCharge");
                if g.rng.chance(300) {
                    g.null();
                } else {
                    let c = g.rng.range(0, 100);
                    g.uint(c);
                }
            }
            19 if wifi => {
                g.key("wifiChannel");
                let c = g.rng.pick(&[1u64, 6, 11, 36, 44, 149, 161]);
                g.uint(c);
            }
            20 if wifi => {
                g.key("wifiMicrosoftDriver");
                g.str_raw("Microsoft");
            }
            21 if wifi => {
                g.key("wifiMicrosoftDriverVersion");
                g.str_raw("10.0.22621.1");
            }
            22 if wifi || !g.rng.chance(300) => {
                g.key("wifiRadioType");
                if wifi {
                    g.enum_value(WIFI_RADIOS, true);
                } else {
                    g.str_raw("unknown");
                }
            }
            23 if wifi => {
                g.key("wifiSignalStrength");
                let s = g.rng.range(10, 100);
                g.int(-(s as i64));
            }
            24 if wifi => {
                g.key("wifiVendorDriver");
                g.str_from(WIFI_VENDORS);
            }
            25 if wifi => {
                g.key("wifiVendorDriverVersion");
                if g.rng.chance(100) {
                    g.null();
                } else {
                    g.str_raw("22.230.0.8");
                }
            }
            26 => g.maybe_drift(8),
            _ => {}
        });
    }

    fn device(&mut self, kind: Kind) {
        let audio = kind == Kind::Audio;
        self.object::<22>(|g, i| {
            // Device metrics describe audio devices; other media often leave them out.
            if !audio && i != 21 && g.rng.chance(600) {
                return;
            }
            match i {
                0 => {
                    g.key("captureDeviceDriver");
                    g.str_from(DRIVERS);
                }
                1 => {
                    g.key("captureDeviceName");
                    g.str_from(DEVICE_NAMES);
                }
                2 => {
                    g.key("captureNotFunctioningEventRatio");
                    g.ratio(800, 100);
                }
                3 => {
                    g.key("cpuInsufficentEventRatio");
                    g.ratio(800, 100);
                }
                4 => {
                    g.key("deviceClippingEventRatio");
                    g.ratio(700, 100);
                }
                5 => {
                    g.key("deviceGlitchEventRatio");
                    g.ratio(700, 100);
                }
                6 => {
                    g.key("howlingEventCount");
                    let c = if g.rng.chance(900) {
                        0
                    } else {
                        g.rng.range(1, 20)
                    };
                    g.uint(c);
                }
                7 => {
                    g.key("initialSignalLevelRootMeanSquare");
                    g.single(0, 400, 100);
                }
                8 => {
                    g.key("lowSpeechLevelEventRatio");
                    g.ratio(700, 100);
                }
                9 => {
                    g.key("lowSpeechToNoiseEventRatio");
                    g.ratio(700, 100);
                }
                10 => {
                    g.key("micGlitchRate");
                    g.single(0, 5_000, 800);
                }
                11 => {
                    g.key("receivedNoiseLevel");
                    let v = g.rng.range(30, 100);
                    g.int(-(v as i64));
                }
                12 => {
                    g.key("receivedSignalLevel");
                    let v = g.rng.range(0, 40);
                    g.int(-(v as i64));
                }
                13 => {
                    g.key("renderDeviceDriver");
                    g.str_from(DRIVERS);
                }
                14 => {
                    g.key("renderDeviceName");
                    g.str_from(DEVICE_NAMES);
                }
                15 => {
                    g.key("renderMuteEventRatio");
                    if g.rng.chance(200) {
                        g.uint(1);
                    } else {
                        g.ratio(700, 100);
                    }
                }
                16 => {
                    g.key("renderNotFunctioningEventRatio");
                    g.ratio(800, 100);
                }
                17 => {
                    g.key("renderZeroVolumeEventRatio");
                    g.ratio(700, 100);
                }
                18 => {
                    g.key("sentNoiseLevel");
                    if g.rng.chance(100) {
                        g.null();
                    } else {
                        let v = g.rng.range(30, 100);
                        g.int(-(v as i64));
                    }
                }
                19 => {
                    g.key("sentSignalLevel");
                    let v = g.rng.range(0, 40);
                    g.int(-(v as i64));
                }
                20 => {
                    g.key("speakerGlitchRate");
                    g.single(0, 5_000, 800);
                }
                _ => g.maybe_drift(8),
            }
        });
    }

    /// A dotted IPv4 address, now and then an IPv6 one.
    fn ip(&mut self) {
        let v = self.rng.next();
        self.out.push(b'"');
        if v & 0xff == 0 {
            self.out.extend_from_slice(b"2001:db8:");
            self.hex((v >> 8) & 0xffff, 4);
            self.out.extend_from_slice(b"::");
            self.hex((v >> 24) & 0xffff, 4);
        } else {
            let a = [10, 52, 127, 172, 192][(v >> 8) as usize % 5];
            self.uint(a);
            for k in 0..3 {
                self.out.push(b'.');
                self.uint((v >> (16 + 8 * k)) & 0xff);
            }
        }
        self.out.push(b'"');
    }

    fn mac(&mut self, groups: u32, sep: u8) {
        let v = if self.rng.chance(700) {
            0
        } else {
            self.rng.next()
        };
        self.out.push(b'"');
        for k in 0..groups {
            if k > 0 {
                self.out.push(sep);
            }
            let byte = (v >> (8 * k)) & 0xff;
            self.out.push(b"0123456789ABCDEF"[(byte >> 4) as usize]);
            self.out.push(b"0123456789ABCDEF"[(byte & 15) as usize]);
        }
        self.out.push(b'"');
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

fn count_digits(mut v: u64) -> u32 {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

/// A lowercase GUID (8-4-4-4-12) from two random words.
fn guid_into(rng: &mut Rng, out: &mut [u8; 36]) {
    let a = rng.next();
    let b = rng.next();
    let mut nibbles = (0..32).map(|i| {
        let w = if i < 16 { a } else { b };
        b"0123456789abcdef"[((w >> ((i % 16) * 4)) & 15) as usize]
    });
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = if matches!(i, 8 | 13 | 18 | 23) {
            b'-'
        } else {
            nibbles.next().unwrap_or(b'0')
        };
    }
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)] // reason: test failures should panic with context
mod tests {
    use super::*;
    use std::io::Read;

    fn opts(seed: u64, target_bytes: usize, compact: bool, shape: Shape) -> GenOptions {
        GenOptions {
            seed,
            target_bytes,
            compact,
            shape,
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(18_317), (2020, 2, 25));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn valid_json_for_many_seeds_shapes_and_modes() {
        for seed in 0..40 {
            for shape in [Shape::Sessions, Shape::CallRecord] {
                for compact in [false, true] {
                    let o = opts(seed, 20_000 + seed as usize * 1_000, compact, shape);
                    let doc = to_vec(&o);
                    let v: serde_json::Value = match serde_json::from_slice(&doc) {
                        Ok(v) => v,
                        Err(e) => panic!("seed {seed} {shape:?} compact={compact}: {e}"),
                    };
                    let sessions = match shape {
                        Shape::Sessions => &v["value"],
                        Shape::CallRecord => &v["sessions"],
                    };
                    assert!(sessions.as_array().is_some_and(|a| !a.is_empty()));
                    assert!(doc.len() >= o.target_bytes);
                    if compact {
                        assert!(!doc.contains(&b'\n'));
                    }
                }
            }
        }
    }

    #[test]
    fn deterministic_and_seed_dependent() {
        let a = to_vec(&opts(1, 50_000, false, Shape::Sessions));
        let b = to_vec(&opts(1, 50_000, false, Shape::Sessions));
        let c = to_vec(&opts(2, 50_000, false, Shape::Sessions));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn closed_just_past_target() {
        for target in [0, 1, 500, 10_000, 300_000] {
            let doc = to_vec(&opts(3, target, true, Shape::Sessions));
            assert!(doc.len() >= target);
            // At most one session (plus the trailer) past the target.
            assert!(doc.len() < target + 200_000, "{} for {target}", doc.len());
            serde_json::from_slice::<serde_json::Value>(&doc).unwrap();
        }
    }

    #[test]
    fn reader_matches_to_vec() {
        for (seed, size, compact, shape) in [
            (1, 0, false, Shape::Sessions),
            (2, 100_000, false, Shape::Sessions),
            (3, 100_000, true, Shape::CallRecord),
            (4, 1_000_000, false, Shape::CallRecord),
        ] {
            let o = opts(seed, size, compact, shape);
            let expected = to_vec(&o);
            // Odd read sizes, to cross every piece boundary.
            let mut r = GenReader::new(&o);
            let mut got = Vec::new();
            let mut buf = [0u8; 777];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got.len(), expected.len());
            assert!(got == expected, "seed {seed}");
            assert_eq!(r.bytes_read(), expected.len() as u64);
            let mut all = Vec::new();
            GenReader::new(&o).read_to_end(&mut all).unwrap();
            assert!(all == expected);
        }
    }

    #[test]
    fn covers_the_listed_features() {
        let mut doc = to_vec(&opts(5, 3_000_000, false, Shape::Sessions));
        doc.extend_from_slice(&to_vec(&opts(6, 2_000_000, true, Shape::CallRecord)));
        let text = String::from_utf8(doc).unwrap();
        for needle in [
            "\"micGlitchRate\": ",
            "4294967295",
            "\"PT0S\"",
            "\"PT1S\"",
            "\"PT1H\"",
            "\"P0D\"",
            "+01:00\"",
            "-05:30\"",
            "Z\"",
            "\\u00",
            "\\ud83d\\ude00",
            "\\\"",
            "\\\\",
            "\\n",
            "王小明",
            "unknownFutureValue",
            "azureCommunicationServices",
            "main-audio",
            "main-video",
            "applicationsharing-video",
            "screenSharing",
            "videoBasedScreenSharing",
            "callerToCallee",
            "calleeToCaller",
            "#microsoft.graph.callRecords.clientUserAgent",
            "#microsoft.graph.callRecords.serviceUserAgent",
            "#microsoft.graph.callRecords.serviceEndpoint",
            "associatedIdentity",
            "\"identity\"",
            "\"feedback\"",
            "\"tokens\"",
            "failureInfo",
            "traceRouteHops",
            "callerDevice",
            "null",
            "x-ms-debug",
            "\"@odata.nextLink\"",
            "sessions@odata.nextLink",
            "organizer_v2@odata.context",
            "participants_v2@odata.context",
        ] {
            assert!(text.contains(needle), "missing {needle}");
        }
        // An integer in a float field.
        assert!(
            text.contains("\"micGlitchRate\":23") || text.contains("\"averagePacketLossRate\": 0,")
        );
    }

    #[test]
    fn duration_forms() {
        let mut seen = std::collections::BTreeSet::new();
        let mut g = Gen::new(&opts(9, 0, true, Shape::Sessions));
        for i in 0..200_000u64 {
            g.out.clear();
            let nanos = match i % 6 {
                0 => 0,
                1 => 16_000_000,
                2 => 1_000_000_000,
                3 => 62_500_000_000,
                4 => 100,
                _ => 90_061_000_000_000 + i,
            };
            g.duration(nanos);
            seen.insert(String::from_utf8(g.out.clone()).unwrap());
        }
        for form in [
            "\"PT0S\"",
            "\"P0D\"",
            "\"PT0.016S\"",
            "\"PT1S\"",
            "\"PT1M2.5S\"",
            "\"PT62.5S\"",
            "\"PT0.0000001S\"",
            "\"PT0.0160000S\"",
        ] {
            assert!(seen.contains(form), "missing {form}");
        }
        // Every form follows the model's pattern.
        for d in &seen {
            assert!(duration_pattern(d.trim_matches('"')), "bad {d}");
        }
        assert!(seen.iter().any(|d| d.contains('D') && d.contains('T')));
        assert!(seen.iter().any(|d| d.len() > 16 && d.contains('.')));
    }

    /// `^-?P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$`, plus "something after P/T".
    fn duration_pattern(s: &str) -> bool {
        let b = s.as_bytes();
        let mut i = 0;
        let num = |i: &mut usize| {
            let s0 = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i > s0
        };
        if b.first() != Some(&b'P') {
            return false;
        }
        i += 1;
        let mut any = false;
        let save = i;
        if num(&mut i) && b.get(i) == Some(&b'D') {
            i += 1;
            any = true;
        } else {
            i = save;
        }
        if i == b.len() {
            return any;
        }
        if b[i] != b'T' {
            return false;
        }
        i += 1;
        let mut t_any = false;
        for unit in [b'H', b'M'] {
            let save = i;
            if num(&mut i) && b.get(i) == Some(&unit) {
                i += 1;
                t_any = true;
            } else {
                i = save;
            }
        }
        if i < b.len() {
            if !num(&mut i) {
                return false;
            }
            if b.get(i) == Some(&b'.') {
                i += 1;
                if !num(&mut i) {
                    return false;
                }
            }
            if b.get(i) != Some(&b'S') {
                return false;
            }
            i += 1;
            t_any = true;
        }
        t_any && i == b.len()
    }
}
