//! The banner, the preference center and the "privacy settings" control, drawn in
//! `#sekisho-root`'s open shadow root (stable selectors: `[data-sekisho-action]`,
//! `[data-sekisho-category]`, `[data-sekisho-service]`; docs/contracts.md §5), and the page's
//! 外部送信 disclosure tables (`disclosure`). Texts are set as text; styles come from one
//! constructable stylesheet (`ui.css`), so a page with a strict `style-src` shows it. Choices go
//! through `window.sekisho` (`api`), like any page code.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CssStyleSheet, Document, Element, Event, HtmlDialogElement, HtmlElement, HtmlInputElement,
    ShadowRoot, ShadowRootInit, ShadowRootMode,
};

use sekisho::core::config::Config;

use super::disclosure;
use super::dom::{append, button_row, element, link};
use super::placeholder;
use crate::api;
use crate::ui::{
    category_texts, services_in_use, site_texts, FirstLayer, Lang, Service, Texts, CATEGORIES,
};

/// The root's theme and the "privacy settings" control, then the banner's, the dialog's and the
/// placeholders' (sekisho.js draws the first layer and the control with the same stylesheet
/// before this module is loaded).
const CSS: &str = concat!(include_str!("control.css"), include_str!("ui.css"));

/// What is on screen.
struct Ui {
    doc: Document,
    shadow: ShadowRoot,
    lang: Lang,
    /// The texts in the UI's language, the site's words in place.
    texts: Texts,
    /// Name and description of each category, the site's words where it gave them.
    categories: [(String, String); 5],
    /// The services in use (config `services`, then those met on this page), described when
    /// first needed (the preference center, a disclosure table): see [`Ui::services`].
    services: std::cell::OnceCell<Vec<Service>>,
    /// The site's 外部送信 disclosure page, if it has one.
    disclosure: Option<String>,
    /// Whether to draw a "privacy settings" control when the page has none (config
    /// `reopenControl`).
    reopen_control: bool,
    /// The UI's stylesheet, shared with the embed placeholders' shadow roots.
    sheet: Option<CssStyleSheet>,
    banner: Option<Element>,
    reopen: Option<Element>,
    dialog: Option<HtmlDialogElement>,
    status: Element,
    /// The control that opened the preferences: it gets the focus back.
    opener: Option<HtmlElement>,
}

thread_local! {
    static UI: RefCell<Option<Ui>> = const { RefCell::new(None) };
    /// The site's config, as `run` read it (languages, category texts).
    static SITE: RefCell<Config> = RefCell::new(Config::default());
}

/// Once the page is parsed: the first layer if the visitor has not chosen and no CMP asks them
/// (`bridged`; else the "privacy settings" control), and the page's disclosure tables.
pub fn start(site: Config, bridged: bool) -> Result<(), JsValue> {
    let presentation = site.presentation;
    SITE.with(|s| s.replace(site));
    let state = api::state()?;
    with_ui(|ui| {
        disclosure::fill(&ui.doc, ui.lang, &ui.texts, || ui.services())?;
        match FirstLayer::for_state(state.decided, &state.regime, presentation) {
            Some(layer) if !bridged => ui.show_banner(layer, state.gpc)?,
            _ => ui.show_reopen_control()?,
        }
        follow_the_checkpoint(&ui.doc)
    })?;
    sync_placeholders()
}

/// Draws and removes embed placeholders as the checkpoint holds and releases frames.
pub fn sync_placeholders() -> Result<(), JsValue> {
    with_ui(|ui| {
        let Some(sheet) = &ui.sheet else {
            return Ok(()); // (no constructable stylesheets: the frames stay as they are)
        };
        SITE.with(|site| {
            placeholder::sync(&placeholder::Context {
                doc: &ui.doc,
                site: &site.borrow(),
                lang: ui.lang,
                texts: &ui.texts,
                sheet,
                audit: std::cell::OnceCell::new(),
            })
        })
    })
}

/// A choice made elsewhere (page code, a member's choice adopted from another device) closes the
/// first layer as the UI's own buttons do.
fn close_first_layer_once_decided() -> Result<(), JsValue> {
    if !api::state()?.decided {
        return Ok(());
    }
    with_ui(|ui| {
        if let Some(banner) = ui.banner.take() {
            banner.remove();
            ui.show_reopen_control()?;
        }
        Ok(())
    })
}

/// On each `sekisho:change` and `sekisho:blocked`, the placeholders are brought up to date once
/// the current task's script is done (a change may come from inside the UI's own handlers).
fn follow_the_checkpoint(doc: &Document) -> Result<(), JsValue> {
    let scheduled = std::rc::Rc::new(std::cell::Cell::new(false));
    let on_event = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        if event.type_() == "sekisho:change" {
            placeholder::forget_once();
        }
        if scheduled.replace(true) {
            return;
        }
        let scheduled = scheduled.clone();
        let later = Closure::once_into_js(move || {
            scheduled.set(false);
            if let Err(e) = sync_placeholders().and_then(|()| close_first_layer_once_decided()) {
                super::error(&["the UI: ", &super::describe(&e)].concat());
            }
        });
        let global = js_sys::global();
        if let Ok(queue) = js_sys::Reflect::get(&global, &"queueMicrotask".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = queue.call1(&global, &later);
        }
    });
    for event in ["sekisho:change", "sekisho:blocked"] {
        doc.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref())?;
    }
    on_event.forget(); // lives as long as the page
    Ok(())
}

/// Opens the preference center (from the banner, the API or a page's reopen control).
pub fn show_preferences() -> Result<(), JsValue> {
    with_ui(|ui| ui.open_dialog(None))
}

/// Runs `f` on the UI, drawing its root first if needed.
/// (Page code called back from inside the UI's own work — a `change` listener calling
/// `showPreferences()` while a choice is being saved — gets an error, never a panic.)
fn with_ui(f: impl FnOnce(&mut Ui) -> Result<(), JsValue>) -> Result<(), JsValue> {
    UI.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return Err("the UI is busy: called from inside its own handler".into());
        };
        if slot.is_none() {
            *slot = Some(SITE.with(|site| Ui::mount(&site.borrow()))?);
        }
        match slot.as_mut() {
            Some(ui) => f(ui),
            None => Ok(()),
        }
    })
}

impl Ui {
    fn mount(site: &Config) -> Result<Ui, JsValue> {
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let lang = api::language(&doc, site);
        let categories = category_texts(site, lang).map(|(n, d)| (n.to_owned(), d.to_owned()));
        // The root sekisho.js drew for its first layer or its "privacy settings" control
        // (js/first-layer.js), if it did: what it drew stays (and keeps the focus the visitor
        // gave it), and this module acts on it from now on.
        let drawn = doc
            .get_element_by_id("sekisho-root")
            .and_then(|host| host.shadow_root().map(|shadow| (host, shadow)));
        let (host, shadow, banner, reopen, status) = match drawn {
            Some((host, shadow)) => {
                let banner = shadow.query_selector(".banner")?;
                let reopen = shadow.query_selector(".reopen")?;
                let status = shadow.query_selector(".status")?;
                (host, shadow, banner, reopen, status)
            }
            None => {
                let host = doc.create_element("div")?;
                host.set_id("sekisho-root");
                let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
                (host, shadow, None, None, None)
            }
        };
        host.set_attribute("lang", lang.tag())?;
        let sheet = adopt_styles(&doc, &shadow)?;
        // Announcements (a saved choice) outlive the banner and the dialog.
        let status = match status {
            Some(status) => status,
            None => {
                let status = element(&doc, "p", &[("class", "status"), ("role", "status")], None)?;
                shadow.append_child(&status)?;
                status
            }
        };
        let on_click = Closure::<dyn FnMut(Event)>::new(|event: Event| {
            let action = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("[data-sekisho-action]").ok().flatten());
            if let Some(control) = action {
                let name = control
                    .get_attribute("data-sekisho-action")
                    .unwrap_or_default();
                let opener = control.dyn_into::<HtmlElement>().ok();
                if let Err(e) = with_ui(|ui| ui.act(&name, opener)) {
                    super::error(
                        &["the choice could not be recorded: ", &super::describe(&e)].concat(),
                    );
                }
            }
        });
        shadow.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
        on_click.forget(); // lives as long as the page
                           // A category's switch moves its services' switches with it.
        let on_change = Closure::<dyn FnMut(Event)>::new(|event: Event| {
            let Some(switch) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .filter(|t| t.has_attribute("data-sekisho-category"))
            else {
                return;
            };
            let Some(services) = switch
                .closest(".category")
                .ok()
                .flatten()
                .and_then(|row| row.query_selector_all("[data-sekisho-service]").ok())
            else {
                return;
            };
            for i in 0..services.length() {
                if let Some(input) = services
                    .get(i)
                    .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
                {
                    input.set_checked(switch.checked());
                }
            }
        });
        shadow.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())?;
        on_change.forget();
        let parent = doc
            .body()
            .map(Element::from)
            .or_else(|| doc.document_element());
        if !host.is_connected() {
            parent.ok_or("no body")?.append_child(&host)?;
        }
        Ok(Ui {
            doc,
            shadow,
            lang,
            texts: site_texts(site, lang),
            categories,
            services: std::cell::OnceCell::new(),
            disclosure: site.disclosure.clone(),
            reopen_control: site.reopen_control,
            sheet,
            banner,
            reopen,
            dialog: None,
            status,
            opener: None,
        })
    }

    /// The services in use, described in the UI's language: the config's, then those the
    /// checkpoint met on the page until now (read from its audit the first time they are needed,
    /// not at mount: a first layer does without them).
    fn services(&self) -> Result<&[Service], JsValue> {
        if let Some(services) = self.services.get() {
            return Ok(services);
        }
        let met = api::services_met()?;
        let described = SITE.with(|site| {
            services_in_use(&site.borrow(), met.iter().map(String::as_str), self.lang)
        });
        Ok(self.services.get_or_init(|| described))
    }

    /// The first layer: a region at the bottom of the page, not a modal (the page stays usable;
    /// closing it or scrolling is not consent: it has no close button).
    fn show_banner(&mut self, layer: FirstLayer, gpc: bool) -> Result<(), JsValue> {
        if self.banner.is_some() {
            return Ok(());
        }
        let t = &self.texts;
        let doc = &self.doc;
        let banner = element(
            doc,
            "section",
            &[("class", "banner"), ("aria-labelledby", "sekisho-title")],
            None,
        )?;
        let inner = append(doc, &banner, "div", &[("class", "inner")], None)?;
        append(doc, &inner, "h2", &[("id", "sekisho-title")], Some(t.title))?;
        let body = match layer {
            FirstLayer::Banner => t.banner,
            FirstLayer::Notice => t.notice,
        };
        append(doc, &inner, "p", &[], Some(body))?;
        self.disclosure_link(&inner)?;
        if gpc {
            append(doc, &inner, "p", &[("class", "gpc")], Some(t.gpc_honoured))?;
        }
        let buttons: &[(&str, &str)] = match layer {
            FirstLayer::Banner => &[
                ("accept-all", t.accept_all),
                ("reject-all", t.reject_all),
                ("preferences", t.preferences),
            ],
            FirstLayer::Notice => &[("reject-all", t.refuse), ("preferences", t.preferences)],
        };
        button_row(doc, &inner, buttons)?;
        self.shadow.append_child(&banner)?;
        self.banner = Some(banner);
        Ok(())
    }

    /// The preference center: a native modal dialog (the page is inert behind it, Esc closes it
    /// without recording anything), a switch per category showing the current choice.
    fn open_dialog(&mut self, opener: Option<HtmlElement>) -> Result<(), JsValue> {
        let dialog = match &self.dialog {
            Some(d) => d.clone(),
            None => {
                let d = self.draw_dialog()?;
                self.dialog = Some(d.clone());
                d
            }
        };
        let state = api::state()?;
        for (id, granted) in CATEGORIES.iter().zip(state.granted) {
            if let Some(input) = self.switch("category", id)? {
                input.set_checked(*id == "necessary" || granted);
            }
        }
        for service in self.services()? {
            if let Some(input) = self.switch("service", &service.id)? {
                input.set_checked(state.service_granted(&service.id, service.category.id()));
            }
        }
        self.status.set_text_content(None);
        // The opener: the banner's button, else what had the focus (a page's reopen control, or
        // the one sekisho.js drew in this root before the module was loaded).
        self.opener = opener.or_else(|| {
            self.shadow
                .active_element()
                .or_else(|| self.doc.active_element())
                .and_then(|e| e.dyn_into().ok())
        });
        if !dialog.open() {
            dialog.show_modal()?;
        }
        Ok(())
    }

    fn draw_dialog(&self) -> Result<HtmlDialogElement, JsValue> {
        let t = &self.texts;
        let doc = &self.doc;
        let dialog: HtmlDialogElement = element(
            doc,
            "dialog",
            &[("aria-labelledby", "sekisho-dialog-title")],
            None,
        )?
        .dyn_into()?;
        append(
            doc,
            &dialog,
            "h2",
            &[("id", "sekisho-dialog-title")],
            Some(t.dialog_title),
        )?;
        append(doc, &dialog, "p", &[], Some(t.dialog_intro))?;
        // GPC: honoured whatever the switches say, and said so here too (a visitor whose browser
        // sent it may never have seen a first layer).
        if api::state()?.gpc {
            append(doc, &dialog, "p", &[("class", "gpc")], Some(t.gpc_honoured))?;
        }
        self.disclosure_link(&dialog)?;
        for (id, (name, description)) in CATEGORIES.iter().zip(&self.categories) {
            let row = append(doc, &dialog, "div", &[("class", "category")], None)?;
            let label = append(doc, &row, "label", &[], None)?;
            let described = ["sekisho-desc-", id].concat();
            let input = append(
                doc,
                &label,
                "input",
                &[
                    ("type", "checkbox"),
                    ("role", "switch"),
                    ("data-sekisho-category", id),
                    ("aria-describedby", &described),
                ],
                None,
            )?;
            append(doc, &label, "span", &[], Some(name))?;
            if *id == "necessary" {
                input.set_attribute("disabled", "")?;
                append(
                    doc,
                    &label,
                    "span",
                    &[("class", "always")],
                    Some(&["(", t.always_on, ")"].concat()),
                )?;
            }
            append(doc, &row, "p", &[("id", &described)], Some(description))?;
            self.service_list(&row, id)?;
        }
        button_row(
            doc,
            &dialog,
            &[
                ("save", t.save),
                ("accept-all", t.accept_all),
                ("reject-all", t.reject_all),
                ("close", t.close),
            ],
        )?;
        // However it closes (a button, Esc), the focus goes back to what opened it.
        let on_close = Closure::<dyn FnMut(Event)>::new(|_: Event| {
            UI.with(|cell| {
                let Ok(mut ui) = cell.try_borrow_mut() else {
                    return;
                };
                if let Some(opener) = ui.as_mut().and_then(|ui| ui.opener.take()) {
                    if opener.is_connected() {
                        let _ = opener.focus();
                    }
                }
            });
        });
        dialog.add_event_listener_with_callback("close", on_close.as_ref().unchecked_ref())?;
        on_close.forget();
        self.shadow.append_child(&dialog)?;
        Ok(dialog)
    }

    /// Where the visitor decides, for the consent record: the preference center when it is
    /// open, else the first layer.
    fn surface(&self) -> &'static str {
        if self.dialog.as_ref().is_some_and(|d| d.open()) {
            "preferences"
        } else {
            "banner"
        }
    }

    /// A category's services, each with its switch and what it receives, behind a disclosure
    /// widget (`<details>`): name, recipient, what is sent and why, and its policy.
    fn service_list(&self, row: &Element, category: &str) -> Result<(), JsValue> {
        let t = &self.texts;
        let doc = &self.doc;
        let services: Vec<&Service> = self
            .services()?
            .iter()
            .filter(|s| s.category.id() == category)
            .collect();
        if services.is_empty() {
            return Ok(());
        }
        let details = append(doc, row, "details", &[("class", "services")], None)?;
        let summary = [t.services, " (", &services.len().to_string(), ")"].concat();
        append(doc, &details, "summary", &[], Some(&summary))?;
        let list = append(doc, &details, "ul", &[], None)?;
        for service in services {
            let item = append(doc, &list, "li", &[("class", "service")], None)?;
            let described = ["sekisho-service-", &service.id].concat();
            if service.refused {
                append(doc, &item, "p", &[("class", "name")], Some(&service.name))?;
                append(doc, &item, "p", &[("class", "refused")], Some(t.refused))?;
            } else {
                let label = append(doc, &item, "label", &[], None)?;
                let switch = [
                    ("type", "checkbox"),
                    ("role", "switch"),
                    ("data-sekisho-service", service.id.as_str()),
                    ("aria-describedby", &described),
                ];
                append(doc, &label, "input", &switch, None)?;
                append(doc, &label, "span", &[], Some(&service.name))?;
            }
            let facts = append(doc, &item, "dl", &[("id", &described)], None)?;
            for (term, value) in [
                (t.recipient, &service.recipient),
                (t.purpose_site, &service.purpose_site),
                (t.sent, &service.sent.join(self.lang.list_separator())),
            ] {
                append(doc, &facts, "dt", &[], Some(term))?;
                append(doc, &facts, "dd", &[], Some(value))?;
            }
            if let Some(url) = &service.policy_url {
                let p = append(doc, &item, "p", &[], None)?;
                link(doc, &p, url, t.policy)?;
            }
        }
        Ok(())
    }

    /// A paragraph with the link to the site's disclosure page, if it has one.
    fn disclosure_link(&self, parent: &Element) -> Result<(), JsValue> {
        if let Some(url) = &self.disclosure {
            let p = append(&self.doc, parent, "p", &[("class", "disclosure")], None)?;
            append(
                &self.doc,
                &p,
                "a",
                &[("href", url)],
                Some(self.texts.disclosure),
            )?;
        }
        Ok(())
    }

    /// The persistent "privacy settings" control (`[data-sekisho-action="reopen"]`), unless the
    /// site turned it off or the page has its own.
    fn show_reopen_control(&mut self) -> Result<(), JsValue> {
        let own = self
            .doc
            .query_selector("[data-sekisho-action=\"reopen\"]")?
            .is_some();
        if self.reopen.is_some() || own || !self.reopen_control {
            return Ok(());
        }
        let button = element(
            &self.doc,
            "button",
            &[
                ("type", "button"),
                ("class", "reopen"),
                ("data-sekisho-action", "reopen"),
            ],
            Some(self.texts.privacy_settings),
        )?;
        self.shadow.append_child(&button)?;
        self.reopen = Some(button);
        Ok(())
    }

    /// Switch `kind` (`category`, `service`) with `id`.
    fn switch(&self, kind: &str, id: &str) -> Result<Option<HtmlInputElement>, JsValue> {
        let selector = ["input[data-sekisho-", kind, "=\"", id, "\"]"].concat();
        Ok(self
            .shadow
            .query_selector(&selector)?
            .and_then(|e| e.dyn_into().ok()))
    }

    /// A control of the UI was used.
    fn act(&mut self, action: &str, opener: Option<HtmlElement>) -> Result<(), JsValue> {
        match action {
            "accept-all" => self.decided("acceptAll"),
            "reject-all" => self.decided("rejectAll"),
            "preferences" | "reopen" => self.open_dialog(opener),
            "save" => {
                let mut categories = Vec::with_capacity(CATEGORIES.len());
                for id in CATEGORIES.iter().filter(|id| **id != "necessary") {
                    let on = self.switch("category", id)?.is_some_and(|i| i.checked());
                    categories.push((*id, on));
                }
                // A service's own choice where it differs from its category's, or where the
                // visitor had one before (so that it follows the switch now).
                let before = api::state()?;
                let mut services = Vec::new();
                for service in self.services()? {
                    let Some(on) = self.switch("service", &service.id)?.map(|i| i.checked()) else {
                        continue;
                    };
                    let category_on = categories
                        .iter()
                        .any(|(c, granted)| *c == service.category.id() && *granted);
                    let had_own = before.services.iter().any(|(id, _)| *id == service.id);
                    if on != category_on || had_own {
                        services.push((service.id.as_str(), on));
                    }
                }
                api::set_choices(&categories, &services, "preferences")?;
                self.after_choice()
            }
            "close" => {
                self.close_dialog();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn decided(&mut self, op: &str) -> Result<(), JsValue> {
        api::call_with_method(op, None, self.surface())?;
        self.after_choice()
    }

    /// A choice is recorded: the layers close and the status region says so.
    fn after_choice(&mut self) -> Result<(), JsValue> {
        // The banner's buttons are gone with it: the focus goes to the page's start.
        if let Some(banner) = self.banner.take() {
            if self
                .opener
                .as_ref()
                .is_some_and(|o| banner.contains(Some(o)))
            {
                self.opener = None;
            }
            banner.remove();
        }
        self.close_dialog();
        self.status.set_text_content(Some(self.texts.saved));
        self.show_reopen_control()
    }

    fn close_dialog(&self) {
        if let Some(d) = self.dialog.as_ref().filter(|d| d.open()) {
            d.close();
        }
    }
}

/// The UI's stylesheet, adopted by the shadow root (a `<style>` where constructable stylesheets
/// are missing: older WebKit; then `None`).
fn adopt_styles(doc: &Document, shadow: &ShadowRoot) -> Result<Option<CssStyleSheet>, JsValue> {
    match CssStyleSheet::new() {
        Ok(sheet) => {
            sheet.replace_sync(CSS)?;
            js_sys::Reflect::set(
                shadow,
                &"adoptedStyleSheets".into(),
                &js_sys::Array::of1(&sheet),
            )?;
            Ok(Some(sheet))
        }
        Err(_) => {
            let style = element(doc, "style", &[], Some(CSS))?;
            shadow.append_child(&style)?;
            Ok(None)
        }
    }
}
