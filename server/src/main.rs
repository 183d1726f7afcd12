//! `sekisho-server` command line: arguments, logging, startup.

use std::{
    io::IsTerminal,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    process::ExitCode,
    str::FromStr,
};

use clap::Parser;
use sekisho_server::{app, AppOptions, DemoDirs};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Sekisho server. With --demo: serves the demo site and the built SDK on one port.
#[derive(Parser, Debug)]
#[command(name = "sekisho-server", version, about)]
struct Args {
    /// Serve the demo site (--www) at / and the built SDK (--dist) at /sekisho/.
    #[arg(long)]
    demo: bool,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    /// Demo site directory (demo mode).
    #[arg(long, default_value = "www", value_name = "DIR")]
    www: PathBuf,
    /// Built SDK directory, output of scripts/build.sh (demo mode).
    #[arg(long, default_value = "dist", value_name = "DIR")]
    dist: PathBuf,
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

    let demo = args.demo.then(|| DemoDirs {
        www: args.www.clone(),
        dist: args.dist.clone(),
    });
    if let Some(dirs) = &demo {
        dirs.check();
    }
    let router = app(AppOptions { demo });

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
            "Sekisho demo: open http://{shown}/  (site: {}, SDK: {} at /sekisho/)",
            args.www.display(),
            args.dist.display()
        );
    } else {
        println!("sekisho-server listening on http://{shown}/  (GET /healthz)");
    }

    let served = axum::serve(listener, router)
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
