//! Embed placeholders. Two kinds of embed wait for the visitor's leave:
//! - a held `<iframe>` (marked, or held by the guards: YouTube, a Facebook plugin, any known
//!   service's frame), hidden behind a placeholder of its size;
//! - the markup of a script-built embed or button (the catalog's `embeds` selectors:
//!   `blockquote.twitter-tweet`, `div.fb-login-button`, …, and any element the site marks
//!   `data-sekisho-embed="<service id>"`, such as its own SNS login button) while its service is
//!   not allowed: a placeholder before it (a blockquote keeps showing its fallback text; other
//!   markup is hidden, it shows nothing without its script).
//!
//! Each names the service and what showing it would send, with "load this once"
//! (`sekisho.loadOnce`: this frame, or this service for this page view; nothing recorded) and
//! "always allow" (`set()` with the service allowed: a recorded choice). A placeholder is
//! `[data-sekisho-placeholder="<id>"]` (the service id, or empty for an unknown site) just
//! before its embed, with its own open shadow root (the UI's stylesheet) holding
//! `[data-sekisho-action="load-once"|"always-allow"]`.
//!
//! They follow the checkpoint: `sync` runs at start and after every `sekisho:change` and
//! `sekisho:blocked`, drawing what is newly held and removing what was released or removed.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CssStyleSheet, Document, Element, Event, HtmlElement, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

use sekisho::core::config::Config;

use super::dom::{append, button_row, link};
use crate::api::{self, State};
use crate::ui::{embed_markup, fill, service_of_embed, Lang, Service, Texts};

/// What a placeholder stands in for.
#[derive(Clone, PartialEq)]
enum Embed {
    /// A held frame: loaded once by itself.
    Frame,
    /// A script-built embed's markup: loaded once with its service, for the page view.
    Markup(String),
}

/// An embed's placeholder.
struct Placeholder {
    target: HtmlElement,
    embed: Embed,
    host: HtmlElement,
    service: Option<String>,
    /// The target's own inline `display` before it was hidden (`None`: left visible).
    display: Option<String>,
}

/// The visitor made a choice: the page view's "load this once" allowances end with it.
pub fn forget_once() {
    ONCE.with(|once| once.borrow_mut().clear());
}

thread_local! {
    static PLACEHOLDERS: RefCell<Vec<Placeholder>> = const { RefCell::new(Vec::new()) };
    /// Services loaded once on this page view (`sekisho.loadOnce("<id>")`).
    static ONCE: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// What a placeholder needs from the UI.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub site: &'a Config,
    pub lang: Lang,
    pub texts: &'a Texts,
    pub sheet: &'a CssStyleSheet,
    /// The audit's `(url, service)` pairs, read when a frame first needs them.
    pub audit: std::cell::OnceCell<Vec<(String, String)>>,
}

impl Context<'_> {
    /// The service the audit names for `url` (its latest line).
    fn audited_service(&self, url: &str) -> Result<Option<&str>, JsValue> {
        let audit = match self.audit.get() {
            Some(audit) => audit,
            None => {
                let read = api::audited_services()?;
                self.audit.get_or_init(|| read)
            }
        };
        Ok(audit
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, service)| service.as_str()))
    }
}

/// Draws the placeholders the page needs now and removes those it no longer needs.
pub fn sync(cx: &Context<'_>) -> Result<(), JsValue> {
    let state = api::state()?;
    let waiting = |p: &Placeholder| match &p.embed {
        Embed::Frame => is_held(&p.target),
        Embed::Markup(id) => p.target.is_connected() && !allowed(&state, cx.site, id),
    };
    let done: Vec<Placeholder> = PLACEHOLDERS.with(|list| {
        let mut list = list.borrow_mut();
        let (kept, done) = std::mem::take(&mut *list).into_iter().partition(waiting);
        *list = kept;
        done
    });
    for p in done {
        p.host.remove();
        if let Some(display) = p.display {
            p.target.style().set_property("display", &display)?;
        }
    }
    let frames = cx
        .doc
        .query_selector_all(sekisho::core::catalog::HELD_FRAME)?;
    for i in 0..frames.length() {
        if let Some(frame) = frames.get(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
            add(cx, frame, Embed::Frame)?;
        }
    }
    for (selector, id) in embed_markup(cx.site) {
        if allowed(&state, cx.site, &id) {
            continue;
        }
        let found = cx.doc.query_selector_all(&selector)?;
        for i in 0..found.length() {
            if let Some(el) = found.get(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                // (`data-sekisho-embed` names the service itself.)
                let id = el
                    .get_attribute("data-sekisho-embed")
                    .unwrap_or_else(|| id.clone());
                if !allowed(&state, cx.site, &id) {
                    add(cx, el, Embed::Markup(id))?;
                }
            }
        }
    }
    Ok(())
}

/// Whether service `id` may load now: the visitor's choice, or "load this once".
fn allowed(state: &State, site: &Config, id: &str) -> bool {
    let category = site
        .service(id)
        .map(|s| s.category)
        .or_else(|| sekisho::core::catalog::entry(id).map(sekisho::core::catalog::Entry::category));
    let by_choice = category.is_some_and(|c| state.service_granted(id, c.id()));
    by_choice || ONCE.with(|once| once.borrow().iter().any(|s| s == id))
}

fn add(cx: &Context<'_>, target: HtmlElement, embed: Embed) -> Result<(), JsValue> {
    let drawn = PLACEHOLDERS.with(|list| list.borrow().iter().any(|p| p.target == target));
    if drawn || !target.is_connected() {
        return Ok(());
    }
    let placeholder = draw(cx, target, embed)?;
    PLACEHOLDERS.with(|list| list.borrow_mut().push(placeholder));
    Ok(())
}

fn is_held(frame: &HtmlElement) -> bool {
    frame.is_connected() && frame.get_attribute("data-sekisho").as_deref() == Some("held")
}

fn draw(cx: &Context<'_>, target: HtmlElement, embed: Embed) -> Result<Placeholder, JsValue> {
    let (doc, t) = (cx.doc, cx.texts);
    let (service, url) = match &embed {
        Embed::Frame => {
            let url = target.get_attribute("data-src").unwrap_or_default();
            let consent = target.get_attribute("data-consent").unwrap_or_default();
            let audited = cx.audited_service(&url)?;
            let service = service_of_embed(cx.site, &consent, audited, cx.lang);
            (service, url)
        }
        Embed::Markup(id) => {
            let consent = ["service:", id].concat();
            (
                service_of_embed(cx.site, &consent, None, cx.lang),
                String::new(),
            )
        }
    };
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
    size_like(&host, &target, &embed)?;
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
    describe(cx, &body, service.as_ref(), &url)?;
    // On the shadow root: a listener on the host would see every target retargeted to the host.
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
    shadow.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    on_click.forget();
    target.before_with_node_1(&host)?;
    // A frame is empty until released, and markup other than a blockquote's fallback text
    // shows nothing without its script: hidden until the embed may load.
    let display = if target.local_name() == "blockquote" {
        None
    } else {
        let style = target.style();
        let before = style.get_property_value("display")?;
        style.set_property_with_priority("display", "none", "important")?;
        Some(before)
    };
    Ok(Placeholder {
        target,
        embed,
        host,
        service: service.map(|s| s.id),
        display,
    })
}

/// The placeholder takes a frame's place: its `width`/`height` (through the CSSOM: no style
/// attribute, which a strict CSP refuses), or, for a frame positioned over a responsive wrapper
/// (`position: absolute` in a box kept at 16:9 by its padding), the wrapper's whole box. Before
/// other markup it takes the width it is given.
fn size_like(host: &HtmlElement, target: &HtmlElement, embed: &Embed) -> Result<(), JsValue> {
    let style = host.style();
    style.set_property("max-width", "100%")?;
    if *embed != Embed::Frame {
        return style.set_property("width", "550px");
    }
    let positioned = web_sys::window()
        .and_then(|w| w.get_computed_style(target).ok().flatten())
        .and_then(|computed| computed.get_property_value("position").ok())
        .is_some_and(|p| p == "absolute");
    if positioned {
        for (property, value) in [
            ("position", "absolute"),
            ("inset", "0"),
            ("width", "100%"),
            ("height", "100%"),
        ] {
            style.set_property(property, value)?;
        }
        return Ok(());
    }
    for (property, attribute, fallback) in
        [("width", "width", "560"), ("min-height", "height", "315")]
    {
        let value = target
            .get_attribute(attribute)
            .unwrap_or_else(|| fallback.into());
        let value = if value.bytes().all(|b| b.is_ascii_digit()) {
            [value.as_str(), "px"].concat()
        } else {
            value
        };
        style.set_property(property, &value)?;
    }
    Ok(())
}

/// What showing it would send, and the choices.
fn describe(
    cx: &Context<'_>,
    body: &Element,
    service: Option<&Service>,
    url: &str,
) -> Result<(), JsValue> {
    let (doc, t) = (cx.doc, cx.texts);
    let Some(s) = service else {
        append(doc, body, "p", &[("class", "sent")], Some(url))?;
        return button_row(doc, body, &[("load-once", t.load_once)]);
    };
    let intro = fill(t.embed_intro, &[("recipient", &s.recipient)]);
    append(doc, body, "p", &[], Some(&intro))?;
    let sent = s.sent.join(cx.lang.list_separator());
    append(doc, body, "p", &[("class", "sent")], Some(&sent))?;
    let always = fill(t.always_allow, &[("service", &s.name)]);
    button_row(
        doc,
        body,
        &[("load-once", t.load_once), ("always-allow", &always)],
    )?;
    if let Some(url) = &s.policy_url {
        let p = append(doc, body, "p", &[], None)?;
        link(doc, &p, url, t.policy)?;
    }
    Ok(())
}

/// A placeholder's button was used: `event.currentTarget` is its shadow root.
fn act(action: &str, event: &Event) -> Result<(), JsValue> {
    let shadow: ShadowRoot = event.current_target().ok_or("no placeholder")?.dyn_into()?;
    let host: HtmlElement = shadow.host().dyn_into()?;
    let (target, embed, service) = PLACEHOLDERS
        .with(|list| {
            list.borrow()
                .iter()
                .find(|p| p.host == host)
                .map(|p| (p.target.clone(), p.embed.clone(), p.service.clone()))
        })
        .ok_or("the placeholder is gone")?;
    match (action, embed, service) {
        ("load-once", Embed::Frame, _) => {
            api::call("loadOnce", Some(&target))?;
        }
        ("load-once", Embed::Markup(id), _) => {
            api::call("loadOnce", Some(&JsValue::from_str(&id)))?;
            ONCE.with(|once| once.borrow_mut().push(id));
        }
        ("always-allow", _, Some(id)) => {
            api::set_choices(&[], &[(id.as_str(), true)], "placeholder")?
        }
        _ => return Ok(()),
    }
    super::ui::sync_placeholders()?;
    // The content is there now: the focus goes to it rather than to the page's start.
    if target.is_connected() && target.style().get_property_value("display")? != "none" {
        if !target.has_attribute("tabindex") && target.local_name() != "iframe" {
            target.set_attribute("tabindex", "-1")?;
        }
        target.focus()?;
    }
    Ok(())
}
