//! Real HTTP against the router bound on 127.0.0.1:0, with a hand-written HTTP/1.1 client so that
//! request paths are sent exactly as written (no client-side `..` normalisation).

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

use sekisho_server::{app, AppOptions, DemoDirs};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sekisho-server-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn write(&self, rel: &str, body: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Layout: <tmp>/secret.txt, <tmp>/www/{index.html,demo.css,sub/index.html}, <tmp>/dist/{sekisho.js,
/// sekisho.wasm,pkg.json}, <tmp>/www/.hidden
fn fixture() -> TempDir {
    let t = TempDir::new();
    t.write("secret.txt", "TOP SECRET");
    t.write("Cargo.toml", "[package] SECRET");
    t.write(
        "www/index.html",
        "<!doctype html><title>demo</title>スマートライフ",
    );
    t.write("www/demo.css", "body{}");
    t.write("www/sub/index.html", "<p>sub</p>");
    t.write("www/.hidden", "hidden");
    t.write("dist/sekisho.js", "console.log('sekisho')");
    t.write("dist/sekisho.wasm", "\0asm");
    t.write("dist/pkg.json", "{}");
    t
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn spawn(opts: AppOptions) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(opts)).await.unwrap() });
    addr
}

async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> Resp {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let resp = Resp {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    assert_ne!(
        resp.header("transfer-encoding"),
        Some("chunked"),
        "test client expects a content-length body"
    );
    resp
}

async fn demo_server(t: &TempDir) -> std::net::SocketAddr {
    spawn(AppOptions {
        demo: Some(DemoDirs {
            www: t.path().join("www"),
            dist: t.path().join("dist"),
        }),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn healthz_without_demo() {
    let addr = spawn(AppOptions::default()).await;
    let r = request(addr, "GET", "/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ok");
    // Nothing else is served without --demo.
    assert_eq!(request(addr, "GET", "/").await.status, 404);
    assert_eq!(
        request(addr, "GET", "/sekisho/sekisho.js").await.status,
        404
    );
}

#[tokio::test]
async fn healthz_in_demo_mode() {
    let t = fixture();
    let addr = demo_server(&t).await;
    let r = request(addr, "GET", "/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ok");
}

#[tokio::test]
async fn serves_index_html_at_root() {
    let t = fixture();
    let addr = demo_server(&t).await;
    for path in ["/", "/index.html"] {
        let r = request(addr, "GET", path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert!(r.text().contains("スマートライフ"));
    }
    let r = request(addr, "GET", "/demo.css").await;
    assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    // Directory without trailing slash redirects, with it serves its index.html.
    let r = request(addr, "GET", "/sub").await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/sub/"));
    assert_eq!(request(addr, "GET", "/sub/").await.text(), "<p>sub</p>");
}

#[tokio::test]
async fn serves_sdk_with_content_types() {
    let t = fixture();
    let addr = demo_server(&t).await;
    let r = request(addr, "GET", "/sekisho/sekisho.js").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.text(), "console.log('sekisho')");
    let r = request(addr, "GET", "/sekisho/sekisho.wasm").await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    let r = request(addr, "GET", "/sekisho/pkg.json").await;
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    // HEAD: headers, no body.
    let r = request(addr, "HEAD", "/sekisho/sekisho.js").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("22"));
    assert!(r.body.is_empty());
    // Other methods are refused.
    let r = request(addr, "POST", "/sekisho/sekisho.js").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn missing_files_are_404() {
    let t = fixture();
    let addr = demo_server(&t).await;
    for path in ["/nope.html", "/sekisho/nope.js", "/sekisho/", "/sub/nope/"] {
        assert_eq!(request(addr, "GET", path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn missing_dist_dir_still_serves_site() {
    let t = fixture();
    std::fs::remove_dir_all(t.path().join("dist")).unwrap();
    let dirs = DemoDirs {
        www: t.path().join("www"),
        dist: t.path().join("dist"),
    };
    assert!(!dirs.check());
    let addr = spawn(AppOptions {
        demo: Some(dirs),
        ..Default::default()
    })
    .await;
    assert_eq!(request(addr, "GET", "/").await.status, 200);
    assert_eq!(
        request(addr, "GET", "/sekisho/sekisho.js").await.status,
        404
    );
}

#[tokio::test]
async fn no_path_traversal() {
    let t = fixture();
    let addr = demo_server(&t).await;
    let attempts = [
        "/../secret.txt",
        "/../Cargo.toml",
        "/sekisho/../Cargo.toml",
        "/sekisho/../../Cargo.toml",
        "/sekisho/../www/index.html",
        "/sekisho/%2e%2e/Cargo.toml",
        "/sekisho/%2E%2E/secret.txt",
        "/sekisho/..%2fCargo.toml",
        "/sekisho/..%2FCargo.toml",
        "/sekisho/..%5cCargo.toml",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/sub/../../secret.txt",
        "/sekisho/%252e%252e/Cargo.toml",
        "/.hidden",
        "/%2ehidden",
        "/sekisho/%00sekisho.js",
        "/sekisho/sekisho.js%00.html",
        "/sekisho/%zz",
        "/sekisho/%c0%ae%c0%ae/Cargo.toml",
    ];
    for path in attempts {
        let r = request(addr, "GET", path).await;
        assert!(
            r.status == 404 || r.status == 400,
            "{path} → {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains("SECRET"), "{path} leaked");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn no_symlink_escape() {
    let t = fixture();
    std::os::unix::fs::symlink(t.path().join("secret.txt"), t.path().join("www/link.txt")).unwrap();
    std::os::unix::fs::symlink(t.path(), t.path().join("dist/up")).unwrap();
    let addr = demo_server(&t).await;
    for path in [
        "/link.txt",
        "/sekisho/up/secret.txt",
        "/sekisho/up/www/index.html",
    ] {
        let r = request(addr, "GET", path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.text().contains("SECRET"), "{path} leaked");
    }
}
