//! What the visitor sees, decided without a browser: which first layer a state calls for, the
//! language to speak, and the texts. The web shell (`crate::web::ui`) draws it.

pub mod disclosure;
pub mod services;
pub mod texts;

use sekisho::core::config::{Config, Localized};
pub use sekisho::core::first_layer::FirstLayer;
use sekisho::core::lang::site_words;

pub use services::{embed_markup, service_of_embed, services_in_use, services_in_use_ids, Service};
pub use texts::{fill, texts, Lang, Texts};

/// Name and description of each category (in the order of [`CATEGORIES`]) in `lang`: the
/// site's own (config `categories.<id>.label` / `.description`, in that language or given
/// for all) where it has them, else the UI's.
pub fn category_texts(config: &Config, lang: Lang) -> [(&str, &str); 5] {
    let defaults = &texts(lang).categories;
    let mut out = [("", ""); 5];
    for ((slot, id), default) in out.iter_mut().zip(CATEGORIES).zip(defaults) {
        let site = config.categories.iter().find(|c| c.category.id() == id);
        let pick = |texts: &'_ Localized| -> Option<usize> {
            texts
                .iter()
                .position(|(l, _)| Lang::of(l) == Some(lang))
                .or_else(|| texts.iter().position(|(l, _)| l.is_empty()))
        };
        let name = site
            .and_then(|c| pick(&c.label).and_then(|i| c.label.get(i)))
            .map_or(default.name, |(_, t)| t.as_str());
        let description = site
            .and_then(|c| pick(&c.description).and_then(|i| c.description.get(i)))
            .map_or(default.description, |(_, t)| t.as_str());
        *slot = (name, description);
    }
    out
}

/// The UI's texts in `lang`, with the site's words (config `texts.<lang>`) in their place.
pub fn site_texts(config: &Config, lang: Lang) -> Texts {
    let words: Vec<(String, String)> = site_words(config, lang).cloned().collect();
    texts(lang).with_site(&words).0
}

/// What is wrong in config `texts`, as diagnostics lines: languages the UI does not speak and
/// keys it does not have (both ignored).
pub fn text_problems(config: &Config) -> Vec<String> {
    let mut lines = Vec::new();
    for (tag, words) in &config.texts {
        let Some(lang) = Lang::of(tag) else {
            lines.push(["config.texts.", tag, ": the UI speaks ja and en (ignored)"].concat());
            continue;
        };
        for key in texts(lang).with_site(words).1 {
            lines.push(["config.texts.", tag, ".", &key, ": unknown text (ignored)"].concat());
        }
    }
    lines
}

/// The categories a visitor chooses, in the order the preference center lists them
/// (`necessary` first: shown on, and not switchable).
pub const CATEGORIES: [&str; 5] = ["necessary", "functional", "analytics", "ads", "sns"];

#[cfg(test)]
mod tests {
    use super::*;
    use sekisho::core::config::parse_config_quietly;
    use sekisho::core::json;

    #[test]
    fn the_site_words_its_categories_in_each_language() {
        let config = parse_config_quietly(&json::parse(
            r#"{"categories":{"analytics":{"label":{"ja":"計測","en":"Measurement"},"description":"Ours."}}}"#,
        ).unwrap()).0;
        let ja = category_texts(&config, Lang::Ja);
        assert_eq!(ja[2], ("計測", "Ours."));
        assert_eq!(ja[3], ("広告", texts(Lang::Ja).categories[3].description));
        assert_eq!(
            category_texts(&config, Lang::En)[2],
            ("Measurement", "Ours.")
        );
        assert_eq!(
            category_texts(&Config::default(), Lang::En)[0].0,
            "Strictly necessary"
        );
    }

    #[test]
    fn the_site_words_the_ui_and_hears_of_what_it_cannot() {
        let config = parse_config_quietly(&json::parse(
            r#"{"texts":{"ja":{"title":"Cookieについて"},"en-GB":{"title":"About cookies","tilte":"x"},"fr":{"title":"x"}}}"#,
        ).unwrap()).0;
        assert_eq!(site_texts(&config, Lang::Ja).title, "Cookieについて");
        assert_eq!(site_texts(&config, Lang::En).title, "About cookies");
        assert_eq!(
            text_problems(&config),
            [
                "config.texts.en-GB.tilte: unknown text (ignored)",
                "config.texts.fr: the UI speaks ja and en (ignored)"
            ]
        );
    }
}
