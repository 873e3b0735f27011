//! Stream quality classification, after Microsoft's Call Quality Dashboard (CQD).
//!
//! [`classify`] takes a stream's key metrics ([`Metrics`]) and its [`MediaKind`] and returns a
//! [`Classification`]: [`Class::Good`], [`Class::Poor`] or [`Class::Unclassified`], with the
//! [`Reasons`] that made it (which rule was checked, with what value, and whether it crossed its
//! threshold).
//!
//! # Rules
//!
//! **Audio** (CQD "Audio Classifier"): a stream is classified only when more than
//! [`AUDIO_MIN_PACKETS`] (500) packets were used (`packetUtilization`). It is then
//! [`Class::Poor`] when any of these holds, and [`Class::Good`] otherwise:
//!
//! | metric (Graph property) | poor when |
//! |---|---|
//! | `averageRoundTripTime` | > 500 ms |
//! | `averagePacketLossRate` | > 0.1 |
//! | `averageJitter` | > 30 ms |
//!
//! All comparisons are strict: exactly 500 packets is not enough to classify, and exactly 500 ms,
//! 0.1 or 30 ms is not poor.
//!
//! *Good against unclassified for audio.* CQD only classifies audio streams that used more than
//! 500 packets, so a stream with `packetUtilization` ≤ 500, or with no `packetUtilization` at all,
//! is [`Class::Unclassified`], whatever its other metrics (the reasons say so). A stream over
//! 500 packets with none of the three metrics present is unclassified too. A stream over 500
//! packets with at least one of the metrics present and none over its threshold is
//! [`Class::Good`]: an absent metric is not evidence of poor quality.
//!
//! **Video** (CQD "Video Classifier"): the *first metric present* decides, in this order:
//!
//! 1. `averageVideoFrameLossPercentage` > 50 → poor, else good;
//! 2. else the frame rate (`averageVideoFrameRate`, or when absent `averageReceivedFrameRate`)
//!    < 7 → poor, else good;
//! 3. else `postForwardErrorCorrectionPacketLossRate` > 0.15 → poor, else good;
//! 4. none present → unclassified.
//!
//! **Video-based screen sharing** (CQD "VBSS Classifier") follows the same steps with a frame-rate
//! threshold of 2 instead of 7.
//!
//! A NaN metric (OData's `"NaN"`) counts as present and never crosses a threshold.
//!
//! # Media kinds
//!
//! Which classifier applies follows from the media label, and from the session's modalities when
//! the label does not say ([`MediaKind::from_label`], [`MediaKind::from_label_and_modalities`]).
//! Labels and modalities are matched ASCII case-insensitively:
//!
//! | media label | modality | kind |
//! |---|---|---|
//! | `main-audio`, `audio` | `audio` | [`MediaKind::Audio`] |
//! | `main-video`, `video` | `video` | [`MediaKind::Video`] |
//! | `applicationsharing-video`, `videoBasedScreenSharing`, `screenSharing` | `videoBasedScreenSharing`, `screenSharing` | [`MediaKind::VideoBasedScreenSharing`] |
//! | `data` | `data` | none: not classified |
//! | other labels starting with `applicationsharing` | | [`MediaKind::VideoBasedScreenSharing`] |
//! | other labels ending in `-audio` (`transcription-audio`) | | [`MediaKind::Audio`] |
//! | other labels ending in `-video` (`panoramic-video`) | | [`MediaKind::Video`] |
//!
//! A known label always wins (a `main-video` media in a session whose modalities say only
//! `audio` is video). A missing or unknown label takes its kind from the session's modalities when
//! they name exactly one classifiable kind (for example `["audio", "data"]` → audio); otherwise the
//! media has no kind and its streams are unclassified.

use core::fmt;

use crate::value::Duration;

/// Audio streams are classified only above this many packets (`packetUtilization`).
pub const AUDIO_MIN_PACKETS: i64 = 500;
/// Audio is poor above this average round-trip time: 500 ms.
pub const AUDIO_MAX_ROUND_TRIP: Duration = Duration::from_nanos(500_000_000);
/// Audio is poor above this average packet loss rate.
pub const AUDIO_MAX_PACKET_LOSS_RATE: f64 = 0.1;
/// Audio is poor above this average jitter: 30 ms.
pub const AUDIO_MAX_JITTER: Duration = Duration::from_nanos(30_000_000);
/// Video and screen sharing are poor above this average frame loss percentage.
pub const VIDEO_MAX_FRAME_LOSS_PERCENTAGE: f64 = 50.0;
/// Video is poor below this average frame rate (frames per second).
pub const VIDEO_MIN_FRAME_RATE: f64 = 7.0;
/// Video-based screen sharing is poor below this average frame rate (frames per second).
pub const SCREEN_SHARING_MIN_FRAME_RATE: f64 = 2.0;
/// Video and screen sharing are poor above this post-FEC packet loss rate.
pub const VIDEO_MAX_POST_FEC_PACKET_LOSS_RATE: f64 = 0.15;

/// The kind of media a stream carries, which selects the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaKind {
    /// Audio (`main-audio`).
    Audio,
    /// Video (`main-video`).
    Video,
    /// Video-based screen sharing (`applicationsharing-video`).
    VideoBasedScreenSharing,
}

impl MediaKind {
    /// The kind named by a media label or a modality, or `None` for `data` and unknown names.
    ///
    /// See the [module docs](self#media-kinds) for the table.
    pub fn from_label(label: &str) -> Option<MediaKind> {
        const AUDIO: [&str; 2] = ["main-audio", "audio"];
        const VIDEO: [&str; 2] = ["main-video", "video"];
        const SCREEN: [&str; 3] = [
            "applicationsharing-video",
            "videoBasedScreenSharing",
            "screenSharing",
        ];
        let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(label));
        let lower = label.to_ascii_lowercase();
        if is(&AUDIO) {
            Some(MediaKind::Audio)
        } else if is(&VIDEO) {
            Some(MediaKind::Video)
        } else if is(&SCREEN) || lower.starts_with("applicationsharing") {
            Some(MediaKind::VideoBasedScreenSharing)
        } else if lower.ends_with("-audio") {
            Some(MediaKind::Audio)
        } else if lower.ends_with("-video") {
            Some(MediaKind::Video)
        } else {
            None
        }
    }

    /// The kind of a media from its label, falling back to the session's modalities.
    ///
    /// A label that names a kind wins. A `data` label means no kind. Otherwise (label missing or
    /// unknown) the modalities decide when they name exactly one kind.
    pub fn from_label_and_modalities<'m, I>(label: Option<&str>, modalities: I) -> Option<MediaKind>
    where
        I: IntoIterator<Item = &'m str>,
    {
        if let Some(label) = label {
            if let Some(kind) = MediaKind::from_label(label) {
                return Some(kind);
            }
            if label.eq_ignore_ascii_case("data") {
                return None;
            }
        }
        let mut found: Option<MediaKind> = None;
        for m in modalities {
            if let Some(kind) = MediaKind::from_label(m) {
                match found {
                    None => found = Some(kind),
                    Some(k) if k == kind => {}
                    Some(_) => return None,
                }
            }
        }
        found
    }

    /// A short lowercase name: `audio`, `video` or `screenSharing`.
    pub const fn name(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::VideoBasedScreenSharing => "videoBasedScreenSharing",
        }
    }
}

impl MediaKind {
    /// The kind of a stream record's media: from its media label, else from the modalities of
    /// its session (see the [module docs](self#media-kinds)).
    ///
    /// ```
    /// use callrecords::quality::MediaKind;
    /// let doc = br#"{"value": [{"id": "s", "modalities": ["video"], "segments": [{"media": [
    ///     {"label": "main-video", "streams": [{"averageVideoFrameRate": 5}]}]}]}]}"#;
    /// for event in callrecords::events(doc) {
    ///     if let callrecords::Event::Stream(s) = event? {
    ///         assert_eq!(MediaKind::of_stream(&s, None), Some(MediaKind::Video));
    ///     }
    /// }
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn of_stream(
        stream: &crate::MediaStream<'_>,
        session_modalities: Option<&crate::ModalitySet<'_>>,
    ) -> Option<MediaKind> {
        let label = stream.media_label.map(|l| l.decode_lossy());
        let modalities = session_modalities.into_iter().flat_map(|m| m.iter());
        let names: Vec<_> = modalities.map(|m| m.text()).collect();
        MediaKind::from_label_and_modalities(label.as_deref(), names.iter().map(|n| &**n))
    }
}

impl From<&crate::MediaStream<'_>> for Metrics {
    /// The classifier's metrics of a stream record.
    fn from(s: &crate::MediaStream<'_>) -> Metrics {
        Metrics {
            packet_utilization: s.packet_utilization,
            average_round_trip_time: s.average_round_trip_time,
            average_packet_loss_rate: s.average_packet_loss_rate,
            average_jitter: s.average_jitter,
            average_video_frame_loss_percentage: s.average_video_frame_loss_percentage,
            average_video_frame_rate: s.average_video_frame_rate,
            average_received_frame_rate: s.average_received_frame_rate,
            post_forward_error_correction_packet_loss_rate: s
                .post_forward_error_correction_packet_loss_rate,
        }
    }
}

/// Classifies a stream record: [`MediaKind::of_stream`] and [`classify`] in one step.
///
/// ```
/// use callrecords::quality::{classify_stream, Class};
/// let doc = br#"{"value": [{"id": "s", "segments": [{"media": [{"label": "main-audio",
///     "streams": [{"packetUtilization": 709, "averageJitter": "PT0.041S"}]}]}]}]}"#;
/// for event in callrecords::events(doc) {
///     if let callrecords::Event::Stream(s) = event? {
///         let c = classify_stream(&s, None);
///         assert_eq!(c.class, Class::Poor);
///         assert_eq!(c.reasons.to_string(), "packetUtilization=709>500;averageJitter=41ms>30ms");
///     }
/// }
/// # Ok::<(), callrecords::Error>(())
/// ```
pub fn classify_stream(
    stream: &crate::MediaStream<'_>,
    session_modalities: Option<&crate::ModalitySet<'_>>,
) -> Classification {
    classify(
        MediaKind::of_stream(stream, session_modalities),
        &Metrics::from(stream),
    )
}

/// The key metrics of one media stream, as the classifier needs them.
///
/// Every field is optional, as in Graph. Field names follow the `mediaStream` properties.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// `packetUtilization`: packets used by the stream.
    pub packet_utilization: Option<i64>,
    /// `averageRoundTripTime`.
    pub average_round_trip_time: Option<Duration>,
    /// `averagePacketLossRate` (0 to 1).
    pub average_packet_loss_rate: Option<f64>,
    /// `averageJitter`.
    pub average_jitter: Option<Duration>,
    /// `averageVideoFrameLossPercentage` (0 to 100).
    pub average_video_frame_loss_percentage: Option<f64>,
    /// `averageVideoFrameRate`: frames per second received for this video stream.
    pub average_video_frame_rate: Option<f64>,
    /// `averageReceivedFrameRate`: used when `averageVideoFrameRate` is absent.
    pub average_received_frame_rate: Option<f64>,
    /// `postForwardErrorCorrectionPacketLossRate` (0 to 1).
    pub post_forward_error_correction_packet_loss_rate: Option<f64>,
}

/// The class of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Classified, and no rule found poor quality.
    Good,
    /// At least one rule found poor quality.
    Poor,
    /// Not enough data to classify (or media that is not classified, such as data).
    Unclassified,
}

impl Class {
    /// `good`, `poor` or `unclassified`.
    pub const fn name(self) -> &'static str {
        match self {
            Class::Good => "good",
            Class::Poor => "poor",
            Class::Unclassified => "unclassified",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A metric a rule looks at, named after its Graph property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `packetUtilization` (audio's gate: more than 500 packets).
    PacketUtilization,
    /// `averageRoundTripTime`.
    AverageRoundTripTime,
    /// `averagePacketLossRate`.
    AveragePacketLossRate,
    /// `averageJitter`.
    AverageJitter,
    /// `averageVideoFrameLossPercentage`.
    AverageVideoFrameLossPercentage,
    /// `averageVideoFrameRate`.
    AverageVideoFrameRate,
    /// `averageReceivedFrameRate`.
    AverageReceivedFrameRate,
    /// `postForwardErrorCorrectionPacketLossRate`.
    PostForwardErrorCorrectionPacketLossRate,
}

impl Metric {
    /// The Graph property name.
    pub const fn name(self) -> &'static str {
        match self {
            Metric::PacketUtilization => "packetUtilization",
            Metric::AverageRoundTripTime => "averageRoundTripTime",
            Metric::AveragePacketLossRate => "averagePacketLossRate",
            Metric::AverageJitter => "averageJitter",
            Metric::AverageVideoFrameLossPercentage => "averageVideoFrameLossPercentage",
            Metric::AverageVideoFrameRate => "averageVideoFrameRate",
            Metric::AverageReceivedFrameRate => "averageReceivedFrameRate",
            Metric::PostForwardErrorCorrectionPacketLossRate => {
                "postForwardErrorCorrectionPacketLossRate"
            }
        }
    }
}

/// A metric's value as a rule saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    /// A count (packets).
    Count(i64),
    /// A duration.
    Duration(Duration),
    /// A rate, percentage or frame rate.
    Number(f64),
}

impl fmt::Display for MetricValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MetricValue::Count(n) => write!(f, "{n}"),
            MetricValue::Duration(d) => fmt_millis(f, d.as_nanos()),
            MetricValue::Number(x) => write!(f, "{x}"),
        }
    }
}

/// Writes nanoseconds as milliseconds with up to 6 fractional digits, trailing zeros dropped.
fn fmt_millis(f: &mut fmt::Formatter<'_>, nanos: i64) -> fmt::Result {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let (ms, frac) = (n / 1_000_000, n % 1_000_000);
    if frac == 0 {
        write!(f, "{sign}{ms}ms")
    } else {
        let digits = format!("{frac:06}");
        write!(f, "{sign}{ms}.{}ms", digits.trim_end_matches('0'))
    }
}

/// One rule the classifier checked: the metric, its value, and whether it crossed the threshold.
///
/// For the audio packet gate, `crossed` means "more than 500 packets" (the stream can be
/// classified). For every other rule, `crossed` means the rule found poor quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reason {
    /// The metric the rule looks at.
    pub metric: Metric,
    /// The metric's value.
    pub value: MetricValue,
    /// True when the value crossed the rule's threshold.
    pub crossed: bool,
    /// The threshold, in the metric's unit.
    pub threshold: MetricValue,
}

impl Reason {
    fn operator(&self) -> &'static str {
        let below = matches!(
            self.metric,
            Metric::AverageVideoFrameRate | Metric::AverageReceivedFrameRate
        );
        match (below, self.crossed) {
            (false, true) => ">",
            (false, false) => "<=",
            (true, true) => "<",
            (true, false) => ">=",
        }
    }
}

impl fmt::Display for Reason {
    /// `averageJitter=41ms>30ms`, `packetUtilization=67<=500`, `averageVideoFrameRate=5<7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={}{}{}",
            self.metric.name(),
            self.value,
            self.operator(),
            self.threshold
        )
    }
}

/// Why a stream got its class: up to four checked rules, in the order they were checked.
///
/// An empty list means no metric was present (or the media has no kind); the class is then
/// [`Class::Unclassified`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reasons {
    items: [Option<Reason>; 4],
    len: u8,
}

impl Reasons {
    fn push(&mut self, reason: Reason) {
        if let Some(slot) = self.items.get_mut(self.len as usize) {
            *slot = Some(reason);
            self.len += 1;
        }
    }

    /// The reasons, in the order the rules were checked.
    pub fn iter(&self) -> impl Iterator<Item = &Reason> + '_ {
        self.items.iter().flatten()
    }

    /// How many reasons there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when there is no reason (no metric was present).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The reason for `metric`, if that rule was checked.
    pub fn get(&self, metric: Metric) -> Option<&Reason> {
        self.iter().find(|r| r.metric == metric)
    }
}

impl fmt::Display for Reasons {
    /// The reasons joined with `;`, or the empty string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// A stream's class with the reasons for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classification {
    /// Good, poor or unclassified.
    pub class: Class,
    /// The rules that were checked, with their values.
    pub reasons: Reasons,
}

impl Classification {
    const UNCLASSIFIED: Classification = Classification {
        class: Class::Unclassified,
        reasons: Reasons {
            items: [None; 4],
            len: 0,
        },
    };
}

/// Classifies a stream of `kind` from its `metrics`; `None` (data or unknown media) is
/// unclassified. See the [module docs](self) for the rules.
pub fn classify(kind: Option<MediaKind>, metrics: &Metrics) -> Classification {
    match kind {
        Some(MediaKind::Audio) => classify_audio(metrics),
        Some(MediaKind::Video) => classify_video(metrics, VIDEO_MIN_FRAME_RATE),
        Some(MediaKind::VideoBasedScreenSharing) => {
            classify_video(metrics, SCREEN_SHARING_MIN_FRAME_RATE)
        }
        None => Classification::UNCLASSIFIED,
    }
}

fn classify_audio(m: &Metrics) -> Classification {
    let mut reasons = Reasons::default();
    let Some(packets) = m.packet_utilization else {
        return Classification::UNCLASSIFIED;
    };
    let enough = packets > AUDIO_MIN_PACKETS;
    reasons.push(Reason {
        metric: Metric::PacketUtilization,
        value: MetricValue::Count(packets),
        crossed: enough,
        threshold: MetricValue::Count(AUDIO_MIN_PACKETS),
    });
    if !enough {
        return Classification {
            class: Class::Unclassified,
            reasons,
        };
    }
    let mut any_metric = false;
    let mut poor = false;
    let mut duration_rule = |reasons: &mut Reasons, metric, value: Option<Duration>, max| {
        if let Some(v) = value {
            let crossed = v > max;
            any_metric = true;
            poor |= crossed;
            reasons.push(Reason {
                metric,
                value: MetricValue::Duration(v),
                crossed,
                threshold: MetricValue::Duration(max),
            });
        }
    };
    duration_rule(
        &mut reasons,
        Metric::AverageRoundTripTime,
        m.average_round_trip_time,
        AUDIO_MAX_ROUND_TRIP,
    );
    duration_rule(
        &mut reasons,
        Metric::AverageJitter,
        m.average_jitter,
        AUDIO_MAX_JITTER,
    );
    if let Some(loss) = m.average_packet_loss_rate {
        let crossed = loss > AUDIO_MAX_PACKET_LOSS_RATE;
        any_metric = true;
        poor |= crossed;
        reasons.push(Reason {
            metric: Metric::AveragePacketLossRate,
            value: MetricValue::Number(loss),
            crossed,
            threshold: MetricValue::Number(AUDIO_MAX_PACKET_LOSS_RATE),
        });
    }
    let class = if poor {
        Class::Poor
    } else if any_metric {
        Class::Good
    } else {
        Class::Unclassified
    };
    Classification { class, reasons }
}

fn classify_video(m: &Metrics, min_frame_rate: f64) -> Classification {
    let decide = |metric, value: f64, crossed: bool, threshold: f64| {
        let mut reasons = Reasons::default();
        reasons.push(Reason {
            metric,
            value: MetricValue::Number(value),
            crossed,
            threshold: MetricValue::Number(threshold),
        });
        Classification {
            class: if crossed { Class::Poor } else { Class::Good },
            reasons,
        }
    };
    if let Some(v) = m.average_video_frame_loss_percentage {
        return decide(
            Metric::AverageVideoFrameLossPercentage,
            v,
            v > VIDEO_MAX_FRAME_LOSS_PERCENTAGE,
            VIDEO_MAX_FRAME_LOSS_PERCENTAGE,
        );
    }
    let frame_rate = match (m.average_video_frame_rate, m.average_received_frame_rate) {
        (Some(v), _) => Some((Metric::AverageVideoFrameRate, v)),
        (None, Some(v)) => Some((Metric::AverageReceivedFrameRate, v)),
        (None, None) => None,
    };
    if let Some((metric, v)) = frame_rate {
        return decide(metric, v, v < min_frame_rate, min_frame_rate);
    }
    if let Some(v) = m.post_forward_error_correction_packet_loss_rate {
        return decide(
            Metric::PostForwardErrorCorrectionPacketLossRate,
            v,
            v > VIDEO_MAX_POST_FEC_PACKET_LOSS_RATE,
            VIDEO_MAX_POST_FEC_PACKET_LOSS_RATE,
        );
    }
    Classification::UNCLASSIFIED
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn ms(n: i64) -> Option<Duration> {
        Some(Duration::from_nanos(n * MS))
    }

    fn audio(
        packets: Option<i64>,
        rtt: Option<Duration>,
        loss: Option<f64>,
        jitter: Option<Duration>,
    ) -> Metrics {
        Metrics {
            packet_utilization: packets,
            average_round_trip_time: rtt,
            average_packet_loss_rate: loss,
            average_jitter: jitter,
            ..Metrics::default()
        }
    }

    #[test]
    fn audio_table() {
        use Class::*;
        let cases: &[(&str, Metrics, Class, &str)] = &[
            ("all fine", audio(Some(709), ms(64), Some(0.0138), ms(7)), Good,
             "packetUtilization=709>500;averageRoundTripTime=64ms<=500ms;averageJitter=7ms<=30ms;averagePacketLossRate=0.0138<=0.1"),
            ("exactly 500 packets is not enough", audio(Some(500), ms(900), Some(0.5), ms(90)), Unclassified,
             "packetUtilization=500<=500"),
            ("501 packets with bad rtt", audio(Some(501), ms(900), None, None), Poor,
             "packetUtilization=501>500;averageRoundTripTime=900ms>500ms"),
            ("few packets", audio(Some(67), ms(61), Some(0.0), ms(16)), Unclassified, "packetUtilization=67<=500"),
            ("no packet count", audio(None, ms(900), Some(0.5), ms(90)), Unclassified, ""),
            ("enough packets, no metrics", audio(Some(1000), None, None, None), Unclassified, "packetUtilization=1000>500"),
            ("rtt exactly 500 ms", audio(Some(1000), ms(500), None, None), Good,
             "packetUtilization=1000>500;averageRoundTripTime=500ms<=500ms"),
            ("rtt 500 ms + 1 ns", audio(Some(1000), Some(Duration::from_nanos(500 * MS + 1)), None, None), Poor,
             "packetUtilization=1000>500;averageRoundTripTime=500.000001ms>500ms"),
            ("jitter exactly 30 ms", audio(Some(1000), None, None, ms(30)), Good,
             "packetUtilization=1000>500;averageJitter=30ms<=30ms"),
            ("jitter 31 ms", audio(Some(1000), None, None, ms(31)), Poor,
             "packetUtilization=1000>500;averageJitter=31ms>30ms"),
            ("loss exactly 0.1", audio(Some(1000), None, Some(0.1), None), Good,
             "packetUtilization=1000>500;averagePacketLossRate=0.1<=0.1"),
            ("loss 0.10001", audio(Some(1000), None, Some(0.10001), None), Poor,
             "packetUtilization=1000>500;averagePacketLossRate=0.10001>0.1"),
            ("two rules fire", audio(Some(1000), ms(600), Some(0.2), ms(10)), Poor,
             "packetUtilization=1000>500;averageRoundTripTime=600ms>500ms;averageJitter=10ms<=30ms;averagePacketLossRate=0.2>0.1"),
            ("NaN loss never poor", audio(Some(1000), None, Some(f64::NAN), None), Good,
             "packetUtilization=1000>500;averagePacketLossRate=NaN<=0.1"),
        ];
        for (name, m, class, reasons) in cases {
            let c = classify(Some(MediaKind::Audio), m);
            assert_eq!(c.class, *class, "{name}");
            assert_eq!(c.reasons.to_string(), *reasons, "{name}");
        }
    }

    #[test]
    fn audio_reasons_are_queryable() {
        let c = classify(
            Some(MediaKind::Audio),
            &audio(Some(709), ms(600), None, ms(7)),
        );
        assert_eq!(c.class, Class::Poor);
        assert_eq!(c.reasons.len(), 3);
        let rtt = c.reasons.get(Metric::AverageRoundTripTime);
        assert!(
            matches!(rtt, Some(r) if r.crossed && r.value == MetricValue::Duration(Duration::from_nanos(600 * MS)))
        );
        assert!(matches!(c.reasons.get(Metric::AverageJitter), Some(r) if !r.crossed));
        assert!(c.reasons.get(Metric::AveragePacketLossRate).is_none());
    }

    fn video(
        loss_pct: Option<f64>,
        fps: Option<f64>,
        received_fps: Option<f64>,
        fec: Option<f64>,
    ) -> Metrics {
        Metrics {
            average_video_frame_loss_percentage: loss_pct,
            average_video_frame_rate: fps,
            average_received_frame_rate: received_fps,
            post_forward_error_correction_packet_loss_rate: fec,
            // Audio metrics never matter for video.
            packet_utilization: Some(10),
            average_jitter: ms(900),
            ..Metrics::default()
        }
    }

    #[test]
    fn video_table() {
        use Class::*;
        use MediaKind::*;
        let cases: &[(&str, MediaKind, Metrics, Class, &str)] = &[
            (
                "frame loss decides (poor)",
                Video,
                video(Some(60.0), Some(30.0), None, Some(0.0)),
                Poor,
                "averageVideoFrameLossPercentage=60>50",
            ),
            (
                "frame loss decides (good) even with a bad frame rate",
                Video,
                video(Some(10.0), Some(1.0), None, Some(0.9)),
                Good,
                "averageVideoFrameLossPercentage=10<=50",
            ),
            (
                "frame loss exactly 50",
                Video,
                video(Some(50.0), None, None, None),
                Good,
                "averageVideoFrameLossPercentage=50<=50",
            ),
            (
                "frame rate under 7",
                Video,
                video(None, Some(6.9), None, Some(0.0)),
                Poor,
                "averageVideoFrameRate=6.9<7",
            ),
            (
                "frame rate exactly 7",
                Video,
                video(None, Some(7.0), None, Some(0.9)),
                Good,
                "averageVideoFrameRate=7>=7",
            ),
            (
                "received frame rate as fallback",
                Video,
                video(None, None, Some(3.0), None),
                Poor,
                "averageReceivedFrameRate=3<7",
            ),
            (
                "video frame rate preferred over received",
                Video,
                video(None, Some(8.0), Some(3.0), None),
                Good,
                "averageVideoFrameRate=8>=7",
            ),
            (
                "post-FEC loss over 0.15",
                Video,
                video(None, None, None, Some(0.16)),
                Poor,
                "postForwardErrorCorrectionPacketLossRate=0.16>0.15",
            ),
            (
                "post-FEC loss exactly 0.15",
                Video,
                video(None, None, None, Some(0.15)),
                Good,
                "postForwardErrorCorrectionPacketLossRate=0.15<=0.15",
            ),
            (
                "no video metric",
                Video,
                video(None, None, None, None),
                Unclassified,
                "",
            ),
            (
                "screen sharing frame rate 3 is good",
                VideoBasedScreenSharing,
                video(None, Some(3.0), None, None),
                Good,
                "averageVideoFrameRate=3>=2",
            ),
            (
                "screen sharing frame rate exactly 2",
                VideoBasedScreenSharing,
                video(None, Some(2.0), None, None),
                Good,
                "averageVideoFrameRate=2>=2",
            ),
            (
                "screen sharing frame rate 1.5",
                VideoBasedScreenSharing,
                video(None, Some(1.5), None, None),
                Poor,
                "averageVideoFrameRate=1.5<2",
            ),
            (
                "screen sharing frame loss",
                VideoBasedScreenSharing,
                video(Some(51.0), None, None, None),
                Poor,
                "averageVideoFrameLossPercentage=51>50",
            ),
            (
                "screen sharing post-FEC",
                VideoBasedScreenSharing,
                video(None, None, None, Some(0.2)),
                Poor,
                "postForwardErrorCorrectionPacketLossRate=0.2>0.15",
            ),
            (
                "screen sharing nothing",
                VideoBasedScreenSharing,
                video(None, None, None, None),
                Unclassified,
                "",
            ),
        ];
        for (name, kind, m, class, reasons) in cases {
            let c = classify(Some(*kind), m);
            assert_eq!(c.class, *class, "{name}");
            assert_eq!(c.reasons.to_string(), *reasons, "{name}");
        }
    }

    #[test]
    fn no_kind_is_unclassified() {
        let c = classify(None, &audio(Some(1000), ms(900), Some(0.9), ms(90)));
        assert_eq!(c.class, Class::Unclassified);
        assert!(c.reasons.is_empty());
    }

    /// Media kinds of every stream of the docs corpus and of generated documents, from the
    /// label and the session's modalities, against the label table.
    #[test]
    fn media_kinds_on_the_corpus_and_generated_documents() {
        use crate::generate::{self, GenOptions};
        let mut docs: Vec<Vec<u8>> = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            docs.push(std::fs::read(entry.path()).unwrap_or_default());
        }
        for (seed, shape) in [
            (1, generate::Shape::Sessions),
            (2, generate::Shape::CallRecord),
        ] {
            docs.push(generate::to_vec(&GenOptions {
                seed,
                target_bytes: 512 << 10,
                compact: false,
                shape,
            }));
        }
        let mut seen = std::collections::BTreeMap::new();
        for doc in &docs {
            let mut modalities = None;
            for event in crate::events(doc) {
                match event {
                    Ok(crate::Event::Session(s)) => modalities = s.modalities,
                    Ok(crate::Event::Stream(t)) => {
                        let label = t
                            .media_label
                            .map(|l| String::from_utf8_lossy(l.raw()).into_owned());
                        let kind = MediaKind::of_stream(&t, modalities.as_ref());
                        let want = match label.as_deref() {
                            Some("main-audio" | "transcription-audio") => Some(MediaKind::Audio),
                            Some("main-video" | "panoramic-video") => Some(MediaKind::Video),
                            Some("applicationsharing-video") => {
                                Some(MediaKind::VideoBasedScreenSharing)
                            }
                            Some("data") => None,
                            _ => kind, // unlisted labels: decided by the modalities
                        };
                        assert_eq!(kind, want, "{label:?}");
                        *seen.entry(label).or_insert(0u32) += 1;
                        let c = classify_stream(&t, modalities.as_ref());
                        assert_eq!(c, classify(kind, &Metrics::from(&t)));
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        for label in ["main-audio", "main-video", "applicationsharing-video"] {
            assert!(
                seen.contains_key(&Some(label.to_string())),
                "no {label} stream: {seen:?}"
            );
        }
    }

    #[test]
    fn media_kind_mapping() {
        use MediaKind::*;
        let cases: &[(Option<&str>, &[&str], Option<MediaKind>)] = &[
            (Some("main-audio"), &["audio"], Some(Audio)),
            (Some("audio"), &[], Some(Audio)),
            (Some("MAIN-AUDIO"), &[], Some(Audio)),
            (Some("main-video"), &["audio"], Some(Video)),
            (Some("video"), &[], Some(Video)),
            (
                Some("applicationsharing-video"),
                &[],
                Some(VideoBasedScreenSharing),
            ),
            (
                Some("videoBasedScreenSharing"),
                &[],
                Some(VideoBasedScreenSharing),
            ),
            (Some("screenSharing"), &[], Some(VideoBasedScreenSharing)),
            (Some("data"), &["audio"], None),
            (Some("panoramic-video"), &["audio", "video"], Some(Video)),
            (
                Some("transcription-audio"),
                &["audio", "video"],
                Some(Audio),
            ),
            (None, &["audio"], Some(Audio)),
            (None, &["audio", "data"], Some(Audio)),
            (Some("something-new"), &["video"], Some(Video)),
            (None, &["audio", "video"], None),
            (
                None,
                &["screenSharing", "videoBasedScreenSharing"],
                Some(VideoBasedScreenSharing),
            ),
            (None, &["data"], None),
            (None, &[], None),
        ];
        for (label, modalities, want) in cases {
            let got = MediaKind::from_label_and_modalities(*label, modalities.iter().copied());
            assert_eq!(got, *want, "{label:?} {modalities:?}");
        }
    }
}
