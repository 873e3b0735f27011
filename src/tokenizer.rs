//! The tokenizer: a forward-only pull cursor over the stage-1 structural index.
//!
//! (API skeleton: the tokenizer helper replaces the bodies. The signatures are the contract the
//! schema layer codes against; change them only together with the schema layer.)

use crate::error::Error;
use crate::value::JsonStr;

/// The default nesting limit.
pub const DEFAULT_DEPTH_LIMIT: usize = 128;

/// The kind of the next value, seen without consuming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peek {
    /// `{`
    Object,
    /// `[`
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A scalar JSON value, borrowed from the input. Numbers are validated raw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar<'a> {
    /// A string.
    String(JsonStr<'a>),
    /// A number's raw text, validated against the JSON grammar.
    Number(&'a [u8]),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// One token of a generic walk (see [`Tokenizer::next_token`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// `{`
    BeginObject,
    /// `}`
    EndObject,
    /// `[`
    BeginArray,
    /// `]`
    EndArray,
    /// An object key (the `:` after it is consumed).
    Key(JsonStr<'a>),
    /// A scalar value.
    Scalar(Scalar<'a>),
}

/// Reusable buffers for the tokenizer: the stage-1 window and the nesting stack.
///
/// Keep one per thread and pass it to every [`Tokenizer`] to parse many documents without new
/// allocations.
#[derive(Debug, Default)]
pub struct Scratch {
    _private: (),
}

/// A forward-only cursor over one JSON document.
///
/// The tokenizer owns its [`Scratch`]; take it back with [`Tokenizer::into_scratch`] to reuse the
/// buffers for the next document.
pub struct Tokenizer<'a> {
    _input: &'a [u8],
    _scratch: Scratch,
}

impl<'a> Tokenizer<'a> {
    /// A cursor at the start of `input`, with fresh buffers and the default depth limit.
    pub fn new(input: &'a [u8]) -> Self {
        Self::with_scratch(input, Scratch::default(), DEFAULT_DEPTH_LIMIT)
    }

    /// A cursor at the start of `input` that reuses `scratch`'s buffers.
    pub fn with_scratch(input: &'a [u8], scratch: Scratch, depth_limit: usize) -> Self {
        let _ = depth_limit;
        Tokenizer {
            _input: input,
            _scratch: scratch,
        }
    }

    /// Ends the cursor and hands back its buffers for reuse.
    pub fn into_scratch(self) -> Scratch {
        self._scratch
    }

    /// Byte offset of the next token (or of the end of the input).
    pub fn offset(&self) -> usize {
        todo!()
    }

    /// The kind of the next value, without consuming it. Errors if no value can start here.
    pub fn peek(&mut self) -> Result<Peek, Error> {
        todo!()
    }

    /// Consumes `{`. After it, call [`Tokenizer::next_key`] until it returns `None`.
    pub fn begin_object(&mut self) -> Result<(), Error> {
        todo!()
    }

    /// In an object: consumes the `,` or `}` that follows the previous member, and the next key
    /// with its `:`. Returns `None` when the object ended (its `}` is consumed).
    pub fn next_key(&mut self) -> Result<Option<JsonStr<'a>>, Error> {
        todo!()
    }

    /// Consumes `[`. After it, call [`Tokenizer::next_element`] before each element.
    pub fn begin_array(&mut self) -> Result<(), Error> {
        todo!()
    }

    /// In an array: consumes the `,` or `]` that follows the previous element. Returns `true`
    /// when an element follows, `false` when the array ended (its `]` is consumed).
    pub fn next_element(&mut self) -> Result<bool, Error> {
        todo!()
    }

    /// Consumes a scalar value. Errors (`ExpectedValue`) on `{` or `[`.
    pub fn scalar(&mut self) -> Result<Scalar<'a>, Error> {
        todo!()
    }

    /// Consumes any value, validating all of it (strings, escapes and numbers included) without
    /// decoding anything. Returns the byte range of the value's text.
    pub fn skip_value(&mut self) -> Result<core::ops::Range<usize>, Error> {
        todo!()
    }

    /// Generic walk: the next token, or `None` after the top-level value is complete and only
    /// whitespace follows.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, Error> {
        todo!()
    }

    /// After the top-level value: checks that only whitespace remains.
    pub fn finish(&mut self) -> Result<(), Error> {
        todo!()
    }
}
