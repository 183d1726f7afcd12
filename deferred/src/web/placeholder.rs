//! Embed placeholders: each held `<iframe>` (marked, or held by the guards: YouTube, X, Instagram,
//! Facebook plugins, any known service's frame) is hidden behind a placeholder of its size that
//! names the service and what showing it would send, with "load this once"
//! (`sekisho.loadOnce`: this page view, no choice recorded) and "always allow" (`set()` with
//! the service allowed: a recorded choice). A placeholder is `[data-sekisho-placeholder="<id>"]`
//! (the service id, or empty for an unknown site) just before its frame, with its own open shadow
//! root (the UI's stylesheet) holding `[data-sekisho-action="load-once"|"always-allow"]`.
//!
//! They follow the checkpoint: `sync` runs at start and on every `sekisho:change` and
//! `sekisho:blocked`, drawing placeholders for newly held frames and removing those whose frame
//! was released or removed.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CssStyleSheet, Document, Element, Event, HtmlElement, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

use sekisho::core::config::Config;

use super::api;
use super::dom::{append, button_row, link};
use crate::ui::{fill, service_of_embed, Lang, Texts};

/// A frame's placeholder.
struct Placeholder {
    frame: HtmlElement,
    host: HtmlElement,
    service: Option<String>,
    /// The frame's own inline `display` before it was hidden.
    display: String,
}

thread_local! {
    static PLACEHOLDERS: RefCell<Vec<Placeholder>> = const { RefCell::new(Vec::new()) };
}

/// What a placeholder needs from the UI.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub site: &'a Config,
    pub lang: Lang,
    pub texts: &'a Texts,
    pub sheet: &'a CssStyleSheet,
}

/// Draws the placeholders the page needs now and removes those it no longer needs.
pub fn sync(cx: &Context<'_>) -> Result<(), JsValue> {
    // Released (or gone): the frame shows again.
    let done: Vec<Placeholder> = PLACEHOLDERS.with(|list| {
        let mut list = list.borrow_mut();
        let (done, kept) = std::mem::take(&mut *list)
            .into_iter()
            .partition(|p| !is_held(&p.frame));
        *list = kept;
        done
    });
    for p in done {
        p.host.remove();
        let style = p.frame.style();
        style.set_property("display", &p.display)?;
    }
    let frames = cx.doc.query_selector_all("iframe[data-sekisho=\"held\"]")?;
    for i in 0..frames.length() {
        let Some(frame) = frames.get(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let drawn = PLACEHOLDERS.with(|list| list.borrow().iter().any(|p| p.frame == frame));
        if !drawn && frame.is_connected() {
            let placeholder = draw(cx, frame)?;
            PLACEHOLDERS.with(|list| list.borrow_mut().push(placeholder));
        }
    }
    Ok(())
}

fn is_held(frame: &HtmlElement) -> bool {
    frame.is_connected() && frame.get_attribute("data-sekisho").as_deref() == Some("held")
}

fn draw(cx: &Context<'_>, frame: HtmlElement) -> Result<Placeholder, JsValue> {
    let (doc, t) = (cx.doc, cx.texts);
    let url = frame.get_attribute("data-src").unwrap_or_default();
    let consent = frame.get_attribute("data-consent").unwrap_or_default();
    let audited = api::audited_service(&url)?;
    let service = service_of_embed(cx.site, &consent, audited.as_deref(), cx.lang);
    let name = service
        .as_ref()
        .map_or(t.embed_unknown, |s| s.name.as_str());
    let host: HtmlElement = doc.create_element("div")?.dyn_into()?;
    host.set_attribute(
        "data-sekisho-placeholder",
        service.as_ref().map_or("", |s| s.id.as_str()),
    )?;
    host.set_attribute("role", "region")?;
    host.set_attribute("aria-label", &fill(t.embed, &[("service", name)]))?;
    // The frame's size, through the CSSOM (no style attribute: a strict CSP allows this).
    let style = host.style();
    for (property, attribute, fallback) in
        [("width", "width", "560"), ("min-height", "height", "315")]
    {
        let value = frame
            .get_attribute(attribute)
            .unwrap_or_else(|| fallback.into());
        let value = if value.bytes().all(|b| b.is_ascii_digit()) {
            [value.as_str(), "px"].concat()
        } else {
            value
        };
        style.set_property(property, &value)?;
    }
    style.set_property("max-width", "100%")?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    js_sys::Reflect::set(
        &shadow,
        &"adoptedStyleSheets".into(),
        &js_sys::Array::of1(cx.sheet),
    )?;
    let body = append(
        doc,
        shadow.unchecked_ref(),
        "div",
        &[("class", "embed")],
        None,
    )?;
    append(doc, &body, "p", &[("class", "name")], Some(name))?;
    match &service {
        Some(s) => {
            let intro = fill(t.embed_intro, &[("recipient", &s.recipient)]);
            append(doc, &body, "p", &[], Some(&intro))?;
            append(
                doc,
                &body,
                "p",
                &[("class", "sent")],
                Some(&s.sent.join(cx.lang.list_separator())),
            )?;
            let always = fill(t.always_allow, &[("service", &s.name)]);
            button_row(
                doc,
                &body,
                &[("load-once", t.load_once), ("always-allow", &always)],
            )?;
            if let Some(url) = &s.policy_url {
                let p = append(doc, &body, "p", &[], None)?;
                link(doc, &p, url, t.policy)?;
            }
        }
        None => {
            append(doc, &body, "p", &[("class", "sent")], Some(&url))?;
            button_row(doc, &body, &[("load-once", t.load_once)])?;
        }
    }
    let on_click = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let action = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-sekisho-action]").ok().flatten())
            .and_then(|b| b.get_attribute("data-sekisho-action"));
        if let Some(action) = action {
            if let Err(e) = act(&action, &event) {
                super::error(&["the embed could not be loaded: ", &super::describe(&e)].concat());
            }
        }
    });
    // On the shadow root: a listener on the host would see every target retargeted to the host.
    shadow.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    on_click.forget();
    frame.before_with_node_1(&host)?;
    let display = frame.style().get_property_value("display")?;
    frame
        .style()
        .set_property_with_priority("display", "none", "important")?;
    Ok(Placeholder {
        frame,
        host,
        service: service.map(|s| s.id),
        display,
    })
}

/// A placeholder's button was used: `event.currentTarget` is its shadow root.
fn act(action: &str, event: &Event) -> Result<(), JsValue> {
    let shadow: ShadowRoot = event.current_target().ok_or("no placeholder")?.dyn_into()?;
    let host: HtmlElement = shadow.host().dyn_into()?;
    let (frame, service) = PLACEHOLDERS
        .with(|list| {
            list.borrow()
                .iter()
                .find(|p| p.host == host)
                .map(|p| (p.frame.clone(), p.service.clone()))
        })
        .ok_or("the placeholder is gone")?;
    match (action, service) {
        ("load-once", _) => {
            api::call("loadOnce", Some(&frame))?;
        }
        ("always-allow", Some(id)) => api::set_choices(&[], &[(id.as_str(), true)])?,
        _ => return Ok(()),
    }
    super::ui::sync_placeholders()?;
    // The content is there now: the focus goes to it rather than to the page's start.
    if !is_held(&frame) {
        frame.focus()?;
    }
    Ok(())
}
