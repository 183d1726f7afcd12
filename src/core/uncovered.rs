//! The third-party hosts a page contacted that nothing describes (`sekisho.uncovered()`): hosts
//! neither the catalog nor the site's `services` cover, and hosts of the catalog's base layer,
//! which holds them but has no disclosure for them (the site describes them in `services`) —
//! what a site adds to its config and to its 外部送信 disclosure from real traffic. Bounded: the
//! first [`LIMIT`] hosts, then only a count.

use super::checkpoint::Kind;
use super::json_out::{push_string, Object};

/// The most hosts kept.
pub const LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Host {
    host: String,
    /// The base-layer service it belongs to (`None`: nothing knows it).
    service: Option<&'static str>,
    /// URLs asked about (the guards ask once per URL: repeated requests to one URL count once).
    urls: u32,
    /// The kinds it was loaded as, a bit per [`Kind`].
    kinds: u16,
    /// When it was first met, Unix milliseconds.
    first_at: u64,
}

#[derive(Debug, Default)]
pub struct Uncovered {
    hosts: Vec<Host>,
    /// Hosts met after the list was full.
    more: u32,
}

impl Uncovered {
    /// Notes a URL of `host` (lower case) loaded as `kind`, at `now` (Unix milliseconds).
    pub fn note(&mut self, host: &str, service: Option<&'static str>, kind: Kind, now: u64) {
        let bit = 1u16 << (kind as u8);
        if let Some(h) = self.hosts.iter_mut().find(|h| h.host == host) {
            h.urls = h.urls.saturating_add(1);
            h.kinds |= bit;
            return;
        }
        if self.hosts.len() >= LIMIT {
            self.more = self.more.saturating_add(1);
            return;
        }
        self.hosts.push(Host {
            host: host.to_string(),
            service,
            urls: 1,
            kinds: bit,
            first_at: now,
        });
    }

    /// `{"hosts":[{"host","service","urls","kinds":[…],"firstAt"}…],"more":n}`, in the order met.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"hosts\":[");
        for (i, h) in self.hosts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut o = Object::new(&mut out);
            o.string("host", Some(&h.host))
                .string("service", h.service)
                .number("urls", u64::from(h.urls));
            o.raw("kinds", &kinds_json(h.kinds));
            o.millis("firstAt", Some(h.first_at as f64));
            o.close();
        }
        out.push_str("],\"more\":");
        super::cookie::push_decimal(&mut out, u64::from(self.more));
        out.push('}');
        out
    }
}

fn kinds_json(bits: u16) -> String {
    let mut out = String::from("[");
    for kind in Kind::ALL.iter().filter(|k| bits & (1 << (**k as u8)) != 0) {
        if out.len() > 1 {
            out.push(',');
        }
        push_string(&mut out, kind.id());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_in_the_order_met_with_their_kinds_and_a_bound() {
        let mut u = Uncovered::default();
        u.note("cdn.widget.example", None, Kind::Script, 1_000);
        u.note("cdn.taboola.com", Some("taboola"), Kind::Fetch, 2_000);
        u.note("cdn.widget.example", None, Kind::Img, 3_000);
        assert_eq!(
            u.to_json(),
            r#"{"hosts":[{"host":"cdn.widget.example","service":null,"urls":2,"kinds":["script","img"],"firstAt":1000},{"host":"cdn.taboola.com","service":"taboola","urls":1,"kinds":["fetch"],"firstAt":2000}],"more":0}"#
        );
        for i in 0..LIMIT + 5 {
            u.note(&format!("h{i}.example"), None, Kind::Img, 0);
        }
        assert!(u.to_json().ends_with(r#""more":7}"#), "{}", u.to_json());
    }
}
