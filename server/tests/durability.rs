//! Durability: the real `sekisho-server` binary is killed (SIGKILL) in the middle of a load of
//! concurrent POSTs; after a restart every record that got a 2xx answer is stored and every chain
//! verifies. On a SQLite file, and on PostgreSQL when `SEKISHO_TEST_POSTGRES_URL` is set.

#[allow(dead_code)] // (each test target uses part of it)
mod support;

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const SITE: &str = "https://www.example.jp";
const ADMIN: &str = "admin-token-for-durability-0123";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running {
    child: tokio::process::Child,
    base: String,
}

async fn start(dir: &std::path::Path, database: &str) -> Running {
    let port = free_port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sekisho-server"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            database,
            "--site",
            SITE,
        ])
        .arg("--key-file")
        .arg(dir.join("server.key"))
        .arg("--admin-token-file")
        .arg(dir.join("admin"))
        .args(["--rate-per-ip", "0", "--rate-per-consent", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("sekisho-server");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            return Running { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sekisho-server did not start");
}

fn record(n: u64) -> Value {
    json!({
        "schema": "sekisho-record/1",
        "recordId": format!("00000000-0000-4000-9000-{n:012x}"),
        "consentId": format!("00000000-0000-4000-8000-{:012x}", n % 50),
        "site": SITE, "revision": 1, "event": "save", "method": "preferences",
        "choices": {"categories": {"necessary": true, "functional": false, "analytics": n % 2 == 0, "ads": false, "sns": false}},
        "signals": {"gpc": false}, "regime": "opt-in", "lang": "ja",
        "clientTime": 1_796_583_627_000u64 + n, "sdkVersion": "0.1.0"
    })
}

async fn kill_during_load_then_check(database: &str) {
    let dir = std::env::temp_dir().join(format!(
        "sekisho-durability-{}-{}",
        std::process::id(),
        database.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("admin"), ADMIN).unwrap();
    let mut server = start(&dir, database).await;
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let http = reqwest::Client::new();
    let mut load = Vec::new();
    for worker in 0..16u64 {
        let (acked, http, base) = (acked.clone(), http.clone(), server.base.clone());
        load.push(tokio::spawn(async move {
            for i in 0.. {
                let n = worker * 1_000_000 + i;
                let sent = http
                    .post(format!("{base}/v1/records"))
                    .header("content-type", "text/plain")
                    .body(record(n).to_string())
                    .send()
                    .await;
                match sent {
                    Ok(res) if res.status().is_success() => {
                        acked
                            .lock()
                            .unwrap()
                            .insert(record(n)["recordId"].as_str().unwrap().to_owned());
                    }
                    Ok(res) => panic!("unexpected {}", res.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.child.start_kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.child.wait().await.unwrap();
    for task in load {
        task.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 50,
        "{database}: the load got going ({} records)",
        acked.len()
    );

    let server = start(&dir, database).await;
    let export = http
        .get(format!("{}/v1/export", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stored: HashSet<String> = export
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["recordId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{database}: {} acknowledged records lost: {lost:?}",
        lost.len()
    );
    let key: Value = http
        .get(format!("{}/v1/public-key", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = sekisho_server::sign::PublicKey::parse(key["publicKey"].as_str().unwrap()).unwrap();
    let report = sekisho_server::verify::verify(&export, &key);
    assert!(report.ok(), "{database}: {report:?}");
    eprintln!(
        "{database}: {} acknowledged, {} stored, chains verify",
        acked.len(),
        report.records
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_load_loses_no_acknowledged_record() {
    let dir = std::env::temp_dir().join(format!("sekisho-durability-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = format!("sqlite:{}", dir.join("records.db").display());
    kill_during_load_then_check(&sqlite).await;
    let _ = std::fs::remove_dir_all(&dir);
    match std::env::var("SEKISHO_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let url = support::fresh_postgres(&admin).await;
            kill_during_load_then_check(&url).await;
        }
        Err(_) => eprintln!("PostgreSQL half skipped: SEKISHO_TEST_POSTGRES_URL is not set"),
    }
}
