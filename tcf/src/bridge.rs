//! The TCF bridge's entry point and listener (config `signals.tcfBridge`): when a registered CMP's
//! `__tcfapi` is on the page, Sekisho listens to it (`addEventListener`, and its vendor list) and
//! puts what its TC string says into effect through `window.sekisho.set(…, {method: "signal"})`.
//! What the string means is `crate::string`'s.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use sekisho::core::catalog;
use sekisho::core::category::Category;
use sekisho::core::config::Config;

use sekisho_deferred::api;
use sekisho_deferred::ui::CATEGORIES;

use crate::string::{choice_json, vendors_by_name, TcString, KNOWN_VENDORS};

/// `start(config)`, once the page is parsed: reads the site's config (the checkpoint's config
/// text) and listens to the CMP.
#[wasm_bindgen]
pub fn start(config: Option<String>) {
    let site = sekisho::core::config::from_text_quietly(config.as_deref());
    if let Err(e) = listen(&site) {
        error(&["signals.tcfBridge: ", &describe(&e)].concat());
    }
}

/// Listens to the CMP when the config asks for the bridge and its `__tcfapi` is on the page.
/// Whether it does: the CMP then asks the visitor (the UI module shows no first layer).
fn listen(site: &Config) -> Result<bool, JsValue> {
    if !site.signals.tcf_bridge {
        return Ok(false);
    }
    let Ok(tcfapi) = Reflect::get(&js_sys::global(), &"__tcfapi".into())?.dyn_into::<Function>()
    else {
        error(
            "signals.tcfBridge: no __tcfapi on the page when it was parsed (the CMP's stub goes in <head>); Sekisho asks the visitor itself",
        );
        return Ok(false);
    };
    // Which service is which vendor: the config's, Google's, and the catalog services the CMP's
    // vendor list names (its optional `getVendorList`; a CMP without it answers `false`).
    let vendors = Rc::new(RefCell::new(vendors(site)));
    let last: Rc<RefCell<Option<JsValue>>> = Rc::default();
    let (list_vendors, list_last) = (vendors.clone(), last.clone());
    let on_list = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |gvl: JsValue, ok: JsValue| {
        if ok.as_bool() != Some(true) {
            return;
        }
        let added = {
            let mut known = list_vendors.borrow_mut();
            let before = known.len();
            for found in vendors_by_name(&gvl_vendors(&gvl)) {
                if !known.iter().any(|(id, _, _)| *id == found.0) {
                    known.push(found);
                }
            }
            known.len() > before
        };
        // A string already put into effect is read again with the services it now names.
        let data = list_last.borrow().clone();
        if let (true, Some(data)) = (added, data) {
            follow(&data, &list_vendors.borrow());
        }
    });
    let listener =
        Closure::<dyn FnMut(JsValue, JsValue)>::new(move |data: JsValue, ok: JsValue| {
            if ok.as_bool() == Some(true) {
                last.replace(Some(data.clone()));
                follow(&data, &vendors.borrow());
            }
        });
    let _ = tcfapi.call3(
        &JsValue::NULL,
        &"getVendorList".into(),
        &2.into(),
        on_list.as_ref(),
    );
    tcfapi.call3(
        &JsValue::NULL,
        &"addEventListener".into(),
        &2.into(),
        listener.as_ref(),
    )?;
    // (Both listen for the page's life.)
    on_list.forget();
    listener.forget();
    Ok(true)
}

fn follow(data: &JsValue, vendors: &[(String, Category, u16)]) {
    if let Err(e) = on_tc_data(data, vendors) {
        error(&["signals.tcfBridge: ", &describe(&e)].concat());
    }
}

/// A Global Vendor List's vendors (`{vendors: {"91": {id: 91, name: "Criteo SA"}, …}}`), `(id,
/// name)`.
fn gvl_vendors(gvl: &JsValue) -> Vec<(u16, String)> {
    let Ok(vendors) = Reflect::get(gvl, &"vendors".into()) else {
        return Vec::new();
    };
    let Some(vendors) = vendors.dyn_ref::<Object>() else {
        return Vec::new();
    };
    Object::values(vendors)
        .iter()
        .filter_map(|v| {
            let id = Reflect::get(&v, &"id".into()).ok()?.as_f64()?;
            let name = Reflect::get(&v, &"name".into()).ok()?.as_string()?;
            (1.0..=65535.0).contains(&id).then_some((id as u16, name))
        })
        .collect()
}

/// The services the bridge maps: `(id, category, vendor id)`, the site's first.
fn vendors(site: &Config) -> Vec<(String, Category, u16)> {
    let category_of = |id: &str| {
        site.service(id)
            .map(|s| s.category)
            .or_else(|| catalog::entry(id).map(|e| e.category()))
    };
    let mut out: Vec<(String, Category, u16)> = Vec::new();
    for (id, vendor) in &site.signals.tcf_vendors {
        match category_of(id) {
            Some(category) => out.push((id.clone(), category, *vendor)),
            // (The base layer stays in the checkpoint: a site names such a service in `services`.)
            None => error(
                &[
                    "signals.tcfBridge.vendors.",
                    id,
                    ": neither a site service nor a curated catalog service (ignored)",
                ]
                .concat(),
            ),
        }
    }
    for (id, category, vendor) in KNOWN_VENDORS {
        if !out.iter().any(|(s, _, _)| s == id) {
            out.push((id.to_owned(), category, vendor));
        }
    }
    out
}

/// One call of the CMP's listener: a string the visitor decided (`tcloaded` on a later page,
/// `useractioncomplete` after its UI) is put into effect, unless it changes nothing.
fn on_tc_data(data: &JsValue, vendors: &[(String, Category, u16)]) -> Result<(), JsValue> {
    let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED);
    // Outside the GDPR's reach the CMP says so; Sekisho's own regime applies there.
    if field("gdprApplies").as_bool() != Some(true) {
        return Ok(());
    }
    let status = field("eventStatus").as_string().unwrap_or_default();
    if status != "tcloaded" && status != "useractioncomplete" {
        return Ok(());
    }
    let text = field("tcString").as_string().unwrap_or_default();
    let tc = TcString::decode(&text).map_err(|e| JsValue::from_str(e.describe()))?;
    if tc.cmp_id < 2 {
        return Err("the CMP's string has no registered CMP id: ignored".into());
    }
    let state = api::state()?;
    let choice = js_sys::JSON::parse(&choice_json(&tc, vendors, state.gpc))?;
    if unchanged(&state, &choice, vendors) {
        return Ok(());
    }
    api::call_with_method("set", Some(&choice), "signal").map(drop)
}

/// Whether the visitor's state already is what the CMP says (every page's `tcloaded` would
/// otherwise be a decision, and a consent record).
fn unchanged(state: &api::State, choice: &JsValue, vendors: &[(String, Category, u16)]) -> bool {
    if !state.decided {
        return false;
    }
    let said = |object: &JsValue, key: &str| Reflect::get(object, &key.into()).ok()?.as_bool();
    let categories_same = CATEGORIES
        .iter()
        .zip(state.granted)
        .all(|(id, granted)| said(choice, id).is_none_or(|wanted| wanted == granted));
    let services = Reflect::get(choice, &"services".into()).unwrap_or(JsValue::UNDEFINED);
    let services_same = vendors.iter().all(|(id, _, _)| {
        let now = state
            .services
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, g)| *g);
        now == said(&services, id)
    });
    categories_same && services_same
}

fn error(line: &str) {
    web_sys::console::error_1(&["[sekisho] ", line].concat().into());
}

fn describe(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}
