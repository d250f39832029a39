//! Every 2 s, each peer connection's statistics become bars for that
//! person, and the weakest becomes ours (see `video::quality`).

use super::LocalRoom;
use crate::services::json;
use crate::video::quality::{bars, Sample};
use crate::video::RoomEvent;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

const EVERY: Duration = Duration::from_secs(2);

impl LocalRoom {
    /// Measures until the room is left.
    pub(super) fn watch_quality(&self) {
        let room = self.clone();
        yew::platform::spawn_local(async move {
            while !room.inner.borrow().leaving {
                yew::platform::time::sleep(EVERY).await;
                room.measure_quality().await;
            }
        });
    }

    async fn measure_quality(&self) {
        let peers: Vec<(String, RtcPeerConnection)> = self
            .inner
            .borrow()
            .peers
            .iter()
            .map(|(identity, peer)| (identity.clone(), peer.pc.clone()))
            .collect();
        let mut weakest = None::<u8>;
        for (identity, pc) in peers {
            let Some(now) = sample(&pc).await else {
                continue;
            };
            let score = {
                let mut inner = self.inner.borrow_mut();
                let Some(peer) = inner.peers.get_mut(&identity) else {
                    continue;
                };
                let score = peer.last_sample.map(|before| bars(&before, &now));
                peer.last_sample = Some(now);
                score
            };
            if let Some(score) = score {
                weakest = Some(weakest.map_or(score, |w| w.min(score)));
                self.emit(RoomEvent::Quality {
                    identity: Some(identity),
                    bars: score,
                });
            }
        }
        if let Some(bars) = weakest {
            self.emit(RoomEvent::Quality {
                identity: None,
                bars,
            });
        }
    }
}

/// The connection's `getStats()` report, read as a [`Sample`].
async fn sample(pc: &RtcPeerConnection) -> Option<Sample> {
    let report = JsFuture::from(pc.get_stats()).await.ok()?;
    // A maplike: `Array.from` gives its [id, stats] pairs.
    let entries: Vec<serde_json::Value> = js_sys::Array::from(&report)
        .iter()
        .filter_map(|pair| json::from_js(pair.unchecked_into::<js_sys::Array>().get(1)).ok())
        .collect();
    Some(Sample::from_report(&entries))
}
