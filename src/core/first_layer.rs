//! The first layer a visitor who has not chosen sees, decided without a browser, and its words.
//! `sekisho.js` draws it once the page is parsed from what [`describe`] says, with no other module
//! loaded: the UI module (`sekisho-deferred`: the preference center, the placeholders, the
//! disclosure tables, every other text) comes only when the page or the visitor needs it. Its
//! words are the UI's: `sekisho-deferred`'s `Texts` take them from [`Words`], one source for both.

use super::config::{Config, Presentation};
use super::json_out::{push_string, Object};
use super::lang::{site_words, Lang};

/// The first layer a page shows before a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstLayer {
    /// Opt-in: nothing is sent until the visitor chooses; accept all, reject all and preferences,
    /// equal on the same layer.
    Banner,
    /// Opt-out (Japan's default for analytics and ads): what is sent and to whom, a one-click
    /// refuse and the preferences.
    Notice,
}

impl FirstLayer {
    /// The layer for a checkpoint state: none once decided, nor in the opt-out regime on a site
    /// that only publishes (config `presentation: "notice"`).
    pub fn for_state(
        decided: bool,
        regime: &str,
        presentation: Presentation,
    ) -> Option<FirstLayer> {
        match (decided, regime, presentation) {
            (true, _, _) => None,
            (false, "opt-out", Presentation::Notice) => None,
            (false, "opt-out", Presentation::Banner) => Some(FirstLayer::Notice),
            (false, _, _) => Some(FirstLayer::Banner),
        }
    }
}

/// The first layer's words in one language, each overridable by the site under its key (config
/// `texts.<lang>.<key>`: the key is the field's name in camel case).
pub struct Words {
    pub title: &'static str,
    pub banner: &'static str,
    pub notice: &'static str,
    pub gpc_honoured: &'static str,
    pub accept_all: &'static str,
    pub reject_all: &'static str,
    pub refuse: &'static str,
    pub preferences: &'static str,
    /// The link to the site's 外部送信 disclosure (config `disclosure`).
    pub disclosure: &'static str,
    /// Announced once a choice is saved.
    pub saved: &'static str,
    /// The persistent control that reopens the preferences.
    pub privacy_settings: &'static str,
}

impl Words {
    pub const EN: Words = Words {
        title: "Your privacy choices",
        banner: "We and our partners would like to use cookies and similar technologies for \
            analytics, advertising and social media features. Nothing is sent to them until you \
            choose. You can change your mind at any time in the privacy settings.",
        notice: "This site sends information about your visit (the pages you view, your device \
            and browser, identifiers stored in cookies) to analytics and advertising partners. \
            You can refuse at any time; the preferences list each category.",
        gpc_honoured: "Your browser sent a Global Privacy Control signal: advertising stays off.",
        accept_all: "Accept all",
        reject_all: "Reject all",
        refuse: "Refuse",
        preferences: "Preferences",
        disclosure: "What is sent, and to whom",
        saved: "Your choices were saved.",
        privacy_settings: "Privacy settings",
    };

    pub const JA: Words = Words {
        title: "プライバシーの選択",
        banner:
            "当サイトと提携先は、アクセス解析・広告・SNS 機能のために Cookie などの技術を使いたいと\
            考えています。選択するまで、提携先には何も送信しません。選択はプライバシー設定からいつでも\
            変更できます。",
        notice: "当サイトは、閲覧したページ、端末やブラウザの情報、Cookie に保存された識別子などを、\
            アクセス解析や広告の提携先に送信しています。送信はいつでも拒否できます。種類ごとの内容は\
            設定で確認できます。",
        gpc_honoured:
            "ブラウザから GPC（グローバル・プライバシー・コントロール）の信号を受け取ったため、\
            広告のための送信は行いません。",
        accept_all: "すべて許可",
        reject_all: "すべて拒否",
        refuse: "送信を拒否",
        preferences: "設定",
        disclosure: "外部送信について（送信する情報と送信先）",
        saved: "選択を保存しました。",
        privacy_settings: "プライバシー設定",
    };

    /// The default words of `lang`.
    pub const fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Ja => &Words::JA,
            Lang::En => &Words::EN,
        }
    }
}

/// The site's word for `key` in `lang` (the last one given), else `default`.
pub fn word<'a>(config: &'a Config, lang: Lang, key: &str, default: &'a str) -> &'a str {
    site_words(config, lang)
        .filter(|(k, _)| k == key)
        .map(|(_, text)| text.as_str())
        .next_back()
        .unwrap_or(default)
}

/// What `sekisho.js` draws, as JSON text: `{lang, title, body, disclosure: {href, text} | null,
/// gpc: text | null, buttons: [[action, label], …], saved, reopen: label | null}` (`reopen`:
/// the "privacy settings" control's label, `null` when the site turned it off). The same
/// elements, classes and stable selectors as the UI module draws (docs/contracts.md §5).
pub fn describe(config: &Config, lang: Lang, layer: FirstLayer, gpc: bool) -> String {
    let d = Words::of(lang);
    let w = |key: &str, default: &'static str| word(config, lang, key, default);
    let (body, buttons): (&str, &[(&str, &str, &'static str)]) = match layer {
        FirstLayer::Banner => (
            w("banner", d.banner),
            &[
                ("accept-all", "acceptAll", d.accept_all),
                ("reject-all", "rejectAll", d.reject_all),
                ("preferences", "preferences", d.preferences),
            ],
        ),
        FirstLayer::Notice => (
            w("notice", d.notice),
            &[
                ("reject-all", "refuse", d.refuse),
                ("preferences", "preferences", d.preferences),
            ],
        ),
    };
    let mut out = String::with_capacity(1024);
    let mut o = Object::new(&mut out);
    o.string("lang", Some(lang.tag()))
        .string("title", Some(w("title", d.title)))
        .string("body", Some(body));
    match &config.disclosure {
        Some(href) => o.object("disclosure", |link| {
            link.string("href", Some(href))
                .string("text", Some(w("disclosure", d.disclosure)));
        }),
        None => o.string("disclosure", None),
    };
    o.string("gpc", gpc.then(|| w("gpcHonoured", d.gpc_honoured)));
    let mut list = String::from("[");
    for (i, (action, key, default)) in buttons.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        list.push('[');
        push_string(&mut list, action);
        list.push(',');
        push_string(&mut list, w(key, default));
        list.push(']');
    }
    list.push(']');
    o.raw("buttons", &list)
        .string("saved", Some(w("saved", d.saved)))
        .string(
            "reopen",
            config
                .reopen_control
                .then(|| w("privacySettings", d.privacy_settings)),
        );
    o.close();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::parse_config_quietly;
    use crate::core::json;

    fn config(text: &str) -> Config {
        parse_config_quietly(&json::parse(text).unwrap()).0
    }

    fn described(config: &Config, lang: Lang, layer: FirstLayer, gpc: bool) -> serde_json::Value {
        serde_json::from_str(&describe(config, lang, layer, gpc)).unwrap()
    }

    #[test]
    fn an_undecided_visitor_sees_the_layer_of_the_regime() {
        use Presentation::{Banner, Notice};
        let layer = FirstLayer::for_state;
        assert_eq!(layer(false, "opt-in", Banner), Some(FirstLayer::Banner));
        assert_eq!(layer(false, "opt-out", Banner), Some(FirstLayer::Notice));
        // an unknown regime is treated as the strict one
        assert_eq!(layer(false, "?", Banner), Some(FirstLayer::Banner));
        assert_eq!(layer(true, "opt-in", Banner), None);
        assert_eq!(layer(true, "opt-out", Banner), None);
        // A site that only publishes shows no banner where it may send before a choice…
        assert_eq!(layer(false, "opt-out", Notice), None);
        // …and still asks where nothing may be sent before one.
        assert_eq!(layer(false, "opt-in", Notice), Some(FirstLayer::Banner));
    }

    #[test]
    fn the_banner_offers_three_equal_choices_in_the_visitors_language() {
        let v = described(&Config::default(), Lang::Ja, FirstLayer::Banner, false);
        assert_eq!(v["lang"], "ja");
        assert_eq!(v["title"], Words::JA.title);
        assert_eq!(v["body"], Words::JA.banner);
        assert_eq!(
            v["buttons"],
            serde_json::json!([
                ["accept-all", "すべて許可"],
                ["reject-all", "すべて拒否"],
                ["preferences", "設定"]
            ])
        );
        assert_eq!(v["disclosure"], serde_json::Value::Null);
        assert_eq!(v["gpc"], serde_json::Value::Null);
        assert_eq!(v["saved"], Words::JA.saved);
        assert_eq!(v["reopen"], "プライバシー設定");
    }

    #[test]
    fn the_notice_says_what_is_sent_links_the_disclosure_and_refuses_in_one_click() {
        let site =
            config(r#"{"regime":"opt-out","disclosure":"/privacy#gaibu","reopenControl":false}"#);
        let v = described(&site, Lang::En, FirstLayer::Notice, true);
        assert_eq!(v["body"], Words::EN.notice);
        assert_eq!(
            v["buttons"],
            serde_json::json!([["reject-all", "Refuse"], ["preferences", "Preferences"]])
        );
        assert_eq!(
            v["disclosure"],
            serde_json::json!({"href": "/privacy#gaibu", "text": Words::EN.disclosure})
        );
        assert_eq!(v["gpc"], Words::EN.gpc_honoured);
        assert_eq!(v["reopen"], serde_json::Value::Null);
    }

    #[test]
    fn the_site_words_the_first_layer_and_its_text_stays_text() {
        let site = config(
            r#"{"texts":{"en":{"title":"<b>Cookies</b>","acceptAll":"OK","acceptAll":"Allow \"all\"","refuse":"No"},"ja":{"title":"クッキー"}}}"#,
        );
        let v = described(&site, Lang::En, FirstLayer::Banner, false);
        assert_eq!(v["title"], "<b>Cookies</b>");
        assert_eq!(
            v["buttons"][0],
            serde_json::json!(["accept-all", "Allow \"all\""])
        );
        assert_eq!(v["buttons"][1][1], "Reject all");
        assert_eq!(
            described(&site, Lang::Ja, FirstLayer::Banner, false)["title"],
            "クッキー"
        );
        assert_eq!(
            described(&site, Lang::En, FirstLayer::Notice, false)["buttons"][0][1],
            "No"
        );
    }
}
