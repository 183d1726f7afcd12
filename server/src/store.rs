//! Where records are kept: a SQLite file (the default: WAL, one writer) or PostgreSQL (selected
//! by a `postgres://` URL; several server instances may share one database). The schema is
//! created or brought up to date at start.
//!
//! Tables: `records` (one row per stored record: its ids, place in the chain, hashes and the
//! signed JSON) and `consents` (each consent's chain head: last `seq` and `hash`). A batch of
//! records is written in one transaction ([`Store::insert`]): per record, a duplicate `recordId`
//! is answered from what is stored (same content: the stored record; other content: a
//! conflict), else the record is chained after its consent's head, hashed, signed and inserted.
//! On PostgreSQL the head row is locked (`FOR UPDATE`, in consent order), so two instances
//! never fork a chain.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

use crate::record::{canonical, chain, Chained, Incoming};
use crate::sign::Key;

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What became of one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Stored now: the stored record (JSON text).
    Created(String),
    /// Stored before with the same content: the stored record.
    Duplicate(String),
    /// The `recordId` is stored with other content.
    Conflict,
}

/// The schema, step by step; `meta.version` says how many steps a database has.
const SQLITE_STEPS: &[&str] = &["
    CREATE TABLE records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL UNIQUE,
        consent_id TEXT NOT NULL,
        subject TEXT,
        seq INTEGER NOT NULL,
        site TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (consent_id, seq)
    );
    CREATE INDEX records_received_at ON records (received_at);
    CREATE INDEX records_subject ON records (subject) WHERE subject IS NOT NULL;
    CREATE TABLE consents (
        consent_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );"];

const POSTGRES_STEPS: &[&str] = &["
    CREATE TABLE records (
        id BIGSERIAL PRIMARY KEY,
        record_id TEXT NOT NULL UNIQUE,
        consent_id TEXT NOT NULL,
        subject TEXT,
        seq BIGINT NOT NULL,
        site TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (consent_id, seq)
    );
    CREATE INDEX records_received_at ON records (received_at);
    CREATE INDEX records_subject ON records (subject) WHERE subject IS NOT NULL;
    CREATE TABLE consents (
        consent_id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        updated_at BIGINT NOT NULL
    );"];

/// `$body` with `$pool` bound to the store's pool, whichever database it is: a statement is
/// written once, with `$1`-style parameters (SQLite reads them too, numbered in order).
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}

impl Store {
    /// Opens `url` (`sqlite:<file>` or `postgres://…`), creating a SQLite file if needed, and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, String> {
        let store = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(|e| format!("PostgreSQL {}: {e}", redact(url)))?;
            Store::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| format!("{url}: {e}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // A commit is in the WAL file before the answer: it survives the process being
                // killed (an OS crash may lose the last ones: FULL syncs each commit).
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(|e| format!("SQLite {url}: {e}"))?;
            Store::Sqlite(pool)
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "SQLite",
            Store::Postgres(_) => "PostgreSQL",
        }
    }

    async fn migrate(&self) -> Result<(), String> {
        let err = |e: sqlx::Error| format!("migrating the schema: {e}");
        let (steps, lock) = match self {
            Store::Sqlite(_) => (SQLITE_STEPS, None),
            // One instance migrates at a time.
            Store::Postgres(_) => (
                POSTGRES_STEPS,
                Some("SELECT pg_advisory_xact_lock(7305400001)"),
            ),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(err)?;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            let version: Option<String> =
                sqlx::query_scalar("SELECT value FROM meta WHERE key = 'version'")
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(err)?;
            let version: usize = version.and_then(|v| v.parse().ok()).unwrap_or(0);
            if version > steps.len() {
                return Err(format!(
                    "the database's schema (version {version}) is newer than this server's ({})",
                    steps.len()
                ));
            }
            for step in steps.iter().skip(version) {
                sqlx::raw_sql(step).execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query("DELETE FROM meta WHERE key = 'version'")
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            sqlx::query("INSERT INTO meta (key, value) VALUES ('version', $1)")
                .bind(steps.len().to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            tx.commit().await.map_err(err)?;
        });
        Ok(())
    }

    /// Stores a batch of records in one transaction, `received_at` (Unix ms) for all; one
    /// outcome per record, in order. An error means none of them was stored.
    pub async fn insert(
        &self,
        key: &Key,
        batch: &[Incoming],
        received_at: u64,
    ) -> Result<Vec<Outcome>, sqlx::Error> {
        // Heads are locked in consent order (PostgreSQL): instances never wait on each other in
        // a cycle. Records of one consent keep their arrival order.
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|a, b| batch[*a].consent_id.cmp(&batch[*b].consent_id));
        let mut outcomes = vec![Outcome::Conflict; batch.len()];
        let sql = match self {
            Store::Sqlite(_) => &SQLITE_SQL,
            Store::Postgres(_) => &POSTGRES_SQL,
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for &i in &order {
                let incoming = &batch[i];
                let content_hash = incoming.content_hash();
                let existing = sqlx::query(sql.existing)
                    .bind(&incoming.record_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = existing {
                    let stored_hash: String = row.try_get(0)?;
                    let body: String = row.try_get(1)?;
                    outcomes[i] = if stored_hash == content_hash {
                        Outcome::Duplicate(body)
                    } else {
                        Outcome::Conflict
                    };
                    continue;
                }
                if let Some(lock) = sql.lock_head {
                    sqlx::query(lock)
                        .bind(&incoming.consent_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let head = sqlx::query(sql.head)
                    .bind(&incoming.consent_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (seq, prev): (i64, Option<String>) = match head {
                    Some(row) => {
                        let seq: i64 = row.try_get(0)?;
                        let hash: String = row.try_get(1)?;
                        (seq, (!hash.is_empty()).then_some(hash))
                    }
                    None => (0, None),
                };
                let seq = seq + 1;
                let (mut stored, hash) = chain(
                    incoming,
                    &Chained {
                        received_at,
                        seq: seq as u64,
                        prev_hash: prev.as_deref(),
                    },
                );
                stored.insert("hash".into(), hash.clone().into());
                stored.insert("keyId".into(), key.id().into());
                stored.insert("sig".into(), key.sign(&hash).into());
                let body = canonical(&Value::Object(stored));
                let inserted = sqlx::query(sql.insert)
                    .bind(&incoming.record_id)
                    .bind(&incoming.consent_id)
                    .bind(incoming.body.get("subject").and_then(Value::as_str))
                    .bind(seq)
                    .bind(&incoming.site)
                    .bind(received_at as i64)
                    .bind(&content_hash)
                    .bind(&hash)
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
                if inserted.rows_affected() == 0 {
                    // Stored meanwhile by another instance: the same record, or the same
                    // recordId with other content.
                    let row = sqlx::query(sql.existing)
                        .bind(&incoming.record_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    outcomes[i] = match row {
                        Some(row) if row.try_get::<String, _>(0)? == content_hash => {
                            Outcome::Duplicate(row.try_get(1)?)
                        }
                        _ => Outcome::Conflict,
                    };
                    continue;
                }
                sqlx::query(sql.advance)
                    .bind(&incoming.consent_id)
                    .bind(seq)
                    .bind(&hash)
                    .bind(received_at as i64)
                    .execute(&mut *tx)
                    .await?;
                outcomes[i] = Outcome::Created(body);
            }
            tx.commit().await?;
        });
        Ok(outcomes)
    }

    /// The latest stored record of a consent (JSON text).
    pub async fn latest(&self, consent_id: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_scalar(
            "SELECT body FROM records WHERE consent_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(consent_id)
        .fetch_optional(pool)
        .await)
    }

    /// The latest stored record of a member, on any device (`subject`: its pseudonym).
    pub async fn latest_for_subject(&self, subject: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_scalar(
            "SELECT body FROM records WHERE subject = $1 ORDER BY received_at DESC, id DESC LIMIT 1",
        )
        .bind(subject)
        .fetch_optional(pool)
        .await)
    }

    /// Up to `limit` stored records received at or after `since` (Unix ms), in storage order,
    /// after row `after`: `(row id, JSON text)`.
    pub async fn export_page(
        &self,
        since: u64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as(
            "SELECT id, body FROM records WHERE received_at >= $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(since as i64)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await)
    }

    /// Deletes the records received before `before` (Unix ms); how many. (Chains keep their
    /// heads: the next record still links to the last one, and an export shows where its
    /// records start.)
    pub async fn purge(&self, before: u64) -> Result<u64, sqlx::Error> {
        on_pool!(self, pool => sqlx::query("DELETE FROM records WHERE received_at < $1")
            .bind(before as i64)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
    }

    /// How many records are stored.
    pub async fn count(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(pool)
            .await)
    }
}

/// The statements of [`Store::insert`] where the two databases differ: a chain's head is
/// locked on PostgreSQL (instances share it), while SQLite has one writer.
struct InsertSql {
    existing: &'static str,
    /// Creates and locks the consent's head row (PostgreSQL).
    lock_head: Option<&'static str>,
    head: &'static str,
    insert: &'static str,
    advance: &'static str,
}

const EXISTING: &str = "SELECT content_hash, body FROM records WHERE record_id = $1";
const INSERT: &str = "INSERT INTO records (record_id, consent_id, subject, seq, site, received_at, content_hash, hash, body) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (record_id) DO NOTHING";

const SQLITE_SQL: InsertSql = InsertSql {
    existing: EXISTING,
    lock_head: None,
    head: "SELECT seq, head_hash FROM consents WHERE consent_id = $1",
    insert: INSERT,
    advance: "INSERT INTO consents (consent_id, seq, head_hash, updated_at) VALUES ($1, $2, $3, $4) \
              ON CONFLICT (consent_id) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash, \
              updated_at = excluded.updated_at",
};

const POSTGRES_SQL: InsertSql = InsertSql {
    existing: EXISTING,
    lock_head: Some(
        "INSERT INTO consents (consent_id, seq, head_hash, updated_at) VALUES ($1, 0, '', 0) \
         ON CONFLICT (consent_id) DO NOTHING",
    ),
    head: "SELECT seq, head_hash FROM consents WHERE consent_id = $1 FOR UPDATE",
    insert: INSERT,
    advance: "UPDATE consents SET seq = $2, head_hash = $3, updated_at = $4 WHERE consent_id = $1",
};

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            [&url[..scheme + 3], user, ":***", &url[at..]].concat()
        }
        _ => url.to_owned(),
    }
}
