//! The checkpoint's judgement, in one place: what happens to a URL of one kind under the site's
//! config and the consent in effect. The guards (js/) and the markup checkpoint (`web::markup`)
//! only carry out what [`Checkpoint::judge`] and [`Checkpoint::allows`] answer.
//!
//! The rules, in order:
//! - a frame document no guard can reach (a `data:` document, page-made content in a sandbox
//!   without `allow-same-origin`) waits for `ads`, the category whose consent covers arbitrary
//!   third-party processing;
//! - a known service (the site's `services`, then the catalog) waits for its category, or for
//!   the visitor's own choice about that service (GPC denies ad services whatever was chosen);
//! - an unknown third party waits for `ads` when the site set `"unknownThirdParty": "block"`;
//! - everything else passes: first party, neutral CDNs, URLs that make no request, unknown
//!   third parties the site allows. No choice can change these.

use super::category::{Category, CategorySet};
use super::config::{Config, UnknownThirdParty};
use super::consent::{ConsentState, LoadOutcome, StoredChoice};
use super::css;
use super::html::{self, Found};
use super::json_out::Object;
use super::matcher::{is_data_document, resolve_relative, Destination, Match, Matcher};
use super::modules::{self, ImportMaps};
use super::regime::Regime;
use super::requirement::Requirement;
use super::revoke;
use super::signals::{self, Grants};

/// What a page loads or does, as an audit line names it. The discriminant is the number that
/// crosses between the guards and the Wasm (`src/protocol.json`, `kinds`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Script = 0,
    /// A frame's document (`iframe`, `frame`, `embed`, `object`).
    Iframe = 1,
    Img = 2,
    Link = 3,
    /// `<video>`, `<audio>`.
    Media = 4,
    /// A form submission.
    Form = 5,
    Fetch = 6,
    Xhr = 7,
    /// `sendBeacon`, `fetchLater`, `<a ping>`.
    Beacon = 8,
    /// `WebSocket`, `WebTransport`, `WebSocketStream`.
    Websocket = 9,
    Eventsource = 10,
    /// A cookie write.
    Cookie = 11,
}

impl Kind {
    /// Every kind, in discriminant order.
    pub const ALL: [Kind; 12] = [
        Kind::Script,
        Kind::Iframe,
        Kind::Img,
        Kind::Link,
        Kind::Media,
        Kind::Form,
        Kind::Fetch,
        Kind::Xhr,
        Kind::Beacon,
        Kind::Websocket,
        Kind::Eventsource,
        Kind::Cookie,
    ];

    /// The kind a number from the guards names (`None` for an unknown number).
    pub fn from_u8(n: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(n)).copied()
    }

    /// The audit's name for it (`audit()[i].kind`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Script => "script",
            Kind::Iframe => "iframe",
            Kind::Img => "img",
            Kind::Link => "link",
            Kind::Media => "media",
            Kind::Form => "form",
            Kind::Fetch => "fetch",
            Kind::Xhr => "xhr",
            Kind::Beacon => "beacon",
            Kind::Websocket => "websocket",
            Kind::Eventsource => "eventsource",
            Kind::Cookie => "cookie",
        }
    }
}

/// The checkpoint's answer for one URL. The discriminant is the number that crosses
/// (`src/protocol.json`, `verdicts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Verdict {
    /// Allowed whatever the visitor chooses: the guards may remember it for the page's life.
    Pass = 0,
    /// Allowed by the choice in effect; another choice may hold it.
    PassByChoice = 1,
    /// Held until its requirement is granted.
    Hold = 2,
}

impl Verdict {
    /// Every verdict, in discriminant order.
    pub const ALL: [Verdict; 3] = [Verdict::Pass, Verdict::PassByChoice, Verdict::Hold];

    /// The name `src/protocol.json` gives it.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassByChoice => "passByChoice",
            Verdict::Hold => "hold",
        }
    }

    /// Whether a choice decided it (so a later choice may change it).
    pub fn depends_on_choice(self) -> bool {
        self != Verdict::Pass
    }
}

/// A verdict and what it rests on (for the audit line and the held markup).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judgement<'a> {
    pub verdict: Verdict,
    /// The known service the URL belongs to, if any.
    pub service: Option<&'a str>,
    /// The category the verdict depends on; `None` exactly when the verdict is [`Verdict::Pass`].
    pub category: Option<Category>,
}

impl<'a> Judgement<'a> {
    /// Allowed whatever the visitor chooses.
    pub const PASS: Judgement<'static> = Judgement {
        verdict: Verdict::Pass,
        service: None,
        category: None,
    };

    fn by_choice(granted: bool, service: Option<&'a str>, category: Category) -> Judgement<'a> {
        Judgement {
            verdict: if granted {
                Verdict::PassByChoice
            } else {
                Verdict::Hold
            },
            service,
            category: Some(category),
        }
    }

    /// What it waits for (or what allows it): its service, else its category; `None` for a pass.
    pub fn requirement(&self) -> Option<Requirement> {
        match (self.service, self.category) {
            (Some(id), _) => Some(Requirement::Service(id.into())),
            (None, Some(c)) => Some(Requirement::Category(c)),
            (None, None) => None,
        }
    }
}

/// What the checkpoint reads from the browser at start.
#[derive(Clone, Copy, Debug)]
pub struct PageContext<'a> {
    /// `location.origin` (`https://www.example.co.jp`).
    pub origin: &'a str,
    /// The `sekisho` cookie's value, if set.
    pub stored: Option<&'a str>,
    /// `navigator.globalPrivacyControl`.
    pub gpc: bool,
    /// The `sekisho_gpc` marker: GPC was sent on an earlier page of a visitor who has not chosen
    /// (honoured as GPC until they choose; [`Checkpoint::remembers_gpc`]).
    pub gpc_remembered: bool,
    pub now_secs: u64,
}

/// The result of rewriting an HTML string or CSS: unchanged (with whether a choice decided
/// that), or the text with what it would load held (tags made inert, URLs replaced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rewrite {
    Unchanged(Verdict),
    Rewritten(String),
}

/// The policy for one page: the site's config, the catalog merged with its services, and the
/// consent in effect.
#[derive(Debug)]
pub struct Checkpoint {
    pub config: Config,
    pub matcher: Matcher,
    pub state: ConsentState,
    /// What services no longer allowed may have left (cookies, storage keys) is to be swept once
    /// the page has loaded ([`Checkpoint::sweep_due`]).
    pub sweep_due: bool,
    /// Services the visitor let load for this page view only (an embed's "load this once"):
    /// allowed until the page is left or the visitor's next choice ([`Checkpoint::decided`]).
    once: Vec<String>,
    /// Whether the browser sends GPC on this page (not only remembered from an earlier one: a
    /// remembered GPC stops counting once the visitor chooses).
    gpc_signal: bool,
}

/// How long after a choice the next pages still sweep: a revoke's own sweeps run on the page it
/// was made on (at once and after 1, 4 and 10 s); tags of that page that ran until it was left
/// may have written again.
pub const SWEEP_WINDOW_SECS: u64 = 15 * 60;

impl Checkpoint {
    /// The checkpoint at page start: the regime for the visitor's region (the config's `region`
    /// hint, else the time zone, asked only when the regime depends on it), the stored choice,
    /// GPC. Also returns what reading the stored choice found (the shell reports and clears an
    /// unusable one).
    pub fn start(
        config: Config,
        page: PageContext<'_>,
        time_zone: impl FnOnce() -> Option<String>,
    ) -> (Checkpoint, LoadOutcome) {
        let region = config.region.clone().or_else(|| {
            let tz = config.regime.depends_on_region().then(time_zone)??;
            super::regime::region_from_time_zone(&tz).map(String::from)
        });
        let regime = config.regime.resolve(region.as_deref());
        let loaded = LoadOutcome::read(
            page.stored,
            config.revision,
            config.consent_max_age_days,
            page.now_secs,
        );
        // A remembered GPC counts only until the visitor chooses (then their choice speaks).
        let remembered = page.gpc_remembered && !matches!(loaded, LoadOutcome::Restored(_));
        let state = ConsentState::new(regime, region, page.gpc || remembered, &loaded);
        let matcher = Matcher::new(&config, page.origin);
        let sweep_due = sweep_due(&loaded, &state, page.now_secs);
        (
            Checkpoint {
                config,
                matcher,
                state,
                sweep_due,
                once: Vec::new(),
                gpc_signal: page.gpc,
            },
            loaded,
        )
    }

    /// What happens to `url`, loaded as `kind`, now.
    pub fn judge(&self, url: &str, kind: Kind) -> Judgement<'_> {
        if kind == Kind::Iframe && is_data_document(url) {
            return self.judge_opaque_frame();
        }
        match self.matcher.classify(url) {
            Destination::Service(m) => Judgement::by_choice(
                self.service_allowed(&m) || self.loads_in_consent_mode(&m),
                Some(m.service),
                m.category,
            ),
            Destination::Unknown if self.config.unknown_third_party == UnknownThirdParty::Block => {
                self.waits_for_ads()
            }
            _ => Judgement::PASS,
        }
    }

    /// A relative `url` loads against `base` when a `<base href>` moved the document's base URL
    /// away from the page; judged resolved. (`base` empty: the page's own URL.)
    pub fn judge_at(&self, url: &str, base: &str, kind: Kind) -> Judgement<'_> {
        let resolved = (!base.is_empty())
            .then(|| resolve_relative(base, url))
            .flatten();
        self.judge(resolved.as_deref().unwrap_or(url), kind)
    }

    /// An inline module script in an HTML string, judged by the static imports of its `source`
    /// as scripts (`base` as for [`Checkpoint::judge_at`]), each where it is and where the page's
    /// import `maps` send it: the first held one's judgement, else a pass (by choice when a
    /// choice decided any). (A script in the document: the guards judge its imports.)
    pub fn judge_module(&self, source: &str, base: &str, maps: ImportMaps<'_>) -> Judgement<'_> {
        let mut verdict = Judgement::PASS;
        for specifier in modules::static_imports(source) {
            let mapped = maps.destinations(&specifier);
            let own = (!modules::is_bare(&specifier))
                .then(|| self.judge_at(&specifier, base, Kind::Script));
            let judged = own
                .into_iter()
                .chain(mapped.iter().map(|url| self.judge(url, Kind::Script)));
            for j in judged {
                if j.verdict == Verdict::Hold {
                    return j;
                }
                if j.verdict.depends_on_choice() {
                    verdict = j;
                }
            }
        }
        verdict
    }

    /// A frame document whose script runs in an opaque origin the guards cannot reach (a
    /// `data:` document, page-made content in a sandbox without `allow-same-origin`).
    pub fn judge_opaque_frame(&self) -> Judgement<'static> {
        self.waits_for_ads()
    }

    fn waits_for_ads(&self) -> Judgement<'static> {
        Judgement::by_choice(self.state.granted(Category::Ads), None, Category::Ads)
    }

    /// A `document.cookie` write of a catalog cookie whose service is not allowed is dropped
    /// (deletions always pass; `now`, Unix seconds, tells an expired `Expires`). The judgement,
    /// when the cookie belongs to a known service.
    pub fn judge_cookie_write(&self, write: &str, now: u64) -> Option<Judgement<'_>> {
        if revoke::is_deletion(write, now) {
            return None;
        }
        let m = self.matcher.match_cookie(revoke::written_name(write))?;
        Some(Judgement::by_choice(
            self.service_allowed(&m),
            Some(m.service),
            m.category,
        ))
    }

    /// `html` with the tags to hold made inert. `base` as for [`Checkpoint::judge_at`].
    /// The page's import `maps` go to its module scripts, and so do the maps the string writes
    /// before them (a map this parser cannot read holds the module scripts after it that import
    /// anything, as an undecodable URL is held).
    pub fn rewrite_html(&self, html: &str, via: &str, base: &str, maps: ImportMaps<'_>) -> Rewrite {
        let mut verdict = Verdict::Pass;
        let mut with_written_maps: Option<String> = None;
        let mut unreadable_map = false;
        let rewritten = html::rewrite(html, via, |kind, found| {
            let j = match found {
                Found::InlineScript { module: None, .. } => return None, // nothing to match it by
                Found::ImportMap { text, base: own } => {
                    let written = with_written_maps.get_or_insert_with(|| maps.text().to_string());
                    // (Its URLs resolve against the document's base, which a `<base>` of the
                    // string may have moved: both.)
                    for base in [Some(maps.base()), own].into_iter().flatten() {
                        unreadable_map |= !modules::add_map(written, text, base);
                    }
                    return None;
                }
                Found::InlineScript {
                    module: Some(source),
                    base: own,
                } => {
                    let maps = with_written_maps.as_deref().map_or(maps, ImportMaps::new);
                    if unreadable_map && !modules::static_imports(source).is_empty() {
                        self.waits_for_ads()
                    } else {
                        own.map(|own| self.judge_module(source, own, maps))
                            .filter(|j| j.verdict == Verdict::Hold)
                            .unwrap_or_else(|| self.judge_module(source, base, maps))
                    }
                }
                // A relative URL after a `<base href>` of the string may load against either.
                Found::Url {
                    url,
                    base: Some(own),
                } => Some(self.judge_at(url, own, kind))
                    .filter(|j| j.verdict == Verdict::Hold)
                    .unwrap_or_else(|| self.judge_at(url, base, kind)),
                Found::Url { url, base: None } => self.judge_at(url, base, kind),
                // Held whole, as a document no guard can reach.
                Found::Undecodable => self.waits_for_ads(),
            };
            if j.verdict.depends_on_choice() {
                verdict = Verdict::PassByChoice;
            }
            (j.verdict == Verdict::Hold)
                .then(|| j.requirement().map_or_else(String::new, |r| r.to_markup()))
        });
        match rewritten {
            Some(out) => Rewrite::Rewritten(out),
            None => Rewrite::Unchanged(verdict),
        }
    }

    /// `css` (a style sheet, a `<style>`'s text, a declaration block) with its held URLs replaced
    /// by ones that load nothing; `on_hold(url, kind, judgement)` hears of each held one. `base`
    /// as for [`Checkpoint::judge_at`].
    pub fn rewrite_css(
        &self,
        css: &str,
        base: &str,
        mut on_hold: impl FnMut(&str, Kind, &Judgement<'_>),
    ) -> Rewrite {
        let mut verdict = Verdict::Pass;
        let rewritten = css::rewrite(css, &mut |kind, url| {
            let j = self.judge_at(url, base, kind);
            if j.verdict.depends_on_choice() {
                verdict = Verdict::PassByChoice;
            }
            let hold = j.verdict == Verdict::Hold;
            if hold {
                on_hold(url, kind, &j);
            }
            hold
        });
        match rewritten {
            Some(out) => Rewrite::Rewritten(out),
            None => Rewrite::Unchanged(verdict),
        }
    }

    /// Whether a matched service may load (and keep its cookies and storage keys) now.
    pub fn service_allowed(&self, m: &Match<'_>) -> bool {
        (self.state.service_granted(m.service, Some(m.category)) || self.allowed_once(m.service))
            && !self.refused(m.service)
    }

    /// A Google tag the site lets load before consent, in Google's consent mode (config
    /// `signals.googleConsentMode.advanced`). Only its requests: its cookies and storage still
    /// wait for consent, and GPC holds an ad tag.
    fn loads_in_consent_mode(&self, m: &Match<'_>) -> bool {
        self.config.signals.loads_in_consent_mode(m.service)
            && !(self.state.gpc && m.category == Category::Ads)
            // (A visitor who switched the service off on its own is not sent to it at all.)
            && self.state.service_override(m.service) != Some(false)
            && !self.refused(m.service)
    }

    /// What the signals say for `state` (each vendor's service as the checkpoint allows it).
    fn grants(&self, state: &ConsentState) -> Grants {
        Grants::new(
            |id, category| {
                let category = self.matcher.category_of(id).unwrap_or(category);
                state.service_granted(id, Some(category)) && !self.refused(id)
            },
            |c| state.granted(c),
        )
    }

    /// The vendors' queues at start: each default as the visitor's regime gives it before a
    /// choice, and an update for a stored choice (`core::signals`). `None` with no signal on.
    pub fn signals_at_start(&self) -> Option<String> {
        let before_choice = ConsentState {
            choice: None,
            ..self.state.clone()
        };
        let chosen = self.state.decided().then(|| self.grants(&self.state));
        signals::at_start(
            &self.config.signals,
            &self.config.regime,
            self.grants(&before_choice),
            chosen,
        )
    }

    /// The vendors' queues after a change of the consent in effect: an update in each.
    pub fn signals_update(&self) -> Option<String> {
        signals::on_change(&self.config.signals, self.grants(&self.state))
    }

    /// What the page load itself decided, each to be recorded once (a consent record of its own,
    /// docs/contracts.md §6): the stored choice expired (`expire`), or GPC withdrew the ads it
    /// granted (`gpc_opt_out`). Each with a key naming the stored choice (`<consentId>.<decided
    /// at>`), so that the browser records it once, not on every page.
    pub fn start_notes(&self, loaded: &LoadOutcome) -> Vec<(&'static str, String)> {
        let key =
            |c: &StoredChoice| [c.consent_id.as_str(), ".", &c.decided_at.to_string()].concat();
        let mut notes = Vec::new();
        if let LoadOutcome::Expired(c) = loaded {
            notes.push(("expire", key(c)));
        }
        if let LoadOutcome::Restored(c) = loaded {
            if self.state.gpc && self.grants_ads(c) {
                notes.push(("gpc_opt_out", key(c)));
            }
        }
        notes
    }

    fn grants_ads(&self, choice: &StoredChoice) -> bool {
        choice.granted.contains(Category::Ads)
            || choice.services.iter().any(|(id, g)| *g && self.is_ads(id))
    }

    fn is_ads(&self, id: &str) -> bool {
        self.matcher.category_of(id) == Some(Category::Ads)
    }

    /// GPC over a stored choice that grants ads: that choice without them (ad services' own grants
    /// dropped; its date kept, so it lapses when it would have), put in effect and returned to be
    /// stored, so that a later page without GPC never turns the opt-out back into consent. (A
    /// visitor who has not chosen keeps GPC's opt-out in a marker instead:
    /// [`Checkpoint::remembers_gpc`].)
    pub fn withdraw_ads_for_gpc(&mut self) -> Option<StoredChoice> {
        let choice = self.state.choice.as_ref().filter(|_| self.state.gpc)?;
        if !self.grants_ads(choice) {
            return None;
        }
        let mut withdrawn = choice.clone();
        withdrawn.granted = withdrawn.granted.with(Category::Ads, false);
        withdrawn
            .services
            .retain(|(id, g)| !(*g && self.is_ads(id)));
        self.state.choice = Some(withdrawn.clone());
        Some(withdrawn)
    }

    /// Whether GPC's opt-out is to be remembered for a visitor who has not chosen, in the regime
    /// where ads are allowed until refused (the `sekisho_gpc` marker cookie, read back as GPC by
    /// [`PageContext::gpc_remembered`] until the visitor chooses): a later page without the
    /// signal does not turn it into consent, and nothing else is decided for them.
    pub fn remembers_gpc(&self) -> bool {
        self.state.gpc && !self.state.decided() && self.state.regime == Regime::OptOut
    }

    /// "Load this once": service `id` is allowed for this page view, nothing recorded. `false`
    /// for a service neither the catalog nor the config knows, or one the config refused.
    pub fn allow_once(&mut self, id: &str) -> bool {
        if self.matcher.category_of(id).is_none() || self.refused(id) {
            return false;
        }
        if !self.allowed_once(id) {
            self.once.push(id.to_owned());
        }
        true
    }

    fn allowed_once(&self, id: &str) -> bool {
        self.once.iter().any(|s| s == id)
    }

    /// The visitor made a choice: it replaces the state, and ends the page view's "once"
    /// allowances. Whether it withdraws anything that was allowed (those included).
    pub fn decided(&mut self, mut next: ConsentState) -> bool {
        // A GPC remembered from an earlier page counts until the visitor chooses.
        next.gpc &= self.gpc_signal;
        let once = std::mem::take(&mut self.once);
        let withdrawn_once = once
            .iter()
            .any(|id| !next.service_granted(id, self.matcher.category_of(id)));
        let revoked = self.revokes(&next) || withdrawn_once;
        self.state = next;
        revoked
    }

    /// Whether a requirement (`data-consent`, `require()`) is met now.
    pub fn allows(&self, requirement: &Requirement) -> bool {
        if let Requirement::Service(id) = requirement {
            if self.refused(id) {
                return false;
            }
            if self.allowed_once(id) {
                return true;
            }
        }
        self.state
            .allows(requirement, |id| self.matcher.category_of(id))
    }

    /// The known service `url` belongs to (`None` for an empty URL or any other destination).
    pub fn service_of(&self, url: &str) -> Option<&str> {
        if url.is_empty() {
            return None;
        }
        self.matcher.match_url(url).map(|m| m.service)
    }

    /// Whether a marked element (`data-consent`, loading `url`) may be released now. A
    /// category mark on an element whose URL belongs to a service the visitor chose on its own
    /// (a per-service switch, an embed's "always allow" or "load this once") follows that
    /// choice; anything else follows [`Checkpoint::allows`].
    pub fn allows_marked(&self, requirement: &Requirement, url: &str) -> bool {
        let any_override = self
            .state
            .choice
            .as_ref()
            .is_some_and(|c| !c.services.is_empty());
        let chosen_alone = any_override || !self.once.is_empty();
        if chosen_alone && matches!(requirement, Requirement::Category(_)) {
            if let Some(m) = self.matcher.match_url(url) {
                if self.state.service_override(m.service).is_some() || self.allowed_once(m.service)
                {
                    return self.service_allowed(&m);
                }
            }
        }
        self.allows(requirement)
    }

    /// A service the config refused (a site service without its Japanese disclosure): held
    /// whatever the visitor chooses.
    fn refused(&self, service: &str) -> bool {
        self.config.refuses(service)
    }

    /// A requirement as the audit names it: its service and category.
    pub fn describe<'r>(
        &self,
        requirement: &'r Requirement,
    ) -> (Option<&'r str>, Option<Category>) {
        match requirement {
            Requirement::Category(c) => (None, Some(*c)),
            Requirement::Service(id) => (Some(id), self.matcher.category_of(id)),
        }
    }

    /// Whether moving to `next` withdraws anything that was allowed.
    pub fn revokes(&self, next: &ConsentState) -> bool {
        self.state.revokes(next, |id| self.matcher.category_of(id))
    }

    /// The cookie names in a `document.cookie` header that belong to services not allowed now.
    pub fn doomed_cookies<'h>(&'h self, header: &'h str) -> impl Iterator<Item = &'h str> + 'h {
        revoke::names(header).filter(|name| {
            self.matcher
                .match_cookie(name)
                .is_some_and(|m| !self.service_allowed(&m))
        })
    }

    /// Whether a `localStorage`/`sessionStorage` key belongs to a service not allowed now.
    pub fn doomed_storage_key(&self, key: &str) -> bool {
        self.matcher
            .match_storage_key(key)
            .is_some_and(|m| !self.service_allowed(&m))
    }

    /// `sekisho.get()`: the consent in effect, as JSON text (`{decided, categories, services,
    /// revision, consentId, updatedAt, gpc, regime, region}`; `updatedAt` in Unix milliseconds).
    pub fn state_json(&self) -> String {
        let s = &self.state;
        let mut out = String::with_capacity(256);
        let mut o = Object::new(&mut out);
        o.bool("decided", s.decided()).object("categories", |c| {
            for category in Category::ALL {
                c.bool(category.id(), s.granted(category));
            }
        });
        o.object("services", |services| {
            for (id, _) in s.choice.iter().flat_map(|c| c.services.iter()) {
                services.bool(
                    id,
                    s.service_granted(id, self.matcher.category_of(id)) && !self.refused(id),
                );
            }
        });
        o.number("revision", self.config.revision.into())
            .string("consentId", s.consent_id.as_deref())
            .millis(
                "updatedAt",
                s.choice.as_ref().map(|c| c.decided_at as f64 * 1000.0),
            )
            .bool("gpc", s.gpc)
            .string("regime", Some(s.regime.id()))
            .string("region", s.region.as_deref());
        o.close();
        out
    }

    /// What a stored copy found after start (the localStorage copy, read once the document is
    /// parsed) means for this page: a choice to put in effect, if it is usable and none is in
    /// effect. A copy that is only out of date still gives the browser's consent id back.
    pub fn adopt_stored_copy(&mut self, loaded: LoadOutcome) -> Option<StoredChoice> {
        match loaded {
            LoadOutcome::Restored(choice) if !self.state.decided() => {
                // The cookie was lost: whatever it covered may have been left behind.
                self.sweep_due = true;
                Some(choice)
            }
            LoadOutcome::RevisionChanged(c) | LoadOutcome::Expired(c) => {
                self.state.consent_id.get_or_insert(c.consent_id);
                None
            }
            _ => None,
        }
    }
}

/// Whether a page load should sweep what services not allowed left: only when something may
/// have been left since the last sweep. A choice that lapsed (expired, re-asked for a new
/// revision, unreadable) may have allowed tags that are held now; a recent choice that withholds
/// something may have been a revoke whose page kept running its tags; GPC withdraws `ads` over a
/// stored grant. A visitor
/// without a choice, or with a settled one, has nothing new to clear (held tags never ran), so
/// their pages open no storage at all.
fn sweep_due(loaded: &LoadOutcome, state: &ConsentState, now_secs: u64) -> bool {
    match loaded {
        LoadOutcome::NoChoice => false,
        LoadOutcome::Corrupt(_) | LoadOutcome::RevisionChanged(_) | LoadOutcome::Expired(_) => true,
        LoadOutcome::Restored(choice) => {
            // A recent choice that withholds something (accept-all leaves nothing to clear).
            let withholds = state.effective() != CategorySet::ALL
                || choice.services.iter().any(|(_, granted)| !granted);
            (withholds && now_secs.saturating_sub(choice.decided_at) < SWEEP_WINDOW_SECS)
                // GPC over a grant of ads (the category, or a service's own switch).
                || (state.gpc
                    && (choice.granted.contains(Category::Ads)
                        || choice.services.iter().any(|(_, granted)| *granted)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::parse_config;
    use crate::core::regime::Regime;

    const PAGE: &str = "https://www.example.co.jp";
    const GA: &str = "https://www.google-analytics.com/g/collect?v=2";

    fn checkpoint(config: &str, stored: Option<&str>, gpc: bool) -> Checkpoint {
        let (checkpoint, problems) = checkpoint_with_problems(config, stored, gpc);
        assert_eq!(problems, 0);
        checkpoint
    }

    /// The checkpoint for a config with problems, and how many.
    fn checkpoint_with_problems(
        config: &str,
        stored: Option<&str>,
        gpc: bool,
    ) -> (Checkpoint, usize) {
        let (config, errors) = parse_config(&serde_json::from_str(config).unwrap());
        let problems = errors.len();
        let page = PageContext {
            origin: PAGE,
            stored,
            gpc,
            gpc_remembered: false,
            now_secs: 1_800_000_000,
        };
        (
            Checkpoint::start(config, page, || Some("Asia/Tokyo".into())).0,
            problems,
        )
    }

    /// A stored choice of `bits` (analytics = 5, all = 31), decided just now.
    fn stored(bits: u8) -> String {
        ["1.c1.0.", &bits.to_string(), ".1800000000"].concat()
    }

    #[test]
    fn known_services_wait_for_their_category() {
        let c = checkpoint("{}", None, false);
        let j = c.judge(GA, Kind::Fetch);
        assert_eq!(j.verdict, Verdict::Hold);
        assert_eq!(j.service, Some("google-analytics"));
        assert_eq!(j.category, Some(Category::Analytics));
        assert_eq!(
            j.requirement(),
            Some(Requirement::Service("google-analytics".into()))
        );
        let analytics = stored(5);
        let c = checkpoint("{}", Some(&analytics), false);
        assert_eq!(c.judge(GA, Kind::Fetch).verdict, Verdict::PassByChoice);
    }

    #[test]
    fn google_tags_in_advanced_mode_load_before_consent_but_their_cookies_wait() {
        const GTAG: &str = "https://www.googletagmanager.com/gtag/js?id=G-1";
        const ADS: &str = "https://www.googleadservices.com/pagead/conversion.js";
        let config = r#"{"signals":{"googleConsentMode":{"advanced":["google-analytics"]}}}"#;
        let c = checkpoint(config, None, false);
        for url in [GA, GTAG] {
            let j = c.judge(url, Kind::Script);
            assert_eq!(j.verdict, Verdict::PassByChoice, "{url}");
            assert!(j.category.is_some());
        }
        assert_eq!(
            c.judge(ADS, Kind::Script).verdict,
            Verdict::Hold,
            "basic mode"
        );
        let cookie = c.judge_cookie_write("_ga=GA1.1.1; path=/", 0).unwrap();
        assert_eq!(cookie.verdict, Verdict::Hold);
        // Without the switch, the Google tag waits for its category.
        assert_eq!(
            checkpoint("{}", None, false)
                .judge(GTAG, Kind::Script)
                .verdict,
            Verdict::Hold
        );
        // GPC holds an ad tag even in advanced mode.
        let ads = r#"{"signals":{"googleConsentMode":{"advanced":["google-ads"]}}}"#;
        assert_eq!(
            checkpoint(ads, None, false)
                .judge(ADS, Kind::Script)
                .verdict,
            Verdict::PassByChoice
        );
        assert_eq!(
            checkpoint(ads, None, true).judge(ADS, Kind::Script).verdict,
            Verdict::Hold
        );
        // So does the visitor's own switch for that service.
        let refused = ["1.c1.0.1.1800000000.!google-ads"].concat();
        assert_eq!(
            checkpoint(ads, Some(&refused), false)
                .judge(ADS, Kind::Script)
                .verdict,
            Verdict::Hold
        );
    }

    #[test]
    fn signals_follow_the_regime_the_choice_and_gpc() {
        let v = |c: &Checkpoint| -> serde_json::Value {
            serde_json::from_str(&c.signals_at_start().unwrap()).unwrap()
        };
        // Opt-out regime, undecided: granted by default, waiting for an update.
        let c = checkpoint(r#"{"regime":"opt-out"}"#, None, false);
        let start = v(&c);
        assert_eq!(start["gtag"][0][2]["ad_storage"], "granted");
        assert_eq!(start["gtag"][0][2]["wait_for_update"], 500);
        assert_eq!(
            start["gtag"].as_array().unwrap().len(),
            2,
            "default and redaction"
        );
        // GPC: ads denied whatever the regime or the stored choice.
        let all = stored(0b1_1111);
        let c = checkpoint(r#"{"regime":"opt-out"}"#, Some(&all), true);
        let start = v(&c);
        let update = start["gtag"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(update[1], "update");
        assert_eq!(update[2]["ad_storage"], "denied");
        assert_eq!(update[2]["ad_personalization"], "denied");
        assert_eq!(update[2]["analytics_storage"], "granted");
        assert_eq!(start["uetq"][0][2]["ad_storage"], "denied");
        // A change: an update of the state in effect.
        let mut c = checkpoint("{}", None, false);
        let next = ConsentState {
            choice: Some(StoredChoice {
                consent_id: "c1".into(),
                revision: 0,
                granted: CategorySet::NECESSARY.with(Category::Analytics, true),
                decided_at: 1,
                services: vec![("google-ads".into(), true)],
            }),
            ..c.state.clone()
        };
        c.decided(next);
        let update: serde_json::Value = serde_json::from_str(&c.signals_update().unwrap()).unwrap();
        assert_eq!(update["gtag"][0][2]["analytics_storage"], "granted");
        assert_eq!(
            update["gtag"][0][2]["ad_storage"], "granted",
            "the service's own choice"
        );
        assert_eq!(update["uetq"][0][2]["ad_storage"], "denied");
    }

    #[test]
    fn gpc_withdraws_a_stored_grant_of_ads_for_good() {
        let stored_with = |overrides: &str| ["1.c1.0.31.1800000000", overrides].concat();
        let mut c = checkpoint("{}", Some(&stored_with("")), true);
        let withdrawn = c.withdraw_ads_for_gpc().expect("ads were granted");
        assert!(!withdrawn.granted.contains(Category::Ads));
        assert!(withdrawn.granted.contains(Category::Analytics));
        assert_eq!(
            withdrawn.decided_at, 1_800_000_000,
            "the choice keeps its date"
        );
        assert_eq!(c.state.choice.as_ref(), Some(&withdrawn));
        assert_eq!(c.withdraw_ads_for_gpc(), None, "once");
        // An ad service's own grant goes too.
        let meta = stored_with(".meta-pixel~youtube");
        let mut c = checkpoint("{}", Some(&meta), true);
        let withdrawn = c.withdraw_ads_for_gpc().unwrap();
        assert_eq!(withdrawn.services, [("youtube".to_string(), true)]);
        // Without GPC, without ads granted, or undecided: nothing to store.
        let none = |config: &str, stored: Option<&str>, gpc: bool| {
            checkpoint(config, stored, gpc).withdraw_ads_for_gpc()
        };
        assert_eq!(none("{}", Some(&stored_with("")), false), None);
        assert_eq!(none("{}", Some(&stored(5)), true), None);
        assert_eq!(none(r#"{"regime":"opt-out"}"#, None, true), None);
    }

    #[test]
    fn gpc_is_remembered_for_a_visitor_who_has_not_chosen_in_the_opt_out_regime() {
        let opt_out = r#"{"regime":"opt-out"}"#;
        assert!(checkpoint(opt_out, None, true).remembers_gpc());
        assert!(!checkpoint(opt_out, None, false).remembers_gpc());
        assert!(
            !checkpoint("{}", None, true).remembers_gpc(),
            "opt-in: ads wait anyway"
        );
        assert!(
            !checkpoint(opt_out, Some(&stored(5)), true).remembers_gpc(),
            "chosen"
        );
        // The marker read back: GPC, whatever the regime, and nothing granted by it.
        let start = |config: &str, stored: Option<&str>| {
            let (config, _) = parse_config(&serde_json::from_str(config).unwrap());
            let page = PageContext {
                origin: PAGE,
                stored,
                gpc: false,
                gpc_remembered: true,
                now_secs: 1_800_000_000,
            };
            Checkpoint::start(config, page, || None).0
        };
        let later = start(opt_out, None);
        assert!(later.state.gpc && !later.state.granted(Category::Ads));
        assert!(
            later.state.granted(Category::Analytics),
            "the regime's other defaults"
        );
        assert!(!later.state.decided());
        // Once the visitor chooses, their choice speaks: on a later page, and on this one.
        let all = stored(0b1_1111);
        assert!(!start(opt_out, Some(&all)).state.gpc);
        let mut c = start(opt_out, None);
        let next = ConsentState {
            choice: Some(StoredChoice {
                consent_id: "c1".into(),
                revision: 0,
                granted: CategorySet::ALL,
                decided_at: 1,
                services: Vec::new(),
            }),
            ..c.state.clone()
        };
        c.decided(next);
        assert!(c.state.granted(Category::Ads));
    }

    #[test]
    fn a_site_service_without_its_japanese_disclosure_stays_held() {
        const CRM: &str = "https://crm.acme.example/t.js";
        let disclosed = r#"{"services":{"crm":{"category":"analytics","hosts":["crm.acme.example"],
            "recipient":{"ja":"Acme株式会社（Acme CRM）"},"sent":["ip","url"],
            "purpose":"会員の行動分析","recipientPurpose":{"ja":"サービスの提供"}}}}"#;
        let undisclosed = r#"{"services":{"crm":{"category":"analytics","hosts":["crm.acme.example"],
            "recipient":{"en":"Acme Inc."},"sent":["ip"],"purpose":"analytics","recipientPurpose":"x"}}}"#;
        let all = stored(31);
        let c = checkpoint(disclosed, Some(&all), false);
        assert_eq!(c.judge(CRM, Kind::Script).verdict, Verdict::PassByChoice);
        assert!(c.allows(&Requirement::Service("crm".into())));
        let (c, problems) = checkpoint_with_problems(undisclosed, Some(&all), false);
        assert_eq!(problems, 1); // recipient: English only
        let j = c.judge(CRM, Kind::Script);
        assert_eq!((j.verdict, j.service), (Verdict::Hold, Some("crm")));
        assert!(!c.allows(&Requirement::Service("crm".into())));
        // A catalog entry brings its own disclosure.
        let c = checkpoint(r#"{"services":{"google-analytics":{}}}"#, Some(&all), false);
        assert_eq!(c.judge(GA, Kind::Script).verdict, Verdict::PassByChoice);
    }

    #[test]
    fn a_category_mark_follows_the_visitors_choice_for_its_service() {
        const YT: &str = "https://www.youtube.com/embed/x";
        let sns = Requirement::Category(Category::Sns);
        let c = checkpoint("{}", None, false);
        assert!(!c.allows_marked(&sns, YT));
        // sns refused, YouTube allowed on its own ("always allow" on its placeholder)
        let mut c = checkpoint("{}", Some(&stored(1)), false);
        c.state.choice.as_mut().unwrap().services = vec![("youtube".into(), true)];
        assert!(c.allows_marked(&sns, YT));
        assert!(!c.allows_marked(&sns, "https://platform.twitter.com/widgets.js"));
        assert!(
            !c.allows_marked(&sns, ""),
            "an inline script follows its category"
        );
        // sns allowed, YouTube switched off on its own
        let mut c = checkpoint("{}", Some(&stored(31)), false);
        c.state.choice.as_mut().unwrap().services = vec![("youtube".into(), false)];
        assert!(!c.allows_marked(&sns, YT));
        assert!(c.allows_marked(&sns, "https://platform.twitter.com/widgets.js"));
    }

    #[test]
    fn load_once_allows_a_service_for_the_page_view_until_the_next_choice() {
        const X: &str = "https://platform.twitter.com/widgets.js";
        let mut c = checkpoint("{}", None, false);
        assert_eq!(c.judge(X, Kind::Script).verdict, Verdict::Hold);
        assert!(c.allow_once("x-widgets"));
        assert!(!c.allow_once("nobody"), "an unknown service");
        let j = c.judge(X, Kind::Script);
        assert_eq!(
            j.verdict,
            Verdict::PassByChoice,
            "never remembered by the guards"
        );
        assert!(c.allows(&Requirement::Service("x-widgets".into())));
        assert!(c.allows_marked(&Requirement::Category(Category::Sns), X));
        assert!(
            !c.allows(&Requirement::Category(Category::Sns)),
            "not the category"
        );
        assert!(!c.state.decided(), "nothing recorded");
        // The next choice ends it, and withdraws it when it does not allow the service.
        let rejected = checkpoint("{}", Some(&stored(1)), false).state;
        assert!(c.decided(rejected));
        assert_eq!(c.judge(X, Kind::Script).verdict, Verdict::Hold);
        let mut c = checkpoint("{}", None, false);
        c.allow_once("x-widgets");
        assert!(!c.decided(checkpoint("{}", Some(&stored(31)), false).state));
    }

    #[test]
    fn a_lapsed_choice_and_a_gpc_opt_out_are_noted_once_per_stored_choice() {
        let notes = |stored: &str, gpc: bool| {
            let page = PageContext {
                origin: PAGE,
                stored: Some(stored),
                gpc,
                gpc_remembered: false,
                now_secs: 1_800_000_000,
            };
            let config = parse_config(&serde_json::from_str("{}").unwrap()).0;
            let (c, loaded) = Checkpoint::start(config, page, || Some("Asia/Tokyo".into()));
            c.start_notes(&loaded)
        };
        assert_eq!(
            notes(&stored(31), true),
            [("gpc_opt_out", "c1.1800000000".to_string())]
        );
        assert!(
            notes(&stored(5), true).is_empty(),
            "no ads granted: nothing withdrawn"
        );
        assert!(notes(&stored(31), false).is_empty());
        let old = "1.c1.0.31.1000000000";
        assert_eq!(notes(old, false), [("expire", "c1.1000000000".to_string())]);
    }

    #[test]
    fn what_no_choice_changes_passes() {
        let c = checkpoint("{}", None, false);
        for url in [
            "/own.js",
            "https://cdn.example.co.jp/x.js",
            "https://cdn.jsdelivr.net/npm/x.js",
            "data:image/gif;base64,R0",
            "https://api.partner.example/x",
        ] {
            assert_eq!(c.judge(url, Kind::Script), Judgement::PASS, "{url}");
        }
    }

    #[test]
    fn unknown_third_parties_wait_for_ads_when_the_site_blocks_them() {
        let c = checkpoint(r#"{"unknownThirdParty":"block"}"#, None, false);
        let j = c.judge("https://api.partner.example/x", Kind::Xhr);
        assert_eq!(
            (j.verdict, j.category),
            (Verdict::Hold, Some(Category::Ads))
        );
        assert_eq!(j.requirement(), Some(Requirement::Category(Category::Ads)));
        let all = stored(31);
        let c = checkpoint(r#"{"unknownThirdParty":"block"}"#, Some(&all), false);
        let j = c.judge("https://api.partner.example/x", Kind::Xhr);
        assert_eq!(j.verdict, Verdict::PassByChoice);
        // GPC is an opt-out of ads, over "accept all".
        let c = checkpoint(r#"{"unknownThirdParty":"block"}"#, Some(&all), true);
        let j = c.judge("https://api.partner.example/x", Kind::Xhr);
        assert_eq!(j.verdict, Verdict::Hold);
    }

    #[test]
    fn frame_documents_no_guard_reaches_wait_for_ads() {
        let c = checkpoint("{}", None, false);
        let doc = "data:text/html,<script>fetch('https://x.example')</script>";
        assert_eq!(c.judge(doc, Kind::Iframe).category, Some(Category::Ads));
        assert_eq!(c.judge(doc, Kind::Iframe).verdict, Verdict::Hold);
        // The same URL as an image makes no request.
        assert_eq!(c.judge(doc, Kind::Img), Judgement::PASS);
        assert_eq!(c.judge_opaque_frame().verdict, Verdict::Hold);
        let all = stored(31);
        let c = checkpoint("{}", Some(&all), false);
        assert_eq!(c.judge_opaque_frame().verdict, Verdict::PassByChoice);
    }

    #[test]
    fn relative_urls_are_judged_where_a_moved_base_sends_them() {
        let c = checkpoint("{}", None, false);
        assert_eq!(c.judge_at("/tr?id=1", "", Kind::Img), Judgement::PASS);
        let j = c.judge_at("/tr?id=1", "https://www.facebook.com/", Kind::Img);
        assert_eq!((j.verdict, j.service), (Verdict::Hold, Some("meta-pixel")));
    }

    #[test]
    fn a_service_override_wins_over_its_category() {
        let with_override = [&stored(1), ".youtube"].concat();
        let c = checkpoint("{}", Some(&with_override), false);
        let j = c.judge("https://www.youtube.com/embed/x", Kind::Iframe);
        assert_eq!(j.verdict, Verdict::PassByChoice);
        assert!(c.allows(&Requirement::Service("youtube".into())));
        assert!(!c.allows(&Requirement::Category(Category::Sns)));
    }

    #[test]
    fn cookie_writes_of_services_not_allowed_are_refused() {
        let c = checkpoint("{}", None, false);
        let j = c.judge_cookie_write("_ga=GA1.1.2; path=/", 0).unwrap();
        assert_eq!(
            (j.verdict, j.service),
            (Verdict::Hold, Some("google-analytics"))
        );
        assert_eq!(c.judge_cookie_write("_ga=; Max-Age=0", 0), None);
        assert_eq!(c.judge_cookie_write("theme=dark", 0), None);
        let analytics = stored(5);
        let c = checkpoint("{}", Some(&analytics), false);
        let j = c.judge_cookie_write("_ga=GA1.1.2", 0).unwrap();
        assert_eq!(j.verdict, Verdict::PassByChoice);
    }

    #[test]
    fn html_rewrites_say_whether_a_choice_decided_them() {
        let c = checkpoint("{}", None, false);
        assert_eq!(
            c.rewrite_html(r#"<img src="/a.png">"#, "innerHTML", "", NO_MAPS),
            Rewrite::Unchanged(Verdict::Pass)
        );
        let Rewrite::Rewritten(out) = c.rewrite_html(
            &[r#"<img src=""#, GA, r#"">"#].concat(),
            "innerHTML",
            "",
            NO_MAPS,
        ) else {
            panic!("held");
        };
        assert!(
            out.contains(r#"data-consent="service:google-analytics""#),
            "{out}"
        );
        let analytics = stored(5);
        let c = checkpoint("{}", Some(&analytics), false);
        assert_eq!(
            c.rewrite_html(
                &[r#"<img src=""#, GA, r#"">"#].concat(),
                "innerHTML",
                "",
                NO_MAPS
            ),
            Rewrite::Unchanged(Verdict::PassByChoice)
        );
    }

    #[test]
    fn a_module_script_is_judged_by_its_static_imports() {
        let c = checkpoint("{}", None, false);
        let gtag = "https://www.googletagmanager.com/gtag/js?id=G-1";
        let j = c.judge_module(&["import \"", gtag, "\";"].concat(), "", NO_MAPS);
        assert_eq!(j.verdict, Verdict::Hold);
        assert_eq!(
            j.requirement(),
            Some(Requirement::Service("google-tag-manager".into()))
        );
        // First-party, unknown and bare imports pass here (bare ones: the guards' import maps).
        let first_party = "import a from './a.js'; import 'https://cdn.example/x.js'; import 'ga';";
        assert_eq!(c.judge_module(first_party, "", NO_MAPS), Judgement::PASS);
        // A relative import against a base that moved to the tag's host.
        let moved = c.judge_module(
            "import './gtag/js';",
            "https://www.googletagmanager.com/",
            NO_MAPS,
        );
        assert_eq!(moved.verdict, Verdict::Hold);
        // Once allowed, it passes by choice.
        let analytics = stored(5);
        let allowed = checkpoint("{}", Some(&analytics), false);
        assert_eq!(
            allowed
                .judge_module(&["export * from '", gtag, "';"].concat(), "", NO_MAPS)
                .verdict,
            Verdict::PassByChoice
        );
    }

    const NO_MAPS: ImportMaps<'static> = ImportMaps::new("");

    #[test]
    fn module_scripts_in_html_strings_through_the_pages_import_maps() {
        let c = checkpoint("{}", None, false);
        let maps = ImportMaps::new(
            "https://site.example/dir/page.html\0pixel\0https://www.googletagmanager.com/gtm.js\0\
             tags/\0https://www.googletagmanager.com/\0https://site.example/lib.js\0https://www.googletagmanager.com/gtag/js\0\
             own\0https://site.example/own.js",
        );
        for import in ["pixel", "tags/gtag/js?id=1", "/lib.js", "../lib.js"] {
            let html = [
                r#"<script type="module">import ""#,
                import,
                r#"";</script>"#,
            ]
            .concat();
            assert!(
                matches!(c.rewrite_html(&html, "write", "", maps), Rewrite::Rewritten(out) if out.contains("google-tag-manager")),
                "{import}"
            );
        }
        // What the maps send to the site itself, and what they do not name, pass; without the
        // maps a bare specifier is nothing to judge.
        for import in ["own", "lodash", "./own.js"] {
            let html = [
                r#"<script type="module">import ""#,
                import,
                r#"";</script>"#,
            ]
            .concat();
            assert_eq!(
                c.rewrite_html(&html, "write", "", maps),
                Rewrite::Unchanged(Verdict::Pass),
                "{import}"
            );
        }
        let bare = r#"<script type="module">import "pixel";</script>"#;
        assert_eq!(
            c.rewrite_html(bare, "write", "", NO_MAPS),
            Rewrite::Unchanged(Verdict::Pass)
        );
    }

    #[test]
    fn module_scripts_in_html_strings_through_the_maps_the_string_writes() {
        let c = checkpoint("{}", None, false);
        let page =
            ImportMaps::new("https://site.example/dir/page.html\0own\0https://site.example/own.js");
        let map = r#"<script type="importmap">{"imports": {"pixel": "https://www.googletagmanager.com/gtm.js"},
            "scopes": {"/x/": {"../lib.js": "//www.googletagmanager.com/gtag/js"}}}</script>"#;
        for (maps, import) in [
            (page, "pixel"),
            (NO_MAPS, "pixel"),
            (page, "../lib.js"), // (a key resolved against the page's base, an address with its scheme)
        ] {
            let html = [
                map,
                r#"<script type="module">import ""#,
                import,
                r#"";</script>"#,
            ]
            .concat();
            assert!(
                matches!(c.rewrite_html(&html, "write", "", maps), Rewrite::Rewritten(out)
                    if out.contains(r#"type="text/plain" data-consent="service:google-tag-manager""#)
                        && out.contains(r#"<script type="importmap">"#)),
                "{import}"
            );
        }
        // The page's own maps still apply; a map after the module script and one of another type
        // do not.
        let own = [map, r#"<script type="module">import "own";</script>"#].concat();
        assert_eq!(
            c.rewrite_html(&own, "write", "", page),
            Rewrite::Unchanged(Verdict::Pass)
        );
        for html in [
            [r#"<script type="module">import "pixel";</script>"#, map].concat(),
            r#"<script type="text/importmap">{"imports": {"pixel": "https://www.googletagmanager.com/gtm.js"}}</script><script type="module">import "pixel";</script>"#.to_string(),
        ] {
            assert_eq!(c.rewrite_html(&html, "write", "", page), Rewrite::Unchanged(Verdict::Pass), "{html}");
        }
        // A map this parser cannot read (the browser's may: a lone surrogate) holds the module
        // scripts after it that import anything.
        let unreadable = r#"<script type="importmap">{"imports": {"z": "\ud800", "pixel": "https://www.googletagmanager.com/gtm.js"}}</script>"#;
        let after = [unreadable, r#"<script type="module">import "pixel";</script><script type="module">let x = 1;</script>"#].concat();
        assert!(
            matches!(c.rewrite_html(&after, "write", "", page), Rewrite::Rewritten(out)
            if out.matches("data-consent").count() == 1),
            "{after}"
        );
        // A `<base href>` of the string moves where the map's relative addresses point, and a
        // `type` is read with its character references decoded.
        for html in [
            r#"<base href="https://www.googletagmanager.com/"><script type="importmap">{"imports": {"x": "./gtm.js"}}</script><script type="module">import "x";</script>"#,
            r#"<script type="&#105;mportmap">{"imports": {"x": "https://www.googletagmanager.com/gtm.js"}}</script><script type="m&#111;dule">import "x";</script>"#,
            r#"<script type="text/j&#97;vascript" src="https://www.googletagmanager.com/gtm.js"></script>"#,
        ] {
            assert!(
                matches!(c.rewrite_html(html, "write", "", page), Rewrite::Rewritten(out)
                if out.contains(r#"data-consent="service:google-tag-manager""#)),
                "{html}"
            );
        }
    }

    #[test]
    fn module_scripts_in_html_strings() {
        let c = checkpoint("{}", None, false);
        let module =
            r#"<script type=" Module ">import "https://www.googletagmanager.com/gtm.js";</script>"#;
        let Rewrite::Rewritten(out) = c.rewrite_html(module, "write", "", NO_MAPS) else {
            panic!("held");
        };
        assert!(
            out.contains(r#"type="text/plain" data-consent="service:google-tag-manager""#),
            "{out}"
        );
        // A classic script with the same text is not a module: nothing to judge it by.
        let classic = r#"<script>import "https://www.googletagmanager.com/gtm.js";</script>"#;
        assert_eq!(
            c.rewrite_html(classic, "write", "", NO_MAPS),
            Rewrite::Unchanged(Verdict::Pass)
        );
    }

    #[test]
    fn the_regime_follows_the_region() {
        let config = r#"{"regime":{"JP":"opt-out","default":"opt-in"}}"#;
        assert_eq!(checkpoint(config, None, false).state.regime, Regime::OptOut);
        let (config, _) = parse_config(&serde_json::from_str(config).unwrap());
        let page = PageContext {
            origin: PAGE,
            stored: None,
            gpc: false,
            gpc_remembered: false,
            now_secs: 1,
        };
        let (c, _) = Checkpoint::start(config.clone(), page, || Some("Europe/Paris".into()));
        assert_eq!(c.state.regime, Regime::OptIn);
        // An unknown region is the strictest.
        let (c, _) = Checkpoint::start(config, page, || None);
        assert_eq!(c.state.regime, Regime::OptIn);
        // A fixed regime never asks the time zone.
        let (config, _) = parse_config(&serde_json::from_str(r#"{"regime":"opt-out"}"#).unwrap());
        let (c, _) = Checkpoint::start(config, page, || panic!("asked"));
        assert_eq!(c.state.regime, Regime::OptOut);
    }

    #[test]
    fn a_stored_copy_is_adopted_only_when_nothing_is_decided() {
        let mut c = checkpoint("{}", None, false);
        let copy = LoadOutcome::read(Some(&stored(5)), 0, 180, 1_800_000_000);
        assert!(c.adopt_stored_copy(copy.clone()).is_some());
        let all = stored(31);
        let mut c = checkpoint("{}", Some(&all), false);
        assert_eq!(c.adopt_stored_copy(copy), None);
        // An out-of-date copy still gives the consent id back.
        let mut c = checkpoint(r#"{"revision":2}"#, None, false);
        let old = LoadOutcome::read(Some(&stored(5)), 2, 180, 1_800_000_000);
        assert_eq!(c.adopt_stored_copy(old), None);
        assert_eq!(c.state.consent_id.as_deref(), Some("c1"));
    }

    #[test]
    fn a_load_sweeps_only_when_something_may_have_been_left() {
        let now = 1_800_000_000;
        let sweeps = |stored: Option<&str>, gpc: bool| checkpoint("{}", stored, gpc).sweep_due;
        assert!(!sweeps(None, false), "no choice: held tags never ran");
        let old = ["1.c1.0.5.", &(now - SWEEP_WINDOW_SECS - 1).to_string()].concat();
        assert!(!sweeps(Some(&old), false), "a settled choice");
        assert!(
            sweeps(Some(&stored(5)), false),
            "a choice made just now that withholds ads"
        );
        assert!(
            !sweeps(Some(&stored(31)), false),
            "accepting all leaves nothing to clear"
        );
        let all_but_one = [&stored(31), ".!youtube"].concat();
        assert!(sweeps(Some(&all_but_one), false), "a service withheld");
        let old_all = ["1.c1.0.31.", &(now - SWEEP_WINDOW_SECS - 1).to_string()].concat();
        assert!(
            sweeps(Some(&old_all), true),
            "GPC over a stored grant of ads"
        );
        assert!(sweeps(Some("1.bad"), false), "a corrupt value");
        let c = checkpoint(r#"{"revision":2}"#, Some(&old), false);
        assert!(c.sweep_due, "a choice for an older revision");
    }

    #[test]
    fn the_state_as_json() {
        let with_override = [&stored(5), ".youtube~!google-analytics"].concat();
        let c = checkpoint(r#"{"revision":0}"#, Some(&with_override), true);
        let v: serde_json::Value = serde_json::from_str(&c.state_json()).unwrap();
        assert_eq!(v["decided"], true);
        assert_eq!(v["categories"]["analytics"], true);
        assert_eq!(v["categories"]["ads"], false);
        assert_eq!(v["services"]["youtube"], true);
        assert_eq!(v["services"]["google-analytics"], false);
        assert_eq!(v["consentId"], "c1");
        assert_eq!(v["updatedAt"], 1_800_000_000_000u64);
        assert_eq!(
            (v["gpc"].clone(), v["regime"].clone()),
            (true.into(), "opt-in".into())
        );
        assert!(v["region"].is_null());
        let v: serde_json::Value =
            serde_json::from_str(&checkpoint("{}", None, false).state_json()).unwrap();
        assert_eq!(v["decided"], false);
        assert!(v["consentId"].is_null() && v["updatedAt"].is_null());
        assert_eq!(v["services"], serde_json::json!({}));
    }

    #[test]
    fn the_protocol_file_lists_the_enums_in_discriminant_order() {
        let protocol: serde_json::Value =
            serde_json::from_str(include_str!("../protocol.json")).unwrap();
        let names = |key: &str| -> Vec<String> {
            protocol[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(names("kinds"), kinds);
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
        let verdicts: Vec<&str> = Verdict::ALL.iter().map(|v| v.id()).collect();
        assert_eq!(names("verdicts"), verdicts);
        for (i, v) in Verdict::ALL.iter().enumerate() {
            assert_eq!(*v as usize, i);
        }
    }
}
