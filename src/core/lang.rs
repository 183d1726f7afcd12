//! The languages Sekisho speaks to visitors, which one a page gets, and where the site's own words
//! for them are (config `texts`); the words the checkpoint shows itself are `first_layer`'s.

use super::config::Config;
use super::first_layer::{word, Words};

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// The BCP 47 tag, for the `lang` attribute of the UI's root.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// What separates the items of a list in a sentence: 「、」 or ", ".
    pub fn list_separator(self) -> &'static str {
        match self {
            Lang::Ja => "、",
            Lang::En => ", ",
        }
    }

    /// What follows a label before its value: 「：」 or ": ".
    pub fn label_separator(self) -> &'static str {
        match self {
            Lang::Ja => "：",
            Lang::En => ": ",
        }
    }

    /// The language of a tag's primary subtag (`ja-JP` → Japanese), if the UI speaks it.
    pub fn of(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ja") {
            Some(Lang::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The UI's language on a site that offers `site` languages (config `languages`, e.g.
    /// `["ja", "en"]`) with `default` (config `defaultLanguage`): the first of `candidates` (the
    /// page's `lang`, then the browser's languages) that the site offers and the UI speaks, else
    /// the site's default if the UI speaks it, else the first of `candidates` the UI speaks.
    pub fn choose<'a>(
        candidates: impl IntoIterator<Item = &'a str> + Clone,
        site: &[String],
        default: &str,
    ) -> Lang {
        let offered = |lang: &Lang| site.iter().any(|s| Lang::of(s) == Some(*lang));
        candidates
            .clone()
            .into_iter()
            .filter_map(Lang::of)
            .find(offered)
            .or_else(|| Lang::of(default))
            .unwrap_or_else(|| Lang::pick(candidates))
    }

    /// The language of the first of `candidates` (the page's `lang`, then the browser's
    /// languages) that the UI speaks; English when it speaks none of them, Japanese (the
    /// customer's) when there are none.
    pub fn pick<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Lang {
        let mut any = false;
        for tag in candidates {
            if tag.trim().is_empty() {
                continue;
            }
            any = true;
            if let Some(lang) = Lang::of(tag) {
                return lang;
            }
        }
        if any {
            Lang::En
        } else {
            Lang::Ja
        }
    }
}

/// The site's words for `lang` (config `texts`, under `ja`, `ja-JP`, …): `(key, text)` in the
/// config's order (a later one for the same key wins).
pub fn site_words(
    config: &Config,
    lang: Lang,
) -> impl DoubleEndedIterator<Item = &(String, String)> {
    config
        .texts
        .iter()
        .filter(move |(tag, _)| Lang::of(tag) == Some(lang))
        .flat_map(|(_, words)| words.iter())
}

/// The label of the "privacy settings" control in `lang`: the site's words (config
/// `texts.<lang>.privacySettings`, the last one given) else the default.
pub fn privacy_settings_label(config: &Config, lang: Lang) -> &str {
    word(
        config,
        lang,
        "privacySettings",
        Words::of(lang).privacy_settings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_the_first_candidate_the_ui_speaks() {
        assert_eq!(Lang::pick(["ja-JP", "en"]), Lang::Ja);
        assert_eq!(Lang::pick(["", "en-US", "ja"]), Lang::En);
        assert_eq!(Lang::pick(["EN_gb"]), Lang::En);
        // a language it does not speak: the next candidate, else English; nothing at all: Japanese
        assert_eq!(Lang::pick(["fr-FR", "ja"]), Lang::Ja);
        assert_eq!(Lang::pick(["fr-FR", "de"]), Lang::En);
        assert_eq!(Lang::pick([]), Lang::Ja);
        assert_eq!(Lang::pick(["  "]), Lang::Ja);
    }

    #[test]
    fn the_site_decides_which_languages_it_offers() {
        let both = ["ja".to_string(), "en".to_string()];
        let japanese = ["ja".to_string()];
        assert_eq!(Lang::choose(["en-US"], &both, "ja"), Lang::En);
        // an English browser on a Japanese-only site: the site's default
        assert_eq!(Lang::choose(["en-US"], &japanese, "ja"), Lang::Ja);
        assert_eq!(Lang::choose(["", "ja-JP", "en"], &both, "en"), Lang::Ja);
        // nothing offered fits: the default; a default the UI cannot speak: the candidates
        assert_eq!(Lang::choose(["fr"], &both, "en"), Lang::En);
        assert_eq!(Lang::choose(["ja"], &["fr".to_string()], "fr"), Lang::Ja);
    }

    #[test]
    fn the_control_says_the_sites_words_in_the_pages_language() {
        let mut config = Config::default();
        assert_eq!(
            privacy_settings_label(&config, Lang::Ja),
            "プライバシー設定"
        );
        config.texts = vec![
            (
                "en-GB".into(),
                vec![("privacySettings".into(), "Cookie settings".into())],
            ),
            ("ja".into(), vec![("title".into(), "x".into())]),
            (
                "en".into(),
                vec![("privacySettings".into(), "Your privacy".into())],
            ),
        ];
        assert_eq!(privacy_settings_label(&config, Lang::En), "Your privacy");
        assert_eq!(
            privacy_settings_label(&config, Lang::Ja),
            "プライバシー設定"
        );
    }
}
