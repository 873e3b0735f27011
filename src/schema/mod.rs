//! The schema layer: typed, borrowed views of the `microsoft.graph.callRecords` types.
//!
//! Every type and property reachable from `callRecord` and `session` (v1.0 and beta) has a field
//! here; see `callrecords-model.md`. Views borrow the input: strings are [`JsonStr`]s, durations and
//! timestamps are parsed in place, enums keep unknown members' raw text. Nested collections
//! (`traceRouteHops`, feedback tokens, `participants_v2`, …) are lazy: they keep the already
//! validated bytes and parse an element when the iterator reaches it.
//!
//! Parsing rules, the same for every type:
//! - keys are matched on their raw bytes; keys with escapes are decoded first (cold path), so
//!   `"c\u0061ller"` is `caller`;
//! - any key order, missing properties and `null` anywhere are fine; a duplicate key's last value
//!   wins;
//! - undeclared keys are skipped (validated, not decoded) and, when asked, reported as
//!   [`Undeclared`]; on open types (identities, identity sets, feedback tokens) they are kept as
//!   the view's extras instead;
//! - a bad value in a known field (wrong JSON type, bad duration, out-of-range integer) leaves the
//!   field `None` and is recorded in the record's [`FieldErrors`] (lenient), or is an error (strict).
//!
//! Records are `Copy` and allocation-free. Endpoints, user agents and identity sets are flat
//! views (an [`Endpoint`] has every `participantEndpoint` property and a [`EndpointKind`] from
//! `@odata.type`); an [`IdentitySet`] keeps up to [`IDENTITY_SET_INLINE`] identities inline. Lazy
//! views (`traceRouteHops`, feedback tokens, identity extras, `participants_v2`, …) take a
//! cursor's buffers from a per-thread pool when iterated (no heap allocation once it is warm);
//! the records themselves never allocate.

mod endpoint;
pub mod enums;
mod identity;
pub(crate) mod keys;
mod lazy;
pub(crate) mod locate;
mod media;
mod path;
#[cfg(feature = "serde")]
mod ser;
mod session;

use core::ops::Range;

pub use endpoint::{
    Endpoint, EndpointKind, FailureInfo, FeedbackTokens, UserAgent, UserAgentKind, UserFeedback,
};
pub use enums::*;
pub use identity::{
    AdministrativeUnitInfo, AdministrativeUnitInfos, Identity, IdentityExtras, IdentityKind,
    IdentitySet, IdentitySets, Participant, Participants, IDENTITY_SET_INLINE,
};
pub use lazy::LazyIter;
pub use media::{DeviceInfo, Media, MediaStream, NetworkInfo, TraceRouteHop, TraceRouteHops};
pub(crate) use path::write_pointer_token as path_token;
pub use path::{FieldError, FieldErrors, FieldPath, Path, Root, Undeclared, FIELD_ERRORS_INLINE};
pub(crate) use session::{
    parse_call_record_element, parse_session, top_begin, top_decide, top_keys, Top, TopStop,
};
pub use session::{Annotation, CallRecord, PageInfo, Segment, Session, Shape};

use crate::error::Error;
use crate::event::Event;
use crate::tokenizer::{NextValue, Peek, Scalar, Tokenizer};
use crate::value::{
    parse_f64, parse_i32, parse_i64, Duration, JsonStr, Timestamp, ValueError, ValueErrorKind,
};

/// The parsing context: the cursor plus the options and the side buffer for annotations and
/// undeclared keys of the current session.
pub(crate) struct Cx<'a> {
    pub(crate) tok: Tokenizer<'a>,
    /// The tokenizer's input (offsets from the tokenizer index it).
    pub(crate) input: &'a [u8],
    /// Absolute offset of `input[0]` in the whole document.
    pub(crate) base: u64,
    pub(crate) strict: bool,
    pub(crate) report: bool,
    /// Annotations and undeclared keys met inside the current session (emitted after its children).
    pub(crate) tail: Vec<Event<'a>>,
}

/// The record being filled: its location and its value errors.
pub(crate) struct Acc<'a> {
    pub(crate) at: Path,
    pub(crate) errs: FieldErrors<'a>,
}

impl<'a> Acc<'a> {
    pub(crate) fn new(at: Path) -> Self {
        Acc {
            at,
            errs: FieldErrors::default(),
        }
    }
}

type R<T> = Result<T, Error>;

const WRONG_TYPE: ValueError = ValueError::new(ValueErrorKind::WrongType, 0);

impl<'a> Cx<'a> {
    pub(crate) fn new(
        tok: Tokenizer<'a>,
        input: &'a [u8],
        base: u64,
        strict: bool,
        report: bool,
        tail: Vec<Event<'a>>,
    ) -> Self {
        Cx {
            tok,
            input,
            base,
            strict,
            report,
            tail,
        }
    }

    /// Absolute offset of the next token.
    #[inline]
    pub(crate) fn off(&self) -> u64 {
        self.base + self.tok.offset() as u64
    }

    #[inline]
    pub(crate) fn slice(&self, r: Range<usize>) -> &'a [u8] {
        self.input.get(r).unwrap_or(&[])
    }

    /// Records a value error (lenient) or returns it (strict).
    #[cold]
    #[inline(never)]
    pub(crate) fn bad(
        &mut self,
        acc: &mut Acc<'a>,
        field: FieldPath,
        raw: &'a [u8],
        offset: u64,
        error: ValueError,
    ) -> R<()> {
        let fe = FieldError {
            at: acc.at,
            field,
            raw,
            offset,
            error,
        };
        if self.strict {
            return Err(Error::value(error, offset, &fe.to_string()));
        }
        acc.errs.push(fe);
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn wrong_compound(&mut self, acc: &mut Acc<'a>, fp: FieldPath, at: u64) -> R<()> {
        let r = self.tok.skip_value()?;
        let raw = self.slice(r);
        self.bad(acc, fp, raw, at, WRONG_TYPE)
    }

    #[cold]
    #[inline(never)]
    fn wrong_scalar(&mut self, acc: &mut Acc<'a>, fp: FieldPath, s: Scalar<'a>, at: u64) -> R<()> {
        // A literal's text, borrowed from the input like every other raw slice (never a static
        // string: callers may locate `raw` in the input by address).
        let literal = |len: usize| {
            let start = usize::try_from(at.saturating_sub(self.base)).unwrap_or(usize::MAX);
            self.slice(start..start.saturating_add(len))
        };
        let (raw, at): (&'a [u8], u64) = match s {
            // The text between the quotes, so the offset is that of its first byte (as for every
            // string value error).
            Scalar::String(j) => (j.raw(), at + 1),
            Scalar::Number(n) => (n, at),
            Scalar::Bool(true) => (literal(4), at),
            Scalar::Bool(false) => (literal(5), at),
            Scalar::Null => (literal(4), at),
        };
        self.bad(acc, fp, raw, at, WRONG_TYPE)
    }

    /// The next value as a scalar with its offset; `None` for `null` and for objects and arrays
    /// (recorded as wrong-type value errors).
    #[inline]
    fn scalar_of(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<(Scalar<'a>, u64)>> {
        let (v, s) = self.tok.next_value()?;
        let at = self.base + s as u64;
        match v {
            NextValue::Object | NextValue::Array => {
                self.wrong_compound(acc, fp, at)?;
                Ok(None)
            }
            NextValue::Scalar(Scalar::Null) => Ok(None),
            NextValue::Scalar(x) => Ok(Some((x, at))),
        }
    }

    /// Reads an Edm.String field.
    pub(crate) fn str(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<JsonStr<'a>>> {
        match self.scalar_of(acc, fp)? {
            Some((Scalar::String(s), _)) => Ok(Some(s)),
            Some((s, at)) => self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => Ok(None),
        }
    }

    /// Reads an Edm.Boolean field.
    pub(crate) fn bool(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<bool>> {
        match self.scalar_of(acc, fp)? {
            Some((Scalar::Bool(b), _)) => Ok(Some(b)),
            Some((s, at)) => self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => Ok(None),
        }
    }

    fn int<T>(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
        parse: fn(&[u8]) -> Result<T, ValueError>,
    ) -> R<Option<T>> {
        let (raw, at) = match self.scalar_of(acc, fp)? {
            Some((Scalar::Number(n), at)) => (n, at),
            // OData's IEEE754Compatible form: an integer as a string.
            Some((Scalar::String(s), at)) if !s.has_escapes() => (s.raw(), at + 1),
            Some((s, at)) => return self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => return Ok(None),
        };
        match parse(raw) {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.bad(acc, fp, raw, at, e).map(|()| None),
        }
    }

    /// Reads an Edm.Int32 field.
    pub(crate) fn i32(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<i32>> {
        self.int(acc, fp, parse_i32)
    }

    /// Reads an Edm.Int64 field.
    pub(crate) fn i64(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<i64>> {
        self.int(acc, fp, parse_i64)
    }

    /// Reads an Edm.Single field into `f64` (integer literals and `"NaN"`, `"INF"`, `"-INF"` too).
    pub(crate) fn f64(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<f64>> {
        match self.scalar_of(acc, fp)? {
            Some((Scalar::Number(n), at)) => match parse_f64(n) {
                Ok(v) => Ok(Some(v)),
                Err(e) => self.bad(acc, fp, n, at, e).map(|()| None),
            },
            Some((Scalar::String(s), at)) => match s.raw() {
                b"NaN" => Ok(Some(f64::NAN)),
                b"INF" => Ok(Some(f64::INFINITY)),
                b"-INF" => Ok(Some(f64::NEG_INFINITY)),
                _ => self
                    .wrong_scalar(acc, fp, Scalar::String(s), at)
                    .map(|()| None),
            },
            Some((s, at)) => self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => Ok(None),
        }
    }

    fn text<T>(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
        parse: fn(&[u8]) -> Result<T, ValueError>,
    ) -> R<Option<T>> {
        let (s, at) = match self.scalar_of(acc, fp)? {
            Some((Scalar::String(s), at)) => (s, at + 1),
            Some((s, at)) => return self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => return Ok(None),
        };
        let r = if s.has_escapes() {
            let mut buf = [0u8; 64];
            match keys::unescape_small(s.raw(), &mut buf) {
                Some(b) => parse(b),
                None => Err(ValueError::new(ValueErrorKind::InvalidEscape, 0)),
            }
        } else {
            parse(s.raw())
        };
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.bad(acc, fp, s.raw(), at, e).map(|()| None),
        }
    }

    /// Reads an Edm.Duration field.
    pub(crate) fn duration(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Duration>> {
        self.text(acc, fp, Duration::parse)
    }

    /// Reads an Edm.DateTimeOffset field.
    pub(crate) fn timestamp(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Timestamp>> {
        self.text(acc, fp, Timestamp::parse)
    }

    /// Reads an enum field.
    pub(crate) fn enumeration<E: GraphEnum<'a>>(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
    ) -> R<Option<E>> {
        match self.scalar_of(acc, fp)? {
            Some((Scalar::String(s), _)) => Ok(Some(E::from_json(s))),
            Some((s, at)) => self.wrong_scalar(acc, fp, s, at).map(|()| None),
            None => Ok(None),
        }
    }

    /// Reads `modalities`: an array of modality strings. `null` gives `None`.
    pub(crate) fn modalities(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
    ) -> R<Option<ModalitySet<'a>>> {
        let start = self.tok.offset();
        if !self.array_start(acc, fp)? {
            return Ok(None);
        }
        let mut set = ModalitySet::new();
        while self.tok.next_element()? {
            if let Some(m) = self.enumeration::<Modality<'a>>(acc, fp)? {
                set.insert(m);
            }
        }
        if set.has_more_unknown() {
            // More unknown members than the set holds inline: it keeps the array's text.
            let end = self.tok.offset();
            if let Some(array) = self.tok.input().get(start..end) {
                set.keep_array(array);
            }
        }
        Ok(Some(set))
    }

    /// Starts a known object-typed field: `true` after its `{` was consumed; `false` for `null`
    /// and for a value of another type (recorded as a value error).
    #[inline]
    pub(crate) fn object_start(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<bool> {
        self.compound_start(acc, fp, Peek::Object)
    }

    /// Starts a known array-typed field, as [`Cx::object_start`] does for objects.
    #[inline]
    pub(crate) fn array_start(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<bool> {
        self.compound_start(acc, fp, Peek::Array)
    }

    #[inline]
    fn compound_start(&mut self, acc: &mut Acc<'a>, fp: FieldPath, want: Peek) -> R<bool> {
        let (v, s) = self.tok.next_value()?;
        let at = self.base + s as u64;
        match (v, want) {
            (NextValue::Object, Peek::Object) => {
                self.tok.begin_object()?;
                Ok(true)
            }
            (NextValue::Array, Peek::Array) => {
                self.tok.begin_array()?;
                Ok(true)
            }
            (NextValue::Scalar(Scalar::Null), _) => Ok(false),
            (NextValue::Object | NextValue::Array, _) => {
                self.wrong_compound(acc, fp, at).map(|()| false)
            }
            (NextValue::Scalar(x), _) => self.wrong_scalar(acc, fp, x, at).map(|()| false),
        }
    }

    /// Captures the raw text of a known object-typed field for a lazy view: `None` for `null` and
    /// for other types (value error).
    pub(crate) fn raw_object(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<&'a [u8]>> {
        self.raw_compound(acc, fp, Peek::Object)
    }

    /// Captures the raw text of a known array-typed field for a lazy view.
    pub(crate) fn raw_array(&mut self, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<&'a [u8]>> {
        self.raw_compound(acc, fp, Peek::Array)
    }

    fn raw_compound(
        &mut self,
        acc: &mut Acc<'a>,
        fp: FieldPath,
        want: Peek,
    ) -> R<Option<&'a [u8]>> {
        let (v, s) = self.tok.next_value()?;
        let at = self.base + s as u64;
        match (v, want) {
            (NextValue::Object, Peek::Object) | (NextValue::Array, Peek::Array) => {
                let r = self.tok.skip_value()?;
                Ok(Some(self.slice(r)))
            }
            (NextValue::Scalar(Scalar::Null), _) => Ok(None),
            (NextValue::Object | NextValue::Array, _) => {
                self.wrong_compound(acc, fp, at).map(|()| None)
            }
            (NextValue::Scalar(x), _) => self.wrong_scalar(acc, fp, x, at).map(|()| None),
        }
    }

    /// Skips the value of an undeclared key of a closed type, reporting it when asked.
    /// Instance annotations (`…@…`) in nested objects are skipped silently.
    #[inline]
    pub(crate) fn unknown(&mut self, at: Path, fp: FieldPath, key: JsonStr<'a>) -> R<()> {
        if self.report && at_sign(key).is_none() {
            self.report_undeclared(at, fp, key)
        } else {
            self.tok.skip_value().map(|_| ())
        }
    }

    #[cold]
    #[inline(never)]
    fn report_undeclared(&mut self, at: Path, field: FieldPath, key: JsonStr<'a>) -> R<()> {
        let offset = self.off();
        let r = self.tok.skip_value()?;
        let raw = self.slice(r);
        self.tail.push(Event::Undeclared(Undeclared {
            at,
            field,
            key,
            raw,
            offset,
        }));
        Ok(())
    }

    /// On a record object (callRecord, session, segment, media, stream): an instance annotation
    /// (`@odata.nextLink`, `segments@odata.context`, …) becomes an [`Annotation`] event;
    /// `@odata.type` is skipped; any other key is undeclared.
    pub(crate) fn record_other(&mut self, at: Path, fp: FieldPath, key: JsonStr<'a>) -> R<()> {
        match at_sign(key) {
            Some(_) if is_odata_type(key) => self.tok.skip_value().map(|_| ()),
            Some((i, len)) => {
                let a = self.annotation(at, key, i, len)?;
                self.tail.push(Event::Annotation(a));
                Ok(())
            }
            None => self.unknown(at, fp, key),
        }
    }

    /// Reads an annotation's value; the `@` is at `i` in the raw key, `len` bytes long (1, or 6
    /// when written `\u0040`).
    pub(crate) fn annotation(
        &mut self,
        at: Path,
        key: JsonStr<'a>,
        i: usize,
        len: usize,
    ) -> R<Annotation<'a>> {
        let offset = self.off();
        let r = self.tok.skip_value()?;
        let raw = self.slice(r);
        let k = key.raw();
        let target = if i == 0 {
            None
        } else {
            Some(JsonStr::new(
                &k[..i],
                memchr::memchr(b'\\', &k[..i]).is_some(),
            ))
        };
        let t = k.get(i + len..).unwrap_or(&[]);
        let term = JsonStr::new(t, memchr::memchr(b'\\', t).is_some());
        Ok(Annotation {
            at,
            target,
            term,
            raw,
            offset,
        })
    }
}

/// Where the first `@` of a key is in its raw text, and how many bytes it takes there: `(i, 1)`
/// for a plain `@`, `(i, 6)` for `\u0040` (keys with escapes are rare: the cold path).
#[inline]
fn at_sign(key: JsonStr<'_>) -> Option<(usize, usize)> {
    let raw = key.raw();
    if !key.has_escapes() {
        return memchr::memchr(b'@', raw).map(|i| (i, 1));
    }
    at_sign_escaped(raw)
}

#[cold]
fn at_sign_escaped(raw: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'@' => return Some((i, 1)),
            b'\\' if raw.get(i + 1) == Some(&b'u') => {
                if raw
                    .get(i + 2..i + 6)
                    .is_some_and(|h| h.eq_ignore_ascii_case(b"0040"))
                {
                    return Some((i, 6));
                }
                i += 6;
            }
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// True for the key `@odata.type`, however it is escaped.
fn is_odata_type(key: JsonStr<'_>) -> bool {
    let mut kb: keys::KeyBuf = [0; 64];
    keys::key_bytes(&key, &mut kb) == b"@odata.type"
}

/// Defines a flat view struct whose typed fields are read by one `Cx` reader each, plus a
/// `field` method that reads the value of a matching key and says whether the key matched.
macro_rules! view {
    (
        $(#[$m:meta])*
        $name:ident {
            $( $(#[$fm:meta])* $f:ident : $t:ty = $read:ident $key:literal, )*
        }
        $( extra { $( $(#[$em:meta])* $ef:ident : $et:ty, )* } )?
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
        pub struct $name<'a> {
            $($( $(#[$em])* pub $ef: $et, )*)?
            $(
                #[doc = concat!("`", $key, "`.")]
                $(#[$fm])*
                pub $f: $t,
            )*
        }

        impl<'a> $name<'a> {
            /// Reads the value of key `k` into its field; `false` when `k` is not a typed field.
            #[inline]
            pub(crate) fn field(
                &mut self,
                cx: &mut $crate::schema::Cx<'a>,
                acc: &mut $crate::schema::Acc<'a>,
                fp: $crate::schema::FieldPath,
                k: &[u8],
            ) -> Result<bool, $crate::Error> {
                $(
                    if k == $key.as_bytes() {
                        self.$f = cx.$read(acc, fp.with($key))?;
                        return Ok(true);
                    }
                )*
                Ok(false)
            }
        }
    };
}
pub(crate) use view;
