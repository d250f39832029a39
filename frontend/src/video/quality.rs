//! Connection quality in built-in rooms, 0 to 5 bars, from what a peer
//! connection's `getStats()` reports. Pure: it reads the report's entries
//! as JSON, so recorded reports test it natively.

use serde_json::Value;

/// The most bars; a connection with nothing wrong.
pub const MAX_BARS: u8 = 5;

/// At or below this, the person is told their connection is weak.
pub const WEAK_AT_MOST: u8 = 2;

/// One `getStats()` report, as the counters the score needs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    /// The selected candidate pair's current round trip.
    pub rtt_seconds: Option<f64>,
    /// What the browser estimates it can send on that pair.
    pub outgoing_bps: Option<f64>,
    /// Packets of every incoming stream received, and lost, so far.
    pub received: u64,
    pub lost: u64,
    /// The worst share of our packets the other side says it lost lately.
    pub their_loss: Option<f64>,
}

impl Sample {
    /// Reads the entries of an `RTCStatsReport` (its values, as JSON).
    pub fn from_report(entries: &[Value]) -> Sample {
        let of_type = |kind: &'static str| {
            entries
                .iter()
                .filter(move |entry| entry["type"].as_str() == Some(kind))
        };
        let selected = of_type("transport")
            .find_map(|transport| transport["selectedCandidatePairId"].as_str())
            .and_then(|id| of_type("candidate-pair").find(|pair| pair["id"].as_str() == Some(id)));
        let count = |entry: &Value, field: &str| entry[field].as_u64().unwrap_or(0);
        Sample {
            rtt_seconds: selected.and_then(|pair| pair["currentRoundTripTime"].as_f64()),
            outgoing_bps: selected.and_then(|pair| pair["availableOutgoingBitrate"].as_f64()),
            received: of_type("inbound-rtp")
                .map(|s| count(s, "packetsReceived"))
                .sum(),
            lost: of_type("inbound-rtp")
                .map(|s| count(s, "packetsLost"))
                .sum(),
            their_loss: of_type("remote-inbound-rtp")
                .filter_map(|s| s["fractionLost"].as_f64())
                .reduce(f64::max),
        }
    }
}

/// Bars for the time between two reports of one connection: the weakest of
/// the round trip, the packets lost either way and the bitrate we can
/// send. A connection that received nothing at all in between scores 0.
pub fn bars(before: &Sample, now: &Sample) -> u8 {
    let received = now.received.saturating_sub(before.received);
    let lost = now.lost.saturating_sub(before.lost);
    if received == 0 {
        return 0;
    }
    let our_loss = lost as f64 / (received + lost) as f64;
    let loss = our_loss.max(now.their_loss.unwrap_or(0.0));
    let rtt_ms = now.rtt_seconds.map_or(0.0, |s| s * 1000.0);
    let bps = now.outgoing_bps.unwrap_or(f64::INFINITY);
    let by_rtt = score_below(rtt_ms, [150.0, 250.0, 400.0, 700.0, 1200.0]);
    let by_loss = score_below(loss, [0.01, 0.025, 0.05, 0.10, 0.20]);
    let by_bitrate = score_above(
        bps,
        [1_000_000.0, 500_000.0, 250_000.0, 120_000.0, 50_000.0],
    );
    by_rtt.min(by_loss).min(by_bitrate)
}

/// 5 when `value` is at most the first limit, 4 at most the second, and
/// so on; 0 past the last.
fn score_below(value: f64, limits: [f64; 5]) -> u8 {
    let passed = limits.iter().filter(|&&limit| value > limit).count();
    MAX_BARS - passed as u8
}

/// 5 when `value` is at least the first limit, and so on down.
fn score_above(value: f64, limits: [f64; 5]) -> u8 {
    let missed = limits.iter().filter(|&&limit| value < limit).count();
    MAX_BARS - missed as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two reports Chromium gave 2 s apart in a built-in call on loopback.
    fn recorded() -> (Vec<Value>, Vec<Value>) {
        let parse =
            |text: &str| serde_json::from_str::<Vec<Value>>(text).expect("a recorded report");
        (
            parse(include_str!("../../tests/fixtures/stats-loopback-1.json")),
            parse(include_str!("../../tests/fixtures/stats-loopback-2.json")),
        )
    }

    /// Sets `field` of every entry of type `kind` in a recorded report.
    fn with(mut report: Vec<Value>, kind: &str, field: &str, value: Value) -> Vec<Value> {
        for entry in report.iter_mut().filter(|e| e["type"] == kind) {
            entry[field] = value.clone();
        }
        report
    }

    #[test]
    fn a_recorded_loopback_call_reads_its_counters() {
        let (first, second) = recorded();
        let (first, second) = (Sample::from_report(&first), Sample::from_report(&second));
        assert_eq!(first.rtt_seconds, Some(0.002));
        assert!(first.outgoing_bps > Some(1_000_000.0), "{first:?}");
        assert!(second.received > first.received, "{first:?} {second:?}");
        assert_eq!(second.lost, 0);
        assert_eq!(bars(&first, &second), MAX_BARS);
    }

    #[test]
    fn a_slow_round_trip_lossy_link_or_low_bitrate_takes_bars_away() {
        let (first, second) = recorded();
        let before = Sample::from_report(&first);
        // Each one thing changed in the second report, and the bars it leaves.
        let changed = [
            (
                "candidate-pair",
                "currentRoundTripTime",
                Value::from(0.9),
                1,
            ),
            (
                "candidate-pair",
                "availableOutgoingBitrate",
                Value::from(300_000),
                3,
            ),
            ("remote-inbound-rtp", "fractionLost", Value::from(0.08), 2),
        ];
        for (kind, field, value, expected) in changed {
            let report = with(second.clone(), kind, field, value);
            assert_eq!(
                bars(&before, &Sample::from_report(&report)),
                expected,
                "{field}"
            );
        }

        // One incoming packet in ten lost since the first report.
        let mut lossy = Sample::from_report(&second);
        lossy.lost = (lossy.received - before.received) / 9;
        assert_eq!(bars(&before, &lossy), 2);
    }

    #[test]
    fn nothing_arriving_is_no_bars_and_weak() {
        let (first, _) = recorded();
        let frozen = Sample::from_report(&first);
        assert_eq!(bars(&frozen, &frozen), 0);
        assert!(bars(&frozen, &frozen) <= WEAK_AT_MOST);
    }
}
