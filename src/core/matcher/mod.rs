//! The matcher: which service, if any, a URL belongs to.
//!
//! Parts: [`url`] parses URLs, [`host`] compares hosts and paths (and knows first party and
//! neutral CDNs), [`table`] looks hosts up in the catalog's hash table; this module merges the
//! catalog with the site's `services` for one page.
//!
//! [`Matcher::classify`] turns a URL string into a [`Destination`]: a known service with its category
//! (the site's own `services` first, then the catalog), a neutral CDN, first party, no request
//! at all, or an unknown third party (which `unknownThirdParty` decides). It parses URLs by hand,
//! following the WHATWG URL parser where it decides the host: scheme-relative and relative URLs,
//! userinfo, ports, IPv6 literals, upper case, trailing dots, backslashes, tabs and newlines,
//! percent-encoded and full-width host names, dot segments in paths. Well-formed URLs (what
//! `element.src` and `new URL(…).href` return) take an allocation-free path; odd ones are
//! normalised into a `String` first. Nothing here panics on any input.
//!
//! Host rules are suffix rules on whole labels: `google-analytics.com` covers
//! `region1.google-analytics.com` but not `evilgoogle-analytics.com` nor
//! `google-analytics.com.evil.net`. The longest listed suffix wins; a host with path rules
//! (`facebook.com/tr` vs `facebook.com/plugins`) tries them in order, and a path none of them
//! covers falls through to shorter suffixes (and so usually to "unknown").
//!
//! Limits, on purpose: of IDNA's mapping of non-ASCII host names only the part that can turn
//! them into ASCII ones is done (full-width ASCII, ideographic full stops, a few letters and
//! ignorable code points); other non-ASCII labels never equal a listed host, so such a host is
//! "unknown", never a false match. IPv4 in odd notations (`0x7f.1`) is not normalised;
//! "same site" uses a short built-in list of multi-label public suffixes ([`registrable_domain`])
//! instead of the full Public Suffix List. The shell should pass browser-resolved URLs
//! (`element.src`, `new URL(input, document.baseURI).href`) where it has them: relative URLs are
//! resolved against the page's origin here, which ignores `<base href>`.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

mod host;
mod table;
mod url;

pub use host::{
    host_matches, is_data_document, is_first_party, is_neutral_cdn, path_matches,
    registrable_domain, same_site,
};
#[cfg(test)]
pub(crate) use table::lookup_host;
pub use url::{parse_url, resolve_relative, without_dot_segments, Parsed};

use super::catalog::{self, Entry, NEUTRAL};
use super::category::Category;
use super::config::Config;
use super::ids;
use host::bare_host;
use table::{base_service, lookup};
use url::{before_query, eq_lower, find_any, split_scheme, trim_start_byte};

/// A URL, cookie or id that belongs to a known service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    /// The service id: the catalog's (`meta-pixel`) or the site's own.
    pub service: &'a str,
    /// Its category in effect (the site's override, else the catalog's).
    pub category: Category,
}

/// Where loading a URL sends a request, as far as consent goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination<'a> {
    /// A known service: allowed only when its category (or a service override) is granted.
    Service(Match<'a>),
    /// The page's own site (relative, same origin, or a subdomain of the same registrable
    /// domain): always allowed.
    FirstParty,
    /// A neutral CDN: always allowed.
    Neutral,
    /// No network request (`data:`, `blob:`, `javascript:`, or a URL browsers reject).
    NoRequest,
    /// Another site that neither the catalog nor the config knows: `unknownThirdParty` decides.
    Unknown,
}

impl<'a> Destination<'a> {
    pub fn service(self) -> Option<Match<'a>> {
        match self {
            Destination::Service(m) => Some(m),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct SiteService {
    id: String,
    category: Category,
}

/// One `hosts` item of a site service: `host` or `host/path`.
#[derive(Debug)]
struct SiteRule {
    host: String,
    path: String,
    service: usize,
}

/// The catalog merged with the site's config, for one page. Build it once per page with
/// [`Matcher::new`]; [`Matcher::classify`] does not allocate for well-formed URLs.
#[derive(Debug)]
pub struct Matcher {
    catalog: bool,
    /// Category in effect per catalog entry.
    categories: Vec<Category>,
    /// Catalog entries whose hosts the site replaced: their catalog host rules are skipped.
    replaced: Vec<bool>,
    services: Vec<SiteService>,
    rules: Vec<SiteRule>,
    page_scheme: String,
    page_host: String,
    /// [`registrable_domain`] of `page_host`.
    page_site: String,
}

/// A config host item (`example.com`, `*.example.com`, `https://example.com/path`) as
/// `(host, path)`, or `None` if it names no host.
fn site_rule(spec: &str) -> Option<(String, String)> {
    let spec = spec.trim();
    let scheme_end = spec.as_bytes().windows(3).position(|w| w == b"://");
    let mut spec = scheme_end.and_then(|i| spec.get(i + 3..)).unwrap_or(spec);
    while let Some(rest) = spec.strip_prefix("*.") {
        spec = rest;
    }
    let spec = trim_start_byte(spec, b'.');
    let (host, path) = match find_any(spec, b"/") {
        Some(i) => (spec.get(..i)?, spec.get(i..)?),
        None => (spec, ""),
    };
    let host = bare_host(host).to_ascii_lowercase();
    let path = if path == "/" { "" } else { before_query(path) };
    (!host.is_empty()).then(|| (host, path.to_string()))
}

impl Matcher {
    /// The matcher for a page at `page_origin` (`location.origin`, e.g.
    /// `https://www.example.co.jp`), merging the catalog with `config`:
    /// - a config service whose id is a catalog entry's overrides its category, and, if it
    ///   lists `hosts`, replaces the entry's hosts;
    /// - other config services add services (their hosts match even on the site's own domain,
    ///   so a first-party tag endpoint can be declared);
    /// - `catalog: false` turns the built-in services off (neutral CDNs stay neutral).
    pub fn new(config: &Config, page_origin: &str) -> Matcher {
        let mut categories: Vec<Category> = catalog::entries().map(Entry::category).collect();
        let mut replaced = vec![false; categories.len()];
        let mut services = Vec::new();
        let mut rules = Vec::new();
        for def in &config.services {
            let rule_specs: Vec<(String, String)> =
                def.hosts.iter().filter_map(|h| site_rule(h)).collect();
            let in_catalog = if config.catalog {
                catalog::entry(&def.id)
            } else {
                None
            };
            if let Some(e) = in_catalog {
                if let Some(c) = categories.get_mut(e.index()) {
                    *c = def.category;
                }
                if rule_specs.is_empty() {
                    continue;
                }
                if let Some(r) = replaced.get_mut(e.index()) {
                    *r = true;
                }
            }
            let service = services.len();
            services.push(SiteService {
                id: def.id.clone(),
                category: def.category,
            });
            rules.extend(rule_specs.into_iter().map(|(host, path)| SiteRule {
                host,
                path,
                service,
            }));
        }
        let (page_scheme, page_host) =
            match (split_scheme(page_origin), parse_url(page_origin, None)) {
                (Some((scheme, _)), Parsed::Network { host, .. }) => {
                    (scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
                }
                _ => (String::new(), String::new()),
            };
        let page_site = registrable_domain(&page_host).to_string();
        Matcher {
            catalog: config.catalog,
            categories,
            replaced,
            services,
            rules,
            page_scheme,
            page_host,
            page_site,
        }
    }

    /// The page's host, lower case.
    pub fn page_host(&self) -> &str {
        &self.page_host
    }

    fn site_match(&self, host: &str, path: &str) -> Option<Match<'_>> {
        let mut best: Option<&SiteRule> = None;
        for rule in &self.rules {
            if host_matches(host, &rule.host) && path_matches(&rule.path, path) {
                let better = best.is_none_or(|b| {
                    (rule.host.len(), rule.path.len()) > (b.host.len(), b.path.len())
                });
                if better {
                    best = Some(rule);
                }
            }
        }
        let service = self.services.get(best?.service)?;
        Some(Match {
            service: &service.id,
            category: service.category,
        })
    }

    fn accept(&self, entry: u8) -> bool {
        entry == NEUTRAL
            || (self.catalog
                && !self
                    .replaced
                    .get(usize::from(entry))
                    .copied()
                    .unwrap_or(true))
    }

    fn catalog_match(&self, entry: u8) -> Option<Match<'static>> {
        let e = Entry::from_index(usize::from(entry))?;
        Some(Match {
            service: e.id(),
            category: self.categories.get(e.index()).copied()?,
        })
    }

    /// The base layer's service for `host` (after the curated layer and the site's own), with
    /// its category in effect: a site service of the same id (the site named it, for its
    /// category or its disclosure) gives its own. (The base layer is indexed on the first call:
    /// nothing of it runs at start.)
    fn base_match(&self, host: &str) -> Option<Match<'static>> {
        if !self.catalog {
            return None;
        }
        self.base_service_match(base_service(host)?)
    }

    /// Base-layer service `s` as a match: its id, and its category (the site's, when it lists it).
    fn base_service_match(&self, s: usize) -> Option<Match<'static>> {
        let id = catalog::base::id(s)?;
        let category = match self.services.iter().find(|site| site.id == id) {
            Some(site) => site.category,
            None => catalog::base::category(s)?,
        };
        Some(Match {
            service: id,
            category,
        })
    }

    /// What loading `url` on this page means. No allocation for well-formed URLs.
    pub fn classify(&self, url: &str) -> Destination<'_> {
        let scheme = (!self.page_scheme.is_empty()).then_some(self.page_scheme.as_str());
        match parse_url(url, scheme) {
            Parsed::Other => Destination::NoRequest,
            Parsed::Relative { path } => {
                if !self.rules.is_empty() {
                    let path = if path.is_empty() { "/" } else { &path };
                    if let Some(m) = self.site_match(&self.page_host, path) {
                        return Destination::Service(m);
                    }
                }
                Destination::FirstParty
            }
            Parsed::Network { host, path } => {
                if let Some(m) = self.site_match(&host, &path) {
                    return Destination::Service(m);
                }
                // Same origin (host) is first party without a catalog lookup.
                if eq_lower(host.as_bytes(), self.page_host.as_bytes()) {
                    return Destination::FirstParty;
                }
                let found = lookup(&host, &path, |e| self.accept(e)).or_else(|| {
                    let com = google_country_as_com(&host)?;
                    lookup(&com, &path, |e| self.accept(e))
                });
                match found {
                    Some(NEUTRAL) => return Destination::Neutral,
                    Some(entry) => {
                        if let Some(m) = self.catalog_match(entry) {
                            return Destination::Service(m);
                        }
                    }
                    None => {}
                }
                // A subdomain of the page's registrable domain is the same site.
                if !self.page_site.is_empty() && host_matches(&host, &self.page_site) {
                    return Destination::FirstParty;
                }
                match self.base_match(&host) {
                    Some(m) => Destination::Service(m),
                    None => Destination::Unknown,
                }
            }
        }
    }

    /// The host of `url` (lower case) when nothing describes it: an unknown third party (neither
    /// the catalog, nor the site's services, nor first party, nor a neutral CDN), or a service of
    /// the catalog's base layer the site has not described in its `services` (named too).
    pub fn undescribed_host(&self, url: &str) -> Option<(String, Option<&'static str>)> {
        let base_layer = match self.classify(url) {
            Destination::Unknown => false,
            Destination::Service(m)
                if catalog::entry(m.service).is_none()
                    && self.services.iter().all(|s| s.id != m.service) =>
            {
                true
            }
            _ => return None,
        };
        let scheme = (!self.page_scheme.is_empty()).then_some(self.page_scheme.as_str());
        let Parsed::Network { host, .. } = parse_url(url, scheme) else {
            return None;
        };
        let host = host.to_ascii_lowercase();
        // (Its id by the base layer's hash table, as `base_match` found it.)
        let service = if base_layer {
            Some(catalog::base::id(base_service(&host)?)?)
        } else {
            None
        };
        Some((host, service))
    }

    /// The service `url` belongs to, if any (see [`Matcher::classify`]).
    pub fn match_url(&self, url: &str) -> Option<Match<'_>> {
        self.classify(url).service()
    }

    /// The catalog service that sets cookie `name` (`_ga`, `_fbp`; a base-layer service's:
    /// `hubspotutk`), with its category in effect.
    pub fn match_cookie(&self, name: &str) -> Option<Match<'_>> {
        if !self.catalog {
            return None;
        }
        match catalog::cookie_owner(name) {
            Some(e) => self.catalog_match(u8::try_from(e.index()).ok()?),
            // The base layer's services, by the Open Cookie Database's names.
            None => {
                self.base_service_match(catalog::base::find(catalog::base::cookie_owner(name)?)?)
            }
        }
    }

    /// The catalog service that writes `localStorage`/`sessionStorage` key `key`, with its
    /// category in effect.
    pub fn match_storage_key(&self, key: &str) -> Option<Match<'_>> {
        if !self.catalog {
            return None;
        }
        let e = catalog::storage_owner(key)?;
        self.catalog_match(u8::try_from(e.index()).ok()?)
    }

    /// The category in effect for service `id` (the site's services, then the catalog).
    pub fn category_of(&self, id: &str) -> Option<Category> {
        if let Some(s) = self.services.iter().find(|s| s.id == id) {
            return Some(s.category);
        }
        if !self.catalog {
            return None;
        }
        match catalog::entry(id) {
            Some(e) => self.categories.get(e.index()).copied(),
            None => catalog::base::category(catalog::base::find(id)?),
        }
    }
}

/// [`ids::google_country_as_com`] for any host, answering at once, without allocating, for hosts
/// that do not name Google (it is asked for every host the catalog does not know).
fn google_country_as_com(host: &str) -> Option<String> {
    if !host
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"google"))
    {
        return None;
    }
    ids::google_country_as_com(&host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests;
