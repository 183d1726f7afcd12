//! The compiler's own tests: the layers as they are in the repository compile; the merge keeps
//! the curated layer authoritative; malformed input stops the build naming the field.

use crate::category::Category;
use crate::{base, compile, curated};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn repo_json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The panic message of `f` (the build's error), or "" when it did not stop.
fn stops(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(f);
    std::panic::set_hook(hook);
    match r {
        Ok(()) => String::new(),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

/// A curated layer that lists `hosts` (host → has a catch-all), and `ids`.
fn curated_hosts(hosts: &[(&str, bool)]) -> BTreeMap<String, bool> {
    hosts.iter().map(|(h, c)| (h.to_string(), *c)).collect()
}

fn base_json(services: Value) -> Value {
    json!({ "source": {}, "categories": {}, "neverHeld": [], "services": services })
}

#[test]
fn the_repository_layers_compile() {
    let code = compile(
        &repo_json("catalog/vendors.json"),
        &repo_json("catalog/base.json"),
    );
    for item in [
        "static HOSTS_TABLE",
        "static SLOTS",
        "static IDS",
        "static BASE_TEXT",
        "static BASE_COOKIES",
    ] {
        assert!(code.contains(item), "{item} missing");
    }
}

#[test]
fn the_curated_layer_wins() {
    let curated = curated_hosts(&[
        ("bat.bing.com", true),
        ("s.yimg.jp", false),
        ("doubleclick.net", true),
        ("adservice.google.com", true),
    ]);
    let ids = vec![("criteo".to_string(), Category::Ads)];
    let layer = base::read(
        &base_json(json!([
            { "id": "bing-ads", "name": "Bing Ads", "company": "", "homepage": "", "category": "ads",
              "hosts": ["bing.com", "bat.bing.com", "msads.net"] },
            { "id": "yahoo-cdn", "name": "x", "company": "", "homepage": "", "category": "ads",
              "hosts": ["yimg.jp", "ads.s.yimg.jp"] },
            { "id": "dc", "name": "x", "company": "", "homepage": "", "category": "ads",
              "hosts": ["stats.g.doubleclick.net"] },
            { "id": "google-country", "name": "x", "company": "", "homepage": "", "category": "ads",
              "hosts": ["adservice.google.de", "adservice.google.co.uk"] },
            { "id": "criteo", "name": "Criteo", "company": "", "homepage": "", "category": "analytics",
              "hosts": ["criteo.example"] },
        ])),
        &curated,
        &ids,
    );
    let hosts: Vec<&str> = layer.hosts.iter().map(|(h, _)| h.as_str()).collect();
    // Listed by it (bat.bing.com), a parent of one (bing.com, yimg.jp), under a catch-all
    // (stats.g.doubleclick.net), Google's country domains: dropped. Under a host with paths
    // only (ads.s.yimg.jp): kept.
    assert_eq!(hosts, ["ads.s.yimg.jp", "criteo.example", "msads.net"]);
    // A service left without hosts is not compiled in; one with a curated id takes its category.
    let ids: Vec<&str> = layer.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["bing-ads", "yahoo-cdn", "criteo"]);
    assert_eq!(layer.services[2].category, Category::Ads);
}

#[test]
fn the_base_layer_is_one_text_a_line_per_service() {
    let layer = base::read(
        &base_json(json!([
            { "id": "a", "name": "A", "company": "", "homepage": "", "category": "analytics", "hosts": ["b.example", "a.example"] },
            { "id": "c", "name": "C", "company": "", "homepage": "", "category": "sns", "hosts": ["c.example"],
              "cookies": ["_c_id", "_c_s*"] },
        ])),
        &BTreeMap::new(),
        &[],
    );
    let mut code = String::new();
    base::emit(&mut code, &layer);
    assert!(
        code.contains(
            r#"static BASE_TEXT: &str = "a analytics a.example b.example\nc sns c.example\n";"#
        ),
        "{code}"
    );
    // Cookie names: a line per service that has some.
    assert!(
        code.contains(r#"static BASE_COOKIES: &str = "c _c_id _c_s*\n";"#),
        "{code}"
    );
}

#[test]
fn malformed_base_layers_stop_the_build_naming_the_field() {
    let service = |id: &str, category: &str, hosts: Value| json!({ "id": id, "name": "x", "company": "", "homepage": "", "category": category, "hosts": hosts });
    for (services, message) in [
        (
            json!([
                service("a", "ads", json!(["x.example"])),
                service("b", "ads", json!(["x.example"]))
            ]),
            "services[1].hosts: `x.example` is listed by `a` too",
        ),
        (
            json!([service("a", "ads", json!(["X.example"]))]),
            "is not a lower-case host name",
        ),
        (
            json!([service("a", "ads", json!(["localhost"]))]),
            "is not a lower-case host name",
        ),
        (
            json!([service("a", "tracking", json!(["x.example"]))]),
            "unknown category `tracking`",
        ),
        (
            json!([
                service("a", "ads", json!(["x.example"])),
                service("a", "ads", json!(["y.example"]))
            ]),
            "is not a valid, unique id",
        ),
        (
            json!([service("A!", "ads", json!(["x.example"]))]),
            "is not a valid, unique id",
        ),
        (
            json!([{ "id": "a", "name": "x", "company": "", "homepage": "", "category": "ads",
                     "hosts": ["x.example"], "cookies": ["bad name"] }]),
            "services[0].cookies: `bad name` is not a name or `prefix*`",
        ),
    ] {
        let got = stops(move || {
            base::read(&base_json(services), &BTreeMap::new(), &[]);
        });
        assert!(got.contains(message), "{got:?} should say {message:?}");
    }
    let got = stops(|| {
        base::read(
            &json!({ "services": [], "extra": 1 }),
            &BTreeMap::new(),
            &[],
        );
    });
    assert!(got.contains("unknown field `extra`"), "{got}");
}

#[test]
fn a_host_claimed_twice_in_the_curated_layer_stops_the_build() {
    let mut vendors = repo_json("catalog/vendors.json");
    let services = vendors["services"].as_array_mut().unwrap();
    let mut twin = services[0].clone();
    twin["id"] = json!("twin");
    services.push(twin);
    let got = stops(move || {
        curated::read(&vendors);
    });
    assert!(got.contains("is claimed by both"), "{got}");
}

#[test]
fn the_generated_base_layer_maps_only_to_held_categories() {
    let base = repo_json("catalog/base.json");
    let mapping = base["categories"].as_object().unwrap();
    for (from, to) in [
        ("ad", "ads"),
        ("analytics", "analytics"),
        ("social", "sns"),
        ("marketing", "ads"),
        ("customer-success", "functional"),
        ("video", "functional"),
    ] {
        assert_eq!(mapping[from], to, "{from}");
    }
    assert_eq!(mapping.len(), 6);
    for s in base["services"].as_array().unwrap() {
        let c = s["category"].as_str().unwrap();
        assert!(
            ["ads", "analytics", "sns", "functional"].contains(&c),
            "{s}"
        );
    }
}
