//! A participant without a browser, for tests of the token service: it
//! connects the way the SDK does (a TCMP `hello` whose body is the room's
//! `connect`, with no media) and reports how its connection ended, with the
//! code the SDK would give.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Participant {
    socket: Socket,
    /// This participant's SID in the room.
    pub sid: String,
}

/// The code the SDK would report for a room message that ends the
/// connection, if it is one.
fn ending_code(message: &Value) -> Option<u32> {
    match message["type"].as_str()? {
        "error" => message["code"].as_u64().and_then(|c| u32::try_from(c).ok()),
        "disconnected" if message["status"] == "completed" => Some(53118),
        "disconnected" => Some(0),
        _ => None,
    }
}

/// The next room message, skipping heartbeats; `None` once the socket ends.
async fn next_message(socket: &mut Socket) -> Option<Value> {
    while let Some(Ok(frame)) = socket.next().await {
        let Message::Text(text) = frame else { continue };
        let frame: Value = serde_json::from_str(&text).ok()?;
        if frame["type"] == "msg" {
            return Some(frame["body"].clone());
        }
    }
    None
}

impl Participant {
    /// Joins room `name` with `token` through `signalling_url`; a refusal
    /// gives its code (as `TwilioError.code` in the SDK).
    pub async fn join(signalling_url: &str, token: &str, name: &str) -> Result<Self, u32> {
        let (mut socket, _) = tokio_tungstenite::connect_async(signalling_url)
            .await
            .map_err(|_| 53000u32)?;
        let connect = json!({
            "type": "connect", "version": 2, "name": name, "token": token,
            "participant": {"revision": 1, "tracks": []}, "peer_connections": [],
        });
        let hello =
            json!({"type": "hello", "id": "test", "timeout": 5000, "version": 2, "body": connect});
        socket
            .send(Message::text(hello.to_string()))
            .await
            .map_err(|_| 53000u32)?;
        loop {
            let message = next_message(&mut socket).await.ok_or(53000u32)?;
            if let Some(code) = ending_code(&message) {
                return Err(code);
            }
            if message["type"] == "connected" {
                let sid = message["participant"]["sid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                return Ok(Self { socket, sid });
            }
        }
    }

    /// Waits until the room ends this connection; the SDK's code for why
    /// (53118 completed, 53205 joined elsewhere), or 0 if the socket just
    /// closed.
    pub async fn ended(&mut self) -> u32 {
        while let Some(message) = next_message(&mut self.socket).await {
            if let Some(code) = ending_code(&message) {
                return code;
            }
        }
        0
    }

    /// Leaves as the SDK does: `disconnect`, then `bye`. It then reads
    /// until the emulator closes: a socket closed with unread data is
    /// reset, and a reset can lose the goodbye on the way.
    pub async fn leave(mut self) {
        let disconnect = json!({"type": "msg", "body": {"type": "disconnect", "version": 2}});
        let _ = self
            .socket
            .send(Message::text(disconnect.to_string()))
            .await;
        let _ = self
            .socket
            .send(Message::text(json!({"type": "bye"}).to_string()))
            .await;
        while let Some(Ok(_)) = self.socket.next().await {}
    }
}
