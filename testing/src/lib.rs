//! The checkpoint's policy for test tools (`sekisho/testing`, in Node): the same config parser,
//! catalog, matcher and judgement as `sekisho.js`, without a page. A request recorder asks it,
//! for each request a browser made, which service it belongs to and whether the consent in effect
//! at that moment (the page's `sekisho.get()`) allowed it.

use sekisho::core::catalog;
use sekisho::core::category::{Category, CategorySet};
use sekisho::core::config::from_text_quietly;
use sekisho::core::json;
use sekisho::core::json_out::Object;
use sekisho::core::matcher::Destination;
use sekisho::core::{
    Checkpoint, ConsentState, Kind, LoadOutcome, PageContext, Regime, StoredChoice, Value, Verdict,
};

/// A site's policy, as a page of `origin` with `config` (the text of `#sekisho-config`) runs it.
pub struct Policy {
    checkpoint: Checkpoint,
}

impl Policy {
    /// The policy before any choice (the regime's defaults). `config` `None`: a page without one.
    pub fn new(config: Option<&str>, origin: &str) -> Policy {
        let config = from_text_quietly(config);
        let page = PageContext {
            origin,
            stored: None,
            gpc: false,
            gpc_remembered: false,
            now_secs: 0,
        };
        // A region the regime needs comes from the page's state (`set_state`); unknown here.
        let (checkpoint, _) = Checkpoint::start(config, page, || None);
        Policy { checkpoint }
    }

    /// Puts the page's state in effect: `sekisho.get()`'s JSON (`decided`, `categories`,
    /// `services`, `gpc`, `regime`, `region`). `null` (a page without Sekisho): nothing but
    /// `necessary` allowed.
    pub fn set_state(&mut self, state: &str) -> Result<(), String> {
        let v = json::parse(state).map_err(|_| "the state is not JSON".to_string())?;
        if v == Value::Null {
            self.checkpoint.state =
                ConsentState::new(Regime::OptIn, None, false, &LoadOutcome::NoChoice);
            return Ok(());
        }
        let flag = |object: Option<&Value>, key: &str| {
            matches!(object.and_then(|o| o.get(key)), Some(Value::Bool(true)))
        };
        let regime = match v.get("regime") {
            Some(Value::String(r)) => Regime::from_id(r).ok_or("unknown regime")?,
            _ => return Err("the state has no regime: not sekisho.get()'s".into()),
        };
        let region = match v.get("region") {
            Some(Value::String(r)) => Some(r.clone()),
            _ => None,
        };
        let mut state = ConsentState::new(
            regime,
            region,
            flag(Some(&v), "gpc"),
            &LoadOutcome::NoChoice,
        );
        if flag(Some(&v), "decided") {
            let categories = v.get("categories");
            let granted = Category::ALL.iter().fold(CategorySet::NECESSARY, |set, c| {
                set.with(*c, *c == Category::Necessary || flag(categories, c.id()))
            });
            let services = v
                .get("services")
                .into_iter()
                .flat_map(Value::bool_entries)
                .map(|(id, g)| (id.to_owned(), g))
                .collect();
            state.choice = Some(StoredChoice {
                consent_id: "test".into(),
                revision: self.checkpoint.config.revision,
                granted,
                decided_at: 0,
                services,
            });
        }
        self.checkpoint.state = state;
        Ok(())
    }

    /// What the checkpoint says of a request to `url` made as `kind` (a Playwright resource type:
    /// `script`, `image`, `fetch`, `document`, …): JSON `{"service": id|null, "category":
    /// id|null, "held": bool, "party": …}` — `held` when the consent in effect did not allow it;
    /// `party` what the destination is: `site` (a service of the config), `catalog` (the
    /// curated catalog's), `base` (a service only the catalog's base layer knows: no disclosure
    /// texts), `first` (the page's own site), `neutral` (a CDN), `unknown` (a third party nothing
    /// describes), `none` (no request).
    pub fn judge(&self, url: &str, kind: &str) -> String {
        let j = self.checkpoint.judge(url, kind_of(kind));
        let party = match self.checkpoint.matcher.classify(url) {
            Destination::Service(m) if self.checkpoint.config.service(m.service).is_some() => {
                "site"
            }
            Destination::Service(m) if catalog::entry(m.service).is_some() => "catalog",
            Destination::Service(_) => "base",
            Destination::FirstParty => "first",
            Destination::Neutral => "neutral",
            Destination::Unknown => "unknown",
            Destination::NoRequest => "none",
        };
        let mut out = String::with_capacity(112);
        let mut o = Object::new(&mut out);
        o.string("service", j.service)
            .string("category", j.category.map(Category::id))
            .bool("held", j.verdict == Verdict::Hold)
            .string("party", Some(party));
        o.close();
        out
    }
}

impl Policy {
    /// The service a cookie belongs to, by the catalog's cookie names: JSON `{"service",
    /// "category"}`, or `null`.
    pub fn cookie(&self, name: &str) -> String {
        match self.checkpoint.matcher.match_cookie(name) {
            None => "null".into(),
            Some(m) => {
                let mut out = String::new();
                let mut o = Object::new(&mut out);
                o.string("service", Some(m.service))
                    .string("category", Some(m.category.id()));
                o.close();
                out
            }
        }
    }
}

/// A draft of the 外部送信 disclosure (電気通信事業法 27条の12) for the services a scan saw, in
/// `lang` (`ja`, `en`) as `html` or `csv`: the site's services and the curated catalog's with their
/// texts (the renderer of the page's table and `sekisho-server disclosure`); a service only the
/// base layer knows (by its id) with every field it lacks marked to fill in. `seen`: service ids.
pub fn draft_disclosure(
    config: Option<&str>,
    seen: &[String],
    lang: &str,
    format: &str,
) -> Result<String, String> {
    use sekisho_deferred::ui::{disclosure, services_in_use, site_texts, Lang, Service};
    let lang = Lang::of(lang).ok_or("the draft is in ja or en")?;
    let config = from_text_quietly(config);
    let known = seen.iter().map(String::as_str);
    let mut services: Vec<Service> = services_in_use(&config, known, lang)
        .into_iter()
        // (A site service seen nowhere stays: the site declared it.)
        .filter(|s| !s.refused)
        .collect();
    let to_fill = match lang {
        Lang::Ja => "【要記入】",
        Lang::En => "[to fill in]",
    };
    for id in seen {
        if services.iter().any(|s| &s.id == id) {
            continue;
        }
        if let Some(category) = sekisho::core::catalog::base_category(id) {
            services.push(Service {
                id: id.clone(),
                name: id.clone(),
                category,
                recipient: String::new(),
                sent: Vec::new(),
                purpose_site: String::new(),
                purpose_recipient: String::new(),
                country: String::new(),
                policy_url: None,
                opt_out_url: None,
                refused: false,
            });
        }
    }
    for s in &mut services {
        for field in [
            &mut s.recipient,
            &mut s.purpose_site,
            &mut s.purpose_recipient,
        ] {
            if field.trim().is_empty() {
                *field = to_fill.into();
            }
        }
        if s.sent.is_empty() {
            s.sent.push(to_fill.into());
        }
    }
    let texts = site_texts(&config, lang);
    match format {
        "html" => Ok(disclosure::html(&services, lang, &texts)),
        "csv" => Ok(disclosure::csv(&services, lang, &texts)),
        _ => Err("the draft is html or csv".into()),
    }
}

/// A browser's resource type as the checkpoint's kind.
fn kind_of(resource_type: &str) -> Kind {
    match resource_type {
        "script" => Kind::Script,
        "document" => Kind::Iframe,
        "image" => Kind::Img,
        "stylesheet" | "font" => Kind::Link,
        "media" => Kind::Media,
        "xhr" => Kind::Xhr,
        "ping" | "beacon" => Kind::Beacon,
        "websocket" => Kind::Websocket,
        "eventsource" => Kind::Eventsource,
        _ => Kind::Fetch,
    }
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    // A free-list allocator, as the other modules.
    #[global_allocator]
    static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
        // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
        unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

    /// `new Policy(configText | undefined, origin)`.
    #[wasm_bindgen(js_name = Policy)]
    pub struct JsPolicy(super::Policy);

    #[wasm_bindgen(js_class = Policy)]
    impl JsPolicy {
        #[wasm_bindgen(constructor)]
        pub fn new(config: Option<String>, origin: &str) -> JsPolicy {
            JsPolicy(super::Policy::new(config.as_deref(), origin))
        }

        /// `sekisho.get()`'s JSON text, or `"null"`; throws on anything else.
        #[wasm_bindgen(js_name = setState)]
        pub fn set_state(&mut self, state: &str) -> Result<(), JsError> {
            self.0.set_state(state).map_err(|e| JsError::new(&e))
        }

        /// JSON text `{service, category, held}`.
        pub fn judge(&self, url: &str, kind: &str) -> String {
            self.0.judge(url, kind)
        }

        /// JSON text `{service, category}` or `null`: the service a cookie belongs to.
        pub fn cookie(&self, name: &str) -> String {
            self.0.cookie(name)
        }
    }

    /// `draftDisclosure(configText | undefined, serviceIds, "ja" | "en", "html" | "csv")`.
    #[wasm_bindgen(js_name = draftDisclosure)]
    pub fn draft_disclosure(
        config: Option<String>,
        seen: Vec<String>,
        lang: &str,
        format: &str,
    ) -> Result<String, JsError> {
        super::draft_disclosure(config.as_deref(), &seen, lang, format)
            .map_err(|e| JsError::new(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://www.example.jp";
    const GA: &str = "https://www.google-analytics.com/g/collect?v=2";

    fn judged(p: &Policy, url: &str) -> serde_json::Value {
        serde_json::from_str(&p.judge(url, "fetch")).unwrap()
    }

    #[test]
    fn before_a_choice_trackers_are_held_and_the_site_is_not() {
        let p = Policy::new(Some(r#"{"regime":"opt-in"}"#), SITE);
        let ga = judged(&p, GA);
        assert_eq!(ga["service"], "google-analytics");
        assert_eq!(ga["category"], "analytics");
        assert_eq!(ga["held"], true);
        assert_eq!(ga["party"], "catalog");
        let parties = |url: &str| judged(&p, url)["party"].as_str().unwrap().to_owned();
        assert_eq!(
            parties("https://js.hs-analytics.net/analytics/1/2.js"),
            "base"
        );
        assert_eq!(parties("https://api.nothing-knows-me.example/x"), "unknown");
        assert_eq!(parties("https://cdn.jsdelivr.net/npm/a@1/a.js"), "neutral");
        assert_eq!(parties("https://www.example.jp/a.png"), "first");
        let own = judged(&p, "https://www.example.jp/app.js");
        assert_eq!(
            (own["service"].is_null(), own["held"].as_bool()),
            (true, Some(false))
        );
        assert_eq!(
            judged(&p, "https://cdn.jsdelivr.net/npm/a@1/a.js")["held"],
            false
        );
    }

    #[test]
    fn the_pages_state_decides() {
        let mut p = Policy::new(None, SITE);
        p.set_state(
            r#"{"decided":true,"categories":{"necessary":true,"analytics":true,"ads":false},
                "services":{"meta-pixel":true},"gpc":false,"regime":"opt-in","region":null}"#,
        )
        .unwrap();
        assert_eq!(judged(&p, GA)["held"], false);
        assert_eq!(
            judged(&p, "https://www.facebook.com/tr/?id=1&ev=PageView")["held"],
            false
        );
        assert_eq!(
            judged(&p, "https://bat.bing.com/action/0?ti=1")["held"],
            true
        );
        // GPC denies ad services, whatever the page says.
        p.set_state(
            r#"{"decided":true,"categories":{"ads":true},"services":{},"gpc":true,"regime":"opt-in"}"#,
        )
        .unwrap();
        assert_eq!(
            judged(&p, "https://bat.bing.com/action/0?ti=1")["held"],
            true
        );
        // Undecided in the opt-out regime: analytics allowed, SNS not.
        p.set_state(r#"{"decided":false,"gpc":false,"regime":"opt-out"}"#)
            .unwrap();
        assert_eq!(judged(&p, GA)["held"], false);
        assert_eq!(judged(&p, "https://www.youtube.com/embed/x")["held"], true);
        // A page without Sekisho: nothing but necessary.
        p.set_state("null").unwrap();
        assert_eq!(judged(&p, GA)["held"], true);
        assert!(p.set_state("{}").is_err());
        assert!(p.set_state("nope").is_err());
    }

    #[test]
    fn cookies_are_named_by_their_service() {
        let p = Policy::new(None, SITE);
        let ga: serde_json::Value = serde_json::from_str(&p.cookie("_ga_ABC123")).unwrap();
        assert_eq!(
            (ga["service"].as_str(), ga["category"].as_str()),
            (Some("google-analytics"), Some("analytics"))
        );
        assert_eq!(p.cookie("session"), "null");
    }

    #[test]
    fn the_draft_disclosure_has_the_catalogs_fields_and_marks_what_it_lacks() {
        let seen = ["google-analytics".to_string(), "hubspot".to_string()];
        let html = draft_disclosure(None, &seen, "ja", "html").unwrap();
        assert!(
            html.contains("data-sekisho-service=\"google-analytics\""),
            "{html}"
        );
        assert!(
            html.contains("Google LLC（Google アナリティクス）"),
            "{html}"
        );
        assert!(html.contains("data-sekisho-service=\"hubspot\""), "{html}");
        assert!(html.contains("【要記入】"), "{html}");
        let csv = draft_disclosure(None, &seen, "en", "csv").unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(csv.contains("[to fill in]"), "{csv}");
        assert!(draft_disclosure(None, &seen, "fr", "html").is_err());
    }

    #[test]
    fn the_sites_own_services_count() {
        let p = Policy::new(
            Some(
                r#"{"services":{"crm":{"category":"analytics","hosts":["crm.acme.example"],
                "recipient":"Acme株式会社","sent":["ip"],"purpose":"分析","recipientPurpose":"提供"}}}"#,
            ),
            SITE,
        );
        let crm = judged(&p, "https://crm.acme.example/t.js");
        assert_eq!(
            (crm["service"].as_str(), crm["held"].as_bool()),
            (Some("crm"), Some(true))
        );
    }
}
