//! Table and property tests for the value parsers: durations, timestamps, numbers and strings.

use std::borrow::Cow;

use callrecords::value::{parse_f64, parse_f64_str, parse_i32, parse_i64};
use callrecords::{Duration, JsonStr, Timestamp, ValueErrorKind as K};
use proptest::prelude::*;

const NS: i64 = 1_000_000_000;

fn dur(s: &str) -> Result<i64, (K, usize)> {
    Duration::parse(s.as_bytes())
        .map(Duration::as_nanos)
        .map_err(|e| (e.kind(), e.offset()))
}

fn ts(s: &str) -> Result<(i64, u32, i16), (K, usize)> {
    Timestamp::parse(s.as_bytes())
        .map(|t| (t.unix_seconds(), t.subsec_nanos(), t.offset_minutes()))
        .map_err(|e| (e.kind(), e.offset()))
}

// ---------------------------------------------------------------- durations

#[test]
fn duration_accepted() {
    let cases: &[(&str, i64)] = &[
        ("PT0.0000001S", 100),
        ("PT1.123456789S", 1_123_456_789),
        ("PT1M2S", 62 * NS),
        ("P365D", 365 * 86_400 * NS),
        ("-PT0.5S", -500_000_000),
        ("PT0S", 0),
        ("P0D", 0),
        ("-PT0S", 0),
        ("+PT1S", NS),
        ("PT36H", 36 * 3600 * NS),
        ("PT0.016S", 16_000_000),
        ("PT0.02S", 20_000_000),
        ("PT1M2.5S", 62_500_000_000),
        ("P1DT2H", 26 * 3600 * NS),
        ("-P1DT2H", -26 * 3600 * NS),
        ("P1DT2H3M4.5S", ((26 * 60 + 3) * 60 + 4) * NS + 500_000_000),
        ("PT90M", 5400 * NS),
        ("PT100000S", 100_000 * NS),
        ("PT0000001S", NS),
        // Digits past the ninth are truncated toward zero.
        ("PT1.0000000019S", NS + 1),
        ("-PT0.0000000019S", -1),
        ("PT0.123456789999S", 123_456_789),
        ("PT0.000000000999999999999S", 0),
        // The edges of i64.
        ("P106751DT23H47M16.854775807S", i64::MAX),
        ("-P106751DT23H47M16.854775808S", i64::MIN),
        ("PT9223372036.854775807S", i64::MAX),
        ("-PT9223372036.854775808S", i64::MIN),
    ];
    for &(s, want) in cases {
        assert_eq!(dur(s), Ok(want), "{s}");
    }
}

#[test]
fn duration_rejected() {
    let cases: &[(&str, K, usize)] = &[
        ("PT99999999999S", K::Overflow, 2),
        ("P106751DT23H47M16.854775808S", K::Overflow, 15),
        ("P106752D", K::Overflow, 1),
        ("PT18446744073709551616S", K::Overflow, 2),
        ("P99999999999999999999999D", K::Overflow, 1),
        ("P1Y", K::NotFixedLength, 2),
        ("P1M", K::NotFixedLength, 2),
        ("P1W", K::NotFixedLength, 2),
        ("P1Y2M3DT4H", K::NotFixedLength, 2),
        ("P", K::NoComponents, 1),
        ("PT", K::NoComponents, 2),
        ("-P", K::NoComponents, 2),
        ("P1DT", K::NoComponents, 4),
        ("PT.5S", K::BadFraction, 2),
        ("PT1.S", K::BadFraction, 4),
        ("PT1,5S", K::CommaDecimal, 3),
        ("pt1s", K::LowercaseDesignator, 0),
        ("Pt1S", K::LowercaseDesignator, 1),
        ("PT1s", K::LowercaseDesignator, 3),
        ("P1d", K::LowercaseDesignator, 2),
        (" PT1S", K::Whitespace, 0),
        ("PT1S ", K::Whitespace, 4),
        ("PT 1S", K::Whitespace, 2),
        ("PT1 S", K::Whitespace, 3),
        ("-\tPT1S", K::Whitespace, 1),
        ("PT1SX", K::TrailingBytes, 4),
        ("PT1S1", K::TrailingBytes, 4),
        ("PT1ST", K::TrailingBytes, 4),
        ("", K::Empty, 0),
        ("1D", K::MissingP, 0),
        ("-", K::MissingP, 1),
        ("--PT1S", K::MissingP, 1),
        ("PT1", K::MissingUnit, 3),
        ("PT1.5", K::MissingUnit, 5),
        ("PT1.5M", K::FractionNotOnSeconds, 3),
        ("P1.5D", K::FractionNotOnSeconds, 2),
        ("P1H", K::TimeUnitBeforeT, 2),
        ("P1S", K::TimeUnitBeforeT, 2),
        ("PT1H1H", K::UnitOrder, 5),
        ("PT1M1H", K::UnitOrder, 5),
        ("PT1S1M", K::TrailingBytes, 4),
        ("P1DT1D", K::UnitOrder, 5),
        ("P1D2D", K::UnitOrder, 4),
        ("PTT1S", K::UnitOrder, 2),
        ("P1DTT", K::UnitOrder, 4),
        ("PT1X", K::UnexpectedByte, 3),
        ("P-1D", K::UnexpectedByte, 1),
        ("P1DP", K::UnexpectedByte, 3),
    ];
    for &(s, kind, at) in cases {
        assert_eq!(dur(s), Err((kind, at)), "{s}");
    }
}

#[test]
fn duration_display_and_conversions() {
    let cases: &[(&str, &str)] = &[
        ("PT0.016S", "PT0.016S"),
        ("-P1DT2H", "-P1DT2H"),
        ("PT0S", "PT0S"),
        ("P0D", "PT0S"),
        ("-PT0S", "PT0S"),
        ("PT36H", "P1DT12H"),
        ("PT90S", "PT1M30S"),
        ("PT1.500S", "PT1.5S"),
        ("PT0.000000001S", "PT0.000000001S"),
        ("P365D", "P365D"),
        ("PT24H0.1S", "P1DT0.1S"),
    ];
    for &(s, want) in cases {
        let d = s.parse::<Duration>().map(|d| d.to_string());
        assert_eq!(d.as_deref(), Ok(want), "{s}");
    }
    let d = Duration::from_nanos(1_500_000_000);
    assert_eq!(
        std::time::Duration::try_from(d),
        Ok(std::time::Duration::from_millis(1500))
    );
    assert_eq!(d.as_secs_f64(), 1.5);
    assert_eq!(Duration::from_nanos(-250_000_000).as_secs_f64(), -0.25);
    let neg = std::time::Duration::try_from(Duration::from_nanos(-1));
    assert_eq!(neg.map_err(|e| e.kind()), Err(K::NegativeDuration));
    assert!(Duration::from_nanos(-1) < Duration::ZERO);
}

// ---------------------------------------------------------------- timestamps

#[test]
fn timestamp_accepted() {
    let cases: &[(&str, i64, u32, i16)] = &[
        (
            "2020-02-25T18:52:21.2169889Z",
            1_582_656_741,
            216_988_900,
            0,
        ),
        ("2020-02-25T19:00:24.582757Z", 1_582_657_224, 582_757_000, 0),
        ("2023-09-25T10:36:40Z", 1_695_638_200, 0, 0),
        ("2023-09-25T11:36:40+01:00", 1_695_638_200, 0, 60),
        ("2023-09-25T05:06:40-05:30", 1_695_638_200, 0, -330),
        ("2023-09-25T10:36:40+00:00", 1_695_638_200, 0, 0),
        ("2023-09-25T10:36:40-00:00", 1_695_638_200, 0, 0),
        ("1970-01-01T00:00:00Z", 0, 0, 0),
        ("1969-12-31T23:59:59.999999999Z", -1, 999_999_999, 0),
        ("0001-01-01T00:00:00Z", -62_135_596_800, 0, 0),
        (
            "9999-12-31T23:59:59.999999999999Z",
            253_402_300_799,
            999_999_999,
            0,
        ),
        ("2024-02-29T00:00:00Z", 1_709_164_800, 0, 0),
        ("2000-02-29T00:00:00Z", 951_782_400, 0, 0),
        ("2020-02-25T18:52:21.1Z", 1_582_656_741, 100_000_000, 0),
        // Digits past the ninth are truncated.
        (
            "2020-02-25T18:52:21.123456789999Z",
            1_582_656_741,
            123_456_789,
            0,
        ),
        ("2020-02-25T18:52:21.000000000999Z", 1_582_656_741, 0, 0),
        (
            "2020-02-25T18:52:21+23:59",
            1_582_656_741 - 1439 * 60,
            0,
            1439,
        ),
        (
            "2020-02-25T18:52:21-23:59",
            1_582_656_741 + 1439 * 60,
            0,
            -1439,
        ),
        ("0001-01-01T00:00:00+01:00", -62_135_596_800 - 3600, 0, 60),
    ];
    for &(s, secs, nanos, off) in cases {
        assert_eq!(ts(s), Ok((secs, nanos, off)), "{s}");
    }
}

#[test]
fn timestamp_rejected() {
    let cases: &[(&str, K, usize)] = &[
        ("", K::Empty, 0),
        ("2023-09-25", K::BadTimestampShape, 10),
        ("2023-9-25T10:36:40Z", K::BadTimestampShape, 6),
        ("2023/09/25T10:36:40Z", K::BadTimestampShape, 4),
        ("2023-09-25T10:36Z", K::BadTimestampShape, 16),
        ("2023-09-25t10:36:40Z", K::LowercaseDesignator, 10),
        ("2023-09-25 10:36:40Z", K::Whitespace, 10),
        (" 2023-09-25T10:36:40Z", K::Whitespace, 0),
        ("2023-09-25T10:36:40Z ", K::Whitespace, 20),
        ("2023-09-25T10:36:40z", K::LowercaseDesignator, 19),
        ("2023-09-25T10:36:40", K::BadOffset, 19),
        ("2023-09-25T10:36:40.5", K::BadOffset, 21),
        ("2023-09-25T10:36:40X", K::BadOffset, 19),
        ("2023-09-25T10:36:40+0100", K::BadOffset, 22),
        ("2023-09-25T10:36:40+1:00", K::BadOffset, 21),
        ("2023-09-25T10:36:40+01", K::BadOffset, 22),
        ("2023-09-25T10:36:40+24:00", K::FieldOutOfRange, 20),
        ("2023-09-25T10:36:40+01:60", K::FieldOutOfRange, 23),
        ("2023-09-25T10:36:40ZZ", K::TrailingBytes, 20),
        ("2023-09-25T10:36:40+01:00Z", K::TrailingBytes, 25),
        ("0000-01-01T00:00:00Z", K::YearZero, 0),
        ("2023-00-01T00:00:00Z", K::FieldOutOfRange, 5),
        ("2023-13-01T00:00:00Z", K::FieldOutOfRange, 5),
        ("2023-01-00T00:00:00Z", K::FieldOutOfRange, 8),
        ("2023-01-32T00:00:00Z", K::FieldOutOfRange, 8),
        ("2023-04-31T00:00:00Z", K::FieldOutOfRange, 8),
        ("2023-02-29T00:00:00Z", K::FieldOutOfRange, 8),
        ("2100-02-29T00:00:00Z", K::FieldOutOfRange, 8),
        ("2023-01-01T24:00:00Z", K::FieldOutOfRange, 11),
        ("2023-01-01T23:60:00Z", K::FieldOutOfRange, 14),
        ("2016-12-31T23:59:60Z", K::LeapSecond, 17),
        ("2023-01-01T23:59:61Z", K::FieldOutOfRange, 17),
        ("2023-01-01T00:00:00.Z", K::BadFraction, 20),
        ("2023-01-01T00:00:00,5Z", K::CommaDecimal, 19),
        ("2023-01-01T00:00:00.1234567890123Z", K::FractionTooLong, 32),
    ];
    for &(s, kind, at) in cases {
        assert_eq!(ts(s), Err((kind, at)), "{s}");
    }
}

#[test]
fn timestamp_display_order_equality() {
    let cases: &[(&str, &str)] = &[
        (
            "2020-02-25T18:52:21.2169889Z",
            "2020-02-25T18:52:21.2169889Z",
        ),
        ("2023-09-25T10:36:40.000Z", "2023-09-25T10:36:40Z"),
        ("2023-09-25T11:36:40+01:00", "2023-09-25T11:36:40+01:00"),
        ("2023-09-25T10:36:40+00:00", "2023-09-25T10:36:40Z"),
        ("2023-09-25T00:06:40.5-05:30", "2023-09-25T00:06:40.5-05:30"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        (
            "9999-12-31T23:59:59.9999999Z",
            "9999-12-31T23:59:59.9999999Z",
        ),
    ];
    for &(s, want) in cases {
        let t = s.parse::<Timestamp>().map(|t| t.to_string());
        assert_eq!(t.as_deref(), Ok(want), "{s}");
    }
    // Every text here is valid (checked by `timestamp_accepted`-style asserts below).
    let p = |s: &str| {
        let t = Timestamp::parse(s.as_bytes());
        assert!(t.is_ok(), "{s}: {t:?}");
        t.unwrap_or_else(|_| Timestamp::from_unix(0, 0, 0).unwrap_or_else(|| unreachable!()))
    };
    let a = p("2023-09-25T11:36:40.25+01:00");
    let b = p("2023-09-25T10:36:40.25Z");
    assert_eq!(a, b);
    assert_ne!(a.offset_minutes(), b.offset_minutes());
    assert_eq!(a.display_utc().to_string(), "2023-09-25T10:36:40.25Z");
    assert_eq!(a.to_utc().to_string(), "2023-09-25T10:36:40.25Z");
    assert!(p("2023-09-25T10:36:40Z") < p("2023-09-25T10:36:40.0000001Z"));
    assert!(p("2023-09-25T11:00:00+02:00") < p("2023-09-25T10:00:00Z"));
    assert_eq!(a.unix_nanos(), Some(1_695_638_200_250_000_000));
    assert_eq!(a.unix_nanos_i128(), 1_695_638_200_250_000_000);
    let first = p("0001-01-01T00:00:00Z");
    assert_eq!(first.unix_nanos(), None);
    assert_eq!(first.unix_nanos_i128(), -62_135_596_800 * i128::from(NS));
    assert_eq!(
        p("0001-01-01T00:30:00+01:00").display_utc().to_string(),
        "0000-12-31T23:30:00Z"
    );
}

// ---------------------------------------------------------------- numbers

#[test]
fn integers() {
    let ok: &[(&str, i64)] = &[
        ("0", 0),
        ("-0", 0),
        ("7", 7),
        ("-17", -17),
        ("4294967295", 4_294_967_295),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
    ];
    for &(s, want) in ok {
        assert_eq!(parse_i64(s.as_bytes()), Ok(want), "{s}");
    }
    let bad: &[(&str, K, usize)] = &[
        ("9223372036854775808", K::Overflow, 0),
        ("-9223372036854775809", K::Overflow, 0),
        ("123456789012345678901234567890", K::Overflow, 0),
        ("5.0", K::NotAnInteger, 1),
        ("1e2", K::NotAnInteger, 1),
        ("-1E+2", K::NotAnInteger, 2),
        ("1.5e3", K::NotAnInteger, 1),
        ("01", K::LeadingZero, 0),
        ("-00", K::LeadingZero, 1),
        ("", K::Empty, 0),
        ("-", K::InvalidNumber, 1),
        ("+1", K::InvalidNumber, 0),
        ("1.", K::InvalidNumber, 2),
        (".5", K::InvalidNumber, 0),
        ("1e", K::InvalidNumber, 2),
        ("1x", K::TrailingBytes, 1),
        ("1 ", K::Whitespace, 1),
        (" 1", K::Whitespace, 0),
    ];
    for &(s, kind, at) in bad {
        let got = parse_i64(s.as_bytes()).map_err(|e| (e.kind(), e.offset()));
        assert_eq!(got, Err((kind, at)), "{s}");
    }
    assert_eq!(parse_i32(b"2147483647"), Ok(i32::MAX));
    assert_eq!(parse_i32(b"-2147483648"), Ok(i32::MIN));
    let over = parse_i32(b"4294967295").map_err(|e| (e.kind(), e.offset()));
    assert_eq!(over, Err((K::Overflow, 0)));
    let frac = parse_i32(b"1.0").map_err(|e| (e.kind(), e.offset()));
    assert_eq!(frac, Err((K::NotAnInteger, 1)));
}

#[test]
fn floats() {
    let ok: &[(&str, f64)] = &[
        ("0", 0.0),
        ("1", 1.0),
        ("23", 23.0),
        ("3830", 3830.0),
        ("0.016", 0.016),
        ("-2.5", -2.5),
        ("1e22", 1e22),
        ("1e23", 1e23),
        ("1E-7", 1e-7),
        ("0.1e1", 1.0),
        ("9007199254740993", 9_007_199_254_740_992.0),
        ("1.7976931348623157e308", f64::MAX),
        ("2.2250738585072014e-308", f64::MIN_POSITIVE),
        ("5e-324", 5e-324),
        ("1e-400", 0.0),
        ("0e999999999999999999999", 0.0),
        ("123456789012345678901234567890", 1.2345678901234568e29),
    ];
    for &(s, want) in ok {
        assert_eq!(parse_f64(s.as_bytes()), Ok(want), "{s}");
    }
    let neg_zero = parse_f64(b"-0").map(f64::is_sign_negative);
    assert_eq!(neg_zero, Ok(true));
    let tiny = parse_f64(b"-1e-400").map(|v| (v == 0.0, v.is_sign_negative()));
    assert_eq!(tiny, Ok((true, true)));
    let bad: &[(&str, K, usize)] = &[
        ("1e400", K::Overflow, 0),
        ("-1e400", K::Overflow, 0),
        ("1.8e308", K::Overflow, 0),
        ("NaN", K::InvalidNumber, 0),
        ("inf", K::InvalidNumber, 0),
        ("1.", K::InvalidNumber, 2),
        (".5", K::InvalidNumber, 0),
        ("01.5", K::LeadingZero, 0),
        ("1e+", K::InvalidNumber, 3),
        ("1.5x", K::TrailingBytes, 3),
    ];
    for &(s, kind, at) in bad {
        let got = parse_f64(s.as_bytes()).map_err(|e| (e.kind(), e.offset()));
        assert_eq!(got, Err((kind, at)), "{s}");
    }
    assert_eq!(parse_f64_str(JsonStr::from_raw(b"INF")), Ok(f64::INFINITY));
    assert_eq!(
        parse_f64_str(JsonStr::from_raw(b"-INF")),
        Ok(f64::NEG_INFINITY)
    );
    assert_eq!(
        parse_f64_str(JsonStr::from_raw(b"NaN")).map(f64::is_nan),
        Ok(true)
    );
    assert_eq!(
        parse_f64_str(JsonStr::from_raw(br"\u004EaN")).map(f64::is_nan),
        Ok(true)
    );
    for s in ["nan", "Infinity", "inf", "1.5", "", "+INF"] {
        let got = parse_f64_str(JsonStr::from_raw(s.as_bytes())).map_err(|e| e.kind());
        assert_eq!(got, Err(K::InvalidSpecialFloat), "{s}");
    }
}

// ---------------------------------------------------------------- strings

#[test]
fn strings() {
    let plain = JsonStr::from_raw(b"caller");
    assert!(matches!(plain.decode(), Ok(Cow::Borrowed("caller"))));
    assert!(plain.eq_str("caller"));
    assert!(!plain.eq_str("calle"));
    let ok: &[(&[u8], &str)] = &[
        (br"c\u0061ller", "caller"),
        (br#"\"\\\/\b\f\n\r\t"#, "\"\\/\u{8}\u{c}\n\r\t"),
        (br"\ud83d\ude00", "\u{1F600}"),
        (br"\uD83D\uDE00x", "\u{1F600}x"),
        (br"\u00e9t\u00E9", "été"),
        (br"\u0000", "\0"),
        (br"\uffff", "\u{FFFF}"),
        ("Zürich \\n".as_bytes(), "Zürich \n"),
    ];
    let arena = bumpalo::Bump::new();
    for &(raw, want) in ok {
        let s = JsonStr::from_raw(raw);
        assert!(s.has_escapes());
        assert_eq!(s.decode().as_deref(), Ok(want), "{raw:?}");
        assert_eq!(s.decode_in(&arena), Ok(want), "{raw:?}");
        assert!(s.eq_str(want), "{raw:?}");
        assert!(!s.eq_str(&format!("{want}x")), "{raw:?}");
        assert_eq!(s.to_string(), want);
    }
    let bad: &[(&[u8], K, usize)] = &[
        (br"\ud83d", K::LoneSurrogate, 0),
        (br"ab\ud83dx", K::LoneSurrogate, 2),
        (br"\ude00", K::LoneSurrogate, 0),
        (br"\ud83d\ud83d", K::LoneSurrogate, 0),
        (br"\ud83d\n", K::LoneSurrogate, 0),
        (br"\ud83d\u00", K::InvalidEscape, 6),
        (br"\x", K::InvalidEscape, 0),
        (br"a\", K::InvalidEscape, 1),
        (br"\u12g4", K::InvalidEscape, 0),
        (b"\\n\xc3", K::InvalidUtf8, 2),
        (b"\xff", K::InvalidUtf8, 0),
    ];
    for &(raw, kind, at) in bad {
        let s = JsonStr::from_raw(raw);
        let got = s.decode().map_err(|e| (e.kind(), e.offset()));
        assert_eq!(got, Err((kind, at)), "{raw:?}");
        let got = s.decode_in(&arena).map_err(|e| (e.kind(), e.offset()));
        assert_eq!(got, Err((kind, at)), "{raw:?}");
        assert!(!s.eq_str(""));
    }
}

// ---------------------------------------------------------------- property tests

/// The reference for durations: i128 arithmetic on the generated components.
#[derive(Debug, Clone)]
struct DurCase {
    neg: Option<bool>,
    days: Option<u64>,
    hours: Option<u64>,
    minutes: Option<u64>,
    /// Seconds and fractional digit string.
    seconds: Option<(u64, String)>,
}

fn component() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![
        2 => Just(None),
        3 => (0u64..100).prop_map(Some),
        2 => (0u64..1_000_000).prop_map(Some),
        1 => any::<u64>().prop_map(|v| Some(v >> (v % 64))),
    ]
}

fn dur_case() -> impl Strategy<Value = DurCase> {
    (
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        component(),
        component(),
        component(),
        prop::option::of((component(), "[0-9]{0,12}")),
    )
        .prop_map(|(neg, days, hours, minutes, secs)| DurCase {
            neg,
            days,
            hours,
            minutes,
            seconds: secs.map(|(s, f)| (s.unwrap_or(0), f)),
        })
        .prop_filter("at least one component", |c| {
            c.days.is_some() || c.hours.is_some() || c.minutes.is_some() || c.seconds.is_some()
        })
}

impl DurCase {
    fn text(&self) -> String {
        let mut s = String::new();
        match self.neg {
            Some(true) => s.push('-'),
            Some(false) => s.push('+'),
            None => {}
        }
        s.push('P');
        if let Some(d) = self.days {
            s += &format!("{d}D");
        }
        if self.hours.is_some() || self.minutes.is_some() || self.seconds.is_some() {
            s.push('T');
            if let Some(h) = self.hours {
                s += &format!("{h}H");
            }
            if let Some(m) = self.minutes {
                s += &format!("{m}M");
            }
            if let Some((sec, frac)) = &self.seconds {
                s += &format!("{sec}");
                if !frac.is_empty() {
                    s += &format!(".{frac}");
                }
                s.push('S');
            }
        }
        s
    }

    fn reference(&self) -> Option<i64> {
        let ns = i128::from(NS);
        let mut total: i128 = 0;
        total += i128::from(self.days.unwrap_or(0)) * 86_400 * ns;
        total += i128::from(self.hours.unwrap_or(0)) * 3_600 * ns;
        total += i128::from(self.minutes.unwrap_or(0)) * 60 * ns;
        if let Some((sec, frac)) = &self.seconds {
            total += i128::from(*sec) * ns;
            // Truncate to nine digits, pad to nine.
            let mut nine: String = frac.chars().take(9).collect();
            while nine.len() < 9 {
                nine.push('0');
            }
            total += nine.parse::<i128>().unwrap_or(0);
        }
        if self.neg == Some(true) {
            total = -total;
        }
        i64::try_from(total).ok()
    }
}

/// Days from 1970-01-01, counted as whole years and months (a different method than the crate's).
fn ref_days(year: i64, month: u32, day: u32) -> i64 {
    let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let before = |y: i64| {
        let p = y - 1;
        p * 365 + p / 4 - p / 100 + p / 400
    };
    let month_len = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut days = before(year) - before(1970);
    for m in 1..month {
        days += month_len[(m - 1) as usize];
        if m == 2 && leap(year) {
            days += 1;
        }
    }
    days + i64::from(day) - 1
}

fn month_days(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[derive(Debug, Clone)]
struct TsCase {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    frac: String,
    /// `None` is `Z`.
    offset: Option<i16>,
}

fn ts_case() -> impl Strategy<Value = TsCase> {
    (
        1i64..=9999,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        "[0-9]{0,12}",
        prop::option::of(-1439i16..=1439),
    )
        .prop_map(
            |(year, month, day, hour, minute, second, frac, offset)| TsCase {
                year,
                month,
                day: day.min(month_days(year, month)),
                hour,
                minute,
                second,
                frac,
                offset,
            },
        )
}

impl TsCase {
    fn text(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if !self.frac.is_empty() {
            s += &format!(".{}", self.frac);
        }
        match self.offset {
            None => s.push('Z'),
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                s += &format!("{sign}{:02}:{:02}", o.abs() / 60, o.abs() % 60);
            }
        }
        s
    }

    fn reference(&self) -> (i64, u32, i16) {
        let off = self.offset.unwrap_or(0);
        let secs = ref_days(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
            - i64::from(off) * 60;
        let mut nine: String = self.frac.chars().take(9).collect();
        while nine.len() < 9 {
            nine.push('0');
        }
        (secs, nine.parse().unwrap_or(0), off)
    }
}

/// A JSON number text: integer part, optional fraction and exponent.
fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "(0|[1-9][0-9]{0,24})",
        prop::option::of("[0-9]{1,25}"),
        prop::option::of((prop_oneof![Just(""), Just("+"), Just("-")], 0u32..400)),
        any::<bool>(),
    )
        .prop_map(|(neg, int, frac, exp, upper)| {
            let mut s = String::new();
            if neg {
                s.push('-');
            }
            s += &int;
            if let Some(f) = frac {
                s += &format!(".{f}");
            }
            if let Some((sign, e)) = exp {
                s += &format!("{}{sign}{e}", if upper { 'E' } else { 'e' });
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 2000 }))]

    #[test]
    fn duration_display_roundtrip(n in any::<i64>()) {
        let d = Duration::from_nanos(n);
        prop_assert_eq!(Duration::parse(d.to_string().as_bytes()), Ok(d));
    }

    #[test]
    fn duration_matches_reference(c in dur_case()) {
        let text = c.text();
        let got = Duration::parse(text.as_bytes());
        match c.reference() {
            Some(want) => prop_assert_eq!(got.map(Duration::as_nanos), Ok(want), "{}", text),
            None => prop_assert_eq!(got.map_err(|e| e.kind()), Err(K::Overflow), "{}", text),
        }
    }

    #[test]
    fn timestamp_matches_reference(c in ts_case()) {
        let text = c.text();
        prop_assert_eq!(ts(&text), Ok(c.reference()), "{}", text);
    }

    #[test]
    fn timestamp_display_roundtrip(c in ts_case()) {
        let text = c.text();
        let t = Timestamp::parse(text.as_bytes());
        prop_assert!(t.is_ok(), "{}", text);
        if let Ok(t) = t {
            let shown = t.to_string();
            let back = Timestamp::parse(shown.as_bytes());
            prop_assert_eq!(back, Ok(t), "{} -> {}", text, shown);
            prop_assert_eq!(back.map(|b| b.offset_minutes()), Ok(t.offset_minutes()));
            let utc = Timestamp::from_unix(t.unix_seconds(), t.subsec_nanos(), 0);
            if let Some(utc) = utc {
                prop_assert_eq!(t.display_utc().to_string(), utc.to_string());
                prop_assert_eq!(Timestamp::parse(utc.to_string().as_bytes()), Ok(t));
            }
        }
    }

    #[test]
    fn timestamp_from_unix_roundtrip(
        secs in -62_135_596_800i64..=253_402_300_799,
        nanos in 0u32..1_000_000_000,
        off in -1439i16..=1439,
    ) {
        if let Some(t) = Timestamp::from_unix(secs, nanos, off) {
            let back = Timestamp::parse(t.to_string().as_bytes());
            prop_assert_eq!(back.map(|b| (b.unix_seconds(), b.subsec_nanos(), b.offset_minutes())),
                Ok((secs, nanos, off)));
        }
    }

    #[test]
    fn floats_match_std(text in number_text()) {
        let want: f64 = match text.parse() {
            Ok(v) => v,
            Err(e) => return Err(TestCaseError::fail(format!("{text}: {e}"))),
        };
        let got = parse_f64(text.as_bytes());
        if want.is_infinite() {
            prop_assert_eq!(got.map_err(|e| e.kind()), Err(K::Overflow), "{}", text);
        } else {
            prop_assert_eq!(got.map(f64::to_bits), Ok(want.to_bits()), "{}", text);
        }
    }

    #[test]
    fn short_floats_match_std(m in any::<u64>(), scale in 0u32..25, e in -30i32..30) {
        let digits = (m >> (m % 64)).to_string();
        let text = if (scale as usize) < digits.len() && scale > 0 {
            let (a, b) = digits.split_at(digits.len() - scale as usize);
            format!("{a}.{b}e{e}")
        } else {
            format!("{digits}e{e}")
        };
        let want: f64 = text.parse().unwrap_or(f64::NAN);
        prop_assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), Ok(want.to_bits()), "{}", text);
    }

    #[test]
    fn integers_match_std(n in any::<i64>()) {
        prop_assert_eq!(parse_i64(n.to_string().as_bytes()), Ok(n));
        prop_assert_eq!(parse_i32(n.to_string().as_bytes()).ok(), i32::try_from(n).ok());
    }

    #[test]
    fn strings_roundtrip_through_json(s in "\\PC{0,40}") {
        // serde_json escapes quotes, backslashes and controls; add \u escapes for every non-ASCII char.
        let mut raw = String::new();
        for c in s.chars() {
            match c {
                '"' => raw += "\\\"",
                '\\' => raw += "\\\\",
                c if c.is_ascii() && !c.is_ascii_control() => raw.push(c),
                c => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        raw += &format!("\\u{u:04x}");
                    }
                }
            }
        }
        let j = JsonStr::from_raw(raw.as_bytes());
        let decoded = j.decode();
        prop_assert_eq!(decoded.as_deref(), Ok(s.as_str()));
        prop_assert!(j.eq_str(&s));
        let longer = format!("{s}x");
        prop_assert!(!j.eq_str(&longer));
        if let Some(last) = s.chars().last() {
            prop_assert!(!j.eq_str(&s[..s.len() - last.len_utf8()]));
        }
        let arena = bumpalo::Bump::new();
        prop_assert_eq!(j.decode_in(&arena), Ok(s.as_str()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
        let _ = Duration::parse(&bytes);
        let _ = Timestamp::parse(&bytes);
        let _ = parse_i32(&bytes);
        let _ = parse_i64(&bytes);
        let _ = parse_f64(&bytes);
        for flag in [false, true] {
            let s = JsonStr::new(&bytes, flag);
            if let Ok(d) = s.decode() {
                prop_assert!(s.eq_str(&d));
            }
            let _ = s.eq_str("caller");
            let _ = s.to_string();
            let _ = parse_f64_str(s);
            let arena = bumpalo::Bump::new();
            let _ = s.decode_in(&arena);
        }
    }

    #[test]
    fn mutated_values_never_panic(
        which in 0usize..6,
        pos in any::<prop::sample::Index>(),
        byte in prop_oneof![any::<u8>(), prop::sample::select(b"0123456789PTDHMS.:-+Zeu\\\"".to_vec())],
        cut in any::<bool>(),
    ) {
        let seeds: [&[u8]; 6] = [
            b"P1DT2H3M4.123456789012S",
            b"2020-02-25T18:52:21.2169889+01:00",
            b"-1.25e-7",
            br"c\u0061ller\ud83d\ude00\n",
            b"9223372036854775807",
            b"-PT0.5S",
        ];
        let mut v = seeds[which].to_vec();
        let i = pos.index(v.len());
        if cut { v.truncate(i); } else { v[i] = byte; }
        let _ = Duration::parse(&v);
        let _ = Timestamp::parse(&v);
        let _ = parse_i64(&v);
        let _ = parse_f64(&v);
        let s = JsonStr::from_raw(&v);
        let _ = s.decode();
        let _ = s.eq_str("caller");
        let _ = s.to_string();
    }
}
