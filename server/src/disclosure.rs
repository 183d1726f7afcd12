//! `sekisho-server disclosure`: the 外部送信 disclosure table of a site's config, for its policy
//! page (HTML, the same table `[data-sekisho-disclosure]` shows) or a review (CSV), from the same
//! code and catalog as the SDK (`sekisho-deferred`'s `ui::disclosure`).

use sekisho::core::config::parse_config;
use sekisho_deferred::ui::{disclosure, services_in_use, site_texts, Lang};

/// What to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Csv,
}

/// The table for `config` (the JSON of `#sekisho-config`) in `lang` (`ja`, `en`), listing the
/// config's `services` and the catalog services `with` names (ones the site uses without
/// configuring them). An error says what is wrong: not JSON, an unknown language, a service the
/// catalog does not know, or config problems that drop a service (their messages).
pub fn table(config: &str, lang: &str, format: Format, with: &[String]) -> Result<String, String> {
    let value = sekisho::core::json::parse(config)
        .map_err(|e| format!("the config is not JSON (byte {}: {})", e.offset, e.reason))?;
    let (config, problems) = parse_config(&value);
    let lang = Lang::of(lang).ok_or_else(|| format!("--lang {lang}: the table is in ja or en"))?;
    if let Some(id) = with
        .iter()
        .find(|id| sekisho::core::catalog::entry(id).is_none())
    {
        return Err(format!(
            "--with {id}: not a service of the catalog (catalog/vendors.json)"
        ));
    }
    let services = services_in_use(&config, with.iter().map(String::as_str), lang);
    let refused: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    if !refused.is_empty() {
        return Err(format!("the config has problems (a refused service is left out of the table, and never loads):\n  {}", refused.join("\n  ")));
    }
    let texts = site_texts(&config, lang);
    Ok(match format {
        Format::Html => disclosure::html(&services, lang, &texts) + "\n",
        Format::Csv => disclosure::csv(&services, lang, &texts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"services": {"google-analytics": {"category": "analytics"},
        "crm": {"category": "analytics", "hosts": ["crm.acme.example"], "name": "Acme CRM",
          "recipient": "Acme株式会社（Acme CRM）", "sent": ["ip"], "purpose": "会員の行動分析",
          "recipientPurpose": "サービスの提供", "country": "JP"}}}"#;

    #[test]
    fn html_and_csv_list_the_configured_services_and_the_named_catalog_ones() {
        let html = table(CONFIG, "ja", Format::Html, &["youtube".into()]).unwrap();
        for id in ["google-analytics", "crm", "youtube"] {
            assert!(
                html.contains(&format!("data-sekisho-service=\"{id}\"")),
                "{id}: {html}"
            );
        }
        let csv = table(CONFIG, "en", Format::Csv, &[]).unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(csv.contains("Acme CRM,"), "{csv}");
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        assert!(table("{", "ja", Format::Html, &[])
            .unwrap_err()
            .contains("not JSON"));
        assert!(table(CONFIG, "fr", Format::Html, &[])
            .unwrap_err()
            .contains("--lang fr"));
        let err = table(CONFIG, "ja", Format::Html, &["no-such".into()]).unwrap_err();
        assert!(err.contains("--with no-such"), "{err}");
        let refused = r#"{"services": {"crm": {"category": "analytics", "hosts": ["crm.example"], "recipient": {"en": "Acme"}}}}"#;
        let err = table(refused, "ja", Format::Html, &[]).unwrap_err();
        assert!(err.contains("services.crm.recipient"), "{err}");
    }
}
