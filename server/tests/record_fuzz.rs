//! The record parser under arbitrary input (a property test, run briefly in CI): it never panics,
//! refuses with a field and a reason, and reads every well-formed record whatever the order of
//! its keys, to the same canonical content.

use proptest::prelude::*;
use sekisho_server::record::{parse, Invalid};
use serde_json::{json, Value};

fn valid() -> Value {
    json!({
        "schema": "sekisho-record/1",
        "recordId": "0192f7c4-7a1e-7b2c-9d3e-4f5a6b7c8d9e",
        "consentId": "7df3f352-046c-4343-ae94-28d0584de477",
        "site": "https://www.example.jp",
        "revision": 3,
        "event": "grant",
        "method": "banner",
        "choices": {"categories": {"necessary": true, "functional": true, "analytics": true, "ads": true, "sns": false},
                    "services": {"youtube": false}},
        "recipients": ["google-analytics", "meta-pixel"],
        "signals": {"gpc": false, "gcm": {"ad_storage": "granted"}},
        "regime": "opt-out",
        "region": null,
        "lang": "en",
        "clientTime": 1_796_583_627_000u64,
        "sdkVersion": "0.1.0"
    })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(".{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn refusal_is_explained(e: &Invalid) -> bool {
    !e.reason.is_empty() && e.to_string().len() < 400
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = parse(&bytes) {
            prop_assert!(refusal_is_explained(&e));
        }
    }

    #[test]
    fn any_field_replaced_by_any_value_is_read_or_refused_by_name(
        field in prop::sample::select(vec!["schema", "recordId", "consentId", "site", "revision", "event", "method",
            "choices", "recipients", "signals", "regime", "region", "lang", "clientTime", "sdkVersion", "subject",
            "policySha256", "uiSha256", "extra"]),
        value in any_json(),
    ) {
        let mut record = valid();
        record[field] = value;
        match parse(record.to_string().as_bytes()) {
            Ok(r) => prop_assert_eq!(r.record_id, "0192f7c4-7a1e-7b2c-9d3e-4f5a6b7c8d9e"),
            Err(e) => {
                prop_assert!(refusal_is_explained(&e));
                prop_assert!(e.field.starts_with(field) || e.field.is_empty(), "{} for {}", e.field, field);
            }
        }
    }

    #[test]
    fn key_order_does_not_change_the_content(seed in any::<u64>(), analytics in any::<bool>()) {
        let mut record = valid();
        record["choices"]["categories"]["analytics"] = analytics.into();
        let canonical = parse(record.to_string().as_bytes()).unwrap().content_hash();
        // The same fields written in another order.
        let Value::Object(map) = record else { unreachable!() };
        let mut entries: Vec<(String, Value)> = map.into_iter().collect();
        let n = entries.len();
        entries.rotate_left((seed as usize) % n);
        let text = format!("{{{}}}", entries.iter().map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), v)).collect::<Vec<_>>().join(","));
        prop_assert_eq!(parse(text.as_bytes()).unwrap().content_hash(), canonical);
    }
}
