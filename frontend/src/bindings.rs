//! Every hand-written JS binding, in one place. Only safe wrappers elsewhere
//! (`media`, `video`) call these; components never do.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `RTCPeerConnection`, for the calls web-sys has no form of.
    #[wasm_bindgen(extends = web_sys::RtcPeerConnection, js_name = RTCPeerConnection)]
    type PeerConnection;

    /// With no argument the browser makes the right offer or answer itself,
    /// as perfect negotiation needs.
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    fn set_local_description(this: &PeerConnection) -> js_sys::Promise;

    #[wasm_bindgen(method, js_name = setRemoteDescription)]
    fn set_remote_description(this: &PeerConnection, description: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(method, js_name = addIceCandidate)]
    fn add_ice_candidate(this: &PeerConnection, candidate: &JsValue) -> js_sys::Promise;
}

/// `pc.setLocalDescription()`.
pub fn set_local_description_implicit(pc: &web_sys::RtcPeerConnection) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>().set_local_description()
}

/// `pc.setRemoteDescription(obj)` with the `{type, sdp}` object a peer sent.
pub fn set_remote_description_object(
    pc: &web_sys::RtcPeerConnection,
    description: &JsValue,
) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>()
        .set_remote_description(description)
}

/// `pc.addIceCandidate(obj)` with the candidate object a peer sent.
pub fn add_ice_candidate_object(
    pc: &web_sys::RtcPeerConnection,
    candidate: &JsValue,
) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>()
        .add_ice_candidate(candidate)
}
