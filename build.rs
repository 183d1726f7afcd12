//! Compiles `catalog/vendors.json` into `$OUT_DIR/catalog.rs`, a static table that
//! `src/core/catalog.rs` includes: no JSON parsing at run time, nothing of serde_json in the Wasm.
//!
//! This script checks what the table needs to be built (the JSON's shape, references between its
//! parts, host and path syntax, no host claimed twice); whether every entry's disclosure is
//! complete is checked by the host tests in `src/core/catalog.rs`, so an unfinished entry still
//! builds and the tests say what is missing.
//!
//! The generated host lookup is an open-addressing hash table keyed by a hash of each host's
//! bytes taken right to left (FNV-1a, ASCII-lowercased), so the matcher can hash every label
//! suffix of a URL's host in one pass. `suffix_hash` here and `src/core/matcher.rs` must agree;
//! the catalog tests look every listed host up through the matcher, which would catch a mismatch.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

const CATEGORIES: [(&str, &str); 5] = [
    ("necessary", "Necessary"),
    ("functional", "Functional"),
    ("analytics", "Analytics"),
    ("ads", "Ads"),
    ("sns", "Sns"),
];

/// Entry index that marks a neutral CDN host in the lookup table.
const NEUTRAL: u8 = u8::MAX;

fn main() {
    let src = Path::new("catalog/vendors.json");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| fail(&format!("cannot read: {e}")));
    let root: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("not JSON: {e}")));
    let code = generate(&root);
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalog.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| fail(&format!("cannot write {out:?}: {e}")));
}

fn fail(msg: &str) -> ! {
    panic!("catalog/vendors.json: {msg}");
}

/// FNV-1a over the ASCII-lowercased bytes of `host`, last byte first.
fn suffix_hash(host: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in host.bytes().rev() {
        h ^= u32::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn object<'a>(v: &'a Value, what: &str) -> &'a Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| fail(&format!("{what}: expected an object")))
}

fn string<'a>(v: Option<&'a Value>, what: &str) -> &'a str {
    match v {
        Some(Value::String(s)) => s,
        _ => fail(&format!("{what}: expected a string")),
    }
}

fn strings<'a>(v: Option<&'a Value>, what: &str) -> Vec<&'a str> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|i| string(Some(i), what)).collect(),
        Some(_) => fail(&format!("{what}: expected an array of strings")),
    }
}

/// A list of names, each exact or `prefix*` (cookie names, storage keys), checked by `valid`.
fn name_patterns(v: Option<&Value>, what: &str, valid: impl Fn(&str) -> bool) -> Vec<String> {
    let patterns: Vec<String> = strings(v, what).into_iter().map(String::from).collect();
    for p in &patterns {
        let name = p.strip_suffix('*').unwrap_or(p);
        if name.is_empty() || !valid(name) {
            fail(&format!("{what}: `{p}` is not a name or `prefix*`"));
        }
    }
    patterns
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) {
    for key in obj.keys() {
        if !key.starts_with('$') && !allowed.contains(&key.as_str()) {
            fail(&format!(
                "{what}: unknown field `{key}` (allowed: {})",
                allowed.join(", ")
            ));
        }
    }
}

fn is_id(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `host` or `host/path-pattern`; the host is lower-case `[a-z0-9.-]` labels.
fn split_host(spec: &str, what: &str) -> (String, String) {
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

struct Texts {
    /// `(ja, en)` in order of first use; the index is the generated static's number.
    list: Vec<(String, String)>,
    index: HashMap<(String, String), usize>,
}

impl Texts {
    fn add(&mut self, ja: &str, en: &str) -> usize {
        let key = (ja.to_string(), en.to_string());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.list.push(key.clone());
        self.index.insert(key, self.list.len() - 1);
        self.list.len() - 1
    }
}

fn text_pair(v: &Value, what: &str) -> (String, String) {
    let o = object(v, what);
    check_keys(o, &["ja", "en"], what);
    (
        string(o.get("ja"), &format!("{what}.ja")).to_string(),
        string(o.get("en"), &format!("{what}.en")).to_string(),
    )
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn generate(root: &Value) -> String {
    let root = object(root, "root");
    check_keys(
        root,
        &["countries", "info", "texts", "neutral", "services"],
        "root",
    );

    let mut texts = Texts {
        list: Vec::new(),
        index: HashMap::new(),
    };

    // Shared texts referenced as "#key".
    let mut shared: HashMap<&str, usize> = HashMap::new();
    for (key, v) in object(root.get("texts").unwrap_or(&Value::Null), "texts") {
        let (ja, en) = text_pair(v, &format!("texts.{key}"));
        shared.insert(key, texts.add(&ja, &en));
    }
    let text_ref = |v: Option<&Value>, what: &str, texts: &mut Texts| -> usize {
        match v {
            Some(Value::String(s)) if s.starts_with('#') => *shared
                .get(&s[1..])
                .unwrap_or_else(|| fail(&format!("{what}: no text `{}` in `texts`", &s[1..]))),
            Some(v @ Value::Object(_)) => {
                let (ja, en) = text_pair(v, what);
                texts.add(&ja, &en)
            }
            _ => fail(&format!(
                "{what}: expected {{\"ja\": …, \"en\": …}} or \"#text-key\""
            )),
        }
    };

    // The "information sent" vocabulary, in file order.
    let info = object(root.get("info").unwrap_or(&Value::Null), "info");
    let mut info_codes: HashMap<&str, usize> = HashMap::new();
    let mut info_texts = Vec::new();
    for (code, v) in info {
        info_codes.insert(code, info_texts.len());
        info_texts.push(text_pair(v, &format!("info.{code}")));
    }
    if info_texts.len() > 255 {
        fail("info: at most 255 items");
    }

    let countries = object(root.get("countries").unwrap_or(&Value::Null), "countries");
    let mut country_codes: HashMap<&str, usize> = HashMap::new();
    let mut country_list = Vec::new();
    for (code, v) in countries {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            fail(&format!(
                "countries: `{code}` is not an ISO 3166-1 alpha-2 code"
            ));
        }
        country_codes.insert(code, country_list.len());
        country_list.push((code.clone(), text_pair(v, &format!("countries.{code}"))));
    }

    // Services.
    struct Entry {
        id: String,
        name: String,
        category: &'static str,
        hosts: Vec<String>,
        cookies: Vec<String>,
        storage: Vec<String>,
        recipient: usize,
        sent: Vec<usize>,
        purpose_site: usize,
        purpose_recipient: usize,
        country: usize,
        policy: String,
        opt_out: String,
    }
    let services = match root.get("services") {
        Some(Value::Array(items)) => items,
        _ => fail("services: expected an array"),
    };
    let mut entries: Vec<Entry> = Vec::new();
    // host → [(path, entry index)], in file order.
    let mut rules: BTreeMap<String, Vec<(String, u8)>> = BTreeMap::new();
    for (n, sv) in services.iter().enumerate() {
        let what = format!("services[{n}]");
        let o = object(sv, &what);
        check_keys(
            o,
            &[
                "id",
                "name",
                "category",
                "hosts",
                "cookies",
                "storage",
                "recipient",
                "sent",
                "purposeSite",
                "purposeRecipient",
                "country",
                "policy",
                "optOut",
            ],
            &what,
        );
        let id = string(o.get("id"), &format!("{what}.id"));
        let what = format!("services.{id}");
        if !is_id(id) {
            fail(&format!(
                "{what}: ids use a-z, 0-9, '-' and '_' (1–40 bytes)"
            ));
        }
        if entries.iter().any(|e| e.id == id) {
            fail(&format!("{what}: duplicate id"));
        }
        if entries.len() >= usize::from(NEUTRAL) {
            fail("services: too many entries");
        }
        let category = string(o.get("category"), &format!("{what}.category"));
        let category = CATEGORIES
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, variant)| *variant)
            .unwrap_or_else(|| fail(&format!("{what}.category: unknown category `{category}`")));
        let hosts: Vec<String> = strings(o.get("hosts"), &format!("{what}.hosts"))
            .into_iter()
            .map(String::from)
            .collect();
        let index = entries.len() as u8;
        for spec in &hosts {
            let (host, path) = split_host(spec, &format!("{what}.hosts"));
            rules.entry(host).or_default().push((path, index));
        }
        let cookies = name_patterns(o.get("cookies"), &format!("{what}.cookies"), |name| {
            name.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}*".contains(&b))
        });
        let storage = name_patterns(o.get("storage"), &format!("{what}.storage"), |key| {
            !key.contains(|c: char| c.is_whitespace() || c == '*')
        });
        let sent = strings(o.get("sent"), &format!("{what}.sent"))
            .into_iter()
            .map(|code| {
                *info_codes
                    .get(code)
                    .unwrap_or_else(|| fail(&format!("{what}.sent: `{code}` is not in `info`")))
            })
            .collect();
        let country = string(o.get("country"), &format!("{what}.country"));
        let country = *country_codes.get(country).unwrap_or_else(|| {
            fail(&format!(
                "{what}.country: `{country}` is not in `countries`"
            ))
        });
        let recipient = text_ref(o.get("recipient"), &format!("{what}.recipient"), &mut texts);
        let purpose_site = text_ref(
            o.get("purposeSite"),
            &format!("{what}.purposeSite"),
            &mut texts,
        );
        let purpose_recipient = text_ref(
            o.get("purposeRecipient"),
            &format!("{what}.purposeRecipient"),
            &mut texts,
        );
        let opt_out = match o.get("optOut") {
            None => String::new(),
            v => string(v, &format!("{what}.optOut")).to_string(),
        };
        entries.push(Entry {
            id: id.to_string(),
            name: string(o.get("name"), &format!("{what}.name")).to_string(),
            category,
            hosts,
            cookies,
            storage,
            recipient,
            sent,
            purpose_site,
            purpose_recipient,
            country,
            policy: string(o.get("policy"), &format!("{what}.policy")).to_string(),
            opt_out,
        });
    }
    for spec in strings(root.get("neutral"), "neutral") {
        let (host, path) = split_host(spec, "neutral");
        if !path.is_empty() {
            fail(&format!(
                "neutral: `{spec}`: neutral CDNs are whole hosts, without a path"
            ));
        }
        rules.entry(host).or_default().push((path, NEUTRAL));
    }

    // One claim per (host, path); at most one catch-all per host, tried after the paths.
    for (host, list) in &mut rules {
        for (i, (path, entry)) in list.iter().enumerate() {
            if let Some((_, other)) = list[..i].iter().find(|(p, _)| p == path) {
                let name = |e: u8| {
                    if e == NEUTRAL {
                        "neutral".to_string()
                    } else {
                        entries[usize::from(e)].id.clone()
                    }
                };
                fail(&format!(
                    "host `{host}{path}` is claimed by both `{}` and `{}`",
                    name(*other),
                    name(*entry)
                ));
            }
        }
        list.sort_by_key(|(path, _)| path.is_empty());
    }

    // Open-addressing table of host indices + 1 (0 = empty): load ≤ 1/2, linear probing.
    let host_list: Vec<(&String, &Vec<(String, u8)>)> = rules.iter().collect();
    if host_list.len() >= usize::from(u16::MAX) {
        fail("too many hosts");
    }
    let slots_len = (host_list.len() * 2).next_power_of_two().max(16);
    let mut slots = vec![0u16; slots_len];
    for (i, (host, _)) in host_list.iter().enumerate() {
        let h = suffix_hash(host);
        let mut s = (h as usize) & (slots_len - 1);
        while slots[s] != 0 {
            s = (s + 1) & (slots_len - 1);
        }
        slots[s] = i as u16 + 1;
    }

    // Emit.
    let mut o = String::new();
    o.push_str("// @generated by build.rs from catalog/vendors.json. Do not edit.\n\n");
    for (i, (ja, en)) in texts.list.iter().enumerate() {
        writeln!(
            o,
            "static T{i}: Text = Text {{ ja: {}, en: {} }};",
            lit(ja),
            lit(en)
        )
        .unwrap();
    }
    writeln!(
        o,
        "\npub(super) static INFO: [Text; {}] = [",
        info_texts.len()
    )
    .unwrap();
    for (ja, en) in &info_texts {
        writeln!(o, "    Text {{ ja: {}, en: {} }},", lit(ja), lit(en)).unwrap();
    }
    o.push_str("];\n");
    writeln!(
        o,
        "\npub(super) static COUNTRIES: [(&str, Text); {}] = [",
        country_list.len()
    )
    .unwrap();
    for (code, (ja, en)) in &country_list {
        writeln!(
            o,
            "    ({}, Text {{ ja: {}, en: {} }}),",
            lit(code),
            lit(ja),
            lit(en)
        )
        .unwrap();
    }
    o.push_str("];\n");

    let n = entries.len();
    writeln!(o, "\npub(super) const LEN: usize = {n};").unwrap();
    let column = |o: &mut String, name: &str, ty: &str, f: &dyn Fn(&Entry) -> String| {
        writeln!(o, "\npub(super) static {name}: [{ty}; LEN] = [").unwrap();
        for e in &entries {
            writeln!(o, "    {},", f(e)).unwrap();
        }
        o.push_str("];\n");
    };
    column(&mut o, "IDS", "&str", &|e| lit(&e.id));
    column(&mut o, "CATEGORIES", "Category", &|e| {
        format!("Category::{}", e.category)
    });
    column(&mut o, "NAMES", "&str", &|e| lit(&e.name));
    // Lists as one space-separated string each: no per-entry slice of pointers.
    column(&mut o, "HOSTS", "&str", &|e| lit(&e.hosts.join(" ")));
    column(&mut o, "COOKIES", "&str", &|e| lit(&e.cookies.join(" ")));
    column(&mut o, "STORAGE", "&str", &|e| lit(&e.storage.join(" ")));
    column(&mut o, "DISCLOSURES", "Disclosure", &|e| {
        let sent: Vec<String> = e.sent.iter().map(|i| i.to_string()).collect();
        format!(
            "Disclosure {{ recipient: &T{}, sent: &[{}], purpose_site: &T{}, purpose_recipient: &T{}, \
             country: {}, policy_url: {}, opt_out_url: {} }}",
            e.recipient,
            sent.join(", "),
            e.purpose_site,
            e.purpose_recipient,
            e.country,
            lit(&e.policy),
            lit(&e.opt_out)
        )
    });

    // Hosts and rule paths as one string; the tables hold offsets into it.
    let mut text = String::new();
    let mut place = |t: &str| -> (usize, usize) {
        let off = match text.find(t) {
            Some(off) if !t.is_empty() => off,
            _ => {
                text.push_str(t);
                text.len() - t.len()
            }
        };
        if off > usize::from(u16::MAX) || t.len() > usize::from(u8::MAX) {
            fail("hosts and paths too long for the compact table");
        }
        (off, t.len())
    };
    let mut host_rows = Vec::new();
    let mut rule_rows = Vec::new();
    for (host, list) in &host_list {
        let (off, len) = place(host);
        let first = rule_rows.len();
        host_rows.push(format!(
            "HostSlot {{ off: {off}, len: {len}, rules: {first} }}"
        ));
        for (path, entry) in list.iter() {
            let (off, len) = place(path);
            rule_rows.push(format!(
                "RuleSlot {{ off: {off}, len: {len}, entry: {entry} }}"
            ));
        }
    }
    let end = rule_rows.len();
    host_rows.push(format!("HostSlot {{ off: 0, len: 0, rules: {end} }}"));
    writeln!(o, "\npub(super) static RULE_TEXT: &str = {};", lit(&text)).unwrap();
    writeln!(o, "\n/// One row per host (sorted) and an end row.").unwrap();
    let n_hosts = host_rows.len();
    writeln!(
        o,
        "pub(super) static HOSTS_TABLE: [HostSlot; {n_hosts}] = ["
    )
    .unwrap();
    for row in &host_rows {
        writeln!(o, "    {row},").unwrap();
    }
    o.push_str("];\n");
    let n_rules = rule_rows.len();
    writeln!(o, "\npub(super) static RULES: [RuleSlot; {n_rules}] = [").unwrap();
    for row in &rule_rows {
        writeln!(o, "    {row},").unwrap();
    }
    o.push_str("];\n");
    writeln!(o, "\npub(super) static SLOTS: [u16; {slots_len}] = [").unwrap();
    for chunk in slots.chunks(16) {
        let parts: Vec<String> = chunk.iter().map(|s| s.to_string()).collect();
        writeln!(o, "    {},", parts.join(", ")).unwrap();
    }
    o.push_str("];\n");
    o
}
