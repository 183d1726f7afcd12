//! What the server's tests and its ingest bench share: a fresh PostgreSQL database, and the record
//! API served on 127.0.0.1 (with the client address, as `sekisho-server` serves it).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sekisho_server::{app, Api, AppOptions};

/// A new empty database on the server of `admin_url` (`SEKISHO_TEST_POSTGRES_URL`); its URL.
pub async fn fresh_postgres(admin_url: &str) -> String {
    use sqlx::Connection;
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "sekisho_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at SEKISHO_TEST_POSTGRES_URL={admin_url:?}: {e}"));
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::raw_sql(&statement).execute(&mut admin).await.unwrap();
    }
    let base = admin_url.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

/// Serves `api` on a free port of 127.0.0.1; its address.
pub async fn serve(api: Arc<Api>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(AppOptions {
        api: Some(api),
        ..Default::default()
    });
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    addr
}
