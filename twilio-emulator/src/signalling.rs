//! One SDK connection: TCMP v2 framing (`twilioconnection.js`) around the
//! room messages (`signaling/v2/twilioconnectiontransport.js`).
//!
//! `hello` (whose body is the first room message) is answered `welcome`;
//! then `msg` frames carry room messages both ways, and the emulator sends
//! a `heartbeat` every negotiated period, as the SDK expects of Twilio.

use crate::access;
use crate::rooms::{error, Out, Seat};
use crate::Shared;
use actix_ws::{AggregatedMessage, Session};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

/// The heartbeat period the emulator agrees to, at most.
const MAX_HEARTBEAT_MS: u64 = 5_000;

pub async fn run(shared: Shared, mut session: Session, stream: actix_ws::MessageStream) {
    let mut stream = stream
        .aggregate_continuations()
        .max_continuation_size(1 << 20);
    let (outbox, mut inbox) = unbounded_channel::<Out>();
    let mut seat: Option<Seat> = None;
    let mut said_goodbye = false;
    let mut close = None;
    let mut heartbeat = tokio::time::interval(Duration::from_millis(MAX_HEARTBEAT_MS));
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(AggregatedMessage::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(AggregatedMessage::Ping(bytes))) => { let _ = session.pong(&bytes).await; continue; }
                        Some(Ok(_)) => continue,
                        _ => break,
                    }
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                match frame["type"].as_str() {
                    Some("hello") => {
                        let asked = frame["timeout"].as_u64().unwrap_or(MAX_HEARTBEAT_MS);
                        let agreed = asked.clamp(1_000, MAX_HEARTBEAT_MS);
                        heartbeat = tokio::time::interval(Duration::from_millis(agreed));
                        if send(&mut session, json!({"type": "welcome", "negotiatedTimeout": agreed})).await.is_err() {
                            break;
                        }
                        room_message(&shared, &frame["body"], &mut seat, &outbox);
                    }
                    Some("msg") => room_message(&shared, &frame["body"], &mut seat, &outbox),
                    Some("bye") => {
                        said_goodbye = true;
                        break;
                    }
                    _ => {}
                }
            }
            Some(out) = inbox.recv() => match out {
                Out::Msg(body) => {
                    if send(&mut session, json!({"type": "msg", "body": body})).await.is_err() {
                        break;
                    }
                }
                Out::Close => {
                    seat = None;
                    break;
                }
                Out::Drop => {
                    close = Some(DROPPED.into());
                    break;
                }
            },
            _ = heartbeat.tick() => {
                if send(&mut session, json!({"type": "heartbeat"})).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = session.close(close).await;
    match seat {
        Some(seat) if said_goodbye => shared.rooms().leave(&seat),
        Some(seat) => {
            shared.rooms().connection_lost(&seat);
            tokio::time::sleep(shared.config.reconnect_window).await;
            shared.rooms().reconnection_expired(&seat);
        }
        None => {}
    }
}

/// Not 1000: the SDK takes any other close as a lost connection and
/// reconnects with `sync` (`twilioconnection.js` `_close`).
const DROPPED: actix_ws::CloseCode = actix_ws::CloseCode::Other(4000);

async fn send(session: &mut Session, frame: Value) -> Result<(), actix_ws::Closed> {
    session.text(frame.to_string()).await
}

/// Handles one room message; replies go through `outbox`.
fn room_message(
    shared: &Shared,
    body: &Value,
    seat: &mut Option<Seat>,
    outbox: &crate::rooms::Outbox,
) {
    let reply = |message: Value| {
        let _ = outbox.send(Out::Msg(message));
    };
    match body["type"].as_str() {
        Some("ice") => reply(json!({"type": "iced", "version": 1, "ice_servers": []})),
        Some("connect") if seat.is_none() => {
            let name = body["name"].as_str().unwrap_or_default();
            let token = body["token"].as_str().unwrap_or_default();
            let admitted = access::admit(token, &shared.config.api_key_secret, name, shared.now())
                .and_then(|identity| {
                    shared
                        .rooms()
                        .connect(name, &identity, body, shared.now(), outbox.clone())
                });
            match admitted {
                Ok(joined) => *seat = Some(joined),
                Err(refusal) => reply(error(&refusal)),
            }
        }
        Some("sync") if seat.is_none() => {
            let session = body["session"].as_str().unwrap_or_default();
            if shared.refusing_reconnects() {
                let _ = outbox.send(Out::Drop);
                return;
            }
            match shared.rooms().resume(session, outbox.clone()) {
                Some(resumed) => *seat = Some(resumed),
                None => reply(error(&access::SESSION_GONE)),
            }
        }
        Some("update") => {
            if let Some(seat) = seat {
                shared.rooms().update(seat, body);
            }
        }
        Some("disconnect") => {
            if let Some(seat) = seat.take() {
                shared.rooms().leave(&seat);
            }
        }
        _ => {}
    }
}
