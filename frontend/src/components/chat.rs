//! The call's private chat: a toggle with the unread count, and a panel with
//! the messages and a box to write in. Messages go browser to browser and
//! live only in this tab's memory, which the panel tells the person.

use crate::components::input_value;
use crate::hooks::use_locale;
use crate::video::MAX_CHAT_CHARS;
use yew::prelude::*;

/// A message as shown: who said it ("You" for ours) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownLine {
    pub who: String,
    pub mine: bool,
    pub text: String,
}

#[derive(Properties, PartialEq)]
pub struct ChatProps {
    pub lines: Vec<ShownLine>,
    /// How many messages others have sent so far (see `ChatLog::received`).
    pub received: usize,
    pub onsend: Callback<String>,
}

#[component]
pub fn Chat(props: &ChatProps) -> Html {
    let t = use_locale();
    let open = use_state(|| false);
    let seen = use_state(|| 0);
    let input = use_node_ref();
    // While the panel is open, every message is read.
    {
        let seen = seen.clone();
        use_effect_with((*open, props.received), move |(open, received)| {
            if *open {
                seen.set(*received);
            }
        });
    }
    // Opening the chat goes to the message box (and scrolls it into view).
    {
        let input = input.clone();
        use_effect_with(*open, move |open| {
            if let (true, Some(input)) = (*open, input.cast::<web_sys::HtmlElement>()) {
                let _ = input.focus();
            }
        });
    }
    let unread = if *open {
        0
    } else {
        props.received.saturating_sub(*seen)
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onsubmit = {
        let (input, onsend) = (input.clone(), props.onsend.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let text = input_value(&input);
            if !text.trim().is_empty() {
                onsend.emit(text);
            }
            if let Some(input) = input.cast::<web_sys::HtmlInputElement>() {
                input.set_value("");
            }
        })
    };
    // Closed, the newest message is read out once; open, the log is.
    let announcement = props
        .lines
        .iter()
        .rev()
        .find(|line| !line.mine)
        .filter(|_| unread > 0)
        .map(|line| {
            t.fill(
                "chat.new_message",
                &[("name", &line.who), ("text", &line.text)],
            )
        });
    html! {
        <section class="chat" aria-label={t.t("chat.title").to_owned()}>
            <button class="chat-toggle" aria-expanded={open.to_string()} aria-controls="chat-panel" onclick={toggle}>
                { t.html("chat.title") }
                if unread > 0 {
                    <span class="badge"><span aria-hidden="true">{ unread }</span><span class="visually-hidden">{ t.count("chat.unread", unread as u64) }</span></span>
                }
            </button>
            <p class="visually-hidden" aria-live="polite">{ announcement }</p>
            if *open {
                <div id="chat-panel" class="chat-panel">
                    <p class="hint">{ t.html("chat.privacy") }</p>
                    <div class="chat-log" role="log" aria-label={t.t("chat.messages").to_owned()}>
                        <ol>
                            { for props.lines.iter().map(|line| html! {
                                <li class={classes!(line.mine.then_some("mine"))}>
                                    <span class="who">{ &line.who }</span>{ " " }<span class="text">{ &line.text }</span>
                                </li>
                            }) }
                        </ol>
                    </div>
                    <form class="chat-form" {onsubmit}>
                        <label for="chat-input">{ t.html("chat.message") }</label>
                        <div class="chat-row">
                            <input id="chat-input" ref={input} autocomplete="off" maxlength={MAX_CHAT_CHARS.to_string()} />
                            <button type="submit">{ t.html("chat.send") }</button>
                        </div>
                    </form>
                </div>
            }
        </section>
    }
}
