//! Lazy collections: iterators that parse elements of already validated bytes on demand.

use core::marker::PhantomData;

use super::{Acc, Cx, Path};
use crate::error::Error;
use crate::tokenizer::Tokenizer;

/// An element type of a lazy array.
pub(crate) trait LazyItem<'a>: Sized {
    /// Parses one element at the cursor; `Ok(None)` skips it (for example `null`).
    fn parse_item(cx: &mut Cx<'a>, acc: &mut Acc<'a>) -> Result<Option<Self>, Error>;
}

/// An iterator over the elements of a lazy array view (`traceRouteHops`, `participants_v2`, …).
///
/// Elements are parsed from the borrowed bytes as the iterator advances, in lenient mode: a bad
/// value in an element leaves that field `None` (and is recorded on the element when it has an
/// `errors` field). `null` elements and elements of the wrong JSON type are skipped. The bytes
/// were validated when the document was parsed, so the iterator yields items, not `Result`s; it
/// makes one small allocation (the cursor's buffers) when it starts.
pub struct LazyIter<'a, T> {
    cx: Option<Cx<'a>>,
    started: bool,
    _item: PhantomData<T>,
}

impl<'a, T> LazyIter<'a, T> {
    pub(crate) fn new(raw: &'a [u8]) -> Self {
        let cx = if raw.is_empty() {
            None
        } else {
            Some(Cx::new(
                Tokenizer::new(raw),
                raw,
                0,
                false,
                false,
                Vec::new(),
            ))
        };
        LazyIter {
            cx,
            started: false,
            _item: PhantomData,
        }
    }
}

impl<'a, T: LazyItem<'a>> Iterator for LazyIter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            let cx = self.cx.as_mut()?;
            let step = (|| -> Result<Option<Option<T>>, Error> {
                if !self.started {
                    self.started = true;
                    cx.tok.begin_array()?;
                }
                if !cx.tok.next_element()? {
                    return Ok(None);
                }
                let mut acc = Acc::new(Path::document());
                T::parse_item(cx, &mut acc).map(Some)
            })();
            match step {
                Ok(Some(Some(item))) => return Some(item),
                Ok(Some(None)) => continue,
                // End of the array, or an error that validated bytes cannot produce.
                Ok(None) | Err(_) => {
                    self.cx = None;
                    return None;
                }
            }
        }
    }
}

impl<T> core::fmt::Debug for LazyIter<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LazyIter")
            .field("done", &self.cx.is_none())
            .finish()
    }
}
