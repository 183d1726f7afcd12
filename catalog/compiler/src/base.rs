//! The catalog's base layer: `catalog/base.json` (generated from third-party-web by
//! `scripts/catalog-base.mjs`) → compact tables beside the curated ones.
//!
//! The curated layer wins: a base host that a curated entry or a neutral CDN lists, or that is a
//! parent of one (`twimg.com` above the curated `cdn.syndication.twimg.com`: the curated layer
//! decided which of that domain's hosts and paths are tracking), is dropped; so is one under a
//! curated host that has a catch-all (the curated entry always answers there). A base service whose
//! id is a curated entry's takes that entry's category: it is the same service.
//!
//! Emitted as one text (`emit`), indexed at run time on first use; the services' cookie names
//! (from the Open Cookie Database) as a second text.

use crate::category::Category;
use crate::ids::{google_country_as_com, is_valid_id};
use crate::json::{check_keys, fail, name_patterns, object, string, strings};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

pub struct Service {
    pub id: String,
    pub category: Category,
    /// Its cookie names (`prefix*` for a family), from the Open Cookie Database: deleted when the
    /// service is not allowed.
    pub cookies: Vec<String>,
}

/// A cookie name the matcher can hold: printable ASCII without separators (RFC 6265's token).
pub fn is_cookie_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}*".contains(&b))
}

pub struct Base {
    pub services: Vec<Service>,
    /// (host, service index), sorted by host.
    pub hosts: Vec<(String, usize)>,
}

/// Reads the base layer; `curated` is every host the curated layer lists (with whether it has a
/// catch-all), `curated_ids` its ids with their categories.
pub fn read(
    root: &Value,
    curated: &BTreeMap<String, bool>,
    curated_ids: &[(String, Category)],
) -> Base {
    let root = object(root, "root");
    check_keys(
        root,
        &[
            "source",
            "cookieSource",
            "categories",
            "neverHeld",
            "sharedHostsLeftOut",
            "services",
        ],
        "root",
    );
    let Some(Value::Array(list)) = root.get("services") else {
        fail("services: expected an array");
    };
    let mut services = Vec::new();
    let mut hosts: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids = HashSet::new();
    for (n, v) in list.iter().enumerate() {
        let what = format!("services[{n}]");
        let o = object(v, &what);
        check_keys(
            o,
            &[
                "id", "name", "company", "homepage", "category", "hosts", "cookies",
            ],
            &what,
        );
        let id = string(o.get("id"), &format!("{what}.id")).to_string();
        if !is_valid_id(&id) || !ids.insert(id.clone()) {
            fail(&format!("{what}.id: `{id}` is not a valid, unique id"));
        }
        let category = string(o.get("category"), &format!("{what}.category"));
        let mut category = Category::from_id(category)
            .unwrap_or_else(|| fail(&format!("{what}.category: unknown category `{category}`")));
        if let Some((_, c)) = curated_ids.iter().find(|(cid, _)| *cid == id) {
            category = *c;
        }
        let index = services.len();
        let mut kept = 0;
        for host in strings(o.get("hosts"), &format!("{what}.hosts")) {
            let valid = !host.is_empty()
                && host.contains('.')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
            if !valid {
                fail(&format!(
                    "{what}.hosts: `{host}` is not a lower-case host name"
                ));
            }
            if taken_by_curated(host, curated) {
                continue;
            }
            kept += 1;
            if let Some(other) = hosts.insert(host.to_string(), index) {
                fail(&format!(
                    "{what}.hosts: `{host}` is listed by `{}` too",
                    services.get(other).map_or("?", |s: &Service| s.id.as_str())
                ));
            }
        }
        // A service the curated layer took every host of matches nothing: not compiled in.
        if kept == 0 {
            continue;
        }
        let cookies = match o.get("cookies") {
            None => Vec::new(),
            v => name_patterns(v, &format!("{what}.cookies"), is_cookie_name),
        };
        services.push(Service {
            id,
            category,
            cookies,
        });
    }
    let hosts: Vec<(String, usize)> = hosts.into_iter().collect();
    Base { services, hosts }
}

/// Whether the curated layer decides `host`: it lists it, lists a host under it, or lists a
/// parent of it with a catch-all — or `host` is one of Google's country domains, which the
/// matcher reads as the same host on `google.com` (`ids::google_country_as_com`, shared with it).
fn taken_by_curated(host: &str, curated: &BTreeMap<String, bool>) -> bool {
    if let Some(com) = google_country_as_com(host) {
        if curated.contains_key(&com) {
            return true;
        }
    }
    curated.iter().any(|(c, catch_all)| {
        c == host
            || c.ends_with(host) && c.as_bytes().get(c.len() - host.len() - 1) == Some(&b'.')
            || *catch_all
                && host.ends_with(c.as_str())
                && host.as_bytes().get(host.len() - c.len() - 1) == Some(&b'.')
    })
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// Writes the base layer as Rust: one text, a line per service — `id category host host…` —
/// which the matcher indexes the first time it needs it (`src/core/catalog.rs` `base`). Text
/// compresses; tables of offsets and hash slots would not (they cost twice the bytes after brotli).
pub fn emit(o: &mut String, base: &Base) {
    let mut text = String::new();
    for (i, s) in base.services.iter().enumerate() {
        text.push_str(&s.id);
        text.push(' ');
        text.push_str(s.category.id());
        for (host, _) in base.hosts.iter().filter(|(_, owner)| *owner == i) {
            text.push(' ');
            text.push_str(host);
        }
        text.push('\n');
    }
    o.push_str(
        "\n// The base layer (catalog/base.json: third-party-web, MIT). See build/base.rs.\n",
    );
    writeln!(o, "pub(super) static BASE_TEXT: &str = {};", lit(&text)).unwrap();
    // Its cookie names (the Open Cookie Database, Apache-2.0): `id name name*…`, a line per
    // service that has some, read by a linear scan when a cookie is written or swept.
    let mut cookies = String::new();
    for s in base.services.iter().filter(|s| !s.cookies.is_empty()) {
        cookies.push_str(&s.id);
        for name in &s.cookies {
            cookies.push(' ');
            cookies.push_str(name);
        }
        cookies.push('\n');
    }
    writeln!(
        o,
        "pub(super) static BASE_COOKIES: &str = {};",
        lit(&cookies)
    )
    .unwrap();
}
