//! Ingest bench: `cargo run --release -p sekisho-server --example ingest [-- --records N]`.
//! Starts the record API in this process on 127.0.0.1 (rate limits off) over a fresh SQLite file,
//! and over PostgreSQL when `SEKISHO_TEST_POSTGRES_URL` is set (a fresh database), then POSTs
//! records as browsers do (`text/plain`, one record a request, keep-alive) at concurrency 1, 16
//! and 64: records a second and the p50 / p99 latency of a POST, as a Markdown table.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sekisho_server::{start_api, ApiConfig};
use serde_json::json;

const SITE: &str = "https://www.example.jp";

fn record(n: u64) -> String {
    json!({
        "schema": "sekisho-record/1",
        "recordId": format!("00000000-0000-4000-9000-{n:012x}"),
        "consentId": format!("00000000-0000-4000-8000-{:012x}", n % 10_000),
        "site": SITE, "revision": 1, "event": "save", "method": "preferences",
        "choices": {"categories": {"necessary": true, "functional": false, "analytics": n % 2 == 0, "ads": false, "sns": false},
                    "services": {"youtube": n % 3 == 0}},
        "recipients": ["google-analytics", "youtube"],
        "signals": {"gpc": false, "gcm": {"analytics_storage": "granted", "ad_storage": "denied"}},
        "regime": "opt-in", "region": "JP", "lang": "ja",
        "clientTime": 1_796_583_627_000u64 + n, "sdkVersion": "0.1.0"
    })
    .to_string()
}

async fn serve(database: &str, dir: &std::path::Path) -> String {
    let api = start_api(&ApiConfig {
        database: database.to_owned(),
        key_file: dir.join("bench.key"),
        sites: vec![SITE.to_owned()],
        same_origin: false,
        admin_token_file: None,
        subject_key_file: None,
        rate_per_ip: 0,
        rate_per_consent: 0,
        retention_days: 0,
    })
    .await
    .expect("the record API");
    format!("http://{}/v1/records", support::serve(api).await)
}

/// `total` records at `concurrency`, numbered from `first`: (records a second, p50, p99).
async fn run(url: &str, first: u64, total: u64, concurrency: u64) -> (f64, Duration, Duration) {
    let http = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, next, url) = (http.clone(), next.clone(), url.to_owned());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break latencies;
                }
                let t = Instant::now();
                let res = http
                    .post(&url)
                    .header("content-type", "text/plain;charset=UTF-8")
                    .body(record(first + i))
                    .send()
                    .await
                    .expect("POST");
                assert_eq!(res.status().as_u16(), 201);
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    (total as f64 / elapsed, at(0.50), at(0.99))
}

#[tokio::main]
async fn main() {
    let total: u64 = std::env::args()
        .skip_while(|a| a != "--records")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("sekisho-ingest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut databases = vec![(
        "SQLite (file, WAL)",
        format!("sqlite:{}", dir.join("bench.db").display()),
    )];
    if let Ok(admin) = std::env::var("SEKISHO_TEST_POSTGRES_URL") {
        databases.push(("PostgreSQL (local)", support::fresh_postgres(&admin).await));
    } else {
        eprintln!("PostgreSQL skipped: SEKISHO_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh prints one)");
    }
    println!("| database | concurrency | records | records/s | p50 | p99 |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut first = 0;
    for (name, url) in &databases {
        let endpoint = serve(url, &dir).await;
        for concurrency in [1, 16, 64] {
            let n = if concurrency == 1 { total / 4 } else { total };
            let (rate, p50, p99) = run(&endpoint, first, n, concurrency).await;
            first += n;
            println!(
                "| {name} | {concurrency} | {n} | {rate:.0} | {:.2} ms | {:.2} ms |",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
