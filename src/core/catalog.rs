//! The vendor catalog (docs/contracts.md §3): the known trackers, embeds and SDKs, with what the Japanese
//! external-transmission rule (電気通信事業法 27条の12) asks a site to disclose about each.
//!
//! The data lives in `catalog/vendors.json`; `build.rs` compiles it into the static tables
//! included below, so nothing is parsed at run time. The tables are split in columns (ids,
//! categories, disclosures, host rules) so that code which only matches URLs keeps only the
//! columns it reads: the disclosure texts are linked into the Wasm only once something shows them.
//!
//! URL matching is in [`super::matcher`]; the site's `services` and `catalog: false` are merged
//! there ([`super::matcher::Matcher::new`]).

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use super::category::Category;

/// A text in Japanese and English.
#[derive(Debug, PartialEq, Eq)]
pub struct Text {
    pub ja: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The Japanese text for `ja`, the English one for any other language.
    pub fn get(&self, lang: &str) -> &'static str {
        if lang == "ja" {
            self.ja
        } else {
            self.en
        }
    }
}

/// What the site must publish about one external transmission (施行規則22条の2の29): who
/// receives what, and for which purposes, plus where the recipient is and its policy.
#[derive(Debug)]
pub struct Disclosure {
    /// 送信先で情報を取り扱う者の氏名又は名称, with the service name: 「Google LLC（Google アナリティクス）」.
    pub recipient: &'static Text,
    /// Indices into the information vocabulary (`info` in the JSON); see [`Disclosure::info_sent`].
    sent: &'static [u8],
    /// The site's purpose in sending it (利用目的, site side).
    pub purpose_site: &'static Text,
    /// The recipient's purpose (利用目的, recipient side).
    pub purpose_recipient: &'static Text,
    country: u8,
    /// The recipient's privacy policy (https).
    pub policy_url: &'static str,
    /// Where the visitor can opt out at the recipient (empty when it offers no page for it).
    opt_out_url: &'static str,
}

impl Disclosure {
    /// 送信される利用者に関する情報の内容, item by item (specific items, never 「等」).
    pub fn info_sent(&self) -> impl Iterator<Item = &'static Text> {
        self.sent
            .iter()
            .filter_map(|&i| INFO.get(usize::from(i)).map(|(_, text)| text))
    }

    /// The items of [`Disclosure::info_sent`] in `lang`, joined with 「、」 (ja) or ", ".
    pub fn info_sent_text(&self, lang: &str) -> String {
        let sep = if lang == "ja" { "、" } else { ", " };
        let mut out = String::new();
        for (i, item) in self.info_sent().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(item.get(lang));
        }
        out
    }

    /// ISO 3166-1 alpha-2 code of the recipient's country (`US`, `JP`).
    pub fn country(&self) -> &'static str {
        COUNTRIES.get(usize::from(self.country)).map_or("", |c| c.0)
    }

    /// The recipient's country by name.
    pub fn country_name(&self) -> Option<&'static Text> {
        COUNTRIES.get(usize::from(self.country)).map(|c| &c.1)
    }

    /// The recipient's opt-out page, if it has one. (The visitor's real opt-out is the site's
    /// own switch, which stops the sending; this page only stops the recipient's use.)
    pub fn opt_out_url(&self) -> Option<&'static str> {
        (!self.opt_out_url.is_empty()).then_some(self.opt_out_url)
    }
}

/// One catalog entry, a handle onto the static columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry(u16);

impl Entry {
    /// Entry number `index` in catalog order (`None` past the end).
    pub fn from_index(index: usize) -> Option<Entry> {
        (index < LEN).then_some(Entry(index as u16))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The service id (`[a-z0-9_-]`), also usable in markup as `service:<id>`.
    pub fn id(self) -> &'static str {
        IDS.get(self.index()).copied().unwrap_or("")
    }

    /// The product name, as the vendor writes it.
    pub fn name(self) -> &'static str {
        NAMES.get(self.index()).copied().unwrap_or("")
    }

    /// The catalog's category (a site may override it in its config).
    pub fn category(self) -> Category {
        CATEGORIES
            .get(self.index())
            .copied()
            .unwrap_or(Category::Necessary)
    }

    /// The hosts as written in the catalog: `host` (the host and its subdomains) or
    /// `host/path` (only paths under that prefix; `*` stands for one path segment).
    pub fn hosts(self) -> impl Iterator<Item = &'static str> {
        words(&HOSTS, self.index())
    }

    /// Cookie names the vendor's tags set on the site: exact names, or `prefix*`.
    pub fn cookies(self) -> impl Iterator<Item = &'static str> {
        words(&COOKIES, self.index())
    }

    /// Whether cookie `name` is one of [`Entry::cookies`].
    pub fn sets_cookie(self, name: &str) -> bool {
        self.cookies().any(|pattern| name_matches(pattern, name))
    }

    /// `localStorage` / `sessionStorage` keys the vendor's tags write on the site: exact keys,
    /// or `prefix*`.
    pub fn storage(self) -> impl Iterator<Item = &'static str> {
        words(&STORAGE, self.index())
    }

    /// Whether storage key `key` is one of [`Entry::storage`].
    pub fn sets_storage_key(self, key: &str) -> bool {
        self.storage().any(|pattern| name_matches(pattern, key))
    }

    /// CSS selectors of the markup the vendor's embeds and buttons are written as
    /// (`blockquote.twitter-tweet`): what the UI puts a placeholder before while the service is
    /// not allowed.
    pub fn embeds(self) -> impl Iterator<Item = &'static str> {
        words(&EMBEDS, self.index())
    }

    /// What the Japanese external-transmission disclosure needs about this entry.
    pub fn disclosure(self) -> Option<&'static Disclosure> {
        DISCLOSURES.get(self.index())
    }
}

/// An item of the "information sent" vocabulary by its code (`ip`, `ua`, `url`, …): what a
/// site's own service may name in its `sent` list instead of writing the text.
pub fn info_item(code: &str) -> Option<&'static Text> {
    INFO.iter().find(|(c, _)| *c == code).map(|(_, text)| text)
}

/// A country's name by its ISO 3166-1 alpha-2 code, if the catalog knows it.
pub fn country_name(code: &str) -> Option<&'static Text> {
    COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, text)| text)
}

/// Every entry, in catalog order.
pub fn entries() -> impl Iterator<Item = Entry> {
    (0..LEN as u16).map(Entry)
}

/// A frame the checkpoint holds: the UI module puts a placeholder before it.
pub const HELD_FRAME: &str = "iframe[data-sekisho=\"held\"]";
/// A site's own embed markup, naming its service (`data-sekisho-embed="<service id>"`).
pub const SITE_EMBED: &str = "[data-sekisho-embed]";

/// The markup of the script-built embeds and buttons the catalog knows, as `(CSS selector,
/// service id)` (`blockquote.twitter-tweet`, …); none when the site turned the catalog off.
pub fn embed_markup(catalog_on: bool) -> impl Iterator<Item = (&'static str, &'static str)> {
    entries()
        .filter(move |_| catalog_on)
        .flat_map(|e| e.embeds().map(move |selector| (selector, e.id())))
}

/// The entry with this id.
pub fn entry(id: &str) -> Option<Entry> {
    IDS.iter()
        .position(|i| *i == id)
        .and_then(Entry::from_index)
}

/// The category of a service only the base layer knows (test tools' use: the checkpoint asks by
/// host, not by id).
pub fn base_category(id: &str) -> Option<Category> {
    base::category(base::find(id)?)
}

/// Number of entries.
pub fn len() -> usize {
    LEN
}

/// Entry `index`'s list in a generated column (one space-separated string per entry).
fn words(column: &'static [&'static str], index: usize) -> impl Iterator<Item = &'static str> {
    column
        .get(index)
        .copied()
        .unwrap_or("")
        .split_ascii_whitespace()
}

/// A catalog name pattern: exact, or `prefix*`.
fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// The entry that sets cookie `name`, first in catalog order.
pub fn cookie_owner(name: &str) -> Option<Entry> {
    entries().find(|e| e.sets_cookie(name))
}

/// The entry that writes storage key `key`, first in catalog order.
pub fn storage_owner(key: &str) -> Option<Entry> {
    entries().find(|e| e.sets_storage_key(key))
}

// ---- The generated tables and the types they are made of (used by the matcher) ----

/// A host of the lookup table: its text in `RULE_TEXT`, and where its rules start in `RULES`
/// (path rules first, then at most one catch-all).
pub(super) struct HostSlot {
    off: u16,
    len: u8,
    rules: u16,
}

/// A rule: its path in `RULE_TEXT` (a prefix like `/tr` or `/v*/dialog`; empty for any path)
/// and the entry index, or [`NEUTRAL`].
pub(super) struct RuleSlot {
    off: u16,
    len: u8,
    entry: u8,
}

/// The entry index of neutral CDN hosts.
pub(super) const NEUTRAL: u8 = u8::MAX;

fn rule_text(off: u16, len: u8) -> &'static str {
    let off = usize::from(off);
    RULE_TEXT.get(off..off + usize::from(len)).unwrap_or("")
}

/// Number of hosts in the lookup table.
pub(super) fn host_count() -> usize {
    HOSTS_TABLE.len().saturating_sub(1)
}

/// Host `i` of the lookup table (sorted; the hash table `SLOTS` holds `i + 1`).
pub(super) fn host(i: usize) -> Option<&'static str> {
    if i >= host_count() {
        return None;
    }
    HOSTS_TABLE.get(i).map(|h| rule_text(h.off, h.len))
}

/// The rules of host `i` as `(path, entry)`, in the order to try them.
pub(super) fn host_rules(i: usize) -> impl Iterator<Item = (&'static str, u8)> {
    let range = match (HOSTS_TABLE.get(i), HOSTS_TABLE.get(i + 1)) {
        (Some(a), Some(b)) => usize::from(a.rules)..usize::from(b.rules),
        _ => 0..0,
    };
    RULES
        .get(range)
        .unwrap_or(&[])
        .iter()
        .map(|r| (rule_text(r.off, r.len), r.entry))
}

/// The base layer (`catalog/base.json`, from third-party-web; `build/base.rs`): services known
/// by their hosts and category alone, under the curated entries. Compiled in as one text, a line
/// per service (`id category host host…`), indexed the first time a host the curated layer does
/// not know is looked up; and their cookie names (the Open Cookie Database), a second text.
pub(super) mod base {
    use super::*;
    use crate::core::ids::suffix_hash;
    use std::sync::OnceLock;

    struct Index {
        services: Vec<(&'static str, Category)>,
        /// (host, service index).
        hosts: Vec<(&'static str, u16)>,
        /// Open addressing over `hosts` by [`suffix_hash`] (host index + 1), load ≤ 1/2.
        slots: Vec<u16>,
    }

    fn index() -> &'static Index {
        static INDEX: OnceLock<Index> = OnceLock::new();
        INDEX.get_or_init(build_index)
    }

    /// Reads `BASE_TEXT` in one pass over its bytes (this runs on a page's critical path, in
    /// baseline-compiled Wasm: no per-line iterator, no UTF-8 decoding — the text is ASCII).
    fn build_index() -> Index {
        let text = BASE_TEXT.as_bytes();
        let mut services = Vec::with_capacity(BASE_TEXT.len() / 40);
        let mut hosts = Vec::with_capacity(BASE_TEXT.len() / 20);
        let mut category = None;
        let (mut start, mut word) = (0, 0); // the line's start, the word's number in it
        for (i, &b) in text.iter().enumerate() {
            if b != b' ' && b != b'\n' {
                continue;
            }
            let piece = BASE_TEXT.get(start..i).unwrap_or("");
            match word {
                0 => services.push((piece, Category::Necessary)),
                1 => {
                    category = Category::from_id(piece);
                    if let (Some(c), Some(last)) = (category, services.last_mut()) {
                        last.1 = c;
                    }
                }
                _ if category.is_some() => hosts.push((piece, services.len() as u16 - 1)),
                _ => {}
            }
            start = i + 1;
            word = if b == b'\n' { 0 } else { word + 1 };
        }
        let len = (hosts.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u16; len];
        for (i, (host, _)) in hosts.iter().enumerate() {
            let mut s = suffix_hash(host) as usize & (len - 1);
            while slots.get(s).is_some_and(|&x| x != 0) {
                s = (s + 1) & (len - 1);
            }
            if let Some(slot) = slots.get_mut(s) {
                *slot = i as u16 + 1;
            }
        }
        Index {
            services,
            hosts,
            slots,
        }
    }

    /// Service `i`'s id.
    pub fn id(i: usize) -> Option<&'static str> {
        index().services.get(i).map(|s| s.0)
    }

    /// Service `i`'s category.
    pub fn category(i: usize) -> Option<Category> {
        index().services.get(i).map(|s| s.1)
    }

    /// The service of id `id`.
    pub fn find(id: &str) -> Option<usize> {
        index().services.iter().position(|s| s.0 == id)
    }

    /// How many services the base layer has.
    #[cfg(test)]
    pub fn len() -> usize {
        index().services.len()
    }

    /// Host `i` of the base table (the hash table [`slots`] holds `i + 1`).
    pub fn host(i: usize) -> Option<&'static str> {
        index().hosts.get(i).map(|h| h.0)
    }

    /// The service host `i` belongs to.
    pub fn host_service(i: usize) -> Option<usize> {
        index().hosts.get(i).map(|h| usize::from(h.1))
    }

    /// The hash table's slots.
    pub fn slots() -> &'static [u16] {
        &index().slots
    }

    /// The service (its id) that sets cookie `name`, by the Open Cookie Database's names
    /// (`BASE_COOKIES`; `prefix*` for a family): a scan of the text — a page writes and sweeps
    /// cookies rarely, and most pages never ask.
    pub fn cookie_owner(name: &str) -> Option<&'static str> {
        BASE_COOKIES.lines().find_map(|line| {
            let mut words = line.split(' ');
            let id = words.next()?;
            words
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => pattern == name,
                })
                .then_some(id)
        })
    }
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::core::config::is_valid_id;
    use crate::core::matcher::{lookup_host, Matcher};
    use std::collections::HashSet;

    fn url_ok(u: &str) -> bool {
        u.starts_with("https://")
            && u.len() > "https://x.y".len()
            && !u.contains(char::is_whitespace)
    }

    #[test]
    fn every_entry_is_complete() {
        let mut problems = Vec::new();
        let mut ids = HashSet::new();
        for e in entries() {
            let id = e.id();
            let mut bad = |what: &str| problems.push(format!("{id}: {what}"));
            if !is_valid_id(id) {
                bad("id is not [a-z0-9_-]{1,40}");
            }
            if !ids.insert(id) {
                bad("duplicate id");
            }
            if e.name().trim().is_empty() {
                bad("empty name");
            }
            if e.hosts().next().is_none() {
                bad("no hosts");
            }
            let Some(d) = e.disclosure() else {
                bad("no disclosure");
                continue;
            };
            for (field, t) in [
                ("recipient", d.recipient),
                ("purposeSite", d.purpose_site),
                ("purposeRecipient", d.purpose_recipient),
            ] {
                if t.ja.trim().is_empty() || t.en.trim().is_empty() {
                    bad(&format!("{field}: ja and en must both be set"));
                }
            }
            if d.info_sent().count() == 0 || d.info_sent().count() != d.sent.len() {
                bad("sent: no items, or an unknown item");
            }
            for item in d.info_sent() {
                if item.ja.trim().is_empty() || item.en.trim().is_empty() {
                    bad("sent: an item without ja or en text");
                }
            }
            if d.country_name().is_none() || d.country().len() != 2 {
                bad("country: unknown");
            }
            if !url_ok(d.policy_url) {
                bad("policy: not an https URL");
            }
            if let Some(u) = d.opt_out_url() {
                if !url_ok(u) {
                    bad("optOut: not an https URL");
                }
            }
            // The recipient names the company and, in brackets, the service.
            if !(d.recipient.ja.contains('（') && d.recipient.ja.ends_with('）')) {
                bad("recipient.ja: expected 「会社名（サービス名）」");
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(ids.len(), len());
    }

    /// MIC guidance discourages loose 「等」「その他」: every disclosed item must be specific.
    #[test]
    fn disclosure_texts_are_specific() {
        let loose_ja = ["等", "など", "その他", "ほか"];
        let loose_en = [
            "etc.",
            " etc",
            "and so on",
            "and others",
            "other information",
        ];
        let mut texts: Vec<&Text> = INFO.iter().map(|(_, text)| text).collect();
        for e in entries() {
            let d = e.disclosure().unwrap();
            texts.extend([d.recipient, d.purpose_site, d.purpose_recipient]);
        }
        for t in texts {
            for w in loose_ja {
                assert!(!t.ja.contains(w), "「{w}」 in {:?}", t.ja);
            }
            for w in loose_en {
                assert!(!t.en.to_lowercase().contains(w), "{w:?} in {:?}", t.en);
            }
        }
    }

    #[test]
    fn ad_vendors_that_offer_an_opt_out_page_link_it() {
        // TikTok has no web page for it (the setting is in its app). For the Japanese ad vendors
        // below none was found in their own documentation yet (catalog/README.md "To re-check with
        // the vendors"): an unverified URL would send visitors to a wrong page.
        const NOT_FOUND_YET: [&str; 10] = [
            "microad",
            "freakout",
            "fluct",
            "geniee",
            "ad-ebis",
            "a8net",
            "valuecommerce",
            "i-mobile",
            "popin",
            "logly-lift",
        ];
        for e in entries().filter(|e| e.category() == Category::Ads) {
            let has = e.disclosure().unwrap().opt_out_url().is_some();
            let none = e.id() == "tiktok-pixel" || NOT_FOUND_YET.contains(&e.id());
            assert_eq!(has, !none, "{}", e.id());
        }
    }

    #[test]
    fn covers_the_vendors_the_design_requires() {
        let required = [
            ("google-analytics", Category::Analytics),
            ("google-tag-manager", Category::Analytics),
            ("google-ads", Category::Ads),
            ("google-marketing-platform", Category::Ads),
            ("google-adsense", Category::Ads),
            ("youtube", Category::Sns),
            ("meta-pixel", Category::Ads),
            ("facebook-login", Category::Sns),
            ("facebook-plugins", Category::Sns),
            ("instagram-embed", Category::Sns),
            ("x-pixel", Category::Ads),
            ("x-widgets", Category::Sns),
            ("microsoft-uet", Category::Ads),
            ("microsoft-clarity", Category::Analytics),
            ("line-tag", Category::Ads),
            ("line-login", Category::Sns),
            ("line-share", Category::Sns),
            ("yahoo-japan-ads", Category::Ads),
            ("yahoo-tag-manager", Category::Analytics),
            ("tiktok-pixel", Category::Ads),
            ("criteo", Category::Ads),
            ("amazon-ads", Category::Ads),
            ("linkedin-insight", Category::Ads),
            ("pinterest-tag", Category::Ads),
            ("hotjar", Category::Analytics),
            // What a Japanese media site pastes (#12).
            ("microad", Category::Ads),
            ("freakout", Category::Ads),
            ("fluct", Category::Ads),
            ("geniee", Category::Ads),
            ("ad-ebis", Category::Ads),
            ("a8net", Category::Ads),
            ("valuecommerce", Category::Ads),
            ("i-mobile", Category::Ads),
            ("treasure-data", Category::Analytics),
            ("karte", Category::Analytics),
            ("popin", Category::Ads),
            ("logly-lift", Category::Ads),
            ("smartnews-ads", Category::Ads),
            ("user-insight", Category::Analytics),
            ("ptengine", Category::Analytics),
            ("mieruca-heatmap", Category::Analytics),
            ("hatena-bookmark", Category::Sns),
        ];
        for (id, category) in required {
            let e = entry(id).unwrap_or_else(|| panic!("missing {id}"));
            assert_eq!(e.category(), category, "{id}");
        }
    }

    #[test]
    fn no_host_is_claimed_twice_and_every_host_is_found() {
        let mut seen = HashSet::new();
        assert!(host_count() > 50);
        assert_eq!(host(host_count()), None);
        for i in 0..host_count() {
            let h = host(i).unwrap();
            assert!(seen.insert(h), "host {h} listed twice");
            assert_eq!(lookup_host(h), Some(i), "{h} not found by the hash");
            assert_eq!(lookup_host(&h.to_uppercase()), Some(i));
            let rules: Vec<(&str, u8)> = host_rules(i).collect();
            assert!(!rules.is_empty(), "{h}: no rules");
            let catch_alls = rules.iter().filter(|r| r.0.is_empty()).count();
            assert!(catch_alls <= 1, "{h}: two entries claim every path");
            assert!(
                rules.last().unwrap().0.is_empty() || catch_alls == 0,
                "{h}: the catch-all must come last"
            );
            let mut paths = HashSet::new();
            for (path, entry) in rules {
                assert!(paths.insert(path), "{h}{path} claimed twice");
                assert!(entry == NEUTRAL || usize::from(entry) < LEN);
            }
        }
        // Every host an entry lists leads back to that entry.
        let m = Matcher::new(&Default::default(), "https://site.example");
        for e in entries() {
            for spec in e.hosts() {
                let path = spec.find('/').map_or("/", |i| &spec[i..]).replace('*', "x");
                let host = spec.split('/').next().unwrap();
                for url in [
                    format!("https://{host}{path}"),
                    format!("https://sub.{host}{path}/more?q=1"),
                ] {
                    let got = m.match_url(&url);
                    assert_eq!(got.map(|g| g.service), Some(e.id()), "{url}");
                }
            }
        }
    }

    #[test]
    fn storage_keys_map_to_their_vendor() {
        for (key, id) in [
            ("_gcl_ls", "google-ads"),
            ("_uetsid", "microsoft-uet"),
            ("_uetsid_exp", "microsoft-uet"),
            ("_uetvid_exp", "microsoft-uet"),
            ("tt_sessionId", "tiktok-pixel"),
            ("cto_bundle", "criteo"),
            ("li_adsId", "linkedin-insight"),
            ("_hjLocalStorageTest", "hotjar"),
            ("hjViewportId", "hotjar"),
        ] {
            assert_eq!(storage_owner(key).map(Entry::id), Some(id), "{key}");
        }
        // The site's own keys, and the SDK's, belong to no vendor.
        for key in ["sekisho", "cart", "theme", "_g", "tt_", "hj"] {
            assert_eq!(storage_owner(key).map(Entry::id), None, "{key}");
        }
    }

    #[test]
    fn cookies_map_to_their_vendor() {
        for (name, id) in [
            ("_ga", "google-analytics"),
            ("_ga_ABC123", "google-analytics"),
            ("_gid", "google-analytics"),
            ("_gcl_au", "google-ads"),
            ("_fbp", "meta-pixel"),
            ("_uetsid", "microsoft-uet"),
            ("_uetvid", "microsoft-uet"),
            ("MUID", "microsoft-uet"),
            ("_clck", "microsoft-clarity"),
            ("_clsk", "microsoft-clarity"),
            ("__lt__cid", "line-tag"),
            ("_ttp", "tiktok-pixel"),
            ("_pin_unauth", "pinterest-tag"),
            ("_hjSessionUser_123", "hotjar"),
            ("_hjSession_123", "hotjar"),
            ("cto_bundle", "criteo"),
        ] {
            assert_eq!(cookie_owner(name).map(Entry::id), Some(id), "{name}");
        }
        assert_eq!(
            cookie_owner("_gat_UA-1").map(Entry::id),
            Some("google-analytics")
        );
        assert_eq!(cookie_owner("sekisho"), None);
        assert_eq!(cookie_owner("_g"), None);
        assert_eq!(
            cookie_owner("muid"),
            None,
            "cookie names are case-sensitive"
        );
    }

    #[test]
    fn disclosure_renders_in_both_languages() {
        let ga = entry("google-analytics").unwrap();
        assert_eq!(ga.name(), "Google Analytics");
        let d = ga.disclosure().unwrap();
        assert_eq!(d.recipient.get("ja"), "Google LLC（Google アナリティクス）");
        assert_eq!(d.recipient.get("en"), "Google LLC (Google Analytics)");
        assert_eq!(d.recipient.get("fr"), "Google LLC (Google Analytics)");
        assert!(d.info_sent_text("ja").starts_with("IPアドレス、"));
        assert!(d.info_sent_text("en").starts_with("IP address, "));
        assert_eq!(d.country(), "US");
        assert_eq!(d.country_name().unwrap().ja, "米国");
        assert_eq!(
            d.opt_out_url(),
            Some("https://tools.google.com/dlpage/gaoptout")
        );
        let line = entry("line-tag").unwrap().disclosure().unwrap();
        assert_eq!(line.recipient.ja, "LINEヤフー株式会社（LINE Tag）");
        assert_eq!(line.country(), "JP");
        assert_eq!(entry("nope"), None);
        assert_eq!(Entry::from_index(len()), None);
    }
}
