//! A visit link to hand over: copy it, or show it as a QR code to scan.

use crate::hooks::use_locale;
use crate::qr;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareLinkProps {
    pub label: AttrValue,
    pub link: String,
}

#[component]
pub fn ShareLink(props: &ShareLinkProps) -> Html {
    let t = use_locale();
    let copied = use_state(|| false);
    let onclick = {
        let (link, copied) = (props.link.clone(), copied.clone());
        Callback::from(move |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&link);
                copied.set(true);
            }
        })
    };
    html! {
        <div class="stack">
            <label>
                { props.label.clone() }
                <input class="link" readonly=true value={props.link.clone()} />
            </label>
            <button class="secondary" {onclick} aria-label={t.fill("clinic.share.copy_label", &[("link", &props.label)])}>
                { t.html(if *copied { "clinic.share.copied" } else { "clinic.share.copy" }) }
            </button>
            <QrCode link={props.link.clone()} label={props.label.clone()} />
        </div>
    }
}

/// The link as a QR code, for a patient to scan from the clinician's screen.
#[component]
fn QrCode(props: &ShareLinkProps) -> Html {
    let t = use_locale();
    let drawn = use_state(|| None::<(u32, String)>);
    {
        let drawn = drawn.clone();
        use_effect_with(props.link.clone(), move |link| {
            let link = link.clone();
            yew::platform::spawn_local(async move { drawn.set(qr::encode(&link).await) });
        });
    }
    let Some((n, path)) = (*drawn).clone() else {
        return html! {};
    };
    // A quiet zone of 4 modules around the code, as scanners expect.
    html! {
        <svg class="qr" viewBox={format!("-4 -4 {0} {0}", n + 8)} role="img" aria-label={t.fill("clinic.share.qr_label", &[("link", &props.label)])}>
            <rect x="-4" y="-4" width="100%" height="100%" fill="#fff" />
            <path d={path} fill="#000" />
        </svg>
    }
}
