//! A minimal JSON tree: what `core::json` parses the config and `set()`'s argument into.
//! Validation then walks it by hand, so every error names its field and a bad field falls back
//! alone instead of discarding the whole config. (On the host, tests also build it with serde,
//! the reference `core::json` is compared with; serde is a test-only dependency.)

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// Keys in source order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The JSON type name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The boolean members of an object (`{"analytics": true, …}`, as `get()` writes categories
    /// and services), in source order; none for anything else.
    pub fn bool_entries(&self) -> impl Iterator<Item = (&str, bool)> {
        let entries = match self {
            Value::Object(entries) => entries.as_slice(),
            _ => &[],
        };
        entries.iter().filter_map(|(k, v)| match v {
            Value::Bool(b) => Some((k.as_str(), *b)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod serde_impl {
    use super::Value;
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    struct ValueVisitor;

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Number(v as f64))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::Number(v as f64))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::Number(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.into()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Value::deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<String, Value>()? {
                entries.push(entry);
            }
            Ok(Value::Object(entries))
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ValueVisitor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_every_json_type_in_order() {
        let v: Value =
            serde_json::from_str(r#"{"b":true,"n":-1.5,"s":"字","a":[1,null],"o":{"z":0,"a":1}}"#)
                .unwrap();
        assert_eq!(v.get("b"), Some(&Value::Bool(true)));
        assert_eq!(v.get("n"), Some(&Value::Number(-1.5)));
        assert_eq!(v.get("s"), Some(&Value::String("字".into())));
        assert_eq!(
            v.get("a"),
            Some(&Value::Array(vec![Value::Number(1.0), Value::Null]))
        );
        match v.get("o") {
            Some(Value::Object(e)) => assert_eq!(e[0].0, "z"),
            other => panic!("{other:?}"),
        }
        assert_eq!(v.get("missing"), None);
        assert_eq!(Value::Null.get("x"), None);
    }
}
