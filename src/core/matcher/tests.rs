#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::string_slice
)]

use super::host::*;
use super::url::*;
use super::*;
use std::borrow::Cow;

#[test]
fn relative_urls_resolve_against_a_base() {
    let base = "https://www.facebook.com/dir/page.html?q=1#f";
    for (url, want) in [
        ("tr/?id=1", Some("https://www.facebook.com/dir/tr/?id=1")),
        ("/tr?id=1", Some("https://www.facebook.com/tr?id=1")),
        ("?x=1", Some("https://www.facebook.com/dir/page.html?x=1")),
        ("#top", Some("https://www.facebook.com/dir/page.html")),
        ("https://cdn.example/x.js", None),
        ("//cdn.example/x.js", None),
        ("data:image/gif;base64,R0", None),
    ] {
        assert_eq!(resolve_relative(base, url).as_deref(), want, "{url}");
    }
    assert_eq!(
        resolve_relative("https://cdn.example", "a.png").as_deref(),
        Some("https://cdn.example/a.png")
    );
    assert_eq!(resolve_relative("about:srcdoc", "a.png"), None);
}
use crate::core::config::{parse_config, ServiceDef};

const PAGE: &str = "https://www.example.co.jp";

fn matcher() -> Matcher {
    Matcher::new(&Config::default(), PAGE)
}

/// The service of `url` (curated, or of the base layer).
fn id(url: &str) -> Option<&'static str> {
    let matcher = matcher();
    let m = matcher.match_url(url)?;
    catalog::entry(m.service)
        .map(|e| e.id())
        .or_else(|| catalog::base::id(catalog::base::find(m.service)?))
}

fn verdict(m: &Matcher, url: &str) -> String {
    format!("{:?}", m.classify(url))
}

#[test]
fn hosts_match_by_whole_label_suffix() {
    assert_eq!(
        id("https://www.google-analytics.com/analytics.js"),
        Some("google-analytics")
    );
    assert_eq!(
        id("https://region1.google-analytics.com/g/collect?v=2"),
        Some("google-analytics")
    );
    assert_eq!(
        id("https://google-analytics.com/"),
        Some("google-analytics")
    );
    assert_eq!(
        id("https://region1.analytics.google.com/g/collect"),
        Some("google-analytics")
    );
    assert_eq!(id("https://evilgoogle-analytics.com/x.js"), None);
    assert_eq!(id("https://google-analytics.com.evil.net/x.js"), None);
    assert_eq!(id("https://google-analytics.co/x.js"), None);
    assert_eq!(id("https://com/"), None);
    assert_eq!(
        id("https://x.clarity.ms/collect"),
        Some("microsoft-clarity")
    );
    assert_eq!(
        id("https://www.clarity.ms/tag/abc"),
        Some("microsoft-clarity")
    );
    assert_eq!(id("https://bat.bing.com/bat.js"), Some("microsoft-uet"));
    assert_eq!(id("https://www.bing.com/search?q=x"), None);
    assert_eq!(
        id("https://static.hotjar.com/c/hotjar-1.js?sv=6"),
        Some("hotjar")
    );
    assert_eq!(id("wss://ws.hotjar.com/api/v2/client/ws"), Some("hotjar"));
    assert_eq!(
        id("https://analytics.tiktok.com/i18n/pixel/events.js"),
        Some("tiktok-pixel")
    );
    assert_eq!(id("https://static.criteo.net/js/ld/ld.js"), Some("criteo"));
    assert_eq!(
        id("https://c.amazon-adsystem.com/aat/amzn.js"),
        Some("amazon-ads")
    );
    assert_eq!(
        id("https://snap.licdn.com/li.lms-analytics/insight.min.js"),
        Some("linkedin-insight")
    );
    assert_eq!(
        id("https://px.ads.linkedin.com/collect"),
        Some("linkedin-insight")
    );
    // (www.linkedin.com is the base layer's `linkedin-ads`: third-party-web lists it.)
    assert_ne!(
        id("https://www.linkedin.com/in/someone"),
        Some("linkedin-insight")
    );
    assert_eq!(id("https://static.ads-twitter.com/uwt.js"), Some("x-pixel"));
    assert_eq!(id("https://t.co/i/adsct?p_id=1"), Some("x-pixel"));
    assert_eq!(
        id("https://platform.twitter.com/widgets.js"),
        Some("x-widgets")
    );
    assert_eq!(
        id("https://www.googletagmanager.com/gtm.js?id=GTM-X"),
        Some("google-tag-manager")
    );
    assert_eq!(
        id("https://www.googletagmanager.com/gtag/js?id=G-X"),
        Some("google-tag-manager")
    );
    assert_eq!(
        id("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/"),
        Some("google-marketing-platform")
    );
    assert_eq!(
        id("https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"),
        Some("google-adsense")
    );
    assert_eq!(
        id("https://ep1.adtrafficquality.google/getconfig/sodar"),
        Some("google-adsense")
    );
    assert_eq!(
        id("https://www.googleadservices.com/pagead/conversion.js"),
        Some("google-ads")
    );
    assert_eq!(
        id("https://fonts.googleapis.com/css2?family=Noto+Sans+JP"),
        Some("google-fonts")
    );
    assert_eq!(
        id("https://www.instagram.com/embed.js"),
        Some("instagram-embed")
    );
    assert_eq!(id("https://tr.line.me/tag.gif?c_t=lap"), Some("line-tag"));
    assert_eq!(
        id("https://access.line.me/oauth2/v2.1/authorize"),
        Some("line-login")
    );
    assert_eq!(
        id("https://social-plugins.line.me/widget/loader"),
        Some("line-share")
    );
    assert_eq!(
        id("https://b92.yahoo.co.jp/js/s_retargeting.js"),
        Some("yahoo-japan-ads")
    );
    assert_eq!(
        id("https://yjtag.yahoo.co.jp/tag?site=X"),
        Some("yahoo-japan-ads")
    );
    assert_eq!(
        id("https://s.yjtag.jp/tag.js#site=X"),
        Some("yahoo-tag-manager")
    );
    assert_eq!(
        id("https://b.yjtag.jp/iframe?c=X"),
        Some("yahoo-tag-manager")
    );
    assert_eq!(id("https://news.yahoo.co.jp/"), None);
    assert_eq!(
        id("https://ct.pinterest.com/v3/?tid=1"),
        Some("pinterest-tag")
    );
    assert_eq!(
        id("https://assets.pinterest.com/js/pinit.js"),
        Some("pinterest-widgets")
    );
}

#[test]
fn shared_hosts_are_told_apart_by_path() {
    // www.facebook.com: pixel (ads) vs plugins and login (sns).
    assert_eq!(
        id("https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"),
        Some("meta-pixel")
    );
    assert_eq!(id("https://www.facebook.com/tr/?id=1"), Some("meta-pixel"));
    assert_eq!(
        id("https://www.facebook.com/track"),
        None,
        "segment boundary"
    );
    assert_eq!(
        id("https://www.facebook.com/plugins/like.php?href=x"),
        Some("facebook-plugins")
    );
    assert_eq!(
        id("https://www.facebook.com/v19.0/plugins/page.php"),
        Some("facebook-plugins")
    );
    assert_eq!(
        id("https://www.facebook.com/v19.0/dialog/oauth?client_id=1"),
        Some("facebook-login")
    );
    assert_eq!(
        id("https://www.facebook.com/dialog/oauth"),
        Some("facebook-login")
    );
    assert_eq!(
        id("https://m.facebook.com/x/oauth/status?client_id=1"),
        Some("facebook-login")
    );
    assert_eq!(id("https://www.facebook.com/somepage"), None);
    // connect.facebook.net: pixel script vs the SDK (catch-all).
    assert_eq!(
        id("https://connect.facebook.net/en_US/fbevents.js"),
        Some("meta-pixel")
    );
    assert_eq!(
        id("https://connect.facebook.net/signals/config/123?v=2"),
        Some("meta-pixel")
    );
    assert_eq!(
        id("https://connect.facebook.net/ja_JP/sdk.js#xfbml=1"),
        Some("facebook-login")
    );
    assert_eq!(id("https://connect.facebook.net/"), Some("facebook-login"));
    // www.google.com: reCAPTCHA is necessary, /pagead and /ads are ads, the rest is unknown.
    let m = matcher();
    let rc = m
        .match_url("https://www.google.com/recaptcha/api.js?render=x")
        .unwrap();
    assert_eq!(
        (rc.service, rc.category),
        ("google-recaptcha", Category::Necessary)
    );
    assert_eq!(
        id("https://www.gstatic.com/recaptcha/releases/x/recaptcha__ja.js"),
        Some("google-recaptcha")
    );
    assert_eq!(
        id("https://www.google.com/pagead/1p-conversion/123/"),
        Some("google-ads")
    );
    assert_eq!(
        id("https://www.google.co.jp/pagead/1p-user-list/123/"),
        Some("google-ads")
    );
    assert_eq!(
        id("https://www.google.com/ads/ga-audiences?v=1"),
        Some("google-ads")
    );
    assert_eq!(
        id("https://www.google.com/ccm/collect?en=page_view"),
        Some("google-ads")
    );
    assert_eq!(id("https://www.google.com/search?q=ads"), None);
    assert_eq!(id("https://accounts.google.com/gsi/client"), None);
    assert_eq!(
        id("https://www.google.com/maps/embed?pb=x"),
        Some("google-maps")
    );
    // YouTube: embeds and the iframe API are sns.
    assert_eq!(
        id("https://www.youtube.com/embed/dQw4w9WgXcQ"),
        Some("youtube")
    );
    assert_eq!(id("https://www.youtube.com/iframe_api"), Some("youtube"));
    assert_eq!(
        id("https://www.youtube.com/s/player/abc/www-widgetapi.vflset/www-widgetapi.js"),
        Some("youtube")
    );
    assert_eq!(
        id("https://www.youtube-nocookie.com/embed/x"),
        Some("youtube")
    );
    assert_eq!(id("https://www.youtube.com/watch?v=x"), None);
    // Yahoo! JAPAN: only the ad tools under s.yimg.jp.
    assert_eq!(
        id("https://s.yimg.jp/images/listing/tool/cv/ytag.js"),
        Some("yahoo-japan-ads")
    );
    assert_eq!(
        id("https://s.yimg.jp/images/listing/tool/cv/conversion.js"),
        Some("yahoo-japan-ads")
    );
    assert_eq!(id("https://s.yimg.jp/images/top/sp2/logo.png"), None);
    // LINE's CDN: the tag vs the share button.
    assert_eq!(
        id("https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js"),
        Some("line-tag")
    );
    assert_eq!(
        id("https://d.line-scdn.net/r/web/social-plugin/js/thirdparty/loader.min.js"),
        Some("line-share")
    );
    assert_eq!(id("https://d.line-scdn.net/stf/line-lp/x.png"), None);
    assert_eq!(
        id("https://www.tiktok.com/embed/v2/123"),
        Some("tiktok-embed")
    );
    assert_eq!(id("https://www.tiktok.com/@someone"), None);
}

#[test]
fn url_forms_browsers_accept() {
    let ga = Some("google-analytics");
    for url in [
        "//www.google-analytics.com/analytics.js",
        "HTTPS://WWW.Google-Analytics.COM/analytics.js",
        "https://www.google-analytics.com./analytics.js",
        "https://www.google-analytics.com:443/analytics.js",
        "https://www.google-analytics.com:/analytics.js",
        "https://user:pass@www.google-analytics.com/x",
        "https://evil.com@www.google-analytics.com/x",
        "https://evil.com:80@www.google-analytics.com/x",
        "http://www.google-analytics.com",
        "https://www.google-analytics.com?x=1",
        "https://www.google-analytics.com#frag",
        "  https://www.google-analytics.com/x  ",
        "\u{0}\u{1f}https://www.google-analytics.com/x\n",
        "ht\ttps://www.goo\ngle-analytics.com/x",
        "https:\\\\www.google-analytics.com\\x",
        "https:/\\www.google-analytics.com/x",
        "https:///www.google-analytics.com/x",
        "http:www.google-analytics.com/x", // another scheme than the page's: a host
        "\\\\www.google-analytics.com/x",
        "/\\www.google-analytics.com/x",
        "https://www.%67oogle-analytics.com/x",
        "https://www.google-analytics%2Ecom/x",
        "https://www.ｇｏｏｇｌｅ-analytics。com/x",
        "https://ＷＷＷ．ＧＯＯＧＬＥ－ＡＮＡＬＹＴＩＣＳ．ＣＯＭ/x",
        "https://www.google-anal\u{AD}ytics.com/x",
        "https://www.google-analytic\u{17F}.com/x",
        "https://\u{212A}ey.google-analytics.com/x",
        "wss://www.google-analytics.com/socket",
        "ws://www.google-analytics.com/socket",
    ] {
        assert_eq!(id(url), ga, "{url:?}");
    }
    for url in [
        "https://evil.com#@www.google-analytics.com/",
        "https://evil.com?@www.google-analytics.com/",
        "https://evil.com/@www.google-analytics.com/",
        "https://evil.com\\@www.google-analytics.com/",
        "https://www.google-analytics.com.evil.com/",
        "https://[::1]/www.google-analytics.com",
        "https://[2001:db8::1]:8080/x",
        "https://127.0.0.1/x",
        "data:text/html,<script src=https://www.google-analytics.com/x.js></script>",
        "blob:https://www.google-analytics.com/uuid",
        "javascript:fetch('https://www.google-analytics.com/')",
        "about:blank",
        "mailto:x@google-analytics.com",
        "ftp://www.google-analytics.com/x",
        "www.google-analytics.com/x",        // a relative path
        "https:www.google-analytics.com/x",  // same scheme as the page: relative
        "https:/www.google-analytics.com/x", // likewise
        "https://www.google-analytics%2Fevil.com/",
        "https://%zz.google-analytics.com/",
        "https://www.google-analytics.com%00/",
        "https://",
        "https:///",
        "",
        "%",
        "https://[::1",
    ] {
        assert_eq!(id(url), None, "{url:?}");
    }
}

#[test]
fn dot_segments_and_escapes_in_paths() {
    assert_eq!(
        id("https://www.facebook.com/x/../tr?id=1"),
        Some("meta-pixel")
    );
    assert_eq!(id("https://www.facebook.com/./tr?id=1"), Some("meta-pixel"));
    assert_eq!(
        id("https://www.facebook.com/%2e%2e/tr?id=1"),
        Some("meta-pixel")
    );
    assert_eq!(id("https://www.facebook.com/%74r?id=1"), Some("meta-pixel"));
    assert_eq!(id("https://www.facebook.com\\tr?id=1"), Some("meta-pixel"));
    assert_eq!(id("https://www.facebook.com/TR?id=1"), Some("meta-pixel"));
    assert_eq!(
        id("https://www.facebook.com/tr/../plugins/like.php"),
        Some("facebook-plugins")
    );
    assert_eq!(id("https://www.facebook.com/plugins/../x"), None);
    assert_eq!(normalize_path("/a/b/../../c/./d/."), "/c/d/");
    assert_eq!(normalize_path("/.."), "/");
    assert_eq!(normalize_path(""), "/");
}

#[test]
fn parse_results() {
    let net = |h: &str, p: &str| Parsed::Network {
        host: Cow::Owned(h.into()),
        path: Cow::Owned(p.into()),
    };
    let s = Some("https");
    assert_eq!(
        parse_url("https://A.example.com:8080/p?q#f", s),
        net("A.example.com", "/p")
    );
    assert_eq!(
        parse_url("https://a.example.com", s),
        net("a.example.com", "/")
    );
    assert_eq!(
        parse_url("https://[2001:DB8::1]:443/x", s),
        net("[2001:DB8::1]", "/x")
    );
    assert_eq!(
        parse_url("https://a.example.com\\x\\y?z\\w", s),
        net("a.example.com", "/x/y")
    );
    assert_eq!(
        parse_url("/p/q?x", s),
        Parsed::Relative {
            path: "/p/q".into()
        }
    );
    assert_eq!(parse_url("p/q", s), Parsed::Relative { path: "".into() });
    assert_eq!(parse_url("?x", s), Parsed::Relative { path: "".into() });
    assert_eq!(
        parse_url("https:/p", s),
        Parsed::Relative { path: "/p".into() }
    );
    assert_eq!(parse_url("https:/p", Some("http")), net("p", "/"));
    assert_eq!(parse_url("https:/p", None), net("p", "/"));
    assert_eq!(parse_url("data:,x", s), Parsed::Other);
    // Fast path borrows, slow path owns.
    assert!(matches!(
        parse_url("https://a.example.com/x", s),
        Parsed::Network {
            host: Cow::Borrowed(_),
            path: Cow::Borrowed(_)
        }
    ));
    assert!(matches!(
        parse_url("https://a.example.com/%41", s),
        Parsed::Network {
            host: Cow::Owned(_),
            ..
        }
    ));
}

#[test]
fn path_patterns() {
    assert!(path_matches("", "/anything"));
    assert!(path_matches("/tr", "/tr"));
    assert!(path_matches("/tr", "/tr/"));
    assert!(path_matches("/tr", "/TR/x"));
    assert!(!path_matches("/tr", "/track"));
    assert!(!path_matches("/tr", "/"));
    assert!(path_matches("/v*/dialog", "/v19.0/dialog/oauth"));
    assert!(path_matches("/v*/dialog", "/v/dialog"));
    assert!(!path_matches("/v*/dialog", "/v19.0/x/dialog"));
    assert!(!path_matches("/v*/dialog", "/x19.0/dialog"));
    assert!(path_matches("/*/fbevents.js", "/en_US/fbevents.js"));
    assert!(!path_matches("/*/fbevents.js", "/en_US/sdk.js"));
    assert!(path_matches(
        "/images/listing/tool/cv/",
        "/images/listing/tool/cv/ytag.js"
    ));
    assert!(path_matches("/ab*", "/abcdef/x"));
}

#[test]
fn first_party_and_registrable_domains() {
    assert_eq!(registrable_domain("www.example.co.jp"), "example.co.jp");
    assert_eq!(registrable_domain("example.co.jp"), "example.co.jp");
    assert_eq!(registrable_domain("co.jp"), "co.jp");
    assert_eq!(registrable_domain("a.b.example.com"), "example.com");
    assert_eq!(registrable_domain("example.com."), "example.com");
    assert_eq!(registrable_domain("a.user.github.io"), "user.github.io");
    assert_eq!(registrable_domain("localhost"), "localhost");
    assert_eq!(registrable_domain("192.168.0.1"), "192.168.0.1");
    assert_eq!(registrable_domain("[::1]"), "[::1]");
    assert_eq!(registrable_domain(""), "");
    assert!(is_first_party("/img/a.png", "www.example.co.jp"));
    assert!(is_first_party("img/a.png", "www.example.co.jp"));
    assert!(is_first_party(
        "https://cdn.example.co.jp/a.js",
        "www.example.co.jp"
    ));
    assert!(is_first_party(
        "https://EXAMPLE.co.jp./a.js",
        "www.example.co.jp:8443"
    ));
    assert!(is_first_party(
        "data:image/png;base64,AAAA",
        "www.example.co.jp"
    ));
    assert!(!is_first_party(
        "https://other.co.jp/a.js",
        "www.example.co.jp"
    ));
    assert!(!is_first_party(
        "https://example.jp/a.js",
        "www.example.co.jp"
    ));
    assert!(!is_first_party(
        "https://other.github.io/a.js",
        "me.github.io"
    ));
    assert!(!is_first_party(
        "https://example.co.jp.evil.com/",
        "example.co.jp"
    ));
    assert!(is_first_party("http://127.0.0.1:9/x", "127.0.0.1:8080"));
    assert!(!is_first_party("http://127.0.0.2/x", "127.0.0.1"));

    let m = matcher();
    assert_eq!(verdict(&m, "/x.js"), "FirstParty");
    assert_eq!(verdict(&m, "https://img.example.co.jp/x.png"), "FirstParty");
    assert_eq!(
        verdict(&m, "https://tracker.unknown.example/x.js"),
        "Unknown"
    );
    assert_eq!(verdict(&m, "data:,x"), "NoRequest");
    for doc in [
        "data:text/html,<script>x</script>",
        " DATA:Text/HTML;charset=utf-8,x",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:application/xhtml+xml,x",
        "data:text/xml,x",
    ] {
        assert!(is_data_document(doc), "{doc}");
    }
    for other in [
        "data:,x",
        "data:image/png;base64,AA",
        "data:text/plain,<script>",
        "data:text/htmlx,x",
        "https://a.example/data:text/html,x",
        "javascript:'data:text/html,x'",
        "data:",
        "",
    ] {
        assert!(!is_data_document(other), "{other}");
    }
    assert_eq!(verdict(&m, "https://"), "NoRequest");
}

#[test]
fn neutral_cdns_always_load() {
    for url in [
        "https://cdn.jsdelivr.net/npm/x@1/x.min.js",
        "https://fastly.jsdelivr.net/npm/x",
        "https://unpkg.com/react@18/umd/react.production.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
        "https://code.jquery.com/jquery-3.7.1.min.js",
        "https://ajax.googleapis.com/ajax/libs/jquery/3.7.1/jquery.min.js",
        "https://esm.sh/preact",
    ] {
        assert!(is_neutral_cdn(url), "{url}");
        assert_eq!(verdict(&matcher(), url), "Neutral", "{url}");
    }
    assert!(!is_neutral_cdn(
        "https://fonts.googleapis.com/css2?family=X"
    ));
    assert!(!is_neutral_cdn("https://cloudflare.com/x"));
    assert!(!is_neutral_cdn("https://evil-unpkg.com/x"));
    // Neutral stays neutral without the catalog.
    let off = Matcher::new(
        &parse_config(&serde_json::from_str(r#"{"catalog":false}"#).unwrap()).0,
        PAGE,
    );
    assert_eq!(verdict(&off, "https://unpkg.com/x"), "Neutral");
}

/// The config `json`, each site service given the Japanese disclosure it needs (what these
/// tests look at is matching).
fn config(json: &str) -> Config {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    let catalog = value["catalog"] != false;
    if let Some(services) = value["services"].as_object_mut() {
        for (id, service) in services {
            if !(catalog && catalog::entry(id).is_some()) {
                let disclosure = serde_json::json!({
                    "recipient": "送信先（サービス）", "sent": ["ip"],
                    "purpose": "計測", "recipientPurpose": "サービスの提供"
                });
                for (key, v) in disclosure.as_object().unwrap() {
                    service[key] = v.clone();
                }
            }
        }
    }
    let (c, e) = parse_config(&serde_json::from_str(&value.to_string()).unwrap());
    assert!(e.is_empty(), "{e:?}");
    c
}

#[test]
fn config_services_add_and_override() {
    let c = config(
        r#"{"services":{
            "youtube":{"category":"functional"},
            "google-analytics":{"category":"analytics","hosts":["stats.example.co.jp"]},
            "chat":{"category":"functional","hosts":["*.chat.example","https://widgets.example/chat/"]},
            "proxy-gtm":{"category":"analytics","hosts":["www.example.co.jp/gtm.js","sgtm.example.co.jp"]},
            "empty":{"category":"ads","hosts":[""]}
        }}"#,
    );
    let m = Matcher::new(&c, PAGE);
    // Category override, hosts kept.
    let yt = m.match_url("https://www.youtube.com/embed/x").unwrap();
    assert_eq!((yt.service, yt.category), ("youtube", Category::Functional));
    assert_eq!(m.category_of("youtube"), Some(Category::Functional));
    // Hosts replaced: the catalog's GA hosts no longer match, the site's do.
    assert_eq!(
        m.match_url("https://www.google-analytics.com/g/collect"),
        None
    );
    let ga = m
        .match_url("https://stats.example.co.jp/g/collect")
        .unwrap();
    assert_eq!(
        (ga.service, ga.category),
        ("google-analytics", Category::Analytics)
    );
    // Added services, on other sites and on the site itself (first-party endpoints).
    assert_eq!(
        m.match_url("https://eu.chat.example/x").unwrap().service,
        "chat"
    );
    assert_eq!(
        m.match_url("https://chat.example/x").unwrap().service,
        "chat"
    );
    assert_eq!(
        m.match_url("https://widgets.example/chat/x.js")
            .unwrap()
            .service,
        "chat"
    );
    assert_eq!(m.match_url("https://widgets.example/other.js"), None);
    assert_eq!(
        m.match_url("/gtm.js?id=GTM-1").unwrap().service,
        "proxy-gtm"
    );
    assert_eq!(
        m.match_url("https://www.example.co.jp/gtm.js")
            .unwrap()
            .service,
        "proxy-gtm"
    );
    assert_eq!(
        m.match_url("https://sgtm.example.co.jp/g/collect")
            .unwrap()
            .service,
        "proxy-gtm"
    );
    assert_eq!(m.classify("/other.js"), Destination::FirstParty);
    assert_eq!(m.category_of("chat"), Some(Category::Functional));
    assert_eq!(m.category_of("empty"), Some(Category::Ads));
    assert_eq!(m.category_of("meta-pixel"), Some(Category::Ads));
    assert_eq!(m.category_of("nope"), None);
    // Other catalog entries are untouched.
    assert_eq!(
        m.match_url("https://www.facebook.com/tr").unwrap().service,
        "meta-pixel"
    );
    assert_eq!(m.match_cookie("_fbp").unwrap().service, "meta-pixel");
    assert_eq!(m.match_cookie("_ga").unwrap().service, "google-analytics");
}

#[test]
fn catalog_false_keeps_only_the_sites_services() {
    let c = config(
        r#"{"catalog":false,"services":{"youtube":{"category":"sns","hosts":["youtube.com"]}}}"#,
    );
    let m = Matcher::new(&c, PAGE);
    assert_eq!(m.match_url("https://www.google-analytics.com/x"), None);
    assert_eq!(
        m.classify("https://www.google-analytics.com/x"),
        Destination::Unknown
    );
    assert_eq!(
        m.match_url("https://www.youtube.com/watch")
            .unwrap()
            .service,
        "youtube"
    );
    assert_eq!(m.match_cookie("_ga"), None);
    assert_eq!(m.category_of("meta-pixel"), None);
    assert_eq!(m.category_of("youtube"), Some(Category::Sns));
}

#[test]
fn site_rules_prefer_the_most_specific_host() {
    let mut c = Config::default();
    for (id, host) in [("wide", "example.net"), ("narrow", "a.example.net")] {
        c.services.push(ServiceDef {
            id: id.into(),
            category: Category::Ads,
            name: None,
            hosts: vec![host.into()],
            disclosure: Default::default(),
            refused: false,
        });
    }
    let m = Matcher::new(&c, PAGE);
    assert_eq!(
        m.match_url("https://x.a.example.net/").unwrap().service,
        "narrow"
    );
    assert_eq!(
        m.match_url("https://b.example.net/").unwrap().service,
        "wide"
    );
}

#[test]
fn odd_page_origins() {
    let m = Matcher::new(&Config::default(), "");
    assert_eq!(m.classify("https://a.example/x"), Destination::Unknown);
    assert_eq!(m.classify("/x"), Destination::FirstParty);
    let m = Matcher::new(&Config::default(), "http://[::1]:8080");
    assert_eq!(m.page_host(), "[::1]");
    assert_eq!(m.classify("http://[::1]:9/x"), Destination::FirstParty);
    // On an http page, `https:host` names a host.
    let m = Matcher::new(&Config::default(), "http://site.test");
    assert_eq!(
        m.match_url("https:www.google-analytics.com/x")
            .unwrap()
            .service,
        "google-analytics"
    );
}

// ---- properties ----

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The expected catalog result for `host` + path `/`, computed the slow way: the longest
    /// listed host that is `host` or a parent of it, with a catch-all rule; else the longest
    /// base-layer host, when its service is a curated entry too (the base layer's `geniee` is the
    /// curated `geniee`: its extra hosts lead there).
    fn reference(host: &str) -> Option<u8> {
        let host = host.to_ascii_lowercase();
        let covers = |h: &str| host == h || host.ends_with(&format!(".{h}"));
        let curated = (0..catalog::host_count())
            .map(|i| (catalog::host(i).unwrap(), i))
            .filter(|(h, _)| covers(h))
            .filter_map(|(h, i)| {
                let mut rules = catalog::host_rules(i);
                rules.find(|r| r.0.is_empty()).map(|r| (h.len(), r.1))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, e)| e);
        curated.or_else(|| {
            let base_host = (0..)
                .map_while(|i| catalog::base::host(i).map(|h| (h, i)))
                .filter(|(h, _)| covers(h))
                .max_by_key(|(h, _)| h.len())?;
            let id = catalog::base::id(catalog::base::host_service(base_host.1)?)?;
            catalog::entry(id).map(|e| e.index() as u8)
        })
    }

    fn listed() -> Vec<&'static str> {
        (0..catalog::host_count())
            .map(|i| catalog::host(i).unwrap())
            .collect()
    }

    fn catalog_label() -> impl Strategy<Value = String> {
        let mut pool: Vec<String> = listed()
            .iter()
            .flat_map(|h| h.split('.'))
            .map(String::from)
            .collect();
        pool.extend(["www", "evil", "x", "", "COM", "Google-Analytics"].map(String::from));
        pool.sort();
        pool.dedup();
        prop::sample::select(pool)
    }

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            // A listed host with random labels in front.
            (
                prop::collection::vec(catalog_label(), 0..3),
                prop::sample::select(listed())
            )
                .prop_map(|(pre, h)| {
                    let mut labels = pre;
                    labels.push(h.to_string());
                    labels.join(".")
                }),
            // Random label soup made of pieces of listed hosts.
            prop::collection::vec(catalog_label(), 1..6).prop_map(|l| l.join(".")),
            // A listed host glued to other text.
            (prop::sample::select(listed()), "[a-z-]{1,4}", any::<bool>()).prop_map(
                |(h, s, front)| if front {
                    format!("{s}{h}")
                } else {
                    format!("{h}{s}")
                }
            ),
        ]
        .prop_filter("a host", |h| {
            !h.is_empty() && !h.starts_with('.') && !h.ends_with('.')
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>()) {
            let m = matcher();
            let _ = m.classify(&s);
            let _ = m.match_cookie(&s);
            let _ = is_first_party(&s, &s);
            let _ = is_neutral_cdn(&s);
            let _ = registrable_domain(&s);
            let _ = parse_url(&s, None);
            let _ = path_matches(&s, &s);
        }

        #[test]
        fn url_shaped_strings_never_panic(s in r"[a-zA-Z0-9:/\\.@%?#\[\]\t\n \-_~ａ。]{0,48}") {
            let m = matcher();
            let _ = m.classify(&s);
            let _ = m.classify(&format!("https://{s}"));
            let _ = m.classify(&format!("//{s}"));
            let _ = parse_url(&s, Some("https"));
            let _ = is_first_party(&s, "www.example.co.jp");
        }

        #[test]
        fn host_rule_is_equal_or_dot_suffix(host in host(), listed in host()) {
            let expected = host.eq_ignore_ascii_case(&listed)
                || host.to_ascii_lowercase().ends_with(&format!(".{}", listed.to_ascii_lowercase()));
            prop_assert_eq!(host_matches(&host, &listed), expected);
        }

        #[test]
        fn catalog_matches_iff_a_listed_suffix_matches(host in host()) {
            let m = matcher();
            let got = match m.classify(&format!("https://{host}/")) {
                Destination::Service(s) => catalog::entry(s.service).map(|e| e.index() as u8),
                Destination::Neutral => Some(NEUTRAL),
                _ => None,
            };
            prop_assert_eq!(got, reference(&host), "{}", host);
        }

        #[test]
        fn case_port_trailing_dot_and_userinfo_do_not_matter(
            host in host(),
            path in "(/[a-z0-9_.]{0,8}){0,3}",
            port in 1u16..,
        ) {
            let m = matcher();
            let base = m.classify(&format!("https://{host}{path}"));
            for variant in [
                format!("https://{}{path}", host.to_ascii_uppercase()),
                format!("https://{host}:{port}{path}"),
                format!("https://{host}.{path}"),
                format!("https://{host}.:{port}{path}?q=1#f"),
                format!("https://u:p@{host}{path}"),
                format!("//{host}{path}"),
                format!("http://{host}{path}"),
                format!("wss://{host}{path}"),
            ] {
                prop_assert_eq!(m.classify(&variant), base, "{}", variant);
            }
        }
    }
}

#[test]
fn google_country_domains_are_google_com() {
    for url in [
        "https://www.google.de/pagead/1p-conversion/123/?random=1",
        "https://www.google.co.uk/ads/ga-audiences?v=1",
        "https://www.google.com.au/rmkt/collect/123",
        "https://google.fr/ccm/collect?en=page_view",
        "https://WWW.GOOGLE.IT/pagead/landing",
        "https://adservice.google.de/ddm/fls/z/",
    ] {
        assert_eq!(id(url), Some("google-ads"), "{url}");
    }
    for url in [
        "https://www.google.de/search?q=x",
        "https://notgoogle.de/pagead/x",
        "https://google.evil.de/pagead/x",
        "https://www.google.xyz/pagead/x",
        "https://www.google.co.de.example/pagead/x",
    ] {
        assert_eq!(id(url), None, "{url}");
    }
    let m = matcher();
    assert_eq!(
        m.match_cookie("_gac_UA-1234-1").map(|m| m.service),
        Some("google-ads")
    );
}

#[test]
fn hosts_spelled_with_letters_idna_maps_to_ascii_are_known() {
    for url in [
        "https://www.𝐟𝐚𝐜𝐞𝐛𝐨𝐨𝐤.com/tr/?id=1",        // mathematical bold
        "https://www.𝒻𝒶𝒸ℯ𝒷ℴℴ𝓀.com/tr/?id=1", // script, with ℯ and ℴ from the letterlike block
        "https://www.𝔣𝔞𝔠𝔢𝔟𝔬𝔬𝔨.com/tr/?id=1", // Fraktur
        "https://www.𝕗𝕒𝕔𝕖𝕓𝕠𝕠𝕜.𝕔𝕠𝕞/tr/?id=1", // double-struck
        "https://www.ⓕⓐⓒⓔⓑⓞⓞⓚ.com/tr/?id=1", // circled
        "https://www.FACEBOO\u{212A}.com/tr/?id=1", // Kelvin sign
    ] {
        assert_eq!(id(url), Some("meta-pixel"), "{url}");
    }
    assert_eq!(
        id("https://www.google-analytic𝐬.com/g/collect"),
        Some("google-analytics")
    );
    // Greek mathematical letters are not ASCII: no catalog host.
    assert_eq!(id("https://www.𝛂bc.com/"), None);
}

/// The base layer (catalog/base.json, from third-party-web) under the curated one.
mod base_layer {
    use super::*;

    #[test]
    fn its_cookies_come_from_the_open_cookie_database() {
        let m = matcher();
        let owner = |name: &str| m.match_cookie(name).map(|m| (m.service, m.category));
        assert_eq!(owner("hubspotutk"), Some(("hubspot", Category::Ads)));
        assert_eq!(owner("__hstc"), Some(("hubspot", Category::Ads)));
        assert_eq!(
            owner("_ym_uid"),
            Some(("yandex-metrica", Category::Analytics))
        );
        // A family (`prefix*`), the curated layer first, and names nobody sets.
        assert_eq!(owner("_ym_visorc_123").map(|o| o.0), Some("yandex-metrica"));
        assert_eq!(owner("_ga").map(|o| o.0), Some("google-analytics"));
        assert_eq!(owner("session"), None);
        assert_eq!(owner("cart"), None);
        // A site that lists the service gives its category.
        let c = config(
            r#"{"services":{"hubspot":{"category":"functional","hosts":["hs-scripts.com"]}}}"#,
        );
        let site = Matcher::new(&c, PAGE);
        assert_eq!(
            site.match_cookie("hubspotutk").map(|m| m.category),
            Some(Category::Functional)
        );
    }

    fn service(url: &str) -> Option<(String, Category)> {
        matcher()
            .match_url(url)
            .map(|m| (m.service.to_string(), m.category))
    }

    #[test]
    fn knows_trackers_the_curated_layer_does_not() {
        for (url, want, category) in [
            (
                "https://js.hs-scripts.com/1234.js",
                "hubspot",
                Category::Ads,
            ),
            (
                "https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js",
                "mixpanel",
                Category::Analytics,
            ),
            (
                "https://cdn.taboola.com/libtrc/site/loader.js",
                "taboola",
                Category::Ads,
            ),
            (
                "https://widgets.outbrain.com/outbrain.js",
                "outbrain",
                Category::Ads,
            ),
            (
                "https://js.adsrvr.org/up_loader.1.1.0.js",
                "the-trade-desk",
                Category::Ads,
            ),
            (
                "https://edge.fullstory.com/s/fs.js",
                "fullstory",
                Category::Analytics,
            ),
            (
                "https://widget.intercom.io/widget/abc",
                "intercom",
                Category::Functional,
            ),
            (
                "https://player.vimeo.com/video/1",
                "vimeo",
                Category::Functional,
            ),
        ] {
            assert_eq!(service(url), Some((want.to_string(), category)), "{url}");
        }
    }

    #[test]
    fn the_curated_layer_and_the_page_win() {
        // Hosts the curated layer decides stay its own, also where it leaves a path unknown.
        assert_eq!(id("https://www.facebook.com/tr/?id=1"), Some("meta-pixel"));
        assert_eq!(
            matcher().match_url("https://www.facebook.com/somepage"),
            None
        );
        assert_eq!(
            matcher().match_url("https://s.yimg.jp/images/top/logo.png"),
            None
        );
        assert_eq!(
            matcher().match_url("https://pbs.twimg.com/media/x.jpg"),
            None
        );
        // The page's own site is first party even when the data set lists its domain.
        let hubspot = Matcher::new(&Config::default(), "https://www.hubspot.com");
        assert_eq!(
            verdict(&hubspot, "https://js.hubspot.com/x.js"),
            "FirstParty"
        );
        // `catalog: false` turns it off with the curated layer.
        let config = Config {
            catalog: false,
            ..Config::default()
        };
        let off = Matcher::new(&config, PAGE);
        assert_eq!(
            verdict(&off, "https://cdn.mxpnl.com/libs/mixpanel.js"),
            "Unknown"
        );
    }

    #[test]
    fn a_site_service_of_the_same_id_gives_its_category() {
        let mut c = Config::default();
        c.services.push(ServiceDef {
            id: "taboola".into(),
            category: Category::Analytics,
            name: None,
            hosts: Vec::new(),
            disclosure: Default::default(),
            refused: false,
        });
        let m = Matcher::new(&c, PAGE);
        let got = m
            .match_url("https://cdn.taboola.com/libtrc/x/loader.js")
            .unwrap();
        assert_eq!(
            (got.service, got.category),
            ("taboola", Category::Analytics)
        );
        assert_eq!(m.category_of("taboola"), Some(Category::Analytics));
        assert_eq!(matcher().category_of("taboola"), Some(Category::Ads));
    }

    #[test]
    fn what_a_site_needs_is_never_held() {
        for url in [
            "https://js.stripe.com/v3/",
            "https://www.google.com/recaptcha/api.js",
            "https://www.gstatic.com/recaptcha/releases/x/recaptcha__ja.js",
            "https://challenges.cloudflare.com/turnstile/v0/api.js",
            "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
            "https://cdn.jsdelivr.net/npm/a@1/x.js",
            "https://unpkg.com/a@1/x.js",
            "https://code.jquery.com/jquery-3.7.1.min.js",
        ] {
            let matcher = matcher();
            let m = matcher.match_url(url);
            assert!(
                m.is_none_or(|m| m.category == Category::Necessary),
                "{url}: {m:?}"
            );
        }
    }

    #[test]
    fn every_base_host_and_its_subdomains_match_its_service_and_nothing_else_does() {
        let m = matcher();
        for i in 0.. {
            let Some(host) = catalog::base::host(i) else {
                break;
            };
            let want = catalog::base::id(catalog::base::host_service(i).unwrap()).unwrap();
            for url in [format!("https://{host}/x"), format!("https://a.b.{host}/x")] {
                let got = m.match_url(&url).map(|m| m.service);
                assert_eq!(got, Some(want), "{url}");
            }
            // Not a label suffix: not the service (unless a parent of the host is listed too).
            let evil = format!("https://evil{host}/x");
            let parent = host.split_once('.').map_or("", |(_, p)| p);
            let parent_listed = m.match_url(&format!("https://x.{parent}/")).is_some();
            if !parent_listed {
                assert_ne!(m.match_url(&evil).map(|m| m.service), Some(want), "{evil}");
            }
            let after = format!("https://{host}.evil.test/x");
            assert_eq!(m.match_url(&after), None, "{after}");
        }
    }

    #[test]
    fn categories_are_the_mapped_ones_and_ids_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..catalog::base::len() {
            let id = catalog::base::id(i).unwrap();
            assert!(crate::core::config::is_valid_id(id), "{id}");
            assert!(seen.insert(id), "{id} twice");
            // (A base service sharing a curated id takes the curated category.)
            if catalog::entry(id).is_none() {
                assert_ne!(
                    catalog::base::category(i),
                    Some(Category::Necessary),
                    "{id}"
                );
            }
        }
        assert!(catalog::base::len() > 600, "the base layer is compiled in");
    }
}
