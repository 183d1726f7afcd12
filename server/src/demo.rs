//! Demo mode: static files of the demo site (`www/`) at `/` and of the built SDK (`dist/`) at
//! `/sekisho/`, on one port, with correct Content-Types and `Cache-Control: no-cache`.
//!
//! Paths are resolved segment by segment after percent-decoding: `..`, dot-files, encoded slashes
//! or backslashes and NUL are refused (404), and the resolved file must still lie inside its root
//! after symlinks are followed, so nothing outside the two directories is ever served.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::{
    body::Body,
    http::{header, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    Router,
};

/// URL prefix under which the built SDK directory is served.
pub const SDK_PREFIX: &str = "/sekisho/";

/// The two directories served in demo mode.
#[derive(Clone, Debug)]
pub struct DemoDirs {
    /// Demo site, served at `/`.
    pub www: PathBuf,
    /// Built SDK (`sekisho.js`, `sekisho.wasm`, …), served at `/sekisho/`.
    pub dist: PathBuf,
}

impl DemoDirs {
    /// Logs a clear warning for each thing that would make the demo not work (missing `www/`
    /// index, SDK not built). Returns `true` when everything is in place. Never fails: the server
    /// keeps serving whatever is there.
    pub fn check(&self) -> bool {
        let mut ok = true;
        if !self.www.join("index.html").is_file() {
            tracing::warn!(
                "demo site not found: {} has no index.html (run from the repository root or pass --www <dir>)",
                self.www.display()
            );
            ok = false;
        }
        if !self.dist.join("sekisho.js").is_file() {
            tracing::warn!(
                "SDK not built: {} is missing; run scripts/build.sh (or pass --dist <dir>). \
                 Serving anyway, but the demo pages will report that the SDK failed to load.",
                self.dist.join("sekisho.js").display()
            );
            ok = false;
        }
        ok
    }
}

/// Adds the demo file serving to `router` as its fallback, so explicit routes (`/healthz`, the
/// API) always take precedence over files.
pub fn install(router: Router, dirs: DemoDirs) -> Router {
    let dirs = Arc::new(dirs);
    router.fallback(move |method: Method, uri: Uri| async move {
        serve(&dirs, &method, uri.path()).await
    })
}

/// Serves one request for `path` (the raw, still percent-encoded URL path).
pub async fn serve(dirs: &DemoDirs, method: &Method, path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "method not allowed\n",
        )
            .into_response();
    }
    if path == "/sekisho" {
        return redirect(SDK_PREFIX);
    }
    let (root, rel) = match path.strip_prefix(SDK_PREFIX) {
        Some(rest) => (&dirs.dist, rest),
        None => (&dirs.www, path.strip_prefix('/').unwrap_or(path)),
    };
    let Some(rel) = safe_relative(rel) else {
        return not_found();
    };
    let mut file = root.join(&rel);
    match tokio::fs::metadata(&file).await {
        Ok(meta) if meta.is_dir() => {
            if !path.ends_with('/') {
                return redirect(&format!("{path}/"));
            }
            file.push("index.html");
        }
        Ok(_) => {}
        Err(_) => return not_found(),
    }
    // Follow symlinks and make sure the file is still inside its root.
    let (Ok(real_root), Ok(real_file)) = (
        tokio::fs::canonicalize(root).await,
        tokio::fs::canonicalize(&file).await,
    ) else {
        return not_found();
    };
    if !real_file.starts_with(&real_root) {
        tracing::warn!(path, "refused: resolves outside the served directory");
        return not_found();
    }
    let bytes = match tokio::fs::read(&real_file).await {
        Ok(b) => b,
        Err(_) => return not_found(),
    };
    let len = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&real_file)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Turns the still percent-encoded path below a root into a relative filesystem path, or `None`
/// when any segment is unsafe (`..`, `.`, dot-file, encoded `/`, `\`, `:`, NUL, bad UTF-8).
pub fn safe_relative(raw: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for seg in raw.split('/') {
        if seg.is_empty() {
            continue;
        }
        let seg = percent_decode(seg)?;
        if seg.starts_with('.') || seg.contains(['/', '\\', ':', '\0']) {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content-Type by file extension (charset utf-8 for text types).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "wasm" => "application/wasm",
        "ts" | "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, v)]).into_response(),
        Err(_) => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_accepts_plain_paths() {
        assert_eq!(safe_relative(""), Some(PathBuf::new()));
        assert_eq!(safe_relative("a//b/c.js"), Some(PathBuf::from("a/b/c.js")));
        assert_eq!(
            safe_relative("%E3%83%87%E3%83%A2.html"),
            Some(PathBuf::from("デモ.html"))
        );
    }

    #[test]
    fn safe_relative_refuses_escapes() {
        for bad in [
            "..",
            "../x",
            "a/../../x",
            "%2e%2e/x",
            "a%2fb",
            "a%5cb",
            "c:x",
            "%00",
            ".env",
            "%zz",
            "%e",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types() {
        for (f, ct) in [
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.MJS", "text/javascript; charset=utf-8"),
            ("a.wasm", "application/wasm"),
            ("a.json", "application/json; charset=utf-8"),
            ("a.html", "text/html; charset=utf-8"),
            ("a.d.ts", "text/plain; charset=utf-8"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(f)), ct, "{f}");
        }
    }
}
