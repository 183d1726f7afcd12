//! What `window.sekisho` asks of the Wasm. `js/bootstrap.js` owns the API object, its events
//! (`on`/`off`, `sekisho:<event>` on `document`) and `require()`'s promises; these exports decide
//! and store. The state and audit lines cross as JSON text (`JSON.parse` on the other side: one
//! string instead of an object built field by field through imports).

use super::{dom, markup, store, sweep, with_sdk, Sdk, SDK};
use crate::core::catalog;
use crate::core::config::parse_config_quietly;
use crate::core::consent::uuid_v4;
use crate::core::first_layer::{self, FirstLayer};
use crate::core::json;
use crate::core::lang::{privacy_settings_label, Lang};
use crate::core::requirement::Requirement;
use crate::core::{
    Checkpoint, Choice, Config, Decision, LoadOutcome, PageContext, StoredChoice, Value,
};
use js_sys::Function;
use wasm_bindgen::prelude::*;

/// Starts the checkpoint: reads the config and the stored choice, releases what is allowed, and
/// watches for marked elements. `config` is the text of `#sekisho-config` (or the baked-in
/// config), `None` without one. `on_audit` is called with each `blocked` or `released` audit line
/// (JSON text), for the events. Never throws: the strictest values apply where the config is
/// wrong (the deferred module says what is wrong).
#[wasm_bindgen]
pub fn start(config: Option<String>, on_audit: Function) {
    if with_sdk(|_| ()).is_some() {
        dom::warn(&["already started; ignoring a second start()"]);
        return;
    }
    let (config, config_problems) = match config.as_deref().map(json::parse) {
        None => parse_config_quietly(&Value::Null),
        Some(Ok(value)) => parse_config_quietly(&value),
        Some(Err(_)) => (Config::default(), 1),
    };
    let (cookie, gpc_remembered) = store::read_cookie();
    let origin = dom::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let page = PageContext {
        origin: &origin,
        stored: cookie.as_deref(),
        gpc: dom::gpc(),
        gpc_remembered,
        now_secs: dom::now_secs(),
    };
    // The time zone is read only when the regime depends on it (it can be slow to read).
    let (mut checkpoint, loaded) = Checkpoint::start(config, page, dom::time_zone);
    report_unusable(&loaded);
    // GPC's opt-out is kept (rare): a stored grant of ads is stored again without them; a visitor
    // who has not chosen, where ads are allowed until refused, gets the marker.
    let max_age = checkpoint.config.consent_max_age_days;
    if let Some(withdrawn) = checkpoint.withdraw_ads_for_gpc() {
        store::save(&withdrawn, max_age, page.now_secs);
    } else if checkpoint.remembers_gpc() && !gpc_remembered {
        store::write_gpc_marker(u64::from(max_age) * 86_400);
    }
    let start_notes = checkpoint.start_notes(&loaded);
    SDK.with(|cell| {
        *cell.borrow_mut() = Some(Sdk {
            checkpoint,
            audit: Default::default(),
            on_audit,
            cookie_missing: cookie.is_none(),
            config_problems,
            handoff: String::new(),
            start_notes,
            uncovered: Default::default(),
        })
    });
    if let Some(doc) = dom::document() {
        markup::watch(&doc);
    }
    markup::scan_document();
}

/// Whether the page needs the deferred module at once: to explain config problems, or to ask a
/// visitor who has not decided on a page where a CMP may ask them instead (config
/// `signals.tcfBridge`: the module finds out). Otherwise sekisho.js draws the first layer
/// ([`first_layer`]) or the "privacy settings" control ([`reopen_control`]) itself, and the module
/// comes when the visitor opens the preferences or the page has embeds or a disclosure table.
#[wasm_bindgen]
pub fn deferred_needed() -> bool {
    with_sdk(|sdk| {
        let undecided = !sdk.checkpoint.state.decided();
        sdk.config_problems > 0 || (undecided && sdk.checkpoint.config.signals.tcf_bridge)
    })
    .unwrap_or(false)
}

/// The first layer sekisho.js draws once the page is parsed, as JSON text
/// (`core::first_layer::describe`), in the language the UI would speak (the page's `lang`, then
/// the browser's languages, comma separated, among the site's); `None` when the page shows none
/// (a decided visitor, or a site that only publishes in the opt-out regime).
#[wasm_bindgen]
pub fn first_layer(page_lang: &str, browser_langs: &str) -> Option<String> {
    with_sdk(|sdk| {
        let (config, state) = (&sdk.checkpoint.config, &sdk.checkpoint.state);
        let layer = FirstLayer::for_state(state.decided(), state.regime.id(), config.presentation)?;
        let lang = ui_lang(config, page_lang, browser_langs);
        Some(first_layer::describe(config, lang, layer, state.gpc))
    })
    .flatten()
}

/// The CSS selector of the embeds the UI module puts a placeholder before: held frames, the
/// catalog's embed markup (`blockquote.twitter-tweet`, …) and `[data-sekisho-embed]`. A page
/// with one of them loads the module.
#[wasm_bindgen]
pub fn embeds_selector() -> Option<String> {
    with_sdk(|sdk| {
        let mut selector = [catalog::HELD_FRAME, ",", catalog::SITE_EMBED].concat();
        for (embed, _) in catalog::embed_markup(sdk.checkpoint.config.catalog) {
            selector.push(',');
            selector.push_str(embed);
        }
        selector
    })
}

/// Whether the config has a sync endpoint: decisions then become consent records (the deferred
/// module makes and sends them).
#[wasm_bindgen]
pub fn syncs() -> bool {
    with_sdk(|sdk| sdk.checkpoint.config.sync_endpoint.is_some()).unwrap_or(false)
}

/// What the page load decided, to be recorded once each (a lapsed choice, a GPC opt-out): JSON
/// `[[event, key], …]`, `None` when nothing.
#[wasm_bindgen]
pub fn start_notes() -> Option<String> {
    with_sdk(|sdk| {
        (!sdk.start_notes.is_empty()).then(|| {
            let items: Vec<String> = sdk
                .start_notes
                .iter()
                .map(|(event, key)| ["[\"", event, "\",\"", key, "\"]"].concat())
                .collect();
            ["[", &items.join(","), "]"].concat()
        })
    })
    .flatten()
}

/// The vendors' queues at start (Google's `dataLayer`, `uetq`, Clarity's): each default, and
/// the stored choice's update, as JSON text the bootstrap pushes before the page's next script
/// (`core::signals`); `None` when no signal is on.
#[wasm_bindgen]
pub fn signals_at_start() -> Option<String> {
    with_sdk(|sdk| sdk.checkpoint.signals_at_start()).flatten()
}

/// The vendors' queues after a change: an update in each (pushed in the same task as the
/// decision).
#[wasm_bindgen]
pub fn signals_update() -> Option<String> {
    with_sdk(|sdk| sdk.checkpoint.signals_update()).flatten()
}

/// Whether the config asks for the TCF bridge (`signals.tcfBridge`): the bootstrap then loads
/// its module, `sekisho-tcf.js`, which follows the page's CMP.
#[wasm_bindgen]
pub fn tcf_bridge() -> bool {
    with_sdk(|sdk| sdk.checkpoint.config.signals.tcf_bridge).unwrap_or(false)
}

/// The "privacy settings" control the bootstrap draws on a page without its own (config
/// `reopenControl`, default on) while the UI module is not loaded: `"<lang tag>\n<label>"` in
/// the language the UI would speak (the page's `lang`, then the browser's languages, comma
/// separated, among the site's), `None` when the site turned it off.
#[wasm_bindgen]
pub fn reopen_control(page_lang: &str, browser_langs: &str) -> Option<String> {
    with_sdk(|sdk| {
        let config = &sdk.checkpoint.config;
        config.reopen_control.then(|| {
            let lang = ui_lang(config, page_lang, browser_langs);
            [lang.tag(), "\n", privacy_settings_label(config, lang)].concat()
        })
    })
    .flatten()
}

/// The language the UI speaks on this page: the page's `lang`, then the browser's languages
/// (comma separated), among the site's (`Lang::choose`).
fn ui_lang(config: &Config, page_lang: &str, browser_langs: &str) -> Lang {
    let candidates = std::iter::once(page_lang).chain(browser_langs.split(','));
    Lang::choose(candidates, &config.languages, &config.default_language)
}

/// Called once by the bootstrap when the document is parsed (`DOMContentLoaded`, or at once when
/// that has passed), before `ready`: without a cookie, the localStorage copy may still hold the
/// choice in a browser that caps script-set cookies (`cookies_capped`: Safari's ITP keeps them 7
/// days, Brave too); it is read now, not during start, and only there (the first localStorage
/// access of a page is a synchronous IPC: milliseconds of the page's main thread, on every first
/// view). Elsewhere a missing cookie was cleared by the visitor or expired with the choice.
/// Returns the new state (JSON) when the copy was put in effect: a change.
#[wasm_bindgen]
pub fn dom_ready(cookies_capped: bool) -> Option<String> {
    let (revision, max_age) = with_sdk(|sdk| {
        let c = &sdk.checkpoint.config;
        sdk.cookie_missing
            .then_some((c.revision, c.consent_max_age_days))
    })
    .flatten()?;
    with_sdk(|sdk| sdk.cookie_missing = false);
    if !cookies_capped {
        return None;
    }
    let now = dom::now_secs();
    let raw = store::read_local();
    let loaded = LoadOutcome::read(raw.as_deref(), revision, max_age, now);
    report_unusable(&loaded);
    let choice = with_sdk(|sdk| sdk.checkpoint.adopt_stored_copy(loaded)).flatten()?;
    Some(apply(choice, now))
}

/// Warns about a stored value that cannot be used, and clears it if corrupt.
fn report_unusable(loaded: &LoadOutcome) {
    if let Some(reason) = loaded.reask_reason() {
        dom::warn(&["stored choice not used (", reason, "); asking again"]);
        if matches!(loaded, LoadOutcome::Corrupt(_)) {
            store::clear();
        }
    }
}

/// `sekisho.get()`: the consent in effect, as JSON text.
#[wasm_bindgen]
pub fn state() -> Option<String> {
    with_sdk(|sdk| sdk.checkpoint.state_json())
}

fn decide(decision: Decision) -> Option<String> {
    let now = dom::now_secs();
    let choice = with_sdk(|sdk| {
        let revision = sdk.checkpoint.config.revision;
        sdk.checkpoint
            .state
            .decide(&decision, revision, now, || uuid_v4(dom::random_bytes()))
    });
    match choice {
        Some(choice) => Some(apply(choice, now)),
        None => {
            dom::error(&["not started; the choice was not saved"]);
            None
        }
    }
}

/// Stores a choice and puts it in effect: what is now allowed is released (in document order);
/// what is withdrawn is swept, or the page reloads if the site asked for it. Returns the new
/// state (JSON): the bootstrap emits `change` and resolves `require()` promises. Storage is
/// written outside the borrow (the cookie setter is guarded).
fn apply(choice: StoredChoice, now: u64) -> String {
    let Some(max_age) = with_sdk(|sdk| sdk.checkpoint.config.consent_max_age_days) else {
        return String::new();
    };
    store::save(&choice, max_age, now);
    let (revoked, reload) = with_sdk(|sdk| {
        let mut next = sdk.checkpoint.state.clone();
        next.consent_id = Some(choice.consent_id.clone());
        next.choice = Some(choice);
        let revoked = sdk.checkpoint.decided(next);
        (revoked, sdk.checkpoint.config.reload_on_revoke)
    })
    .unwrap_or_default();
    if revoked {
        // The guards close at once (they read the new state); cookies and storage keys go, and
        // the page reloads if the site asked for it, to stop code that is already running.
        sweep::sweep_stored_repeatedly();
        if reload {
            if let Some(w) = dom::window() {
                let _ = w.location().reload();
            }
        }
    }
    markup::scan_document();
    state().unwrap_or_default()
}

/// `sekisho.loadOnce("<service id>")`: the service is allowed for this page view, nothing
/// recorded (an embed's "load this once"); what it held is released. Whether it is a service
/// the checkpoint knows (and the config did not refuse).
#[wasm_bindgen]
pub fn allow_once(id: &str) -> bool {
    let allowed = with_sdk(|sdk| sdk.checkpoint.allow_once(id)).unwrap_or(false);
    if allowed {
        markup::scan_document();
    }
    allowed
}

/// `sekisho.acceptAll()`: the new state (JSON).
#[wasm_bindgen]
pub fn accept_all() -> Option<String> {
    decide(Decision::AcceptAll)
}

/// `sekisho.rejectAll()`: the new state (JSON).
#[wasm_bindgen]
pub fn reject_all() -> Option<String> {
    decide(Decision::RejectAll)
}

/// `sekisho.set({analytics: true, services: {youtube: false}})`, given as JSON text: the new
/// state (JSON). A bad argument throws, naming it, and decides nothing.
#[wasm_bindgen]
pub fn set_choices(choices: &str) -> Result<Option<String>, JsError> {
    let parsed = json::parse(choices).map_err(|_| "set(): expected an object".to_string());
    match parsed.and_then(|v| Choice::from_value(&v)) {
        Ok(choice) => Ok(decide(Decision::Set(choice))),
        Err(why) => {
            dom::error(&[&why]);
            Err(JsError::new(&why))
        }
    }
}

/// `sekisho.audit()`: every line, oldest first, as JSON text.
#[wasm_bindgen]
pub fn audit() -> String {
    with_sdk(|sdk| sdk.audit.to_json()).unwrap_or_else(|| "[]".into())
}

/// `sekisho.uncovered()`: the third-party hosts met that neither the catalog nor the site's
/// services cover, as JSON text (`core::uncovered`).
#[wasm_bindgen]
pub fn uncovered() -> String {
    with_sdk(|sdk| sdk.uncovered.to_json()).unwrap_or_else(|| "{\"hosts\":[],\"more\":0}".into())
}

/// Whether `require(purpose)` is met now (`"sns"`, `"service:facebook"`, `"facebook"`); throws
/// for a purpose that names nothing.
#[wasm_bindgen]
pub fn allows(purpose: &str) -> Result<bool, JsError> {
    let Some(requirement) = Requirement::parse_purpose(purpose) else {
        return Err(JsError::new("[sekisho] require(): unknown purpose"));
    };
    Ok(with_sdk(|sdk| sdk.checkpoint.allows(&requirement)).unwrap_or(false))
}

/// An audit line's event (`blocked`, `released`), to the bootstrap (which calls the listeners,
/// each in its own `try`).
pub(crate) fn announce(line_json: String) {
    let on_audit = with_sdk(|sdk: &mut Sdk| sdk.on_audit.clone());
    if let Some(f) = on_audit {
        let _ = f.call1(&JsValue::UNDEFINED, &line_json.into());
    }
}
