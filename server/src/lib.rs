//! `sekisho-server`: the server side of Sekisho — consent records as verifiable proof.
//!
//! Map: `record` (what a browser sends, checked; the canonical form; the hash chain), `sign` (the
//! server's Ed25519 key), `subject` (members' tokens and pseudonyms), `store` (SQLite or
//! PostgreSQL), `writer` (one task, group commit), `limits` (rate limits), `api` (the HTTP API,
//! docs/contracts.md §6), `verify` (an export checked offline), `demo` (the demo site and the
//! built SDK on the same port). The API's routes go before the demo fallback, so they always win
//! over a file of the same name.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub mod api;
pub mod demo;
pub mod disclosure;
pub mod limits;
pub mod record;
pub mod sign;
pub mod store;
pub mod subject;
pub mod verify;
pub mod writer;

pub use api::Api;
pub use demo::DemoDirs;

/// Everything [`app`] needs to build the router.
#[derive(Clone, Default)]
pub struct AppOptions {
    /// `Some` in `--demo` mode: serve these directories.
    pub demo: Option<DemoDirs>,
    /// The record API (none: `/healthz` and the demo only).
    pub api: Option<Arc<Api>>,
}

/// Builds the HTTP router.
pub fn app(opts: AppOptions) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz));
    if let Some(api) = opts.api {
        router = router.merge(api::router(api));
    }
    if let Some(dirs) = opts.demo {
        router = demo::install(router, dirs);
    }
    router.layer(middleware::from_fn(log_request))
}

/// How the record API is set up (the command line's flags).
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// `sqlite:<file>` or `postgres://…`.
    pub database: String,
    /// The server's signing key (created when missing).
    pub key_file: PathBuf,
    pub sites: Vec<String>,
    /// Demo mode: the server's own origin is a site too.
    pub same_origin: bool,
    pub admin_token_file: Option<PathBuf>,
    pub subject_key_file: Option<PathBuf>,
    /// Records a minute per client address and per consent (0: no limit).
    pub rate_per_ip: u32,
    pub rate_per_consent: u32,
    /// Records older than this are deleted (0: kept for good).
    pub retention_days: u32,
}

/// Opens the database (migrating it), loads or creates the key, starts the writer and the
/// retention purge.
pub async fn start_api(config: &ApiConfig) -> Result<Arc<Api>, String> {
    for site in &config.sites {
        if !record::is_origin(site) {
            return Err(format!(
                "--site {site}: expected an origin like https://www.example.jp"
            ));
        }
    }
    let store = store::Store::open(&config.database).await?;
    let key = Arc::new(sign::Key::load_or_create(&config.key_file)?);
    let admin_token = match &config.admin_token_file {
        None => None,
        Some(path) => {
            let token = std::fs::read_to_string(path)
                .map_err(|e| format!("--admin-token-file {}: {e}", path.display()))?;
            let token = token.trim().to_owned();
            if token.len() < 16 {
                return Err(format!(
                    "--admin-token-file {}: a token has at least 16 characters",
                    path.display()
                ));
            }
            Some(token)
        }
    };
    let subject_key = match &config.subject_key_file {
        None => None,
        Some(path) => Some(subject::SubjectKey::load(path)?),
    };
    if config.retention_days > 0 {
        let store = store.clone();
        let keep = u64::from(config.retention_days) * 86_400_000;
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                let before = writer::now_ms().saturating_sub(keep);
                match store.purge(before).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(records = n, "retention: deleted records past their time")
                    }
                    Err(e) => tracing::error!(error = %e, "retention purge failed"),
                }
            }
        });
    }
    tracing::info!(database = %store::redact(&config.database), kind = store.kind(), key = key.id(), "record API ready");
    Ok(Arc::new(Api {
        writer: writer::Writer::start(store.clone(), key.clone()),
        store,
        key,
        sites: config.sites.clone(),
        same_origin: config.same_origin,
        admin_token,
        subject_key,
        limits: limits::RateLimits::new(config.rate_per_ip, config.rate_per_consent),
    }))
}

/// `GET /healthz` → `200 ok`, always.
async fn healthz() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        "ok",
    )
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status();
    let micros = started.elapsed().as_micros();
    if status.is_server_error() {
        tracing::warn!(%method, %uri, status = status.as_u16(), micros, "request");
    } else {
        tracing::debug!(%method, %uri, status = status.as_u16(), micros, "request");
    }
    res
}
