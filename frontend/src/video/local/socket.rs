//! The signalling socket of a built-in room: opening it with the room
//! token, what each close means, and reconnecting with backoff while the
//! peers keep their media flowing.

use super::plan::{after_close, next_try, Retry};
use super::LocalRoom;
use crate::services::json;
use crate::visit::machine::Input;
use api_types::{ClientSignal, ServerSignal, SIGNALLING_PROTOCOL};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

impl LocalRoom {
    /// Opens the socket with the current room token (renewals included).
    pub(super) fn open_socket(&self) {
        let (url, token) = {
            let inner = self.inner.borrow();
            (inner.url.clone(), inner.token.clone())
        };
        let protocols = js_sys::Array::of2(&SIGNALLING_PROTOCOL.into(), &token.into());
        let Ok(socket) = WebSocket::new_with_str_sequence(&url, &protocols) else {
            self.schedule_reconnect();
            return;
        };
        let on_message = {
            let room = self.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let text = event.unchecked_into::<MessageEvent>().data().as_string();
                if let Some(signal) = text.and_then(|t| json::from_str::<ServerSignal>(&t).ok()) {
                    room.on_signal(signal);
                }
            })
        };
        let on_close = {
            let room = self.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                room.on_close(event.unchecked_into::<CloseEvent>().code());
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.inner.borrow_mut().socket = Some((socket, vec![on_message, on_close]));
    }

    fn on_close(&self, code: u16) {
        web_sys::console::info_1(&format!("signalling socket closed with code {code}").into());
        let ending = after_close(code);
        {
            let mut inner = self.inner.borrow_mut();
            if inner.leaving {
                return;
            }
            if let Some((socket, _)) = inner.socket.take() {
                clear_socket_handlers(&socket);
            }
            if ending.is_some() {
                inner.leaving = true;
                inner.peers.clear();
            }
        }
        match ending {
            Some(reason) => self.input(Input::LocalDisconnected(reason)),
            None => {
                let first_drop = self.inner.borrow().dropped_at.is_none();
                if first_drop {
                    self.inner.borrow_mut().dropped_at = Some(js_sys::Date::now());
                    self.input(Input::LocalReconnecting);
                }
                self.schedule_reconnect();
            }
        }
    }

    /// Tries again after [`next_try`]'s delay; peers keep their media
    /// flowing meanwhile.
    pub(super) fn schedule_reconnect(&self) {
        let (attempt, dropped_at, expires_at) = {
            let mut inner = self.inner.borrow_mut();
            inner.attempt += 1;
            (
                inner.attempt,
                inner.dropped_at.unwrap_or_else(js_sys::Date::now),
                inner.token_expires_at,
            )
        };
        let delay = match next_try(attempt, js_sys::Date::now(), dropped_at, expires_at) {
            Retry::After(delay) => delay,
            Retry::End(reason) => {
                self.leave();
                self.input(Input::LocalDisconnected(reason));
                return;
            }
        };
        let room = self.clone();
        yew::platform::spawn_local(async move {
            yew::platform::time::sleep(delay).await;
            if !room.inner.borrow().leaving {
                room.open_socket();
            }
        });
    }

    pub(super) fn send_signal(&self, message: &ClientSignal) {
        if let (Some((socket, _)), Some(text)) =
            (&self.inner.borrow().socket, json::to_string(message))
        {
            let _ = socket.send_with_str(&text);
        }
    }
}

pub(super) fn clear_socket_handlers(socket: &WebSocket) {
    socket.set_onmessage(None);
    socket.set_onclose(None);
}
