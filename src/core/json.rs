//! A small JSON parser into [`Value`], for the config text and `set()` arguments in the browser.
//!
//! Measured against the alternatives (BENCHMARKS.md): serde-wasm-bindgen added ~40 KB to the
//! Wasm, and walking a parsed `JsValue` across the JS boundary cost ~3.5 ms of cold start for a
//! small config; this parser is a few KB and makes no calls out of the Wasm. On the host, serde
//! (`Value: Deserialize`) is still the reference, and the tests compare the two.

use super::value::Value;

/// Where and why the text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    pub reason: &'static str,
}

/// Nesting deeper than this is refused (no config needs it; it bounds the recursion).
const MAX_DEPTH: usize = 32;

pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.error("unexpected text after the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(Value::Object(entries));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return Err(self.error("expected ':'"));
            }
            self.skip_ws();
            let v = self.value(depth + 1)?;
            entries.push((key, v));
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(Value::Object(entries));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or '}'"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or ']'"));
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(self.error("bad \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or(self.error("unexpected end"))?;
                    self.pos += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair: `\uD83D\uDE00`.
                                if !(self.eat(b'\\') && self.eat(b'u')) {
                                    return Err(self.error("lone surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("lone surrogate"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or(self.error("lone surrogate"))?
                        }
                        _ => return Err(self.error("bad escape")),
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// Numbers: exact for integers up to 2^53; fractions and exponents are computed in f64
    /// without the float-parsing machinery (a config has no use for the last ulp).
    fn number(&mut self) -> Result<Value, JsonError> {
        let negative = self.eat(b'-');
        let digits = |p: &mut Self| {
            let start = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.bytes.get(start..p.pos).unwrap_or(&[])
        };
        let int = digits(self);
        if int.is_empty() || (int.len() > 1 && int.first() == Some(&b'0')) {
            return Err(self.error("bad number"));
        }
        let mut n = int
            .iter()
            .fold(0.0f64, |acc, d| acc * 10.0 + f64::from(d - b'0'));
        if self.eat(b'.') {
            let frac = digits(self);
            if frac.is_empty() {
                return Err(self.error("bad number"));
            }
            let mut scale = 1.0;
            for d in frac {
                scale /= 10.0;
                n += f64::from(d - b'0') * scale;
            }
        }
        if self.eat(b'e') || self.eat(b'E') {
            let negative_exp = self.eat(b'-');
            if !negative_exp {
                self.eat(b'+');
            }
            let exp = digits(self);
            if exp.is_empty() {
                return Err(self.error("bad number"));
            }
            let e = exp.iter().fold(0i32, |acc, d| {
                acc.saturating_mul(10).saturating_add(i32::from(d - b'0'))
            });
            let factor = 10f64.powi(e.min(400));
            n = if negative_exp { n / factor } else { n * factor };
        }
        Ok(Value::Number(if negative { -n } else { n }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde(text: &str) {
        let ours = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let reference: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, reference, "{text}");
    }

    #[test]
    fn agrees_with_serde_json() {
        for text in [
            "null",
            "true",
            " false ",
            "0",
            "-0",
            "42",
            "-17",
            "9007199254740992",
            "0.5",
            "1.25",
            "-3.75",
            "1e3",
            "2E-2",
            "1.5e+2",
            r#""""#,
            r#""a\"b\\c\/d\n\t\u00e9\u3042\ud83d\ude00""#,
            "\"関所\"",
            "[]",
            "[1,[2,[3]],{}]",
            r#"{"revision":1,"regime":{"JP":"opt-out","default":"opt-in"},"categories":{"ads":{"label":{"ja":"広告"}}},"x":[true,null]}"#,
            "{ \"a\" : 1 ,\n\t\"b\" : [ ] }",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn rejects_what_json_rejects() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "'x'",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "tru",
            "nul",
            "[1 2]",
            "\"unterminated",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"a\u{1}\"",
            "{} {}",
            "NaN",
            "Infinity",
            "+1",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
            assert!(
                serde_json::from_str::<Value>(text).is_err(),
                "serde accepts {text:?}"
            );
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("{\"revision\": 1,, }").unwrap_err();
        assert_eq!((e.offset, e.reason), (15, "expected a string key"));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(10_000);
        assert_eq!(parse(&deep).unwrap_err().reason, "nested too deeply");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A deterministic fuzz loop over mutations of a realistic config.
        let seed =
            br#"{"revision":1,"regime":{"JP":"opt-out"},"s":"\u3042\"","n":[-1.5e3,true,null]}"#;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut bytes = seed.to_vec();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state % bytes.len() as u64) as usize;
                bytes[i] = (state >> 32) as u8;
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let ours = parse(text).ok();
                let reference = serde_json::from_str::<Value>(text).ok();
                assert_eq!(ours.is_some(), reference.is_some(), "{text:?}");
            }
        }
    }
}
