//! Building the UI's elements: every text is set as text, every attribute with `setAttribute`
//! (no HTML is parsed, no inline style is written).

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// `<tag attr=value…>text</tag>`.
pub fn element(
    doc: &Document,
    tag: &str,
    attributes: &[(&str, &str)],
    text: Option<&str>,
) -> Result<Element, JsValue> {
    let el = doc.create_element(tag)?;
    for (name, value) in attributes {
        el.set_attribute(name, value)?;
    }
    if text.is_some() {
        el.set_text_content(text);
    }
    Ok(el)
}

/// The same, appended to `parent`.
pub fn append(
    doc: &Document,
    parent: &Element,
    tag: &str,
    attributes: &[(&str, &str)],
    text: Option<&str>,
) -> Result<Element, JsValue> {
    let el = element(doc, tag, attributes, text)?;
    parent.append_child(&el)?;
    Ok(el)
}

/// A row of the UI's buttons, `(action, label)` each: `[data-sekisho-action]` is what a click
/// does and what QA suites select.
pub fn button_row(
    doc: &Document,
    parent: &Element,
    buttons: &[(&str, &str)],
) -> Result<(), JsValue> {
    let row = append(doc, parent, "div", &[("class", "actions")], None)?;
    for (action, label) in buttons {
        let attributes = [("type", "button"), ("data-sekisho-action", action)];
        append(doc, &row, "button", &attributes, Some(label))?;
    }
    Ok(())
}

/// A link to `url` (an https page of a recipient or the site), opened in a new tab.
pub fn link(doc: &Document, parent: &Element, url: &str, text: &str) -> Result<Element, JsValue> {
    append(
        doc,
        parent,
        "a",
        &[
            ("href", url),
            ("target", "_blank"),
            ("rel", "noopener noreferrer"),
        ],
        Some(text),
    )
}
