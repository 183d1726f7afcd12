//! Reading the JSON sources with errors that name the field (`services.ga4.hosts: …`): a
//! build that fails here says what to fix in which file.

use serde_json::{Map, Value};

use std::cell::Cell;

thread_local! {
    /// The file being compiled, for error messages.
    static FILE: Cell<&'static str> = const { Cell::new("") };
}

/// Names the file that errors are about.
pub fn set_file(file: &'static str) {
    FILE.with(|f| f.set(file));
}

/// Stops the build with `file: message`.
pub fn fail(msg: &str) -> ! {
    panic!("{}: {msg}", FILE.with(Cell::get));
}

pub fn object<'a>(v: &'a Value, what: &str) -> &'a Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| fail(&format!("{what}: expected an object")))
}

pub fn string<'a>(v: Option<&'a Value>, what: &str) -> &'a str {
    match v {
        Some(Value::String(s)) => s,
        _ => fail(&format!("{what}: expected a string")),
    }
}

pub fn strings<'a>(v: Option<&'a Value>, what: &str) -> Vec<&'a str> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|i| string(Some(i), what)).collect(),
        Some(_) => fail(&format!("{what}: expected an array of strings")),
    }
}

/// A list of names, each exact or `prefix*` (cookie names, storage keys), checked by `valid`.
pub fn name_patterns(v: Option<&Value>, what: &str, valid: impl Fn(&str) -> bool) -> Vec<String> {
    let patterns: Vec<String> = strings(v, what).into_iter().map(String::from).collect();
    for p in &patterns {
        let name = p.strip_suffix('*').unwrap_or(p);
        if name.is_empty() || !valid(name) {
            fail(&format!("{what}: `{p}` is not a name or `prefix*`"));
        }
    }
    patterns
}

pub fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) {
    for key in obj.keys() {
        if !key.starts_with('$') && !allowed.contains(&key.as_str()) {
            fail(&format!(
                "{what}: unknown field `{key}` (allowed: {})",
                allowed.join(", ")
            ));
        }
    }
}

/// `host` or `host/path-pattern`; the host is lower-case `[a-z0-9.-]` labels.
pub fn split_host(spec: &str, what: &str) -> (String, String) {
    let (host, path) = match spec.find('/') {
        Some(i) => (&spec[..i], &spec[i..]),
        None => (spec, ""),
    };
    let labels_ok = host.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if host.is_empty() || host.len() > 253 || !labels_ok {
        fail(&format!(
            "{what}: `{spec}` is not a lower-case host name (`host` or `host/path`)"
        ));
    }
    if path == "/"
        || !path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
    {
        fail(&format!(
            "{what}: `{spec}`: the path must be a non-empty prefix like `/tr`"
        ));
    }
    (host.to_string(), path.to_string())
}
