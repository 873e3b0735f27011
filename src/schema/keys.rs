//! Key and short-string canonicalisation for matching: the cold path for texts with escapes.

/// Decodes the JSON escapes of `raw` (string content between the quotes) into `buf`.
///
/// Returns `None` when the decoded text does not fit in `buf` or an escape is malformed (a lone
/// surrogate, for example): such a text cannot equal any known name, so callers treat it as
/// unknown. Used only for texts that contain a backslash.
pub(crate) fn unescape_small<'b>(raw: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut out = 0usize;
    let mut i = 0usize;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            *buf.get_mut(out)? = b;
            out += 1;
            i += 1;
            continue;
        }
        let e = *raw.get(i + 1)?;
        i += 2;
        let c = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = hex4(raw.get(i..i + 4)?)?;
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    if raw.get(i) != Some(&b'\\') || raw.get(i + 1) != Some(&b'u') {
                        return None;
                    }
                    let lo = hex4(raw.get(i + 2..i + 6)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return None;
                } else {
                    hi
                };
                let ch = char::from_u32(cp)?;
                let mut tmp = [0u8; 4];
                let s = ch.encode_utf8(&mut tmp);
                buf.get_mut(out..out + s.len())?
                    .copy_from_slice(s.as_bytes());
                out += s.len();
                continue;
            }
            _ => return None,
        };
        *buf.get_mut(out)? = c;
        out += 1;
    }
    buf.get(..out)
}

fn hex4(h: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in h {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = v * 16 + u32::from(d);
    }
    Some(v)
}

/// Scratch space for decoding an escaped key.
pub(crate) type KeyBuf = [u8; 64];

/// The bytes to match a key against: the raw bytes, or the decoded ones when the key has escapes.
/// A key that cannot be decoded into `buf` yields a text that matches no known name.
#[inline]
pub(crate) fn key_bytes<'k>(key: &crate::value::JsonStr<'k>, buf: &'k mut KeyBuf) -> &'k [u8] {
    if key.has_escapes() {
        key_cold(key.raw(), buf)
    } else {
        key.raw()
    }
}

#[cold]
fn key_cold<'k>(raw: &[u8], buf: &'k mut KeyBuf) -> &'k [u8] {
    match unescape_small(raw, buf) {
        Some(s) => s,
        // Cannot be a known name: `\u0000` never appears in one.
        None => b"\0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        let mut b = [0u8; 64];
        assert_eq!(
            unescape_small(br"c\u0061ller", &mut b),
            Some(&b"caller"[..])
        );
        let mut b = [0u8; 64];
        assert_eq!(unescape_small(br"a\/b\n", &mut b), Some(&b"a/b\n"[..]));
        let mut b = [0u8; 64];
        assert_eq!(
            unescape_small(br"\ud83d\ude00", &mut b),
            Some("\u{1F600}".as_bytes())
        );
        let mut b = [0u8; 64];
        assert_eq!(unescape_small(br"\ud83d", &mut b), None);
        let mut b = [0u8; 4];
        assert_eq!(unescape_small(br"abcd\n", &mut b), None);
        let key = crate::value::JsonStr::new(br"\u0069d", true);
        let mut kb = [0u8; 64];
        assert_eq!(key_bytes(&key, &mut kb), b"id");
    }
}
