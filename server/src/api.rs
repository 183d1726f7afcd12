//! The consent-record API (docs/contracts.md §6):
//! - `POST /v1/records` — a record from a browser: 201 stored (the stored record), 200 stored
//!   before with the same content, 400 invalid (`{"error", "field"}`), 403 an origin or site not
//!   served, 409 its `recordId` stored with other content, 413 too large, 429 too many (with
//!   `Retry-After`), 503 the database failed (nothing stored: the browser retries).
//! - `GET /v1/consents/{consentId}` — the latest stored record of a consent (with a subject, the
//!   member's token as `Authorization: Bearer`).
//! - `GET /v1/subjects/latest` — the latest record of the member whose token is the bearer (their
//!   choice from another device).
//! - `GET /v1/export?since=<Unix ms>` — the admin token as bearer; NDJSON, one stored record per
//!   line, in storage order.
//! - `GET /v1/public-key` — the key records are signed with; `GET /v1/openapi.json`.
//!
//! Browsers POST with `Content-Type: text/plain` (no CORS preflight); CORS answers only the
//! configured sites' origins.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::limits::RateLimits;
use crate::record::{self, is_uuid, MAX_BODY};
use crate::sign::Key;
use crate::store::{Outcome, Store};
use crate::subject::SubjectKey;
use crate::writer::{now_ms, Writer};

/// What the API serves with.
pub struct Api {
    pub store: Store,
    pub writer: Writer,
    pub key: Arc<Key>,
    /// The sites (origins) whose records are taken; their origins are CORS-allowed.
    pub sites: Vec<String>,
    /// Demo mode: a record from the server's own origin is taken too.
    pub same_origin: bool,
    pub admin_token: Option<String>,
    pub subject_key: Option<SubjectKey>,
    pub limits: RateLimits,
}

impl Api {
    fn serves(&self, site: &str, headers: &HeaderMap) -> bool {
        self.sites.iter().any(|s| s == site) || (self.same_origin && own_origin(headers) == site)
    }
}

/// The request's own origin as the browser sees it (`http://<Host>`), for demo mode.
fn own_origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    ["http://", host].concat()
}

pub fn router(api: Arc<Api>) -> Router {
    let allowed: Vec<HeaderValue> = api
        .sites
        .iter()
        .filter_map(|s| HeaderValue::from_str(s).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(std::time::Duration::from_secs(600));
    Router::new()
        .route("/v1/records", post(post_record))
        .route("/v1/consents/{consent_id}", get(get_consent))
        .route("/v1/subjects/latest", get(get_subject_latest))
        .route("/v1/export", get(export))
        .route("/v1/public-key", get(public_key))
        .route("/v1/openapi.json", get(openapi))
        .layer(cors)
        .with_state(api)
}

fn error(status: StatusCode, field: &str, message: impl Into<String>) -> Response {
    let mut body = json!({ "error": message.into() });
    if !field.is_empty() {
        body["field"] = field.into();
    }
    (status, axum::Json(body)).into_response()
}

fn stored(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn client_ip(peer: Option<SocketAddr>) -> IpAddr {
    peer.map_or(IpAddr::from([0, 0, 0, 0]), |p| p.ip())
}

async fn post_record(State(api): State<Arc<Api>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(wait) = api.limits.per_ip(client_ip(peer)) {
        return too_many(wait, "too many records from this address");
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("text/plain")
        && !essence.eq_ignore_ascii_case("application/json")
    {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "",
            "send the record as text/plain or application/json",
        );
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "",
                format!("a record has at most {MAX_BODY} bytes"),
            )
        }
    };
    let mut incoming = match record::parse(&bytes) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.field, e.to_string()),
    };
    if !api.serves(&incoming.site, &headers) {
        return error(
            StatusCode::BAD_REQUEST,
            "site",
            format!(
                "site: {} is not a site this server takes records for (--site)",
                incoming.site
            ),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin != incoming.site {
            return error(
                StatusCode::FORBIDDEN,
                "site",
                format!("a record of {} sent from {origin}", incoming.site),
            );
        }
    }
    if let Some(token) = incoming.body.get("subject").and_then(Value::as_str) {
        let Some(key) = &api.subject_key else {
            return error(
                StatusCode::BAD_REQUEST,
                "subject",
                "subject: this server takes no subject tokens (no --subject-key-file)",
            );
        };
        match key.verify(token, &incoming.site, now_ms() / 1000) {
            Ok(pseudonym) => {
                incoming.body.insert("subject".into(), pseudonym.into());
            }
            Err(why) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "subject",
                    ["subject: ", why].concat(),
                )
            }
        }
    }
    if let Some(wait) = api.limits.per_consent(&incoming.consent_id) {
        return too_many(wait, "too many records for this consent");
    }
    let record_id = incoming.record_id.clone();
    match api.writer.write(incoming).await {
        Ok(Outcome::Created(body)) => stored(StatusCode::CREATED, body),
        Ok(Outcome::Duplicate(body)) => stored(StatusCode::OK, body),
        Ok(Outcome::Conflict) => error(
            StatusCode::CONFLICT,
            "recordId",
            format!("recordId: {record_id} is stored with other content"),
        ),
        Err(e) => {
            let mut res = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "",
                format!("the record could not be stored ({e}); send it again"),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
    }
}

fn too_many(wait_secs: u64, message: &str) -> Response {
    let mut res = error(StatusCode::TOO_MANY_REQUESTS, "", message);
    if let Ok(v) = HeaderValue::from_str(&wait_secs.max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The bearer token of a request.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn get_consent(
    State(api): State<Arc<Api>>,
    Path(consent_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !is_uuid(&consent_id) {
        return error(
            StatusCode::BAD_REQUEST,
            "consentId",
            "consentId: expected a UUID",
        );
    }
    let latest = match api.store.latest(&consent_id).await {
        Ok(Some(body)) => body,
        Ok(None) => return error(StatusCode::NOT_FOUND, "", "no record for this consent"),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "", e.to_string()),
    };
    // A consent linked to a member is the member's: their token is asked for.
    let parsed: Value = serde_json::from_str(&latest).unwrap_or(Value::Null);
    if let Some(subject) = parsed["subject"].as_str() {
        let site = parsed["site"].as_str().unwrap_or("");
        let shown = match (&api.subject_key, bearer(&headers)) {
            (Some(key), Some(token)) => key.verify(token, site, now_ms() / 1000).ok(),
            _ => None,
        };
        if shown.as_deref() != Some(subject) {
            return error(
                StatusCode::FORBIDDEN,
                "",
                "this consent belongs to a member: send their subject token as the bearer",
            );
        }
    }
    stored(StatusCode::OK, latest)
}

#[derive(Deserialize)]
struct SubjectQuery {
    site: String,
}

async fn get_subject_latest(
    State(api): State<Arc<Api>>,
    Query(q): Query<SubjectQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(key) = &api.subject_key else {
        return error(
            StatusCode::NOT_FOUND,
            "",
            "this server takes no subject tokens",
        );
    };
    let Some(token) = bearer(&headers) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "",
            "send the member's subject token as the bearer",
        );
    };
    let subject = match key.verify(token, &q.site, now_ms() / 1000) {
        Ok(s) => s,
        Err(why) => return error(StatusCode::FORBIDDEN, "subject", why),
    };
    match api.store.latest_for_subject(&subject).await {
        Ok(Some(body)) => stored(StatusCode::OK, body),
        Ok(None) => error(StatusCode::NOT_FOUND, "", "no record for this member"),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, "", e.to_string()),
    }
}

#[derive(Deserialize)]
struct ExportQuery {
    since: Option<u64>,
}

/// Constant-time equality: the admin token is not guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn export(
    State(api): State<Arc<Api>>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(expected) = &api.admin_token else {
        return error(
            StatusCode::FORBIDDEN,
            "",
            "export is off: start the server with --admin-token-file",
        );
    };
    if !bearer(&headers).is_some_and(|t| same(t, expected)) {
        return error(
            StatusCode::UNAUTHORIZED,
            "",
            "send the admin token as `Authorization: Bearer <token>`",
        );
    }
    let since = q.since.unwrap_or(0);
    let store = api.store.clone();
    // Pages of 1,000 rows, streamed: an export of millions of records holds no more in memory.
    let pages = futures_util::stream::unfold(Some(0i64), move |after| {
        let store = store.clone();
        async move {
            let after = after?;
            match store.export_page(since, after, 1000).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = rows.last().map(|(id, _)| *id);
                    let mut chunk = String::new();
                    for (_, body) in rows {
                        chunk.push_str(&body);
                        chunk.push('\n');
                    }
                    Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next))
                }
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
        Body::from_stream(pages),
    )
        .into_response()
}

async fn public_key(State(api): State<Arc<Api>>) -> Response {
    axum::Json(json!({
        "algorithm": "Ed25519",
        "keyId": api.key.id(),
        "publicKey": api.key.public(),
        "signs": "the 32 bytes of each record's `hash` (SHA-256 of the canonical record without hash, sig and keyId)"
    }))
    .into_response()
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        include_str!("openapi.json"),
    )
        .into_response()
}
