//! The checkpoint's policy for test tools (`sekisho/testing`, in Node): the same config parser,
//! catalog, matcher and judgement as `sekisho.js`, without a page. A request recorder asks it,
//! for each request a browser made, which service it belongs to and whether the consent in effect
//! at that moment (the page's `sekisho.get()`) allowed it.

use sekisho::core::category::{Category, CategorySet};
use sekisho::core::config::parse_config_quietly;
use sekisho::core::json;
use sekisho::core::json_out::Object;
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
        let value = config
            .map(json::parse)
            .and_then(Result::ok)
            .unwrap_or(Value::Null);
        let (config, _) = parse_config_quietly(&value);
        let page = PageContext {
            origin,
            stored: None,
            gpc: false,
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
            let services = match v.get("services") {
                Some(Value::Object(entries)) => entries
                    .iter()
                    .filter_map(|(id, g)| match g {
                        Value::Bool(g) => Some((id.clone(), *g)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
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
    /// id|null, "held": bool}` — `held` when the consent in effect did not allow it.
    pub fn judge(&self, url: &str, kind: &str) -> String {
        let j = self.checkpoint.judge(url, kind_of(kind));
        let mut out = String::with_capacity(96);
        let mut o = Object::new(&mut out);
        o.string("service", j.service)
            .string("category", j.category.map(Category::id))
            .bool("held", j.verdict == Verdict::Hold);
        o.close();
        out
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
