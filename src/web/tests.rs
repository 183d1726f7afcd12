//! The web shell in headless Chromium (`cargo test --target wasm32-unknown-unknown`).
//! Each test resets the SDK singleton and storage; the page is shared.

use super::api::{accept_all, allows, audit, dom_ready, reject_all, set_choices, start, state};
use super::dom::{document, prop};
use super::{markup, store, SDK};
use crate::core::{CategorySet, StoredChoice};
use js_sys::{Array, Function, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn reset() {
    SDK.with(|s| *s.borrow_mut() = None);
    markup::reset();
    store::clear();
    // The runner reports through <body>: only our own container is emptied.
    sandbox().set_inner_html("");
}

fn sandbox() -> Element {
    let doc = document().unwrap();
    doc.get_element_by_id("sekisho-test").unwrap_or_else(|| {
        let div = doc.create_element("div").unwrap();
        div.set_id("sekisho-test");
        doc.body().unwrap().append_child(&div).unwrap();
        div
    })
}

fn global(name: &str) -> JsValue {
    prop(&js_sys::global(), name)
}

fn set_global(name: &str, value: &JsValue) {
    Reflect::set(&js_sys::global(), &name.into(), value).unwrap();
}

/// Appends an element built from `html` to <body>.
fn add(html: &str) -> Element {
    let doc = document().unwrap();
    let holder = doc.create_element("div").unwrap();
    holder.set_inner_html(html);
    let el = holder.first_element_child().unwrap();
    sandbox().append_child(&el).unwrap();
    el
}

/// Inline scripts parsed by innerHTML never run, so marked scripts are built by hand.
fn add_marked_script(consent: &str, body: &str) -> Element {
    let doc = document().unwrap();
    let s = doc.create_element("script").unwrap();
    s.set_attribute("type", "text/plain").unwrap();
    s.set_attribute("data-consent", consent).unwrap();
    s.set_text_content(Some(body));
    sandbox().append_child(&s).unwrap();
    s
}

/// What the bootstrap and the guards do around `start`: the guards' MutationObserver hands added
/// nodes to `markup::added` (installed once: the page is shared), and `dom_ready` follows from a
/// microtask (the test page is parsed already).
fn start_page(config: Option<String>) {
    thread_local! {
        static OBSERVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    start(config, Function::new_no_args(""));
    if !OBSERVING.with(|o| o.replace(true)) {
        let forward = Closure::<dyn FnMut(Array)>::new(|records: Array| {
            let nodes = Array::new();
            for record in records.iter() {
                let added = record
                    .unchecked_into::<web_sys::MutationRecord>()
                    .added_nodes();
                for i in 0..added.length() {
                    nodes.push(&added.get(i).unwrap());
                }
            }
            markup::added(nodes);
        });
        let observer = web_sys::MutationObserver::new(forward.as_ref().unchecked_ref()).unwrap();
        forward.forget();
        let init = web_sys::MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        let root = document().unwrap().document_element().unwrap();
        observer.observe_with_options(&root, &init).unwrap();
    }
    wasm_bindgen_futures::spawn_local(async {
        dom_ready(true);
    });
}

async fn tick() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
}

fn state_field(path: &[&str]) -> JsValue {
    let state = JSON::parse(&state().unwrap()).unwrap();
    path.iter().fold(state, |v, key| prop(&v, key))
}

fn audit_lines() -> Array {
    JSON::parse(&audit()).unwrap().unchecked_into()
}

fn actions() -> Vec<String> {
    audit_lines()
        .iter()
        .map(|e| {
            [
                prop(&e, "action").as_string().unwrap(),
                ":".into(),
                prop(&e, "kind").as_string().unwrap(),
            ]
            .concat()
        })
        .collect()
}

#[wasm_bindgen_test]
fn store_writes_cookie_and_local_copy_and_clears_both() {
    reset();
    let choice = StoredChoice {
        consent_id: "abc".into(),
        revision: 2,
        granted: CategorySet::ALL,
        decided_at: super::dom::now_secs(),
        services: vec![("youtube".into(), false)],
    };
    store::save(&choice, 180, super::dom::now_secs());
    let value = crate::core::cookie::encode(&choice);
    assert_eq!(store::read_cookie().0.as_deref(), Some(value.as_str()));
    assert_eq!(store::read_local().as_deref(), Some(value.as_str()));
    let cookie = document()
        .unwrap()
        .dyn_into::<web_sys::HtmlDocument>()
        .unwrap()
        .cookie()
        .unwrap();
    assert!(cookie.contains("sekisho=1.abc.2.31."), "{cookie}");
    store::clear();
    assert_eq!((store::read_cookie().0, store::read_local()), (None, None));
}

#[wasm_bindgen_test]
async fn local_copy_restores_a_dropped_cookie_once_the_document_is_parsed() {
    reset();
    let choice = StoredChoice {
        consent_id: "kept-id".into(),
        revision: 4,
        granted: CategorySet::from_bits(0b101).unwrap(),
        decided_at: super::dom::now_secs() - 60,
        services: Vec::new(),
    };
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    ls.set_item("sekisho", &crate::core::cookie::encode(&choice))
        .unwrap();
    set_global("__restored", &JsValue::FALSE);
    add_marked_script("analytics", "window.__restored = true");
    start_page(Some(r#"{"revision":4}"#.into()));
    assert_eq!(
        state_field(&["decided"]),
        JsValue::FALSE,
        "not during start"
    );
    tick().await;
    tick().await;
    assert_eq!(state_field(&["decided"]), JsValue::TRUE);
    assert_eq!(state_field(&["consentId"]), JsValue::from("kept-id"));
    assert_eq!(global("__restored"), JsValue::TRUE);
    assert_eq!(
        store::read_cookie().0,
        Some(crate::core::cookie::encode(&choice))
    );
}

#[wasm_bindgen_test]
fn corrupt_cookie_is_undecided_and_cleared() {
    reset();
    let doc: web_sys::HtmlDocument = document().unwrap().dyn_into().unwrap();
    doc.set_cookie("sekisho=1.abc.1.31.99999999999; Path=/")
        .unwrap();
    start_page(Some(r#"{"revision":1}"#.into()));
    assert_eq!(state_field(&["decided"]), JsValue::FALSE);
    assert_eq!(state_field(&["categories", "ads"]), JsValue::FALSE);
    assert!(!doc.cookie().unwrap().contains("sekisho="));
}

#[wasm_bindgen_test]
async fn marked_script_runs_once_only_after_grant_and_is_audited() {
    reset();
    set_global("__ran", &JsValue::from(0));
    let s = add_marked_script("analytics", "window.__ran += 1");
    start_page(Some(r#"{"revision":1}"#.into()));
    assert_eq!(s.get_attribute("data-sekisho").as_deref(), Some("held"));
    assert_eq!(global("__ran"), JsValue::from(0));
    assert_eq!(actions(), ["blocked:script"]);

    reject_all();
    assert_eq!(global("__ran"), JsValue::from(0));
    accept_all();
    assert_eq!(global("__ran"), JsValue::from(1));
    accept_all();
    assert_eq!(
        global("__ran"),
        JsValue::from(1),
        "released scripts run once"
    );
    assert_eq!(actions(), ["blocked:script", "released:script"]);
}

#[wasm_bindgen_test]
async fn late_insertions_are_held_then_released_in_order() {
    reset();
    set_global("__order", &Array::new());
    start_page(Some(r#"{"revision":1}"#.into()));
    add_marked_script("ads", "window.__order.push('a')");
    add_marked_script("analytics", "window.__order.push('b')");
    add_marked_script("ads", "window.__order.push('c')");
    tick().await;
    assert_eq!(Array::from(&global("__order")).length(), 0);
    set_choices(r#"{"ads":true,"analytics":true}"#).unwrap();
    let order: Vec<String> = Array::from(&global("__order"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert_eq!(order, ["a", "b", "c"]);

    // Once granted, a new marked element is released as soon as it is seen.
    add_marked_script("ads", "window.__order.push('d')");
    tick().await;
    assert_eq!(Array::from(&global("__order")).length(), 4);
}

#[wasm_bindgen_test]
async fn iframe_with_service_requirement_follows_the_override() {
    reset();
    start_page(Some(
        r#"{"revision":1,"services":{"youtube":{"category":"sns"}}}"#.into(),
    ));
    let frame =
        add(r#"<iframe data-consent="service:youtube" data-src="about:blank#yt"></iframe>"#);
    tick().await;
    assert_eq!(frame.get_attribute("src"), None);
    set_choices(r#"{"analytics":true}"#).unwrap();
    assert_eq!(frame.get_attribute("src"), None);
    set_choices(r#"{"services":{"youtube":true}}"#).unwrap();
    assert_eq!(
        frame.get_attribute("src").as_deref(),
        Some("about:blank#yt")
    );
    assert_eq!(frame.get_attribute("data-src"), None);
    assert_eq!(state_field(&["services", "youtube"]), JsValue::TRUE);
    assert_eq!(state_field(&["categories", "sns"]), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn invalid_set_arguments_are_rejected_without_a_decision() {
    reset();
    start_page(None);
    assert!(set_choices(r#"{"marketing":true}"#).is_err());
    assert!(set_choices(r#"{"necessary":false}"#).is_err());
    assert!(set_choices("3").is_err());
    assert_eq!(state_field(&["decided"]), JsValue::FALSE);
}

/// `require()`'s promises live in the bootstrap; it asks `allows` after each change.
#[wasm_bindgen_test]
fn allows_answers_purposes_and_refuses_unknown_ones() {
    reset();
    start_page(Some(r#"{"regime":"opt-in"}"#.into()));
    assert!(!allows("sns").unwrap());
    assert!(!allows("service:youtube").unwrap());
    set_choices(r#"{"sns":true}"#).unwrap();
    assert!(allows("sns").unwrap());
    assert!(allows("youtube").unwrap(), "a bare service id");
    assert!(allows("not a purpose!").is_err());
}

#[wasm_bindgen_test]
fn opt_out_region_from_config_hint() {
    reset();
    start_page(Some(
        r#"{"regime":{"JP":"opt-out","default":"opt-in"},"region":"JP"}"#.into(),
    ));
    assert_eq!(state_field(&["regime"]), JsValue::from("opt-out"));
    assert_eq!(state_field(&["categories", "analytics"]), JsValue::TRUE);
    assert_eq!(state_field(&["categories", "sns"]), JsValue::FALSE);
    assert_eq!(state_field(&["decided"]), JsValue::FALSE);
}

/// The boundary the guards use: kinds and verdicts cross as the numbers `src/protocol.json`
/// names, a `Hold`'s details are handed over on request, and a guard's call naming its API
/// writes the audit line. (What the verdicts are is host-tested: `core::checkpoint`.)
#[wasm_bindgen_test]
fn guards_get_numbered_verdicts_and_the_details_of_a_hold() {
    use super::guard::{held_requirement, judge, judge_opaque_frame, rewrite_html, rewritten};
    use crate::core::{Kind, Verdict};
    const PASS: u8 = Verdict::Pass as u8;
    const BY_CHOICE: u8 = Verdict::PassByChoice as u8;
    const HOLD: u8 = Verdict::Hold as u8;
    reset();
    start_page(Some(r#"{"revision":1,"regime":"opt-in"}"#.into()));
    let ga = "https://www.google-analytics.com/g/collect";
    let html = r#"<img src="https://www.google-analytics.com/g/collect">"#;
    assert_eq!(judge("/own.js", Kind::Script as u8, ""), PASS);
    assert_eq!(judge(ga, Kind::Fetch as u8, "fetch"), HOLD);
    assert_eq!(held_requirement(), "service:google-analytics");
    assert_eq!(judge_opaque_frame("about:srcdoc", ""), HOLD);
    assert_eq!(held_requirement(), "ads");
    // An unknown kind holds.
    assert_eq!(judge("/own.js", 200, ""), HOLD);
    assert_eq!(
        rewrite_html(r#"<img src="/own.png">"#, "innerHTML", "", ""),
        PASS
    );
    assert_eq!(rewrite_html(html, "innerHTML", "", ""), HOLD);
    assert!(rewritten().contains("data-src"));
    assert_eq!(actions(), ["blocked:fetch"]);
    let line = audit_lines().get(0);
    assert_eq!(prop(&line, "via").as_string().as_deref(), Some("fetch"));
    assert_eq!(prop(&line, "url").as_string().as_deref(), Some(ga));
    accept_all();
    assert_eq!(judge(ga, Kind::Fetch as u8, "fetch"), BY_CHOICE);
    assert_eq!(rewrite_html(html, "innerHTML", "", ""), BY_CHOICE);
    assert_eq!(actions(), ["blocked:fetch", "allowed:fetch"]);
}

/// A kept hit is released only once its service is allowed, with a `released` line naming the API
/// it came through; while it is held nothing more is written. The queue's bound is the config's.
#[wasm_bindgen_test]
fn kept_hits_are_released_once_allowed_and_audited() {
    use super::guard::{beacon_queue, judge, release_hit};
    use crate::core::Kind;
    reset();
    start_page(Some(
        r#"{"revision":1,"regime":"opt-in","beaconQueue":3}"#.into(),
    ));
    assert_eq!(beacon_queue(), 3);
    let ga = "https://www.google-analytics.com/g/collect?en=page_view";
    judge(ga, Kind::Beacon as u8, "sendBeacon");
    assert!(!release_hit(ga, Kind::Beacon as u8, "sendBeacon"));
    assert!(
        !release_hit(ga, 200, "sendBeacon"),
        "an unknown kind is never released"
    );
    assert_eq!(actions(), ["blocked:beacon"]);
    set_choices(r#"{"analytics":true}"#).unwrap();
    assert!(release_hit(ga, Kind::Beacon as u8, "sendBeacon"));
    assert_eq!(actions(), ["blocked:beacon", "released:beacon"]);
    let line = audit_lines().get(1);
    assert_eq!(
        prop(&line, "via").as_string().as_deref(),
        Some("sendBeacon")
    );
    assert_eq!(
        prop(&line, "service").as_string().as_deref(),
        Some("google-analytics")
    );
    reset();
    start_page(None);
    assert_eq!(beacon_queue(), 20, "the default");
}
