//! The 外部送信 disclosure (電気通信事業法 27条の12 and its guideline) on the page: every
//! `[data-sekisho-disclosure]` element is filled with the table of `crate::ui::disclosure` —
//! page content (light DOM, the site's styles apply; class `sekisho-disclosure`), in the UI's
//! language.

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, Element};

use crate::ui::{Lang, Service, Texts};

const CSS: &str = include_str!("disclosure.css");

/// Fills each `[data-sekisho-disclosure]` of `doc` (its previous content replaced) with the
/// table of the `services` in use (asked for only when the page has such an element).
pub fn fill<'s>(
    doc: &Document,
    lang: Lang,
    texts: &Texts,
    services: impl FnOnce() -> Result<&'s [Service], JsValue>,
) -> Result<(), JsValue> {
    let targets = doc.query_selector_all("[data-sekisho-disclosure]")?;
    if targets.length() == 0 {
        return Ok(());
    }
    adopt_styles(doc)?;
    let table = crate::ui::disclosure::html(services()?, lang, texts);
    for i in 0..targets.length() {
        if let Some(target) = targets.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            target.set_inner_html(&table);
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
