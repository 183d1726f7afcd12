//! `sekisho-server`: the server side of Sekisho.
//!
//! For now it serves `/healthz` and, in demo mode, the demo site (`www/`) at `/` and the built SDK
//! (`dist/`) at `/sekisho/`, both on one port. The consent-record API of docs/contracts.md §6
//! (`POST /v1/records`, `GET /v1/consents/{id}`, `GET /v1/export`) is added to [`app`] later; its
//! routes go before the demo fallback, so they always win over a file of the same name.

use std::time::Instant;

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub mod demo;

pub use demo::DemoDirs;

/// Everything [`app`] needs to build the router. Later issues add the store, tokens, CORS list, …
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// `Some` in `--demo` mode: serve these directories.
    pub demo: Option<DemoDirs>,
}

/// Builds the HTTP router.
pub fn app(opts: AppOptions) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz));
    // Later: .nest("/v1", api::router(state))
    if let Some(dirs) = opts.demo {
        router = demo::install(router, dirs);
    }
    router.layer(middleware::from_fn(log_request))
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
