//! A `<video>` showing a live stream: the self-view (muted) or a remote
//! participant on the chosen speaker.

use crate::media;
use web_sys::{HtmlVideoElement, MediaStream};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StreamVideoProps {
    pub stream: Option<MediaStream>,
    pub class: &'static str,
    pub muted: bool,
    pub label: AttrValue,
    /// The chosen speaker, for remote sound.
    #[prop_or_default]
    pub speaker: Option<String>,
}

/// A `<video>` showing a live stream.
#[component]
pub fn StreamVideo(props: &StreamVideoProps) -> Html {
    let video = use_node_ref();
    {
        let video = video.clone();
        use_effect_with(
            (props.stream.clone(), props.speaker.clone(), props.muted),
            move |(stream, speaker, muted)| {
                if let Some(element) = video.cast::<HtmlVideoElement>() {
                    element.set_src_object(stream.as_ref());
                    // The property, not the attribute: browsers read the
                    // attribute only while parsing HTML, so without this
                    // the self-view plays the person's own microphone.
                    element.set_muted(*muted);
                    if let Some(id) = speaker {
                        media::set_speaker(&element, id);
                    }
                }
            },
        );
    }
    html! {
        <video ref={video} class={props.class} autoplay=true playsinline=true aria-label={props.label.clone()} />
    }
}
