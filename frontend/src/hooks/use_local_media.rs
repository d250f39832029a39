//! The one camera-and-microphone capture of a visit page. Every stream it
//! asks the browser for is either the one shown and sent, or stopped: a
//! stream that is replaced (a device change, or a request overtaken by a
//! newer one) stops at once, and the current one stops when the page goes,
//! so the camera light never stays on behind the person's back.

use crate::media::{self, DeviceChoice, MediaError};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::MediaStream;
use yew::prelude::*;

#[derive(Default)]
struct Capture {
    /// The stream shown and sent now.
    live: Option<MediaStream>,
    /// Bumped by every request and by stopping: an answer to an older
    /// request is stale, and stopped on arrival.
    generation: u32,
}

impl Capture {
    fn stop(&mut self) {
        self.generation += 1;
        if let Some(stream) = self.live.take() {
            media::stop(&stream);
        }
    }
}

/// The capture as the page sees it.
#[derive(Clone)]
pub struct LocalMedia {
    /// The live stream, once the browser granted one.
    pub stream: Option<MediaStream>,
    /// Why the latest request failed (the previous stream, if any, stays).
    pub error: Option<MediaError>,
    capture: Rc<RefCell<Capture>>,
}

impl LocalMedia {
    /// Stops the camera and microphone for good (leaving, or the end).
    pub fn stop(&self) {
        self.capture.borrow_mut().stop();
    }
}

/// Captures what `choice` asks for, again whenever it changes.
#[hook]
pub fn use_local_media(choice: DeviceChoice) -> LocalMedia {
    let capture = use_mut_ref(Capture::default);
    let stream = use_state(|| None::<MediaStream>);
    let error = use_state(|| None::<MediaError>);
    {
        let (capture, stream, error) = (capture.clone(), stream.clone(), error.clone());
        use_effect_with(choice, move |choice| {
            let generation = {
                let mut capture = capture.borrow_mut();
                capture.generation += 1;
                capture.generation
            };
            let choice = choice.clone();
            yew::platform::spawn_local(async move {
                let outcome = media::local_stream(&choice).await;
                let mut current = capture.borrow_mut();
                match outcome {
                    Ok(fresh) if current.generation != generation => media::stop(&fresh),
                    Ok(fresh) => {
                        if let Some(replaced) = current.live.replace(media::handle(&fresh)) {
                            media::stop(&replaced);
                        }
                        stream.set(Some(fresh));
                        error.set(None);
                    }
                    Err(err) if current.generation == generation => error.set(Some(err)),
                    Err(_) => {}
                }
            });
        });
    }
    {
        let capture = capture.clone();
        use_effect_with((), move |_| move || capture.borrow_mut().stop());
    }
    LocalMedia {
        stream: (*stream).clone(),
        error: *error,
        capture,
    }
}
