//! The camera and microphone: asking for them, and saying plainly what went
//! wrong when the browser refuses.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaError {
    PermissionDenied,
    NoDevice,
    InUse,
    Unsupported,
    Other,
}

impl MediaError {
    /// From a `DOMException` name (pure, so the mapping is tested natively).
    pub fn from_name(name: &str) -> Self {
        match name {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => {
                MediaError::PermissionDenied
            }
            "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => {
                MediaError::NoDevice
            }
            "NotReadableError" | "TrackStartError" | "AbortError" => MediaError::InUse,
            _ => MediaError::Other,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            MediaError::PermissionDenied => {
                "Your browser is blocking the camera and microphone. Click the camera icon in the address bar, choose \"Allow\", then try again."
            }
            MediaError::NoDevice => {
                "We can't find a camera or microphone. Plug one in, or join with audio only."
            }
            MediaError::InUse => {
                "Another app is using your camera or microphone. Close it (for example another video call), then try again."
            }
            MediaError::Unsupported => {
                "This browser can't make video calls. Please use a current Chrome, Edge, Firefox or Safari."
            }
            MediaError::Other => "We couldn't start your camera or microphone. Please try again.",
        }
    }
}

/// Asks for the camera and/or microphone.
pub async fn local_stream(audio: bool, video: bool) -> Result<MediaStream, MediaError> {
    let devices = web_sys::window()
        .ok_or(MediaError::Unsupported)?
        .navigator()
        .media_devices()
        .map_err(|_| MediaError::Unsupported)?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&audio.into());
    constraints.set_video(&video.into());
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| MediaError::Unsupported)?;
    match JsFuture::from(promise).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(err) => Err(err
            .dyn_ref::<web_sys::DomException>()
            .map_or(MediaError::Other, |e| MediaError::from_name(&e.name()))),
    }
}

/// Stops every track, so the camera light goes off.
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    }
}

/// Turns the stream's audio or video tracks on or off without renegotiating.
pub fn set_enabled(stream: &MediaStream, kind: &str, enabled: bool) {
    let tracks = if kind == "audio" {
        stream.get_audio_tracks()
    } else {
        stream.get_video_tracks()
    };
    for track in tracks.iter() {
        track
            .unchecked_into::<web_sys::MediaStreamTrack>()
            .set_enabled(enabled);
    }
}

#[cfg(test)]
mod tests {
    use super::MediaError;

    #[test]
    fn browser_refusals_map_to_plain_advice() {
        assert_eq!(
            MediaError::from_name("NotAllowedError"),
            MediaError::PermissionDenied
        );
        assert_eq!(MediaError::from_name("NotFoundError"), MediaError::NoDevice);
        assert_eq!(MediaError::from_name("NotReadableError"), MediaError::InUse);
        assert_eq!(MediaError::from_name("Weird"), MediaError::Other);
        assert!(MediaError::PermissionDenied.message().contains("Allow"));
    }
}
