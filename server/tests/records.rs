//! The record API against a real SQLite file and a real PostgreSQL (`SEKISHO_TEST_POSTGRES_URL`,
//! set by scripts/test.sh from scripts/postgres.sh; without it the PostgreSQL half of each test
//! says it is skipped, and why). Real HTTP on 127.0.0.1.

#[allow(dead_code)] // (each test target uses part of it)
mod support;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sekisho_server::subject::SubjectKey;
use sekisho_server::{start_api, verify, Api, ApiConfig};
use serde_json::{json, Value};

const SITE: &str = "https://www.example.jp";
const ADMIN: &str = "admin-token-for-tests-0123456789";
const SUBJECT_KEY: &[u8] = b"subject-key-shared-with-the-site-backend-0123456789";

struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sekisho-records-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("admin"), ADMIN).unwrap();
        std::fs::write(p.join("subject"), SUBJECT_KEY).unwrap();
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The databases each test runs on: a fresh SQLite file, and a fresh PostgreSQL database when
/// one is available.
async fn databases(dir: &Dir) -> Vec<String> {
    let mut out = vec![format!("sqlite:{}", dir.0.join("records.db").display())];
    match std::env::var("SEKISHO_TEST_POSTGRES_URL") {
        Ok(url) => out.push(support::fresh_postgres(&url).await),
        Err(_) => eprintln!(
            "PostgreSQL half skipped: SEKISHO_TEST_POSTGRES_URL is not set (scripts/test.sh sets it \
             from scripts/postgres.sh, which says why when it cannot start PostgreSQL)"
        ),
    }
    out
}

struct Server {
    base: String,
    api: Arc<Api>,
    http: reqwest::Client,
}

fn config(dir: &Dir, database: &str) -> ApiConfig {
    ApiConfig {
        database: database.to_owned(),
        key_file: dir.0.join("server.key"),
        sites: vec![SITE.to_owned()],
        same_origin: false,
        admin_token_file: Some(dir.0.join("admin")),
        subject_key_file: Some(dir.0.join("subject")),
        rate_per_ip: 0,
        rate_per_consent: 0,
        retention_days: 0,
    }
}

async fn serve(config: &ApiConfig) -> Server {
    let api = start_api(config).await.unwrap();
    let addr = support::serve(api.clone()).await;
    Server {
        base: format!("http://{addr}"),
        api,
        http: reqwest::Client::new(),
    }
}

fn uuid(n: u64) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", n >> 16, n)
}

fn record(record_id: &str, consent_id: &str, analytics: bool) -> Value {
    json!({
        "schema": "sekisho-record/1",
        "recordId": record_id,
        "consentId": consent_id,
        "site": SITE,
        "revision": 1,
        "event": if analytics { "save" } else { "reject" },
        "method": "banner",
        "choices": {"categories": {"necessary": true, "functional": false, "analytics": analytics, "ads": false, "sns": false}},
        "recipients": ["google-analytics"],
        "signals": {"gpc": false},
        "regime": "opt-in",
        "region": "JP",
        "lang": "ja",
        "clientTime": 1_796_583_627_000u64,
        "sdkVersion": "0.1.0"
    })
}

impl Server {
    async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self.http.post(format!("{}/v1/records", self.base));
        if !headers.iter().any(|(k, _)| *k == "content-type") {
            req = req.header("content-type", "text/plain;charset=UTF-8");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.body(body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, record: &Value) -> (u16, Value) {
        self.post_raw(record.to_string(), &[("origin", SITE)]).await
    }

    async fn get(&self, path: &str, bearer: Option<&str>) -> (u16, String) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    async fn export(&self) -> String {
        let (status, body) = self.get("/v1/export", Some(ADMIN)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn public_key(&self) -> sekisho_server::sign::PublicKey {
        let (_, body) = self.get("/v1/public-key", None).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        sekisho_server::sign::PublicKey::parse(v["publicKey"].as_str().unwrap()).unwrap()
    }

    async fn count(&self) -> i64 {
        self.api.store.count().await.unwrap()
    }
}

#[tokio::test]
async fn a_record_is_stored_once_chained_signed_and_exported() {
    let dir = Dir::new();
    for db in databases(&dir).await {
        let s = serve(&config(&dir, &db)).await;
        let consent = uuid(1);
        let first = record(&uuid(100), &consent, false);
        let (status, stored) = s.post(&first).await;
        assert_eq!(status, 201, "{db}: {stored}");
        assert_eq!(stored["seq"], 1);
        assert_eq!(stored["prevHash"], Value::Null);
        assert_eq!(stored["recordId"], first["recordId"]);
        assert!(stored["receivedAt"].as_u64().unwrap() > 1_700_000_000_000);
        assert!(stored.get("ip").is_none());
        // The same record again: stored once.
        let (status, again) = s.post(&first).await;
        assert_eq!((status, &again), (200, &stored), "{db}");
        // The same id with other content: refused.
        let (status, body) = s.post(&record(&uuid(100), &consent, true)).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (409, Some("recordId")),
            "{db}"
        );
        // The next record of the consent links to the first.
        let (status, second) = s.post(&record(&uuid(101), &consent, true)).await;
        assert_eq!(status, 201);
        assert_eq!(second["seq"], 2);
        assert_eq!(second["prevHash"], stored["hash"]);
        let (status, latest) = s.get(&format!("/v1/consents/{consent}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_str::<Value>(&latest).unwrap(), second);
        assert_eq!(
            s.get(&format!("/v1/consents/{}", uuid(9)), None).await.0,
            404
        );
        assert_eq!(s.count().await, 2);

        // The export verifies offline; any change to it does not.
        let export = s.export().await;
        let key = s.public_key().await;
        let report = verify::verify(&export, &key);
        assert!(report.ok(), "{db}: {report:?}");
        assert_eq!((report.records, report.consents), (2, 1));
        let altered = export.replace("\"analytics\":true", "\"analytics\":false");
        assert!(!verify::verify(&altered, &key).ok());
        let dropped: String = export.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert_eq!(
            verify::verify(&dropped, &key).partial_chains,
            1,
            "a chain starting later is reported"
        );
        let other_key = sekisho_server::sign::PublicKey::parse(
            &sekisho_server::sign::Key::from_secret(&[9; 32]).public(),
        )
        .unwrap();
        assert!(!verify::verify(&export, &other_key).ok());
        // The admin token guards the export.
        assert_eq!(s.get("/v1/export", None).await.0, 401);
        assert_eq!(
            s.get("/v1/export", Some("wrong-token-wrong-token")).await.0,
            401
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_reason_and_stores_nothing() {
    let dir = Dir::new();
    for db in databases(&dir).await {
        let s = serve(&config(&dir, &db)).await;
        let good = record(&uuid(200), &uuid(2), true);
        let with = |f: &dyn Fn(&mut Value)| {
            let mut r = good.clone();
            f(&mut r);
            r.to_string()
        };
        // (body, request headers, status, the field the answer names)
        type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str);
        let cases: Vec<Case> = vec![
            ("{not json".into(), vec![], 400, ""),
            ("[]".into(), vec![], 400, ""),
            (
                with(&|r| r["revision"] = json!("1")),
                vec![],
                400,
                "revision",
            ),
            (with(&|r| r["ip"] = json!("203.0.113.7")), vec![], 400, "ip"),
            (
                with(&|r| r["choices"]["categories"]["ads"] = json!(1)),
                vec![],
                400,
                "choices.categories.ads",
            ),
            (
                with(&|r| r["site"] = json!("https://evil.example")),
                vec![],
                400,
                "site",
            ),
            (
                with(&|r| {
                    r["subject"] = json!(SubjectKey::new(b"not-the-key-not-the-key-not-the-key!")
                        .issue("m1", SITE, u64::MAX))
                }),
                vec![],
                400,
                "subject",
            ),
            (with(&|r| r["hash"] = json!("00")), vec![], 400, "hash"),
            (
                good.to_string(),
                vec![("origin", "https://evil.example")],
                403,
                "site",
            ),
            (
                good.to_string(),
                vec![("content-type", "application/x-www-form-urlencoded")],
                415,
                "",
            ),
            ("x".repeat(20_000), vec![], 413, ""),
        ];
        for (body, headers, status, field) in cases {
            let (got, answer) = s.post_raw(body.clone(), &headers).await;
            assert_eq!(
                got,
                status,
                "{db}: {} → {answer}",
                &body[..body.len().min(80)]
            );
            assert!(
                answer["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{answer}"
            );
            if !field.is_empty() {
                assert_eq!(answer["field"], field, "{answer}");
            }
        }
        assert_eq!(s.count().await, 0, "{db}: nothing stored");
        assert_eq!(s.get("/healthz", None).await, (200, "ok".to_string()));
        assert_eq!(s.post(&good).await.0, 201, "still serving");
    }
}

#[tokio::test]
async fn rate_limits_answer_429_with_when_to_retry() {
    let dir = Dir::new();
    let db = databases(&dir).await.remove(0);
    let mut c = config(&dir, &db);
    c.rate_per_consent = 2;
    let s = serve(&c).await;
    let consent = uuid(3);
    assert_eq!(s.post(&record(&uuid(300), &consent, true)).await.0, 201);
    assert_eq!(s.post(&record(&uuid(301), &consent, false)).await.0, 201);
    let res = s
        .http
        .post(format!("{}/v1/records", s.base))
        .header("content-type", "text/plain")
        .body(record(&uuid(302), &consent, true).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(
        s.post(&record(&uuid(303), &uuid(4), true)).await.0,
        201,
        "another consent"
    );
}

#[tokio::test]
async fn a_members_choice_is_kept_under_a_pseudonym_and_read_back_with_their_token() {
    let dir = Dir::new();
    for db in databases(&dir).await {
        let s = serve(&config(&dir, &db)).await;
        let key = SubjectKey::new(SUBJECT_KEY);
        let token = key.issue("member-42", SITE, u64::MAX / 2_000);
        let (phone, laptop) = (uuid(5), uuid(6));
        let mut r = record(&uuid(500), &phone, false);
        r["subject"] = json!(token);
        let (status, stored) = s.post(&r).await;
        assert_eq!(status, 201, "{stored}");
        assert_eq!(stored["subject"], key.pseudonym("member-42"));
        assert!(
            !stored.to_string().contains("member-42"),
            "never the member id"
        );
        let mut r = record(&uuid(501), &laptop, true);
        r["subject"] = json!(token);
        assert_eq!(s.post(&r).await.0, 201);
        // A member's consent is read with their token only.
        assert_eq!(s.get(&format!("/v1/consents/{phone}"), None).await.0, 403);
        assert_eq!(
            s.get(&format!("/v1/consents/{phone}"), Some(&token))
                .await
                .0,
            200
        );
        // Their latest choice, from any device.
        let (status, latest) = s
            .get(&format!("/v1/subjects/latest?site={SITE}"), Some(&token))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&latest).unwrap()["consentId"],
            laptop
        );
        let other = key.issue("member-43", SITE, u64::MAX / 2_000);
        assert_eq!(
            s.get(&format!("/v1/subjects/latest?site={SITE}"), Some(&other))
                .await
                .0,
            404
        );
        assert_eq!(
            s.get(
                &format!("/v1/subjects/latest?site={SITE}"),
                Some("forged.token")
            )
            .await
            .0,
            403
        );
    }
}

#[tokio::test]
async fn concurrent_records_keep_every_chain_whole() {
    let dir = Dir::new();
    for db in databases(&dir).await {
        let s = Arc::new(serve(&config(&dir, &db)).await);
        let mut tasks = Vec::new();
        for i in 0..400u64 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.post(&record(&uuid(10_000 + i), &uuid(i % 20), i % 2 == 0))
                    .await
                    .0
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 201);
        }
        let report = verify::verify(&s.export().await, &s.public_key().await);
        assert!(report.ok(), "{db}: {report:?}");
        assert_eq!(
            (report.records, report.consents, report.partial_chains),
            (400, 20, 0)
        );
    }
}

#[tokio::test]
async fn two_instances_on_one_postgresql_share_every_chain() {
    let Ok(admin) = std::env::var("SEKISHO_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SEKISHO_TEST_POSTGRES_URL is not set (no PostgreSQL)");
        return;
    };
    let dir = Dir::new();
    let db = support::fresh_postgres(&admin).await;
    let a = Arc::new(serve(&config(&dir, &db)).await);
    let b = Arc::new(serve(&config(&dir, &db)).await);
    let mut tasks = Vec::new();
    for i in 0..300u64 {
        let server = if i % 2 == 0 { a.clone() } else { b.clone() };
        // The same record through both instances now and then: stored once.
        let twin = if i % 10 == 0 {
            Some(if i % 2 == 0 { b.clone() } else { a.clone() })
        } else {
            None
        };
        tasks.push(tokio::spawn(async move {
            let r = record(&uuid(20_000 + i), &uuid(i % 7), i % 3 == 0);
            let mut statuses = vec![server.post(&r).await.0];
            if let Some(twin) = twin {
                statuses.push(twin.post(&r).await.0);
            }
            statuses
        }));
    }
    for t in tasks {
        let statuses = t.await.unwrap();
        assert_eq!(statuses[0], 201);
        if let Some(second) = statuses.get(1) {
            assert_eq!(*second, 200, "a duplicate through the other instance");
        }
    }
    let report = verify::verify(&a.export().await, &a.public_key().await);
    assert!(report.ok(), "{report:?}");
    assert_eq!((report.records, report.consents), (300, 7));
}
