//! Writing JSON text: what the checkpoint hands JavaScript (`get()`'s state, `audit()`'s lines,
//! event details), which parses it with the native `JSON.parse`. One string crosses the boundary
//! instead of an object built field by field through imports.

use super::consent::hex_digit;
use super::cookie::push_decimal;

/// A JSON object being written into a string: `{"key":value,…}`.
pub struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    pub fn new(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(self.out, key);
        self.out.push(':');
        self.out
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    pub fn number(&mut self, key: &str, value: u64) -> &mut Self {
        push_decimal(self.key(key), value);
        self
    }

    /// A whole number of milliseconds (JavaScript's `Date.now()`), or `null`.
    pub fn millis(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        let out = self.key(key);
        match value {
            Some(ms) if ms.is_finite() && ms >= 0.0 => push_decimal(out, ms as u64),
            _ => out.push_str("null"),
        }
        self
    }

    pub fn string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        let out = self.key(key);
        match value {
            Some(s) => push_string(out, s),
            None => out.push_str("null"),
        }
        self
    }

    /// A nested object, written by `f`.
    pub fn object(&mut self, key: &str, f: impl FnOnce(&mut Object<'_>)) -> &mut Self {
        let mut inner = Object::new(self.key(key));
        f(&mut inner);
        inner.close();
        self
    }

    /// A value already written as JSON text.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    pub fn close(self) {
        self.out.push('}');
    }
}

/// Appends `s` as a JSON string literal.
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit(c as u8 >> 4));
                out.push(hex_digit(c as u8));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_json_parse_reads() {
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.bool("a", true)
            .number("n", 42)
            .millis("t", Some(1.5e12))
            .millis("u", None)
            .string("s", Some("q\"\\\n\u{1}é"))
            .string("z", None)
            .object("o", |inner| {
                inner.bool("x", false);
            });
        o.close();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], true);
        assert_eq!(v["n"], 42);
        assert_eq!(v["t"], 1_500_000_000_000u64);
        assert!(v["u"].is_null() && v["z"].is_null());
        assert_eq!(v["s"], "q\"\\\n\u{1}é");
        assert_eq!(v["o"]["x"], false);
    }
}
