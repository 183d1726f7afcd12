//! Rate limits, in memory: per client address (never written anywhere) and per consent. Each is a
//! token bucket refilled at `per_minute / 60` a second, holding a minute's worth; 0 turns one off.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimits {
    ip: Buckets<IpAddr>,
    consent: Buckets<String>,
}

impl RateLimits {
    /// Limits of `per_ip` and `per_consent` records a minute (0: none).
    pub fn new(per_ip: u32, per_consent: u32) -> RateLimits {
        RateLimits {
            ip: Buckets::new(per_ip),
            consent: Buckets::new(per_consent),
        }
    }

    /// `None` when a record from `ip` may go on; else the seconds to wait.
    pub fn per_ip(&self, ip: IpAddr) -> Option<u64> {
        self.ip.take(ip)
    }

    pub fn per_consent(&self, consent_id: &str) -> Option<u64> {
        self.consent.take(consent_id.to_owned())
    }
}

struct Buckets<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

/// Buckets kept before full ones are forgotten (a full bucket is the same as none).
const KEPT: usize = 100_000;

impl<K: Hash + Eq> Buckets<K> {
    fn new(per_minute: u32) -> Self {
        Buckets {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn take(&self, key: K) -> Option<u64> {
        if self.per_minute == 0 {
            return None;
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= KEPT {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < capacity
            });
        }
        let (tokens, at) = buckets.entry(key).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            None
        } else {
            Some(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_holds_a_minute_of_records_then_says_how_long_to_wait() {
        let limits = RateLimits::new(3, 0);
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert_eq!(limits.per_ip(ip), None);
        assert_eq!(limits.per_ip(ip), None);
        assert_eq!(limits.per_ip(ip), None);
        let wait = limits.per_ip(ip).unwrap();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limits.per_ip([10, 0, 0, 2].into()), None, "per address");
        assert_eq!(limits.per_consent("c"), None, "0: no limit");
    }
}
