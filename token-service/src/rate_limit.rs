//! Per-client rate limits on sign-in, token minting and visit creation. Kept
//! in memory per copy of the service: a copy behind a load balancer limits
//! its own share, which is enough to stop guessing and flooding.

use crate::error::json_error;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest};
use api_types::ErrorCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    SignIn,
    Token,
    Visits,
}

impl Bucket {
    /// Requests a minute, and how many may come at once.
    fn quota(self) -> Quota {
        let (per_minute, burst) = match self {
            Bucket::SignIn => (10, 5),
            Bucket::Token => (120, 30),
            Bucket::Visits => (60, 20),
        };
        Quota::per_minute(NonZeroU32::new(per_minute).expect("non-zero"))
            .allow_burst(NonZeroU32::new(burst).expect("non-zero"))
    }
}

/// Forget idle clients once this many are tracked, so memory stays bounded.
const MAX_TRACKED_CLIENTS: usize = 10_000;

pub struct RateLimits {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    token: DefaultKeyedRateLimiter<IpAddr>,
    visits: DefaultKeyedRateLimiter<IpAddr>,
    /// One audit line per limited client a minute, however hard it pushes.
    audit_lines: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sign_in: DefaultKeyedRateLimiter::keyed(Bucket::SignIn.quota()),
            token: DefaultKeyedRateLimiter::keyed(Bucket::Token.quota()),
            visits: DefaultKeyedRateLimiter::keyed(Bucket::Visits.quota()),
            audit_lines: DefaultKeyedRateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(1).expect("non-zero"),
            )),
        }
    }
}

impl RateLimits {
    /// Whether a refusal of `client` should be written to the audit trail.
    fn worth_a_line(&self, client: IpAddr) -> bool {
        if self.audit_lines.len() > MAX_TRACKED_CLIENTS {
            self.audit_lines.retain_recent();
        }
        self.audit_lines.check_key(&limit_key(client)).is_ok()
    }

    /// `Err(seconds)` to wait when the client is over its limit.
    pub fn check(&self, bucket: Bucket, client: IpAddr) -> Result<(), u64> {
        let limiter = match bucket {
            Bucket::SignIn => &self.sign_in,
            Bucket::Token => &self.token,
            Bucket::Visits => &self.visits,
        };
        if limiter.len() > MAX_TRACKED_CLIENTS {
            limiter.retain_recent();
        }
        limiter.check_key(&limit_key(client)).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the nearest untrusted hop in `X-Forwarded-For`, read from the right (the
/// entries on the left are whatever the client sent). Each hop is an IP,
/// optionally with a port (`203.0.113.9:4711`, `[2001:db8::1]:4711`), as
/// some proxies write it. A hop that does not parse ends the walk at the
/// last trusted hop, so a malformed header never lets a client choose.
pub fn resolve_client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let mut nearest = peer?;
    if !trusted.contains(&nearest) {
        return Some(nearest);
    }
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        let Some(hop) = parse_hop(hop.trim()) else {
            break;
        };
        nearest = hop;
        if !trusted.contains(&hop) {
            break;
        }
    }
    Some(nearest)
}

/// An IP, or an IP with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// The key a client is limited under: IPv6 clients by their /64 (one home
/// or phone gets a whole /64 and can pick any address in it).
pub fn limit_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !u128::from(u64::MAX),
            )),
        },
        v4 => v4,
    }
}

pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok());
    resolve_client_ip(req.peer_addr().map(|a| a.ip()), forwarded, trusted)
}

/// Middleware of a limited route: answers 429 with `Retry-After` once a
/// client is over its `bucket`.
pub async fn limit(
    bucket: Bucket,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if let Some(state) = state {
        if let Some(client) = client_ip(req.request(), &state.trusted_proxies) {
            let limits = state.limits.as_ref();
            if let Err(wait) = limits.map_or(Ok(()), |limits| limits.check(bucket, client)) {
                if limits.is_some_and(|limits| limits.worth_a_line(client)) {
                    crate::audit::refused(ErrorCode::RateLimited, None, Some(client));
                }
                let mut response = json_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    "Too many requests. Please wait a moment and try again.",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
                return Ok(req.into_response(response));
            }
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.1");
        let header = Some("203.0.113.9, 10.0.0.1");
        assert_eq!(
            resolve_client_ip(Some(ip("198.51.100.7")), header, &[proxy]),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            resolve_client_ip(Some(proxy), header, &[proxy]),
            Some(ip("203.0.113.9"))
        );
        // A client-supplied left-most entry cannot hide the real client.
        assert_eq!(
            resolve_client_ip(Some(proxy), Some("1.1.1.1, 203.0.113.9"), &[proxy]),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(resolve_client_ip(Some(proxy), None, &[proxy]), Some(proxy));
        assert_eq!(resolve_client_ip(None, header, &[proxy]), None);
    }

    #[test]
    fn forwarded_for_is_parsed_strictly_from_the_right() {
        let (proxy, inner) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let resolve = |header: &str| resolve_client_ip(Some(proxy), Some(header), &[proxy, inner]);
        // A proxy that writes ports: still the real client, not a spoof.
        assert_eq!(
            resolve("1.1.1.1, 203.0.113.9:4711"),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(resolve("[2001:db8::7]:443"), Some(ip("2001:db8::7")));
        // Garbage where the client should be: the nearest trusted hop, never
        // an address the client wrote further left.
        assert_eq!(resolve("1.1.1.1, not-an-ip"), Some(proxy));
        assert_eq!(resolve("1.1.1.1, garbage, 10.0.0.2"), Some(inner));
        assert_eq!(resolve(""), Some(proxy));
        // Through two trusted proxies.
        assert_eq!(resolve("203.0.113.9, 10.0.0.2"), Some(ip("203.0.113.9")));
    }

    #[test]
    fn ipv6_clients_share_a_limit_per_64() {
        let limits = RateLimits::default();
        for host in 1..=5 {
            let address = ip(&format!("2001:db8:1:2::{host:x}"));
            assert!(limits.check(Bucket::SignIn, address).is_ok());
        }
        assert!(limits
            .check(Bucket::SignIn, ip("2001:db8:1:2:ffff::1"))
            .is_err());
        assert!(limits.check(Bucket::SignIn, ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn sign_in_allows_a_burst_then_asks_to_wait() {
        let limits = RateLimits::default();
        let client = ip("192.0.2.1");
        for _ in 0..5 {
            assert!(limits.check(Bucket::SignIn, client).is_ok());
        }
        let wait = limits.check(Bucket::SignIn, client).unwrap_err();
        assert!((1..=6).contains(&wait), "{wait}");
        assert!(
            limits.check(Bucket::SignIn, ip("192.0.2.2")).is_ok(),
            "other clients unaffected"
        );
        assert!(
            limits.check(Bucket::Token, client).is_ok(),
            "other buckets unaffected"
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_forwarded_headers_never_panic(header in ".{0,200}") {
            let proxy = ip("10.0.0.1");
            proptest::prop_assert!(resolve_client_ip(Some(proxy), Some(&header), &[proxy]).is_some());
        }
    }
}
