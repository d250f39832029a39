//! Per-client rate limits on sign-in, token minting and visit creation. Kept
//! in memory per copy of the service: a copy behind a load balancer limits
//! its own share, which is enough to stop guessing and flooding.

use crate::error::json_error;
use crate::startup::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest};
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
        }
    }
}

impl RateLimits {
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
        limiter.check_key(&client).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the
/// nearest untrusted address in `X-Forwarded-For`.
pub fn resolve_client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or(hops.first())
        .copied()
        .or(Some(peer))
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
            if let Err(wait) = state
                .limits
                .as_ref()
                .map_or(Ok(()), |limits| limits.check(bucket, client))
            {
                crate::audit::refused("rate_limited", None, Some(client));
                let mut response = json_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
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
