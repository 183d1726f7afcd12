//! The curated layer: `catalog/vendors.json` → the static tables `src/core/catalog.rs`
//! includes (no JSON parsing at run time, nothing of serde_json in the Wasm).
//!
//! Three steps: [`read`] checks the JSON's shape and references (texts, information items,
//! countries, host and path syntax, no host claimed twice) into a [`Catalog`]; [`host_table`]
//! lays out the open-addressing hash table the matcher probes; [`emit`] writes Rust. Whether every entry's disclosure is complete is checked by the host tests in
//! `src/core/catalog.rs`, so an unfinished entry still builds and the tests say what is missing.

use crate::category::Category;
use crate::ids::{is_valid_id, suffix_hash};
use crate::json::{check_keys, fail, name_patterns, object, split_host, string, strings};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Entry index that marks a neutral CDN host in the lookup table.
const NEUTRAL: u8 = u8::MAX;

/// Texts in Japanese and English, each stored once.
#[derive(Default)]
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

struct Entry {
    id: String,
    name: String,
    category: Category,
    hosts: Vec<String>,
    cookies: Vec<String>,
    storage: Vec<String>,
    /// CSS selectors of the markup its embeds and buttons are written as (`blockquote.twitter-tweet`).
    embeds: Vec<String>,
    recipient: usize,
    sent: Vec<usize>,
    purpose_site: usize,
    purpose_recipient: usize,
    country: usize,
    policy: String,
    opt_out: String,
}

/// What the JSON says, checked.
pub struct Catalog {
    texts: Texts,
    /// The "information sent" vocabulary, in file order: code, (ja, en).
    info: Vec<(String, (String, String))>,
    countries: Vec<(String, (String, String))>,
    entries: Vec<Entry>,
    /// host → [(path, entry index or NEUTRAL)], in file order.
    rules: BTreeMap<String, Vec<(String, u8)>>,
}

fn text_pair(v: &Value, what: &str) -> (String, String) {
    let o = object(v, what);
    check_keys(o, &["ja", "en"], what);
    (
        string(o.get("ja"), &format!("{what}.ja")).to_string(),
        string(o.get("en"), &format!("{what}.en")).to_string(),
    )
}

fn section<'a>(root: &'a serde_json::Map<String, Value>, key: &str) -> &'a Value {
    root.get(key).unwrap_or(&Value::Null)
}

/// Reads and checks the whole file.
pub fn read(root: &Value) -> Catalog {
    let root = object(root, "root");
    check_keys(
        root,
        &["countries", "info", "texts", "neutral", "services"],
        "root",
    );
    let mut texts = Texts::default();
    // Shared texts, referenced as "#key".
    let mut shared: HashMap<String, usize> = HashMap::new();
    for (key, v) in object(section(root, "texts"), "texts") {
        let (ja, en) = text_pair(v, &format!("texts.{key}"));
        shared.insert(key.clone(), texts.add(&ja, &en));
    }
    let mut info_codes = HashMap::new();
    let mut info = Vec::new();
    for (code, v) in object(section(root, "info"), "info") {
        info_codes.insert(code.clone(), info.len());
        info.push((code.clone(), text_pair(v, &format!("info.{code}"))));
    }
    if info.len() > 255 {
        fail("info: at most 255 items");
    }
    let mut country_codes = HashMap::new();
    let mut countries = Vec::new();
    for (code, v) in object(section(root, "countries"), "countries") {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            fail(&format!(
                "countries: `{code}` is not an ISO 3166-1 alpha-2 code"
            ));
        }
        country_codes.insert(code.clone(), countries.len());
        countries.push((code.clone(), text_pair(v, &format!("countries.{code}"))));
    }
    let refs = References {
        shared,
        info: info_codes,
        countries: country_codes,
    };

    let Value::Array(services) = section(root, "services") else {
        fail("services: expected an array");
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut rules: BTreeMap<String, Vec<(String, u8)>> = BTreeMap::new();
    for (n, sv) in services.iter().enumerate() {
        let entry = read_service(sv, &format!("services[{n}]"), &refs, &mut texts);
        if entries.iter().any(|e| e.id == entry.id) {
            fail(&format!("services.{}: duplicate id", entry.id));
        }
        if entries.len() >= usize::from(NEUTRAL) {
            fail("services: too many entries");
        }
        let index = entries.len() as u8;
        for spec in &entry.hosts {
            let (host, path) = split_host(spec, &format!("services.{}.hosts", entry.id));
            rules.entry(host).or_default().push((path, index));
        }
        entries.push(entry);
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
    check_claims(&mut rules, &entries);
    Catalog {
        texts,
        info,
        countries,
        entries,
        rules,
    }
}

/// The names an entry may refer to.
struct References {
    /// Shared texts ("#key") → text index.
    shared: HashMap<String, usize>,
    /// Information item code → index.
    info: HashMap<String, usize>,
    /// Country code → index.
    countries: HashMap<String, usize>,
}

fn read_service(sv: &Value, what: &str, refs: &References, texts: &mut Texts) -> Entry {
    let o = object(sv, what);
    check_keys(
        o,
        &[
            "id",
            "name",
            "category",
            "hosts",
            "cookies",
            "storage",
            "embeds",
            "recipient",
            "sent",
            "purposeSite",
            "purposeRecipient",
            "country",
            "policy",
            "optOut",
        ],
        what,
    );
    let id = string(o.get("id"), &format!("{what}.id"));
    let what = format!("services.{id}");
    if !is_valid_id(id) {
        fail(&format!(
            "{what}: ids use a-z, 0-9, '-' and '_' (1–40 bytes)"
        ));
    }
    let category = string(o.get("category"), &format!("{what}.category"));
    let category = Category::from_id(category)
        .unwrap_or_else(|| fail(&format!("{what}.category: unknown category `{category}`")));
    let mut text = |key: &str| -> usize {
        let field = format!("{what}.{key}");
        match o.get(key) {
            Some(Value::String(s)) if s.starts_with('#') => *refs
                .shared
                .get(&s[1..])
                .unwrap_or_else(|| fail(&format!("{field}: no text `{}` in `texts`", &s[1..]))),
            Some(v @ Value::Object(_)) => {
                let (ja, en) = text_pair(v, &field);
                texts.add(&ja, &en)
            }
            _ => fail(&format!(
                "{field}: expected {{\"ja\": …, \"en\": …}} or \"#text-key\""
            )),
        }
    };
    let recipient = text("recipient");
    let purpose_site = text("purposeSite");
    let purpose_recipient = text("purposeRecipient");
    let sent = strings(o.get("sent"), &format!("{what}.sent"))
        .into_iter()
        .map(|code| {
            *refs
                .info
                .get(code)
                .unwrap_or_else(|| fail(&format!("{what}.sent: `{code}` is not in `info`")))
        })
        .collect();
    let country = string(o.get("country"), &format!("{what}.country"));
    let country = *refs.countries.get(country).unwrap_or_else(|| {
        fail(&format!(
            "{what}.country: `{country}` is not in `countries`"
        ))
    });
    Entry {
        id: id.to_string(),
        name: string(o.get("name"), &format!("{what}.name")).to_string(),
        category,
        hosts: strings(o.get("hosts"), &format!("{what}.hosts"))
            .into_iter()
            .map(String::from)
            .collect(),
        cookies: name_patterns(
            o.get("cookies"),
            &format!("{what}.cookies"),
            crate::base::is_cookie_name,
        ),
        storage: name_patterns(o.get("storage"), &format!("{what}.storage"), |key| {
            !key.contains(|c: char| c.is_whitespace() || c == '*')
        }),
        embeds: strings(o.get("embeds"), &format!("{what}.embeds"))
            .into_iter()
            .map(|selector| {
                // One compound selector: a tag, classes, attribute presence; nothing that
                // combines or lists.
                let simple = !selector.is_empty()
                    && selector.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || b"-_.[]".contains(&b)
                    });
                if !simple {
                    fail(&format!("{what}.embeds: `{selector}` is not a simple selector (tag.class, .class, tag[attribute])"));
                }
                selector.to_string()
            })
            .collect(),
        recipient,
        sent,
        purpose_site,
        purpose_recipient,
        country,
        policy: string(o.get("policy"), &format!("{what}.policy")).to_string(),
        opt_out: match o.get("optOut") {
            None => String::new(),
            v => string(v, &format!("{what}.optOut")).to_string(),
        },
    }
}

/// The matcher's host lookup: hosts (sorted) with their rules, and the slots of an
/// open-addressing hash table over them.
pub struct HostTable<'a> {
    hosts: Vec<(&'a String, &'a Vec<(String, u8)>)>,
    /// Host index + 1 per slot (0 = empty): load ≤ 1/2, linear probing.
    slots: Vec<u16>,
}

/// Checks that every (host, path) is claimed once, and puts each host's catch-all after its
/// paths.
fn check_claims(rules: &mut BTreeMap<String, Vec<(String, u8)>>, entries: &[Entry]) {
    let name = |e: u8| {
        if e == NEUTRAL {
            "neutral".to_string()
        } else {
            entries[usize::from(e)].id.clone()
        }
    };
    for (host, list) in rules.iter_mut() {
        for (i, (path, entry)) in list.iter().enumerate() {
            if let Some((_, other)) = list[..i].iter().find(|(p, _)| p == path) {
                fail(&format!(
                    "host `{host}{path}` is claimed by both `{}` and `{}`",
                    name(*other),
                    name(*entry)
                ));
            }
        }
        list.sort_by_key(|(path, _)| path.is_empty());
    }
}

impl Catalog {
    /// Every host the curated layer lists (neutral CDNs too), with whether it has a catch-all.
    pub fn hosts(&self) -> BTreeMap<String, bool> {
        self.rules
            .iter()
            .map(|(host, list)| (host.clone(), list.iter().any(|(path, _)| path.is_empty())))
            .collect()
    }

    /// The curated ids with their categories.
    pub fn ids(&self) -> Vec<(String, Category)> {
        self.entries
            .iter()
            .map(|e| (e.id.clone(), e.category))
            .collect()
    }
}

/// Lays out the hash table over the hosts.
pub fn host_table(catalog: &Catalog) -> HostTable<'_> {
    let hosts: Vec<_> = catalog.rules.iter().collect();
    if hosts.len() >= usize::from(u16::MAX) {
        fail("too many hosts");
    }
    let len = (hosts.len() * 2).next_power_of_two().max(16);
    let mut slots = vec![0u16; len];
    for (i, (host, _)) in hosts.iter().enumerate() {
        let mut s = (suffix_hash(host) as usize) & (len - 1);
        while slots[s] != 0 {
            s = (s + 1) & (len - 1);
        }
        slots[s] = i as u16 + 1;
    }
    HostTable { hosts, slots }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// Writes the tables as Rust.
pub fn emit(catalog: &Catalog, table: &HostTable<'_>) -> String {
    let mut o = String::new();
    o.push_str("// @generated by build.rs from catalog/vendors.json. Do not edit.\n\n");
    emit_disclosure_texts(&mut o, catalog);
    emit_entry_columns(&mut o, catalog);
    emit_host_table(&mut o, table);
    o
}

fn emit_disclosure_texts(o: &mut String, catalog: &Catalog) {
    for (i, (ja, en)) in catalog.texts.list.iter().enumerate() {
        writeln!(
            o,
            "static T{i}: Text = Text {{ ja: {}, en: {} }};",
            lit(ja),
            lit(en)
        )
        .unwrap();
    }
    // The coded vocabularies: (code, text) each.
    for (name, list) in [("INFO", &catalog.info), ("COUNTRIES", &catalog.countries)] {
        writeln!(
            o,
            "\npub(super) static {name}: [(&str, Text); {}] = [",
            list.len()
        )
        .unwrap();
        for (code, (ja, en)) in list {
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
    }
}

/// One static per column, so code that reads only ids and categories keeps only those.
fn emit_entry_columns(o: &mut String, catalog: &Catalog) {
    writeln!(
        o,
        "\npub(super) const LEN: usize = {};",
        catalog.entries.len()
    )
    .unwrap();
    let column = |o: &mut String, name: &str, ty: &str, f: &dyn Fn(&Entry) -> String| {
        writeln!(o, "\npub(super) static {name}: [{ty}; LEN] = [").unwrap();
        for e in &catalog.entries {
            writeln!(o, "    {},", f(e)).unwrap();
        }
        o.push_str("];\n");
    };
    column(o, "IDS", "&str", &|e| lit(&e.id));
    column(o, "CATEGORIES", "Category", &|e| {
        format!("Category::{:?}", e.category)
    });
    column(o, "NAMES", "&str", &|e| lit(&e.name));
    // Lists as one space-separated string each: no per-entry slice of pointers.
    column(o, "HOSTS", "&str", &|e| lit(&e.hosts.join(" ")));
    column(o, "COOKIES", "&str", &|e| lit(&e.cookies.join(" ")));
    column(o, "STORAGE", "&str", &|e| lit(&e.storage.join(" ")));
    column(o, "EMBEDS", "&str", &|e| lit(&e.embeds.join(" ")));
    column(o, "DISCLOSURES", "Disclosure", &|e| {
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
}

/// Hosts and rule paths as one string; the tables hold offsets into it.
fn emit_host_table(o: &mut String, table: &HostTable<'_>) {
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
    for (host, list) in &table.hosts {
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
    let rows = |o: &mut String, decl: &str, rows: &[String]| {
        writeln!(o, "{decl}; {}] = [", rows.len()).unwrap();
        for row in rows {
            writeln!(o, "    {row},").unwrap();
        }
        o.push_str("];\n");
    };
    rows(o, "pub(super) static HOSTS_TABLE: [HostSlot", &host_rows);
    rows(o, "\npub(super) static RULES: [RuleSlot", &rule_rows);
    writeln!(
        o,
        "\npub(super) static SLOTS: [u16; {}] = [",
        table.slots.len()
    )
    .unwrap();
    for chunk in table.slots.chunks(16) {
        let parts: Vec<String> = chunk.iter().map(|s| s.to_string()).collect();
        writeln!(o, "    {},", parts.join(", ")).unwrap();
    }
    o.push_str("];\n");
}
