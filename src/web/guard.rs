//! The runtime checkpoint's side of the boundary. `js/guards/` intercepts every way a page
//! starts a request and asks these exports; they ask [`crate::core::Checkpoint`] and write the
//! audit line. What crosses: URLs and API names as strings, kinds and verdicts as the numbers
//! `src/protocol.json` names (decoded into [`Kind`] and encoded from [`Verdict`] here). The
//! details of a `Hold` (the `data-consent` value, the rewritten HTML) are handed over only when
//! the guards ask for them.

use super::{dom, record, with_sdk, Entry};
use crate::core::audit::Action;
use crate::core::modules::ImportMaps;
use crate::core::{Category, Judgement, Kind, Rewrite, Verdict};
use wasm_bindgen::prelude::*;

/// What nothing grants: held by a checkpoint that has not started.
const UNAVAILABLE: &str = "unavailable";

/// A judgement taken out of the SDK's borrow, to be carried out after it.
struct Answer {
    verdict: Verdict,
    /// The `data-consent` value of a `Hold`.
    requirement: Option<String>,
    service: Option<String>,
    category: Option<Category>,
}

impl Answer {
    fn of(j: &Judgement<'_>) -> Answer {
        Answer {
            verdict: j.verdict,
            requirement: (j.verdict == Verdict::Hold)
                .then(|| j.requirement().map(|r| r.to_markup()))
                .flatten(),
            service: j.service.map(String::from),
            category: j.category,
        }
    }

    /// What a checkpoint that has not started answers.
    const UNSTARTED: Answer = Answer {
        verdict: Verdict::Hold,
        requirement: None,
        service: None,
        category: None,
    };

    /// Keeps a `Hold`'s requirement for [`held_requirement`], writes the audit line when the
    /// guard named the API (`via`), and gives the verdict's number.
    fn carry_out(self, kind: Kind, url: &str, via: &str) -> u8 {
        if self.verdict == Verdict::Hold {
            let requirement = self.requirement.unwrap_or_else(|| UNAVAILABLE.into());
            with_sdk(|sdk| sdk.handoff = requirement);
        }
        let action = Action::of(self.verdict, self.service.is_some());
        if let (Some(action), false) = (action, via.is_empty()) {
            record(Entry {
                kind,
                via,
                url,
                service: self.service.as_deref(),
                category: self.category,
                action,
            });
        }
        self.verdict as u8
    }
}

/// The verdict (a `Verdict` number) for `url` loaded as `kind` (a `Kind` number), with an
/// audit line naming `via`, the API page code called, when it is not empty (elements are
/// audited by the markup checkpoint once they are in the document instead). A `Pass` may be
/// remembered for the page's life; `PassByChoice` may not. An unknown kind, or a checkpoint
/// that has not started, holds.
#[wasm_bindgen]
pub fn judge(url: &str, kind: u8, via: &str) -> u8 {
    let Some(kind) = Kind::from_u8(kind) else {
        dom::error(&["internal: unknown kind from the guards; held"]);
        return Verdict::Hold as u8;
    };
    let answer = with_sdk(|sdk| {
        let answer = Answer::of(&sdk.checkpoint.judge(url, kind));
        // A third party nothing describes (unknown, or the base layer's): for `sekisho.uncovered()`.
        let curated = answer
            .service
            .as_deref()
            .is_some_and(|s| crate::core::catalog::entry(s).is_some());
        if !curated {
            if let Some((host, service)) = sdk.checkpoint.matcher.undescribed_host(url) {
                sdk.uncovered
                    .note(&host, service, kind, dom::now_ms() as u64);
            }
        }
        answer
    });
    answer
        .unwrap_or(Answer::UNSTARTED)
        .carry_out(kind, url, via)
}

/// The specifiers of an inline module script's static imports (`core::modules`), each followed
/// by a NUL: the guards resolve them through the page's import maps and judge the URLs.
#[wasm_bindgen]
pub fn module_imports(source: &str) -> String {
    let mut out = String::new();
    for specifier in crate::core::modules::static_imports(source) {
        out.push_str(&specifier);
        out.push('\0');
    }
    out
}

/// A fire-and-forget request (a beacon, a detached pixel, a keepalive fetch) the guards kept
/// when it was held: whether it may go now. When it may, the audit says `released` (through
/// `via`, the API it came through); when not, nothing is written: its `blocked` line stands.
#[wasm_bindgen]
pub fn release_hit(url: &str, kind: u8, via: &str) -> bool {
    let Some(kind) = Kind::from_u8(kind) else {
        return false;
    };
    let Some(answer) = with_sdk(|sdk| Answer::of(&sdk.checkpoint.judge(url, kind))) else {
        return false;
    };
    if answer.verdict == Verdict::Hold {
        return false;
    }
    record(Entry {
        kind,
        via,
        url,
        service: answer.service.as_deref(),
        category: answer.category,
        action: Action::Released,
    });
    true
}

/// How many held fire-and-forget requests the guards keep for later (config `beaconQueue`).
#[wasm_bindgen]
pub fn beacon_queue() -> u32 {
    with_sdk(|sdk| sdk.checkpoint.config.beacon_queue).unwrap_or(0)
}

/// The verdict for a frame document whose script would run in an opaque origin the guards
/// cannot reach (page-made content in a sandbox without `allow-same-origin`; `url` is its
/// `blob:` URL or `about:srcdoc`).
#[wasm_bindgen]
pub fn judge_opaque_frame(url: &str, via: &str) -> u8 {
    with_sdk(|sdk| Answer::of(&sdk.checkpoint.judge_opaque_frame()))
        .unwrap_or(Answer::UNSTARTED)
        .carry_out(Kind::Iframe, url, via)
}

/// The `data-consent` value of the last `Hold` answer (`service:<id>`, `ads`), for the guards
/// to hold an element under.
#[wasm_bindgen]
pub fn held_requirement() -> String {
    with_sdk(|sdk| std::mem::take(&mut sdk.handoff)).unwrap_or_else(|| UNAVAILABLE.into())
}

/// Rewrites an HTML string so the tags to hold are inert markup. Returns a `Verdict` number:
/// `Pass` (unchanged, and no choice can change that: the guards may remember the string),
/// `PassByChoice` (unchanged, but a URL in it is decided by the choice in effect), `Hold`
/// (rewritten: take it with [`rewritten`]). The held tags are audited by the markup
/// checkpoint once they are in a watched document, with `via`. `base` is the document's base
/// URL when a `<base href>` moved it from the page's URL (relative URLs load against it), else
/// empty; `import_maps` the page's, for its module scripts ([`ImportMaps`]; empty: none).
#[wasm_bindgen]
pub fn rewrite_html(html: &str, via: &str, base: &str, import_maps: &str) -> u8 {
    if !html.contains('<') {
        return Verdict::Pass as u8;
    }
    let maps = ImportMaps::new(import_maps);
    let rewrite = with_sdk(
        |sdk| match sdk.checkpoint.rewrite_html(html, via, base, maps) {
            Rewrite::Unchanged(verdict) => verdict,
            Rewrite::Rewritten(out) => {
                sdk.handoff = out;
                Verdict::Hold
            }
        },
    );
    rewrite.unwrap_or(Verdict::Hold) as u8
}

/// The text of the last `rewrite_html` or `rewrite_css` that answered `Hold`.
#[wasm_bindgen]
pub fn rewritten() -> String {
    with_sdk(|sdk| std::mem::take(&mut sdk.handoff)).unwrap_or_default()
}

/// Rewrites CSS (a `<style>`'s text, a `style` attribute, a declaration or rule of the CSSOM) so
/// that its held URLs load nothing; answers as [`rewrite_html`] does (the CSS with
/// [`rewritten`]). Each held URL is audited `blocked` with `via`, when it is not empty.
#[wasm_bindgen]
pub fn rewrite_css(css: &str, via: &str, base: &str) -> u8 {
    if !crate::core::css::may_load(css) {
        return Verdict::Pass as u8;
    }
    let mut held = Vec::new();
    let rewrite = with_sdk(|sdk| {
        sdk.checkpoint.rewrite_css(css, base, |url, kind, j| {
            held.push((url.to_string(), kind, Answer::of(j)));
        })
    });
    // (The audit first: carrying out a hold hands over its requirement, replaced below.)
    for (url, kind, answer) in held {
        answer.carry_out(kind, &url, via);
    }
    match rewrite {
        None => Verdict::Hold as u8,
        Some(Rewrite::Unchanged(verdict)) => verdict as u8,
        Some(Rewrite::Rewritten(out)) => {
            with_sdk(|sdk| sdk.handoff = out);
            Verdict::Hold as u8
        }
    }
}

/// CSS whose URLs were held (kept by the guards as it was written): whether none of them is held
/// any more. When none is, each URL of a known service is audited `released` through `via`.
#[wasm_bindgen]
pub fn release_css(css: &str, via: &str, base: &str) -> bool {
    let judge =
        |url: &str, kind| with_sdk(|sdk| Answer::of(&sdk.checkpoint.judge_at(url, base, kind)));
    let urls = crate::core::css::urls(css);
    let held = |u: &crate::core::css::CssUrl| {
        judge(&u.url, u.kind()).is_none_or(|a| a.verdict == Verdict::Hold)
    };
    if urls.iter().any(held) {
        return false;
    }
    for u in &urls {
        let Some(answer) = judge(&u.url, u.kind()).filter(|a| a.service.is_some()) else {
            continue;
        };
        record(Entry {
            kind: u.kind(),
            via,
            url: &u.url,
            service: answer.service.as_deref(),
            category: answer.category,
            action: Action::Released,
        });
    }
    true
}

/// Whether a `document.cookie` (or `cookieStore.set`) write may go through: not for a catalog
/// cookie of a service that is not allowed. Deletions always pass.
#[wasm_bindgen]
pub fn cookie_allowed(write: &str, via: &str) -> bool {
    let refused = with_sdk(|sdk| {
        let j = sdk.checkpoint.judge_cookie_write(write, dom::now_secs())?;
        (j.verdict == Verdict::Hold).then(|| Answer::of(&j))
    })
    .flatten();
    let Some(refused) = refused else {
        return true;
    };
    // (Its requirement is not asked for: a refused write is dropped, not held.)
    let name = crate::core::revoke::written_name(write);
    refused.carry_out(Kind::Cookie, name, via);
    false
}
