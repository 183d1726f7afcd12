//! The 外部送信 disclosure (電気通信事業法 27条の12 and its guideline): every
//! `[data-sekisho-disclosure]` element of the page is filled with a table, one row per service
//! the site uses, saying what is sent, to whom, for which purposes at the site and at the
//! recipient, and how to stop it. It is page content (light DOM, the site's styles apply; class
//! `sekisho-disclosure`), in the UI's language.

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, Element};

use super::dom::{append, link};
use crate::ui::{Lang, Service, Texts};

const CSS: &str = include_str!("disclosure.css");

/// Fills each `[data-sekisho-disclosure]` of `doc` (its previous content replaced).
pub fn fill(
    doc: &Document,
    lang: Lang,
    texts: &Texts,
    services: &[Service],
) -> Result<(), JsValue> {
    let targets = doc.query_selector_all("[data-sekisho-disclosure]")?;
    if targets.length() > 0 {
        adopt_styles(doc)?;
    }
    for i in 0..targets.length() {
        if let Some(target) = targets.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            target.set_text_content(None);
            table(doc, &target, lang, texts, services)?;
        }
    }
    Ok(())
}

/// The table's defaults, added to the document's adopted stylesheets (after the page's own).
fn adopt_styles(doc: &Document) -> Result<(), JsValue> {
    let Ok(sheet) = CssStyleSheet::new() else {
        return Ok(()); // (no constructable stylesheets: the site's styles alone)
    };
    sheet.replace_sync(CSS)?;
    let key = JsValue::from_str("adoptedStyleSheets");
    let sheets: js_sys::Array = js_sys::Reflect::get(doc, &key)?
        .dyn_into()
        .unwrap_or_default();
    sheets.push(&sheet);
    js_sys::Reflect::set(doc, &key, &sheets)?;
    Ok(())
}

fn table(
    doc: &Document,
    parent: &Element,
    lang: Lang,
    t: &Texts,
    services: &[Service],
) -> Result<(), JsValue> {
    // Refused services are never loaded: nothing is sent to them.
    let sending: Vec<&Service> = services.iter().filter(|s| !s.refused).collect();
    if sending.is_empty() {
        append(
            doc,
            parent,
            "p",
            &[("class", "sekisho-disclosure")],
            Some(t.no_services),
        )?;
        return Ok(());
    }
    let table = append(
        doc,
        parent,
        "table",
        &[("class", "sekisho-disclosure")],
        None,
    )?;
    append(doc, &table, "caption", &[], Some(t.disclosure_caption))?;
    let head = append(doc, &table, "thead", &[], None)?;
    let row = append(doc, &head, "tr", &[], None)?;
    for heading in [
        t.service,
        t.recipient,
        t.sent,
        t.purpose_site,
        t.purpose_recipient,
        t.opt_out,
    ] {
        append(doc, &row, "th", &[("scope", "col")], Some(heading))?;
    }
    let body = append(doc, &table, "tbody", &[], None)?;
    for service in sending {
        let row = append(
            doc,
            &body,
            "tr",
            &[("data-sekisho-service", &service.id)],
            None,
        )?;
        append(doc, &row, "th", &[("scope", "row")], Some(&service.name))?;
        let cell = |label: &str, text: Option<&str>| {
            append(doc, &row, "td", &[("data-label", label)], text)
        };
        let recipient = cell(t.recipient, Some(&service.recipient))?;
        if !service.country.is_empty() {
            let country = [t.country, lang.label_separator(), &service.country].concat();
            append(doc, &recipient, "br", &[], None)?;
            append(doc, &recipient, "span", &[], Some(&country))?;
        }
        if let Some(url) = &service.policy_url {
            append(doc, &recipient, "br", &[], None)?;
            link(doc, &recipient, url, t.policy)?;
        }
        let sent = cell(t.sent, None)?;
        let list = append(doc, &sent, "ul", &[], None)?;
        for item in &service.sent {
            append(doc, &list, "li", &[], Some(item))?;
        }
        cell(t.purpose_site, Some(&service.purpose_site))?;
        cell(t.purpose_recipient, Some(&service.purpose_recipient))?;
        let opt_out = cell(t.opt_out, None)?;
        append(doc, &opt_out, "p", &[], Some(t.opt_out_here))?;
        let attributes = [("type", "button"), ("data-sekisho-action", "reopen")];
        append(
            doc,
            &opt_out,
            "button",
            &attributes,
            Some(t.privacy_settings),
        )?;
        if let Some(url) = &service.opt_out_url {
            append(doc, &opt_out, "br", &[], None)?;
            link(doc, &opt_out, url, t.opt_out_page)?;
        }
    }
    Ok(())
}
