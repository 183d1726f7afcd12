//! `sekisho-server` command line: arguments (each also an environment variable), logging,
//! startup; `sekisho-server verify FILE` checks an export offline.

use std::{
    io::IsTerminal,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    process::ExitCode,
    str::FromStr,
};

use clap::{Parser, Subcommand};
use sekisho_server::{app, disclosure, start_api, ApiConfig, AppOptions, DemoDirs};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Sekisho server: stores consent records as verifiable proof (SQLite by default, PostgreSQL by
/// URL). With --demo it also serves the demo site and the built SDK on the same port.
#[derive(Parser, Debug)]
#[command(name = "sekisho-server", version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(
        long,
        env = "SEKISHO_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    listen: SocketAddr,
    /// Database: a SQLite file (`sqlite:sekisho.db`, created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "SEKISHO_DATABASE_URL",
        default_value = "sqlite:sekisho.db",
        value_name = "URL"
    )]
    database: String,
    /// A site (origin) whose records are taken, and whose pages may call the API (CORS). Repeat
    /// it, or list them comma-separated in SEKISHO_SITES.
    #[arg(
        long = "site",
        env = "SEKISHO_SITES",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    sites: Vec<String>,
    /// File holding the admin token that `GET /v1/export` asks for (no file: export is off).
    #[arg(long, env = "SEKISHO_ADMIN_TOKEN_FILE", value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// File holding the key the site's backend signs subject tokens with (`identify`); none: the
    /// server takes no subject.
    #[arg(long, env = "SEKISHO_SUBJECT_KEY_FILE", value_name = "FILE")]
    subject_key_file: Option<PathBuf>,
    /// The server's Ed25519 signing key (created on first start).
    #[arg(
        long,
        env = "SEKISHO_KEY_FILE",
        default_value = "sekisho-server.key",
        value_name = "FILE"
    )]
    key_file: PathBuf,
    /// Records a minute taken from one client address (0: no limit). The address is never stored.
    #[arg(long, env = "SEKISHO_RATE_PER_IP", default_value_t = 600)]
    rate_per_ip: u32,
    /// Records a minute taken for one consent (0: no limit).
    #[arg(long, env = "SEKISHO_RATE_PER_CONSENT", default_value_t = 60)]
    rate_per_consent: u32,
    /// Records older than this many days are deleted (0: kept for good). Japan's confirmation
    /// records (APPI art. 31) are kept 3 years.
    #[arg(long, env = "SEKISHO_RETENTION_DAYS", default_value_t = 1095)]
    retention_days: u32,
    /// Serve the demo site (--www) at / and the built SDK (--dist) at /sekisho/; records from the
    /// server's own origin are taken.
    #[arg(long)]
    demo: bool,
    /// Demo site directory (demo mode).
    #[arg(long, default_value = "www", value_name = "DIR")]
    www: PathBuf,
    /// Built SDK directory, output of scripts/build.sh (demo mode).
    #[arg(long, default_value = "dist", value_name = "DIR")]
    dist: PathBuf,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Prints the 外部送信 disclosure table of a site's config (the JSON of `#sekisho-config`) for
    /// its policy page: the same table `[data-sekisho-disclosure]` shows, or CSV.
    Disclosure {
        /// The config file.
        config: PathBuf,
        /// The table's language.
        #[arg(long, default_value = "ja", value_name = "ja|en")]
        lang: String,
        /// `html`: the table, to paste into the policy page (the SDK on that page makes its
        /// "privacy settings" buttons work); `csv`: the same rows for a spreadsheet.
        #[arg(long, value_enum, default_value = "html")]
        format: disclosure::Format,
        /// Catalog services the site uses without listing them in `services` (comma-separated ids).
        #[arg(long, value_delimiter = ',', value_name = "ID,…")]
        with: Vec<String>,
    },
    /// Checks an NDJSON export (`GET /v1/export`): every hash, signature and chain link. Exits
    /// non-zero on any break.
    Verify {
        /// The export file.
        file: PathBuf,
        /// The public key, base64 (as `GET /v1/public-key` gives it).
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
        /// A file with the public key: base64, or the JSON of `GET /v1/public-key`.
        #[arg(long, value_name = "FILE")]
        public_key_file: Option<PathBuf>,
        /// The server's signing key file, whose public half is used (the default when no public
        /// key is given).
        #[arg(
            long,
            env = "SEKISHO_KEY_FILE",
            default_value = "sekisho-server.key",
            value_name = "FILE"
        )]
        key_file: PathBuf,
    },
}

fn init_logging() {
    // RUST_LOG uses the `target=level,level` syntax (no regexes); default: info.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| Targets::from_str(&s).ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .with(filter)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    match args.command {
        Some(Command::Verify {
            ref file,
            ref public_key,
            ref public_key_file,
            ref key_file,
        }) => verify(
            file,
            public_key.as_deref(),
            public_key_file.as_deref(),
            key_file,
        ),
        Some(Command::Disclosure {
            ref config,
            ref lang,
            format,
            ref with,
        }) => {
            let text = match std::fs::read_to_string(config) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("sekisho-server disclosure: {}: {e}", config.display());
                    return ExitCode::from(2);
                }
            };
            match disclosure::table(&text, lang, format, with) {
                Ok(table) => {
                    print!("{table}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sekisho-server disclosure: {}: {e}", config.display());
                    ExitCode::from(2)
                }
            }
        }
        None => serve(args).await,
    }
}

async fn serve(args: Args) -> ExitCode {
    let demo = args.demo.then(|| DemoDirs {
        www: args.www.clone(),
        dist: args.dist.clone(),
    });
    if let Some(dirs) = &demo {
        dirs.check();
    }
    let api = start_api(&ApiConfig {
        database: args.database.clone(),
        key_file: args.key_file.clone(),
        sites: args.sites.clone(),
        same_origin: args.demo,
        admin_token_file: args.admin_token_file.clone(),
        subject_key_file: args.subject_key_file.clone(),
        rate_per_ip: args.rate_per_ip,
        rate_per_consent: args.rate_per_consent,
        retention_days: args.retention_days,
    })
    .await;
    let api = match api {
        Ok(api) => api,
        Err(e) => {
            eprintln!("sekisho-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.sites.is_empty() && !args.demo {
        tracing::warn!("no --site: no record will be taken until a site is given");
    }
    let router = app(AppOptions {
        demo,
        api: Some(api),
    });

    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sekisho-server: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    let shown = if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    };
    if args.demo {
        println!(
            "Sekisho demo: open http://{shown}/  (site: {}, SDK: {} at /sekisho/, records: {})",
            args.www.display(),
            args.dist.display(),
            sekisho_server::store::redact(&args.database)
        );
    } else {
        println!("sekisho-server listening on http://{shown}/  (POST /v1/records, GET /healthz)");
    }

    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sekisho-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn verify(
    file: &std::path::Path,
    public_key: Option<&str>,
    public_key_file: Option<&std::path::Path>,
    key_file: &std::path::Path,
) -> ExitCode {
    let fail = |message: String| {
        eprintln!("sekisho-server verify: {message}");
        ExitCode::FAILURE
    };
    let key_text = match (public_key, public_key_file) {
        (Some(k), _) => k.to_owned(),
        (None, Some(path)) => match std::fs::read_to_string(path) {
            // The JSON of GET /v1/public-key, or the key alone.
            Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["publicKey"].as_str().map(str::to_owned))
                .unwrap_or(text),
            Err(e) => return fail(format!("{}: {e}", path.display())),
        },
        (None, None) => match sekisho_server::sign::Key::load_existing(key_file) {
            Ok(key) => key.public(),
            Err(e) => {
                return fail(format!(
                    "no public key given (--public-key, --public-key-file) and {e}"
                ))
            }
        },
    };
    let key = match sekisho_server::sign::PublicKey::parse(&key_text) {
        Ok(k) => k,
        Err(e) => return fail(format!("the public key: {e}")),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    let report = sekisho_server::verify::verify(&text, &key);
    for problem in &report.problems {
        println!("BROKEN {problem}");
    }
    println!(
        "{}: {} records, {} consents ({} chains start after their first record), key {}: {}",
        file.display(),
        report.records,
        report.consents,
        report.partial_chains,
        key.id,
        if report.ok() { "all verify" } else { "BROKEN" }
    );
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
