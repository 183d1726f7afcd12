//! The services a site uses, described for the visitor in one language: the rows of the 外部送信
//! disclosure (電気通信事業法 27条の12) and the per-service switches of the preference center.
//!
//! "In use" means listed in the config's `services` (a catalog entry by its id, or the site's
//! own service with its disclosure), then any catalog service met on this page that the config
//! does not list. Texts come from the site's config where it gives them, else from the catalog.

use sekisho::core::catalog::{self, Text};
use sekisho::core::category::Category;
use sekisho::core::config::{Config, Localized, ServiceDef};
use sekisho::core::requirement::Requirement;

use super::Lang;

/// One service, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    /// The product name (「Google アナリティクス」 is the recipient's; this is `Google Analytics`).
    pub name: String,
    pub category: Category,
    /// 送信先で情報を取り扱う者の氏名又は名称, with the service name.
    pub recipient: String,
    /// 送信される情報の内容, item by item.
    pub sent: Vec<String>,
    /// 利用目的 at the site.
    pub purpose_site: String,
    /// 利用目的 at the recipient.
    pub purpose_recipient: String,
    /// The recipient's country, by name (empty when unknown).
    pub country: String,
    pub policy_url: Option<String>,
    /// The recipient's own opt-out page, if it has one (the site's switch is always there).
    pub opt_out_url: Option<String>,
    /// The config refused it (its Japanese disclosure is incomplete): held whatever the visitor
    /// chooses, so the UI offers no switch for it.
    pub refused: bool,
}

/// The services in use (as [`services_in_use`]) by id, with their category and whether the
/// config refused them: what a consent record names, without the texts (a module that only
/// names them does not link the catalog's disclosure texts).
pub fn services_in_use_ids<'a>(
    config: &Config,
    met: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, Category, bool)> {
    let mut out: Vec<(String, Category, bool)> = config
        .services
        .iter()
        .map(|def| (def.id.clone(), def.category, def.refused))
        .collect();
    for id in met {
        if out.iter().all(|(s, _, _)| s != id) && config.catalog {
            if let Some(entry) = catalog::entry(id) {
                out.push((id.to_owned(), entry.category(), false));
            }
        }
    }
    out
}

/// The services in use on this site, in config order then in the order `met` (ids of services
/// the checkpoint met on this page) names them; unknown ids in `met` are skipped.
pub fn services_in_use<'a>(
    config: &Config,
    met: impl IntoIterator<Item = &'a str>,
    lang: Lang,
) -> Vec<Service> {
    let mut out: Vec<Service> = config
        .services
        .iter()
        .map(|def| describe(config, def.id.as_str(), Some(def), lang))
        .collect();
    for id in met {
        if out.iter().all(|s| s.id != id) && config.catalog && catalog::entry(id).is_some() {
            out.push(describe(config, id, None, lang));
        }
    }
    out
}

/// The service a held embed belongs to: the one its `data-consent` names (`service:<id>`), else
/// `audited` (the service the checkpoint's audit names for its URL); `None` for content from a
/// site nothing describes.
pub fn service_of_embed(
    config: &Config,
    consent: &str,
    audited: Option<&str>,
    lang: Lang,
) -> Option<Service> {
    let id = match Requirement::parse(consent) {
        Some(Requirement::Service(id)) => id,
        _ => audited?.to_owned(),
    };
    let def = config.service(&id);
    let known = def.is_some() || (config.catalog && catalog::entry(&id).is_some());
    known.then(|| describe(config, &id, def, lang))
}

/// The markup of script-built embeds and buttons, as `(CSS selector, service id)`: the catalog's
/// `embeds` (when the catalog is on), then `[data-sekisho-embed]` (the site's own markup, which
/// names its service in that attribute: the id here is empty).
pub fn embed_markup(config: &Config) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = catalog::embed_markup(config.catalog)
        .map(|(selector, id)| (selector.to_owned(), id.to_owned()))
        .collect();
    out.push((catalog::SITE_EMBED.to_owned(), String::new()));
    out
}

fn describe(config: &Config, id: &str, def: Option<&ServiceDef>, lang: Lang) -> Service {
    let entry = catalog::entry(id).filter(|_| config.catalog);
    let from_catalog = entry.and_then(|e| e.disclosure());
    let site = def.map(|d| &d.disclosure);
    // The site's text where it gives one, else the catalog's.
    let text = |site: Option<&Localized>, catalog: Option<&'static Text>| -> String {
        site.and_then(|t| localized(t, lang))
            .or_else(|| catalog.map(|t| t.get(lang.tag()).to_owned()))
            .unwrap_or_default()
    };
    let sent = match site.map(|d| &d.sent).filter(|s| !s.is_empty()) {
        Some(items) => items.iter().filter_map(|i| sent_item(i, lang)).collect(),
        None => from_catalog
            .map(|d| {
                d.info_sent()
                    .map(|t| t.get(lang.tag()).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let country = match site.and_then(|d| d.country.as_deref()) {
        Some(code) => catalog::country_name(code)
            .map_or_else(|| code.to_owned(), |t| t.get(lang.tag()).to_owned()),
        None => from_catalog
            .and_then(|d| d.country_name())
            .map(|t| t.get(lang.tag()).to_owned())
            .unwrap_or_default(),
    };
    let name = def
        .and_then(|d| d.name.clone())
        .or_else(|| entry.map(|e| e.name().to_owned()))
        .unwrap_or_else(|| id.to_owned());
    Service {
        id: id.to_owned(),
        category: def
            .map(|d| d.category)
            .or_else(|| entry.map(|e| e.category()))
            .unwrap_or(Category::Ads),
        recipient: text(
            site.map(|d| &d.recipient),
            from_catalog.map(|d| d.recipient),
        ),
        purpose_site: text(
            site.map(|d| &d.purpose),
            from_catalog.map(|d| d.purpose_site),
        ),
        purpose_recipient: text(
            site.map(|d| &d.recipient_purpose),
            from_catalog.map(|d| d.purpose_recipient),
        ),
        sent,
        country,
        policy_url: site
            .and_then(|d| d.policy.clone())
            .or_else(|| from_catalog.map(|d| d.policy_url.to_owned())),
        opt_out_url: site.and_then(|d| d.opt_out.clone()).or_else(|| {
            from_catalog
                .and_then(|d| d.opt_out_url())
                .map(str::to_owned)
        }),
        refused: def.is_some_and(|d| d.refused),
        name,
    }
}

/// A `sent` item: a vocabulary code (`ip`) in the catalog's words, else the site's text.
fn sent_item(item: &Localized, lang: Lang) -> Option<String> {
    if let [(all, code)] = item.as_slice() {
        if all.is_empty() {
            if let Some(text) = catalog::info_item(code) {
                return Some(text.get(lang.tag()).to_owned());
            }
        }
    }
    localized(item, lang)
}

/// A config text in `lang`: its own, else the one given for every language, else Japanese
/// (the one a site must give), else the first.
fn localized(text: &Localized, lang: Lang) -> Option<String> {
    let find = |want: &str| text.iter().find(|(l, t)| l == want && !t.trim().is_empty());
    find(lang.tag())
        .or_else(|| find(""))
        .or_else(|| find("ja"))
        .or_else(|| text.first())
        .map(|(_, t)| t.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sekisho::core::config::parse_config;
    use sekisho::core::json;

    fn config(text: &str) -> Config {
        parse_config(&json::parse(text).unwrap()).0
    }

    #[test]
    fn a_catalog_service_is_described_by_the_catalog() {
        let c = config(r#"{"services":{"google-analytics":{}}}"#);
        let ja = services_in_use(&c, [], Lang::Ja);
        assert_eq!(ja.len(), 1);
        let ga = &ja[0];
        assert_eq!(
            (ga.id.as_str(), ga.category),
            ("google-analytics", Category::Analytics)
        );
        assert!(ga.recipient.starts_with("Google LLC（"), "{}", ga.recipient);
        assert!(ga.sent.contains(&"IPアドレス".to_string()), "{:?}", ga.sent);
        assert_eq!(ga.country, "米国");
        assert!(ga.policy_url.as_deref().unwrap().starts_with("https://"));
        assert!(!ga.purpose_site.is_empty() && !ga.purpose_recipient.is_empty());
        let en = services_in_use(&c, [], Lang::En);
        assert_eq!(en[0].country, "United States");
        assert!(en[0].sent.contains(&"IP address".to_string()));
    }

    #[test]
    fn a_site_service_is_described_in_its_own_words() {
        let c = config(
            r#"{"services":{"crm":{"category":"analytics","name":"Acme CRM",
            "recipient":{"ja":"Acme株式会社（Acme CRM）","en":"Acme Inc. (Acme CRM)"},
            "sent":["ip",{"ja":"会員ID","en":"member ID"},"購入履歴"],"purpose":"会員の行動分析",
            "recipientPurpose":{"ja":"サービスの提供"},"country":"SG","policy":"https://acme.example/p"}}}"#,
        );
        let en = &services_in_use(&c, [], Lang::En)[0];
        assert_eq!(en.name, "Acme CRM");
        assert_eq!(en.recipient, "Acme Inc. (Acme CRM)");
        assert_eq!(en.sent, ["IP address", "member ID", "購入履歴"]);
        // Japanese where the site gave no English.
        assert_eq!(en.purpose_recipient, "サービスの提供");
        assert_eq!(en.country, "Singapore");
        assert_eq!(en.opt_out_url, None);
        assert!(!en.refused);
    }

    #[test]
    fn services_met_on_the_page_follow_those_the_config_lists() {
        let c = config(r#"{"services":{"youtube":{"category":"sns"}}}"#);
        let ids: Vec<String> = services_in_use(
            &c,
            ["meta-pixel", "youtube", "not-a-service", "google-analytics"],
            Lang::Ja,
        )
        .into_iter()
        .map(|s| s.id)
        .collect();
        assert_eq!(ids, ["youtube", "meta-pixel", "google-analytics"]);
        let off = config(r#"{"catalog":false}"#);
        assert!(services_in_use(&off, ["meta-pixel"], Lang::Ja).is_empty());
    }

    #[test]
    fn an_embed_is_known_by_its_mark_or_the_audit() {
        let c = config(r#"{"services":{"youtube":{"category":"sns"}}}"#);
        let of = |consent: &str, audited: Option<&str>| {
            service_of_embed(&c, consent, audited, Lang::Ja).map(|s| s.id)
        };
        assert_eq!(of("sns", Some("youtube")).as_deref(), Some("youtube"));
        assert_eq!(of("service:youtube", None).as_deref(), Some("youtube"));
        assert_eq!(
            of("service:x-widgets", Some("youtube")).as_deref(),
            Some("x-widgets")
        );
        assert_eq!(of("sns", None), None);
        assert_eq!(of("service:nobody", None), None);
        assert_eq!(of("sns", Some("nobody")), None);
        let yt = service_of_embed(&c, "sns", Some("youtube"), Lang::Ja).unwrap();
        assert!(yt.recipient.contains("YouTube"), "{}", yt.recipient);
    }

    #[test]
    fn embeds_are_known_by_their_markup() {
        let markup = embed_markup(&Config::default());
        let id_of = |selector: &str| {
            markup
                .iter()
                .find(|(s, _)| s == selector)
                .map(|(_, id)| id.as_str())
        };
        assert_eq!(id_of("blockquote.twitter-tweet"), Some("x-widgets"));
        assert_eq!(id_of("blockquote.instagram-media"), Some("instagram-embed"));
        assert_eq!(id_of("div.fb-login-button"), Some("facebook-login"));
        assert_eq!(id_of("[data-sekisho-embed]"), Some(""));
        assert_eq!(
            embed_markup(&config(r#"{"catalog":false}"#)),
            [("[data-sekisho-embed]".to_string(), String::new())]
        );
    }

    #[test]
    fn the_ids_in_use_are_those_described() {
        let c = config(
            r#"{"services":{"youtube":{"category":"sns"},"crm":{"category":"analytics","recipient":"x"}}}"#,
        );
        let met = ["meta-pixel", "youtube", "nobody"];
        let described: Vec<(String, Category, bool)> = services_in_use(&c, met, Lang::Ja)
            .into_iter()
            .map(|s| (s.id, s.category, s.refused))
            .collect();
        assert_eq!(services_in_use_ids(&c, met), described);
    }

    #[test]
    fn a_refused_service_is_shown_as_refused() {
        let c = config(r#"{"services":{"crm":{"category":"analytics","recipient":"x"}}}"#);
        let crm = &services_in_use(&c, [], Lang::Ja)[0];
        assert!(crm.refused);
        assert_eq!(crm.name, "crm");
    }
}
