//! The UI's texts in Japanese and English (the language to use is `sekisho::core::lang`'s; the
//! first layer's words are `sekisho::core::first_layer`'s, which `sekisho.js` draws).
//! Texts are set as text by the shell, never parsed as HTML.

use sekisho::core::first_layer::Words;
pub use sekisho::core::lang::Lang;

/// One category as the preference center shows it.
#[derive(Clone)]
pub struct CategoryText {
    pub name: &'static str,
    pub description: &'static str,
}

/// Declares [`Texts`] once: each field with the key a site overrides it by
/// (config `texts.<lang>.<key>`).
macro_rules! texts {
    ($($(#[$doc:meta])* $field:ident: $key:literal,)*) => {
        /// Every text of the UI in one language.
        #[derive(Clone)]
        pub struct Texts {
            $($(#[$doc])* pub $field: &'static str,)*
            /// In the order of [`super::CATEGORIES`] (a site words them in config `categories`).
            pub categories: [CategoryText; 5],
        }

        impl Texts {
            /// Every text with its config key.
            pub fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$(($key, self.$field),)*]
            }

            fn slot(&mut self, key: &str) -> Option<&mut &'static str> {
                match key {
                    $($key => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

texts! {
    title: "title",
    banner: "banner",
    notice: "notice",
    gpc_honoured: "gpcHonoured",
    accept_all: "acceptAll",
    reject_all: "rejectAll",
    refuse: "refuse",
    preferences: "preferences",
    /// The link to the site's 外部送信 disclosure (config `disclosure`).
    disclosure: "disclosure",
    dialog_title: "dialogTitle",
    dialog_intro: "dialogIntro",
    always_on: "alwaysOn",
    save: "save",
    close: "close",
    saved: "saved",
    /// The persistent control that reopens the preferences.
    privacy_settings: "privacySettings",
    /// The summary of a category's list of services.
    services: "services",
    recipient: "recipient",
    sent: "sent",
    purpose_site: "purposeSite",
    purpose_recipient: "purposeRecipient",
    country: "country",
    policy: "policy",
    opt_out: "optOut",
    /// How to stop the sending (the site's own switch).
    opt_out_here: "optOutHere",
    /// The link to the recipient's own opt-out page.
    opt_out_page: "optOutPage",
    /// The caption of the disclosure table.
    disclosure_caption: "disclosureCaption",
    service: "service",
    /// A service the config refused (its Japanese disclosure is incomplete).
    refused: "refused",
    no_services: "noServices",
    /// An embed's placeholder, named: `{service}` is replaced.
    embed: "embed",
    /// What showing an embed sends: `{recipient}` is replaced.
    embed_intro: "embedIntro",
    /// Content held from a site the catalog does not know.
    embed_unknown: "embedUnknown",
    load_once: "loadOnce",
    /// `{service}` is replaced.
    always_allow: "alwaysAllow",
}

/// `template` with each `{name}` of `values` replaced.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&["{", name, "}"].concat(), value)
        })
}

impl Texts {
    /// These texts with the site's words (config `texts.<lang>`) in place of the defaults, and
    /// the keys it gave that the UI does not have.
    ///
    /// The UI is drawn once per page and lives as long as it: the site's strings are kept for
    /// the page's life (leaked), so every text stays a `&'static str`.
    pub fn with_site(&self, site: &[(String, String)]) -> (Texts, Vec<String>) {
        let mut texts = self.clone();
        let mut unknown = Vec::new();
        for (key, text) in site {
            match texts.slot(key) {
                Some(slot) => *slot = Box::leak(text.clone().into_boxed_str()),
                None => unknown.push(key.clone()),
            }
        }
        (texts, unknown)
    }
}

/// The texts of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

static EN: Texts = Texts {
    title: Words::EN.title,
    banner: Words::EN.banner,
    notice: Words::EN.notice,
    gpc_honoured: Words::EN.gpc_honoured,
    accept_all: Words::EN.accept_all,
    reject_all: Words::EN.reject_all,
    refuse: Words::EN.refuse,
    preferences: Words::EN.preferences,
    disclosure: Words::EN.disclosure,
    dialog_title: "Privacy settings",
    dialog_intro: "Choose what this site may send to its partners. You can change this at any \
        time.",
    always_on: "Always on",
    save: "Save choices",
    close: "Close",
    saved: Words::EN.saved,
    privacy_settings: Words::EN.privacy_settings,
    services: "Services",
    recipient: "Recipient",
    sent: "Information sent",
    purpose_site: "Our purpose",
    purpose_recipient: "The recipient's purpose",
    country: "Country",
    policy: "Privacy policy",
    opt_out: "How to stop it",
    opt_out_here: "Switch it off in this site's privacy settings: nothing more is sent.",
    opt_out_page: "The recipient's opt-out page",
    disclosure_caption: "Information this site sends to other companies (external transmission)",
    service: "Service",
    refused: "Not loaded: this site has not described it fully.",
    no_services: "This site sends nothing to other companies.",
    embed: "{service} (embedded content, not loaded)",
    embed_intro: "Showing it sends the following to {recipient}:",
    embed_unknown: "Content from another site",
    load_once: "Load this once",
    always_allow: "Always allow {service}",
    categories: [
        CategoryText {
            name: "Strictly necessary",
            description: "Needed for the site to work and to remember your choice.",
        },
        CategoryText {
            name: "Functional",
            description: "Remembers your settings and enables extra features such as chat.",
        },
        CategoryText {
            name: "Analytics",
            description: "Measures how the site is used (pages viewed, time spent) to improve it.",
        },
        CategoryText {
            name: "Advertising",
            description: "Shows and measures advertising, including ads based on your interests.",
        },
        CategoryText {
            name: "Social media",
            description: "Embedded videos and posts, share buttons and social logins, which \
                send data to those platforms.",
        },
    ],
};

static JA: Texts = Texts {
    title: Words::JA.title,
    banner: Words::JA.banner,
    notice: Words::JA.notice,
    gpc_honoured: Words::JA.gpc_honoured,
    accept_all: Words::JA.accept_all,
    reject_all: Words::JA.reject_all,
    refuse: Words::JA.refuse,
    preferences: Words::JA.preferences,
    disclosure: Words::JA.disclosure,
    dialog_title: "プライバシー設定",
    dialog_intro: "当サイトが提携先に送信してよい情報を選んでください。いつでも変更できます。",
    always_on: "常に有効",
    save: "選択を保存",
    close: "閉じる",
    saved: Words::JA.saved,
    privacy_settings: Words::JA.privacy_settings,
    services: "サービス",
    recipient: "送信先",
    sent: "送信される情報",
    purpose_site: "当サイトの利用目的",
    purpose_recipient: "送信先での利用目的",
    country: "所在国",
    policy: "プライバシーポリシー",
    opt_out: "送信を止める方法",
    opt_out_here: "当サイトのプライバシー設定でオフにすると、以後は送信されません。",
    opt_out_page: "送信先のオプトアウトページ",
    disclosure_caption: "当サイトが外部に送信する利用者情報（外部送信規律に基づく公表）",
    service: "サービス",
    refused: "説明が不足しているため、読み込みません。",
    no_services: "当サイトは利用者情報を外部に送信していません。",
    embed: "{service}（埋め込みコンテンツ・未読み込み）",
    embed_intro: "表示すると、{recipient}に次の情報が送信されます：",
    embed_unknown: "外部サイトのコンテンツ",
    load_once: "今回だけ表示",
    always_allow: "{service}を常に許可",
    categories: [
        CategoryText {
            name: "必須",
            description: "サイトの動作と、あなたの選択を記憶するために必要です。",
        },
        CategoryText {
            name: "機能",
            description: "設定の記憶や、チャットなどの追加機能に使います。",
        },
        CategoryText {
            name: "アクセス解析",
            description: "サイトの利用状況（閲覧ページ、滞在時間など）を計測し、改善に役立てます。",
        },
        CategoryText {
            name: "広告",
            description: "興味に応じた広告を含む、広告の表示と効果測定に使います。",
        },
        CategoryText {
            name: "SNS",
            description:
                "動画や投稿の埋め込み、シェアボタン、SNS ログイン。これらのサービスにデータが\
                送信されます。",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_say_everything() {
        for t in [texts(Lang::Ja), texts(Lang::En)] {
            let all: Vec<&str> = t.all().into_iter().map(|(_, text)| text).collect();
            assert!(all.iter().all(|s| !s.trim().is_empty()));
            assert!(t
                .categories
                .iter()
                .all(|c| !c.name.is_empty() && !c.description.is_empty()));
            // texts, not markup
            assert!(all.iter().all(|s| !s.contains('<')));
        }
        // a line continuation leaves no run of spaces in the Japanese
        assert!(!texts(Lang::Ja).banner.contains("  "));
    }

    #[test]
    fn templates_name_what_they_are_about() {
        assert_eq!(
            fill(texts(Lang::Ja).always_allow, &[("service", "YouTube")]),
            "YouTubeを常に許可"
        );
        assert_eq!(fill("{a} {b} {a}", &[("a", "1"), ("b", "2")]), "1 2 1");
    }

    #[test]
    fn a_site_words_any_text_and_hears_of_unknown_keys() {
        let site = [
            ("title".to_string(), "Cookies on Example".to_string()),
            ("acceptAll".to_string(), "Allow all".to_string()),
            ("acceptALL".to_string(), "typo".to_string()),
        ];
        let (t, unknown) = texts(Lang::En).with_site(&site);
        assert_eq!((t.title, t.accept_all), ("Cookies on Example", "Allow all"));
        assert_eq!(t.reject_all, texts(Lang::En).reject_all);
        assert_eq!(unknown, ["acceptALL"]);
    }
}
