//! The 外部送信 disclosure (電気通信事業法 27条の12 and its guideline) as text: one row per
//! service the site uses — what is sent, to whom, for which purposes at the site and at the
//! recipient, and how to stop it. [`html`] is the table the page's `[data-sekisho-disclosure]`
//! elements show (`crate::web::disclosure`) and `sekisho-server disclosure` prints for a policy
//! page; [`csv`] the same rows for a spreadsheet or a legal review.

use super::{Lang, Service, Texts};

/// The services that receive something: a refused one is never loaded, so nothing is sent to it.
fn sending(services: &[Service]) -> impl Iterator<Item = &Service> {
    services.iter().filter(|s| !s.refused)
}

/// Appends `s` as HTML text (also inside a double-quoted attribute).
fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// `<tag attr="value"…>text</tag>`.
fn element(out: &mut String, tag: &str, attributes: &[(&str, &str)], text: &str) {
    open(out, tag, attributes);
    push_text(out, text);
    close(out, tag);
}

fn open(out: &mut String, tag: &str, attributes: &[(&str, &str)]) {
    out.push('<');
    out.push_str(tag);
    for (name, value) in attributes {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        push_text(out, value);
        out.push('"');
    }
    out.push('>');
}

fn close(out: &mut String, tag: &str) {
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn link(out: &mut String, url: &str, text: &str) {
    let attributes = [
        ("href", url),
        ("target", "_blank"),
        ("rel", "noopener noreferrer"),
    ];
    element(out, "a", &attributes, text);
}

/// The table (class `sekisho-disclosure`), or a paragraph saying nothing is sent. Its "privacy
/// settings" buttons (`data-sekisho-action="reopen"`) open the preference center on a page that
/// loads Sekisho.
pub fn html(services: &[Service], lang: Lang, t: &Texts) -> String {
    let mut out = String::new();
    let class = [("class", "sekisho-disclosure")];
    if sending(services).next().is_none() {
        element(&mut out, "p", &class, t.no_services);
        return out;
    }
    open(&mut out, "table", &class);
    element(&mut out, "caption", &[], t.disclosure_caption);
    out.push_str("<thead><tr>");
    for heading in [
        t.service,
        t.recipient,
        t.sent,
        t.purpose_site,
        t.purpose_recipient,
        t.opt_out,
    ] {
        element(&mut out, "th", &[("scope", "col")], heading);
    }
    out.push_str("</tr></thead><tbody>");
    for service in sending(services) {
        open(&mut out, "tr", &[("data-sekisho-service", &service.id)]);
        element(&mut out, "th", &[("scope", "row")], &service.name);
        open(&mut out, "td", &[("data-label", t.recipient)]);
        push_text(&mut out, &service.recipient);
        if !service.country.is_empty() {
            out.push_str("<br>");
            let country = [t.country, lang.label_separator(), &service.country].concat();
            element(&mut out, "span", &[], &country);
        }
        if let Some(url) = &service.policy_url {
            out.push_str("<br>");
            link(&mut out, url, t.policy);
        }
        close(&mut out, "td");
        open(&mut out, "td", &[("data-label", t.sent)]);
        out.push_str("<ul>");
        for item in &service.sent {
            element(&mut out, "li", &[], item);
        }
        out.push_str("</ul></td>");
        element(
            &mut out,
            "td",
            &[("data-label", t.purpose_site)],
            &service.purpose_site,
        );
        let label = [("data-label", t.purpose_recipient)];
        element(&mut out, "td", &label, &service.purpose_recipient);
        open(&mut out, "td", &[("data-label", t.opt_out)]);
        element(&mut out, "p", &[], t.opt_out_here);
        let button = [("type", "button"), ("data-sekisho-action", "reopen")];
        element(&mut out, "button", &button, t.privacy_settings);
        if let Some(url) = &service.opt_out_url {
            out.push_str("<br>");
            link(&mut out, url, t.opt_out_page);
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The same rows as CSV (RFC 4180, CRLF, a UTF-8 byte order mark so that spreadsheet programs
/// read Japanese): service, recipient, country, sent (one cell, items joined), purposes, policy,
/// opt-out page.
pub fn csv(services: &[Service], lang: Lang, t: &Texts) -> String {
    let mut out = String::from('\u{feff}');
    let mut row = |cells: &[&str]| {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if cell.contains(['"', ',', '\n', '\r']) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
    };
    row(&[
        t.service,
        t.recipient,
        t.country,
        t.sent,
        t.purpose_site,
        t.purpose_recipient,
        t.policy,
        t.opt_out_page,
    ]);
    for s in sending(services) {
        let sent = s.sent.join(lang.list_separator());
        row(&[
            &s.name,
            &s.recipient,
            &s.country,
            &sent,
            &s.purpose_site,
            &s.purpose_recipient,
            s.policy_url.as_deref().unwrap_or(""),
            s.opt_out_url.as_deref().unwrap_or(""),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{services_in_use, site_texts};
    use sekisho::core::config::parse_config;

    fn services(lang: Lang) -> (Vec<Service>, Texts) {
        let value = sekisho::core::json::parse(
            r#"{"services": {"google-analytics": {"category": "analytics"},
                "crm": {"category": "analytics", "hosts": ["crm.acme.example"],
                  "name": "Acme <CRM>", "recipient": {"ja": "Acme株式会社（Acme CRM）", "en": "Acme Inc. (Acme CRM)"},
                  "sent": ["ip", {"ja": "会員ID", "en": "member \"ID\", hashed"}], "purpose": "会員の行動分析",
                  "recipientPurpose": {"ja": "サービスの提供", "en": "Providing the service"}, "country": "JP"},
                "half": {"category": "analytics", "hosts": ["half.example"], "recipient": {"en": "Half"}}}}"#,
        )
        .unwrap();
        let (config, _) = parse_config(&value);
        (
            services_in_use(&config, [], lang),
            site_texts(&config, lang),
        )
    }

    #[test]
    fn the_table_lists_what_is_sent_escaped_without_refused_services() {
        let (list, t) = services(Lang::Ja);
        let html = html(&list, Lang::Ja, &t);
        assert!(
            html.starts_with("<table class=\"sekisho-disclosure\"><caption>"),
            "{html}"
        );
        assert!(html.contains(r#"<tr data-sekisho-service="google-analytics"><th scope="row">Google Analytics</th>"#), "{html}");
        assert!(html.contains("Acme &lt;CRM&gt;"), "{html}");
        assert!(
            html.contains(r#"<button type="button" data-sekisho-action="reopen">"#),
            "{html}"
        );
        assert!(html.contains("<li>会員ID</li>"), "{html}");
        // `half` has no Japanese disclosure: refused, never loaded, not listed.
        assert!(!html.contains("half"), "{html}");
        assert_eq!(html.matches("<tr data-sekisho-service").count(), 2);
    }

    #[test]
    fn the_csv_has_a_header_and_a_row_per_service_quoted_as_rfc_4180() {
        let (list, t) = services(Lang::En);
        let csv = csv(&list, Lang::En, &t);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{csv}"); // header, two rows, the empty end
        assert!(lines[0].starts_with(t.service), "{csv}");
        assert!(lines[2].contains(r#"member ""ID"", hashed"#), "{csv}");
        assert!(csv.starts_with('\u{feff}'));
    }

    #[test]
    fn nothing_sent_says_so() {
        let t = site_texts(&sekisho::core::config::Config::default(), Lang::Ja);
        assert_eq!(
            html(&[], Lang::Ja, &t),
            ["<p class=\"sekisho-disclosure\">", t.no_services, "</p>"].concat()
        );
    }
}
