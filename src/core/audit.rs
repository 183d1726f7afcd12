//! The audit log (`sekisho.audit()`): one line per request the checkpoint held, released, or let
//! through for a known service, bounded so that a tag retrying forever cannot grow memory.

use super::category::Category;
use super::checkpoint::{Kind, Verdict};
use super::json_out::Object;

/// What the checkpoint did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Blocked,
    Released,
    /// A known service's request that was allowed.
    Allowed,
}

impl Action {
    pub fn id(self) -> &'static str {
        match self {
            Action::Blocked => "blocked",
            Action::Released => "released",
            Action::Allowed => "allowed",
        }
    }

    /// What a guard's verdict means for the audit: held is blocked, a known service let
    /// through is allowed; anything else (first party, a CDN) is not audited.
    pub fn of(verdict: Verdict, known_service: bool) -> Option<Action> {
        match verdict {
            Verdict::Hold => Some(Action::Blocked),
            _ if known_service => Some(Action::Allowed),
            _ => None,
        }
    }
}

/// One line of `sekisho.audit()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Unix milliseconds.
    pub at: f64,
    pub kind: Kind,
    /// The API it came through (`appendChild`, `innerHTML`, `parser`, `fetch`, …; `markup` for
    /// what the site marked itself, `revoke` for a released frame held again).
    pub via: String,
    pub url: String,
    pub service: Option<String>,
    pub category: Option<Category>,
    pub action: Action,
}

impl Line {
    /// `{at, kind, via, url, service, category, action}`, as JSON.
    pub fn write_json(&self, out: &mut String) {
        let mut o = Object::new(out);
        o.millis("at", Some(self.at))
            .string("kind", Some(self.kind.id()))
            .string("via", Some(&self.via))
            .string("url", Some(&self.url))
            .string("service", self.service.as_deref())
            .string("category", self.category.map(Category::id))
            .string("action", Some(self.action.id()));
        o.close();
    }

    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128 + self.url.len());
        self.write_json(&mut out);
        out
    }
}

/// The most lines kept.
pub const LIMIT: usize = 2000;

#[derive(Debug, Default)]
pub struct Log {
    lines: Vec<Line>,
}

impl Log {
    /// Adds a line. When full, room is made for a tenth more, oldest first, `allowed` lines
    /// before the others: the steady hits of an allowed tag must not push out what was held
    /// and released.
    pub fn push(&mut self, line: Line) {
        if self.lines.len() >= LIMIT {
            let mut room = LIMIT / 10;
            self.lines.retain(|l| {
                let evict = room > 0 && l.action == Action::Allowed;
                room -= usize::from(evict);
                !evict
            });
            self.lines.drain(..room.min(self.lines.len()));
        }
        self.lines.push(line);
    }

    /// Oldest first.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// `sekisho.audit()`: every line, oldest first, as a JSON array.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            line.write_json(&mut out);
        }
        out.push(']');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(url: &str, action: Action) -> Line {
        Line {
            at: 0.0,
            kind: Kind::Fetch,
            via: "fetch".into(),
            url: url.into(),
            service: Some("ga4".into()),
            category: Some(Category::Analytics),
            action,
        }
    }

    #[test]
    fn a_full_log_drops_allowed_lines_before_held_ones() {
        let mut log = Log::default();
        log.push(line("first", Action::Blocked));
        for i in 0..2100 {
            log.push(line(&i.to_string(), Action::Allowed));
        }
        assert!(log.lines().len() <= LIMIT);
        assert_eq!(log.lines()[0].url, "first");
        assert_eq!(log.lines().last().unwrap().url, "2099");
    }

    #[test]
    fn a_log_of_held_lines_drops_the_oldest() {
        let mut log = Log::default();
        for i in 0..=LIMIT {
            log.push(line(&i.to_string(), Action::Blocked));
        }
        assert_eq!(log.lines().len(), LIMIT - LIMIT / 10 + 1);
        assert_eq!(log.lines()[0].url, (LIMIT / 10).to_string());
    }

    #[test]
    fn lines_as_json() {
        let mut log = Log::default();
        log.push(Line {
            at: 1_700_000_000_123.0,
            ..line("https://x.example/p?a=\"b\"", Action::Blocked)
        });
        let v: serde_json::Value = serde_json::from_str(&log.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{"at": 1_700_000_000_123u64, "kind": "fetch", "via": "fetch",
                "url": "https://x.example/p?a=\"b\"", "service": "ga4", "category": "analytics",
                "action": "blocked"}])
        );
        assert_eq!(Log::default().to_json(), "[]");
    }

    #[test]
    fn actions_of_judgements() {
        assert_eq!(Action::of(Verdict::Hold, false), Some(Action::Blocked));
        assert_eq!(
            Action::of(Verdict::PassByChoice, true),
            Some(Action::Allowed)
        );
        assert_eq!(Action::of(Verdict::PassByChoice, false), None);
        assert_eq!(Action::of(Verdict::Pass, false), None);
    }
}
